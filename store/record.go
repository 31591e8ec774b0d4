package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Record is a delivery as readers see it: its metadata joined with its
// analysis, replay attempts and pin. Body bytes are fetched separately.
type Record struct {
	Event
	// Analysis is nil until verification has run.
	Analysis *Analysis
	Replays  []Attempt
	Pinned   bool
	// Answered reports that Response.DurationMS is the one measured once
	// the answer was written (DB.SetAnswered), not the estimate stored
	// with the delivery: what a printer that must agree with later reads
	// waits for.
	Answered bool
}

// SignatureOrPending returns the stored verdict, or a pending one.
func (r Record) SignatureOrPending() Signature {
	if r.Analysis == nil {
		return Signature{Status: SigPending}
	}
	return r.Analysis.Signature
}

// recordJSON is the fixed JSON shape of a delivery used by ls --json,
// show --json, listen --json and the jsonl export. Field names are a public
// interface: never rename one.
type recordJSON struct {
	ID         string        `json:"id"`
	ReceivedAt string        `json:"received_at"`
	Method     string        `json:"method"`
	Path       string        `json:"path"`
	RawPath    string        `json:"raw_path,omitempty"`
	Query      string        `json:"query"`
	Host       string        `json:"host"`
	RemoteAddr string        `json:"remote_addr"`
	Proto      string        `json:"proto"`
	Headers    orderedHeader `json:"headers"`
	// Trailers are those of a chunked request, in the shape of headers;
	// left out when there are none.
	Trailers    orderedHeader `json:"trailers,omitempty"`
	Size        int64         `json:"size"`
	Truncated   bool          `json:"truncated"`
	ContentType string        `json:"content_type"`
	// ContentEncoding flags a body stored encoded (gzip) as received.
	ContentEncoding string        `json:"content_encoding"`
	Response        Response      `json:"response"`
	Provider        string        `json:"provider"`
	EventType       string        `json:"event_type"`
	Signature       Signature     `json:"signature"`
	Schema          *SchemaResult `json:"schema"`
	DuplicateOf     string        `json:"duplicate_of"`
	Notes           []string      `json:"notes,omitempty"`
	Forward         *Attempt      `json:"forward,omitempty"`
	Replays         []Attempt     `json:"replays"`
	Pinned          bool          `json:"pinned"`
	Imported        bool          `json:"imported"`
	Refused         string        `json:"refused,omitempty"`
}

// TimeFormat is the layout of every timestamp hookscope prints: RFC 3339
// with nanoseconds, UTC.
const TimeFormat = "2006-01-02T15:04:05.000000000Z07:00"

// MarshalJSON writes the fixed public JSON object of a delivery.
func (r Record) MarshalJSON() ([]byte, error) {
	j := recordJSON{
		ID:              r.ID,
		ReceivedAt:      r.ReceivedAt.UTC().Format(TimeFormat),
		Method:          r.Method,
		Path:            r.Path,
		RawPath:         r.RawPath,
		Query:           r.Query,
		Host:            r.Host,
		RemoteAddr:      r.RemoteAddr,
		Proto:           r.Proto,
		Headers:         orderedHeader(r.Header),
		Trailers:        orderedHeader(r.Trailer),
		Size:            r.Size,
		Truncated:       r.Truncated,
		ContentType:     r.ContentType,
		ContentEncoding: r.ContentEncoding,
		Response:        r.Response,
		Signature:       r.SignatureOrPending(),
		Forward:         r.Forward,
		Replays:         r.Replays,
		Pinned:          r.Pinned,
		Imported:        r.Imported,
		Refused:         r.Refused,
	}
	if j.Replays == nil {
		j.Replays = []Attempt{}
	}
	if a := r.Analysis; a != nil {
		j.Provider = a.Provider
		j.EventType = a.EventType
		j.Schema = a.Schema
		j.DuplicateOf = a.DuplicateOf
		j.Notes = a.Notes
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the public JSON object back (used by import). Header
// and trailer names come back canonical; everything else round-trips.
func (r *Record) UnmarshalJSON(b []byte) error {
	var j recordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	t, err := time.Parse(time.RFC3339Nano, j.ReceivedAt)
	if err != nil && j.ReceivedAt != "" {
		return fmt.Errorf("received_at: %w", err)
	}
	*r = Record{
		Event: Event{
			ID: j.ID, ReceivedAt: t.UTC(), Method: j.Method, Path: j.Path, RawPath: j.RawPath, Query: j.Query,
			Host: j.Host, RemoteAddr: j.RemoteAddr, Proto: j.Proto, Header: Header(j.Headers),
			Trailer: Header(j.Trailers),
			Size:    j.Size, Truncated: j.Truncated, ContentType: j.ContentType,
			ContentEncoding: j.ContentEncoding, Response: j.Response, Imported: j.Imported,
			Forward: j.Forward, Refused: j.Refused,
		},
		Replays: j.Replays,
		Pinned:  j.Pinned,
	}
	if j.Provider != "" || j.Signature.Status != "" && j.Signature.Status != SigPending {
		r.Analysis = &Analysis{
			Provider: j.Provider, EventType: j.EventType, Signature: j.Signature,
			Schema: j.Schema, DuplicateOf: j.DuplicateOf, Notes: j.Notes,
		}
	}
	return nil
}

// orderedHeader marshals as a JSON object from canonical header name to the
// array of its values, names in the order they first arrived.
type orderedHeader Header

func (h orderedHeader) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, nv := range Header(h).Canonical() {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(nv.Name)
		v, _ := json.Marshal(nv.Values)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(v)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func (h *orderedHeader) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		*h = nil
		return nil
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return fmt.Errorf("headers: want an object")
	}
	var out Header
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := kt.(string)
		var vals []string
		if err := dec.Decode(&vals); err != nil {
			return fmt.Errorf("headers %q: %w", name, err)
		}
		for _, v := range vals {
			out = append(out, Field{Name: name, Value: v})
		}
	}
	*h = orderedHeader(out)
	return nil
}

// CachedKey is a Talkdesk public signature key as fetched from the key
// endpoint (or configured locally), kept until it expires.
type CachedKey struct {
	KeyID     string    `json:"key_id"`
	PublicKey string    `json:"public_key"` // as served: base64 of PEM or DER, or PEM
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
	FetchedAt time.Time `json:"fetched_at"`
	Source    string    `json:"source"` // URL it came from
}

// Notice tells subscribers that something about a delivery changed. It
// carries only the id: subscribers re-read what they show, so a dropped
// notice delays a repaint and loses nothing.
type Notice struct {
	ID   string
	Kind NoticeKind
}

// NoticeKind says what changed.
type NoticeKind int

// Notice kinds.
const (
	Captured NoticeKind = iota + 1 // a new delivery was committed
	Analyzed                       // its analysis was stored
	Replayed                       // a replay or forward attempt was stored
	Changed                        // pin or other metadata changed
	Removed                        // pruned
	// Lost says the source stopped answering: the listener a client is
	// attached to went away. Its ID is empty. Notices resume, after a
	// Resync, if it comes back.
	Lost
	// Resync says notices may have been missed (the source came back
	// after a Lost): re-read everything shown. Its ID is empty.
	Resync
)
