package export

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
)

// Format is an export file format.
type Format string

// The formats. JSONL is the one that round-trips exactly.
const (
	HAR   Format = "har"
	JSONL Format = "jsonl"
	Curl  Format = "curl"
)

// Formats lists the export formats in the order help text names them.
var Formats = []Format{HAR, JSONL, Curl}

// ParseFormat accepts a format name in any case.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if strings.EqualFold(s, string(f)) {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("export: unknown format %q: accepted values are %s", s, strings.Join(names, ", "))
}

// Source is what an export reads. store.Store implements it, in-process or
// over a running listener's socket.
type Source interface {
	List(ctx context.Context, q store.Query) ([]store.Record, error)
	Body(ctx context.Context, id string) ([]byte, error)
	Attempt(ctx context.Context, id string, seq int) (store.Attempt, error)
}

// PageSize is how many deliveries an export asks the source for at a time;
// bodies are fetched one by one, so an export holds one page of metadata
// and one body.
const PageSize = 256

// Options tune Export.
type Options struct {
	Format Format
	// Filter selects deliveries (the filter language); "" exports all.
	Filter string
	// Masker hides secrets; nil exports everything as stored.
	Masker Masker
	// Progress, when set, is called after each delivery written with the
	// number written so far.
	Progress func(done int)
	// Version names the hookscope build in HAR's creator field.
	Version string
}

// Result says what an export wrote.
type Result struct {
	// Written counts the deliveries written.
	Written int
	// Masked counts those masking changed (a header, the body, the query,
	// the path, or a forwarded answer): they are no longer the bytes
	// received, so a signed one no longer verifies after import.
	Masked int
	// Withheld counts the masked deliveries whose body, or an app's
	// answer to them, was left out: it is compressed in a way hookscope
	// cannot decode to mask it.
	Withheld int
}

// Export writes the deliveries matching opts.Filter, oldest first, to w in
// opts.Format and says how many it wrote and masked; on an error, the
// Result counts what was written before it.
func Export(ctx context.Context, w io.Writer, src Source, opts Options) (Result, error) {
	var res Result
	if _, err := store.ParseFilter(opts.Filter); err != nil {
		return res, err
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	var enc encoder
	switch opts.Format {
	case HAR:
		enc = &harEncoder{w: bw, version: opts.Version}
	case JSONL, "":
		enc = &jsonlEncoder{w: bw}
	case Curl:
		enc = &curlEncoder{w: bw}
	default:
		_, err := ParseFormat(string(opts.Format))
		return res, err
	}
	if err := enc.begin(); err != nil {
		return res, fmt.Errorf("export: write: %w", err)
	}
	after := ""
	for {
		recs, err := src.List(ctx, store.Query{Filter: opts.Filter, Oldest: true, After: after, Limit: PageSize})
		if err != nil {
			return res, fmt.Errorf("export: list deliveries: %w", err)
		}
		for _, r := range recs {
			d, err := load(ctx, src, r, opts.Masker, opts.Format)
			if err != nil {
				return res, err
			}
			if err := enc.entry(d); err != nil {
				return res, fmt.Errorf("export: write delivery %s: %w", r.ID, err)
			}
			res.Written++
			if d.masked {
				res.Masked++
			}
			if d.withheld || d.answerWithheld {
				res.Withheld++
			}
			if opts.Progress != nil {
				opts.Progress(res.Written)
			}
		}
		if len(recs) < PageSize {
			break
		}
		after = recs[len(recs)-1].ID
	}
	if err := enc.end(); err != nil {
		return res, fmt.Errorf("export: write: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return res, fmt.Errorf("export: write: %w", err)
	}
	return res, nil
}

// delivery is one record ready to encode: its header and body already
// masked.
type delivery struct {
	rec    store.Record // rec.Header and rec.Trailer are masked
	body   []byte
	masked bool // masking changed a header or the body
	// withheld is set when masking left the body out: it is compressed in
	// a way hookscope cannot decode, so its secrets could not be masked.
	withheld bool
	// answerWithheld is the same for an attempt's answer (the app's).
	answerWithheld bool
	// forward is the app's full answer when the listener forwarded the
	// delivery (nil otherwise, or when not needed).
	forward *store.Attempt
	// replays are the replay attempts with their targets' full answers
	// (JSONL only), in rec.Replays' order, those the store has; masked
	// like the forward.
	replays []store.Attempt
}

// encoder writes one format.
type encoder interface {
	begin() error
	entry(d delivery) error
	end() error
}

// load fetches what the format writes of record r: its body, for HAR the
// forward's full answer, for JSONL (a backup) the full answers of the
// forward and of every replay; and masks them when m is set.
func load(ctx context.Context, src Source, r store.Record, m Masker, f Format) (delivery, error) {
	b, err := src.Body(ctx, r.ID)
	if err != nil {
		return delivery{}, fmt.Errorf("export: body of %s: %w", r.ID, err)
	}
	d := delivery{rec: r, body: b}
	if m != nil {
		mask(&d, m)
	}
	if f == Curl {
		return d, nil
	}
	if r.Forward != nil {
		a, ok, err := loadAnswer(ctx, src, r.ID, 0, m, &d.masked, &d.answerWithheld)
		if err != nil {
			return d, err
		}
		if ok {
			d.forward = &a
		}
	}
	if f != HAR {
		for _, ra := range d.rec.Replays {
			a, ok, err := loadAnswer(ctx, src, r.ID, ra.Seq, m, &d.masked, &d.answerWithheld)
			if err != nil {
				return d, err
			}
			if ok {
				d.replays = append(d.replays, a)
			}
		}
	}
	return d, nil
}

// loadAnswer fetches attempt seq of delivery id with its full answer, the
// headers and body masked when m is set (setting *masked when that changed
// them, and *withheld when the body was left out, compressed in a way
// hookscope cannot decode); ok is false when the store has no such attempt.
func loadAnswer(ctx context.Context, src Source, id string, seq int, m Masker, masked, withheld *bool) (a store.Attempt, ok bool, err error) {
	a, err = src.Attempt(ctx, id, seq)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return a, false, nil
	case err != nil:
		what := fmt.Sprintf("replay %d", seq)
		if seq == 0 {
			what = "forward"
		}
		return a, false, fmt.Errorf("export: %s answer of %s: %w", what, id, err)
	}
	if m != nil {
		var hm, bm bool
		a.RespHeader, hm = maskHeader(m, a.RespHeader)
		// An answer is stored as the app sent it, compressed included
		// (the sender asks for no decoding): the same rule as for a
		// delivery's body (see mask).
		switch dec, decoded, ok := body.ForMasking(a.RespBody, a.RespHeader.Codings()); {
		case !ok:
			a.RespBody, *withheld = nil, true
			a.RespHeader, hm = a.RespHeader.Without("Content-Encoding"), true
		case decoded:
			a.RespBody = dec
			a.RespHeader, hm = a.RespHeader.Without("Content-Encoding"), true
		}
		a.RespBody, bm = maskBody(m, a.RespHeader.Get("Content-Type"), a.RespBody)
		*masked = *masked || hm || bm
	}
	return a, true, nil
}

// mask applies m to what d carries from the sender: header and trailer
// values, the body, the query (a form, so secret fields such as
// access_token are masked) and the path, decoded and as sent (where
// configured secrets are replaced). A gzip body is decoded
// first and sent without its Content-Encoding, as the TUI's copy-as-curl
// does: compressed bytes hide their secrets from the masker. A body whose
// length changed gets a Content-Length to match (fixContentLength).
func mask(d *delivery, m Masker) {
	r := &d.rec
	stored := len(d.body)
	dropEncoding := func() {
		r.ContentEncoding = ""
		r.Header = r.Header.Without("Content-Encoding")
	}
	switch dec, decoded, ok := body.ForMasking(d.body, r.Codings()); {
	case !ok:
		// Compressed bytes the masker cannot read could hold any secret
		// (a gzip body cut at --max-body, deflate, gzip twice): the body
		// is left out rather than exported unread.
		d.body, d.masked, d.withheld = nil, true, true
		dropEncoding()
	case decoded:
		d.body, d.masked = dec, true
		dropEncoding()
	}
	var hm, tm, bm, qm, pm, rm, om, am bool
	r.Analysis, am = maskAnalysis(m, r.Analysis)
	r.Header, hm = maskHeader(m, r.Header)
	r.Trailer, tm = maskHeader(m, r.Trailer)
	d.body, bm = maskBody(m, r.ContentType, d.body)
	if len(d.body) != stored {
		r.Header = fixContentLength(r.Header, stored, len(d.body), r.Truncated)
	}
	var q, p, rp []byte
	q, qm = maskBody(m, "application/x-www-form-urlencoded", []byte(r.Query))
	p, pm = maskBody(m, "text/plain", []byte(r.Path))
	rp, rm = maskBody(m, "text/plain", []byte(r.RawPath))
	r.Query, r.Path, r.RawPath = string(q), string(p), string(rp)
	// The Host a sender gave is masked as its header is: the HAR URL and
	// the curl script's default target are built from it.
	var host []byte
	host, om = maskBody(m, "text/plain", []byte(r.Host))
	r.Host = string(host)
	if _, err := url.Parse("http://" + r.Host + "/"); om && err != nil {
		// The mask made it no host a URL can hold ("[masked]"): what a
		// host name may hold of it is kept, so that the file imports.
		r.Host = strings.Map(func(c rune) rune {
			if c == '.' || c == '-' || c == ':' || c > 0x7f || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') {
				return c
			}
			return -1
		}, r.Host)
	}
	// RawPath is only ever an encoding of Path. One that no longer decodes
	// to the masked path held a secret the masker could not see (sent
	// percent-encoded): dropped, it cannot carry it, and the URLs built
	// from the event encode the masked path instead.
	if r.RawPath != "" && (pm || rm) {
		if store.RawPathFor(r.Path, r.RawPath) == "" {
			r.RawPath, rm = "", true
		}
	}
	d.masked = d.masked || hm || tm || bm || qm || pm || rm || om || am
	// A live forward and replays with --keep-path sent the path and query
	// on: attempt targets, and errors quoting them, hold what they held.
	// Copies: the attempts belong to the record being exported.
	if r.Forward != nil {
		f := maskAttempt(m, *r.Forward, &d.masked)
		r.Forward = &f
	}
	if len(r.Replays) > 0 {
		replays := make([]store.Attempt, len(r.Replays))
		for i, a := range r.Replays {
			replays[i] = maskAttempt(m, a, &d.masked)
		}
		r.Replays = replays
	}
}

// fixContentLength returns h with its Content-Length values made to fit a
// body that masking (or decoding a gzip body to mask it) took from stored
// to exported bytes, so that the exported request is valid HTTP: the
// exported length, or for a body stored cut, the value moved by as many
// bytes as the body was (it still gives the length sent, less what masking
// removed). A value that is not a length, or not the stored body's (a
// refused request's values that disagree), is left alone; a delivery without
// Content-Length (chunked) gets none. h is left alone: the result is a copy.
func fixContentLength(h store.Header, stored, exported int, truncated bool) store.Header {
	var out store.Header
	for i, f := range h {
		if !strings.EqualFold(f.Name, "Content-Length") {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(f.Value), 10, 64)
		if err != nil || n < 0 {
			continue
		}
		v := int64(exported)
		switch {
		case truncated:
			v = max(n+int64(exported-stored), int64(exported))
		case n != int64(stored):
			// Not the stored body's length: a refused request's values
			// that disagree, kept as they came (the reason it was
			// refused), which a rewrite would hide.
			continue
		}
		if out == nil {
			out = slices.Clone(h)
		}
		out[i].Value = strconv.FormatInt(v, 10)
	}
	if out == nil {
		return h
	}
	return out
}

// maskAttempt returns a with its target and error masked as text, setting
// *masked when that changed them.
func maskAttempt(m Masker, a store.Attempt, masked *bool) store.Attempt {
	t, tm := maskBody(m, "text/plain", []byte(a.Target))
	e, em := maskBody(m, "text/plain", []byte(a.Error))
	a.Target, a.Error = string(t), string(e)
	*masked = *masked || tm || em
	return a
}
