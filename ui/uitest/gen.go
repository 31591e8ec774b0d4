package uitest

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Gen generates deliveries with deterministic ids and times.
type Gen struct {
	Seq   int
	Start time.Time
	Step  time.Duration
}

// NewGen returns a generator starting at a fixed instant, one delivery
// every 1.5 s.
func NewGen() *Gen {
	return &Gen{Start: time.Date(2026, 3, 14, 15, 9, 26, 535000000, time.UTC), Step: 1500 * time.Millisecond}
}

func (g *Gen) next() (string, time.Time) {
	g.Seq++
	return fmt.Sprintf("01JQ%016d", g.Seq), g.Start.Add(time.Duration(g.Seq) * g.Step)
}

// Kinds is the number of different deliveries Mixed cycles through.
const Kinds = 9

// Mixed returns n deliveries cycling through every provider and verdict:
// valid, invalid, unverifiable, unsigned and pending signatures; valid,
// invalid, unmatched, skipped and missing schema results; a duplicate, a
// forwarded delivery, gzip, JWT, XML and form bodies.
func (g *Gen) Mixed(n int) ([]store.Record, map[string][]byte) {
	recs := make([]store.Record, 0, n)
	bodies := map[string][]byte{}
	for i := 0; i < n; i++ {
		r, b := g.kind((g.Seq) % Kinds)
		recs = append(recs, r)
		bodies[r.ID] = b
	}
	return recs, bodies
}

func seg(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func (g *Gen) kind(k int) (store.Record, []byte) {
	id, at := g.next()
	r := store.Record{Event: store.Event{
		ID: id, ReceivedAt: at, Method: "POST", Host: "hooks.example.ngrok.app",
		RemoteAddr: "203.0.113.7:51234", Proto: "HTTP/1.1", ContentType: "application/json",
		Response: store.Response{Status: 200, DurationMS: 0.8},
	}}
	analysis := func(provider, typ, sig, reason string) *store.Analysis {
		return &store.Analysis{Provider: provider, EventType: typ, AnalyzedAt: at.Add(40 * time.Millisecond),
			Signature: store.Signature{Status: sig, Reason: reason}}
	}
	var b []byte
	switch k {
	case 0:
		r.Path = "/hooks/talkdesk"
		b = []byte(`{"id":"evt_` + id + `","type":"app.installed","created_at":"2026-03-14T15:09:27Z","api_version":"1.0","app_id":"a1b2","data":{"account_id":"acc_42","client_id":"cli_7","client_secret":"s3cr3t-client-value","private_key":"-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n-----END PRIVATE KEY-----"},"_links":{"root":{"href":"https://api.talkdeskapp.com"}}}`)
		r.Header = store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-Hub-Ecdsa-Signature", Value: "3045022100c1a7e0"}, {Name: "X-Hub-Ecdsa-Signature-Id", Value: "k1"}, {Name: "User-Agent", Value: "Talkdesk-Webhooks/1.0"}}
		r.Analysis = analysis("talkdesk-events", "app.installed", store.SigValid, "")
		r.Analysis.Signature.Scheme, r.Analysis.Signature.KeyID, r.Analysis.Signature.Algorithm = "talkdesk-ecdsa", "k1", "ecdsa-p256-sha512"
		r.Analysis.ProviderEventID = "evt_" + id
		r.Analysis.Schema = &store.SchemaResult{Status: store.SchemaValid, Message: "AppInstalledEvent", Channel: "events/app.installed"}
	case 1:
		r.Path = "/hooks/talkifai"
		b = []byte(`{"id":"tk_991","event":"call.completed","timestamp":"yesterday","data":{"call_id":"c_1","duration":"long"}}`)
		r.Header = store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-TalkifAI-Signature", Value: "sha256=00ff"}, {Name: "Authorization", Value: "Bearer tok_live_abcdef"}}
		r.Analysis = analysis("talkifai", "call.completed", store.SigInvalid, "signature does not match the body: the body was modified or signed with another key")
		r.Analysis.Signature.Scheme, r.Analysis.Signature.Algorithm = "talkifai-hmac", "hmac-sha256"
		r.Analysis.Schema = &store.SchemaResult{Status: store.SchemaInvalid, Message: "CallCompleted", Channel: "call.completed", Errors: []store.SchemaError{
			{Path: "/timestamp", Keyword: "format", Message: "/timestamp: 'yesterday' is not a valid date-time"},
			{Path: "/data/duration", Keyword: "type", Message: "/data/duration: got string, want integer"},
		}}
		r.Response.Status = 401
	case 2:
		r.Path = "/hooks/dialpad"
		r.ContentType = "application/jwt"
		b = []byte(seg(`{"alg":"HS256","typ":"JWT"}`) + "." + seg(`{"call_id":6284917262778368,"state":"hangup","direction":"inbound","date_started":1710428966000}`) + ".c2lnbmF0dXJl")
		r.Header = store.Header{{Name: "Content-Type", Value: "application/jwt"}}
		r.Analysis = analysis("dialpad", "hangup", store.SigUnverifiable, "no Dialpad secret configured: set HOOKSCOPE_DIALPAD_SECRET")
		r.Analysis.Signature.Scheme = "dialpad-jwt"
		r.Analysis.Schema = &store.SchemaResult{Status: store.SchemaValid, Message: "CallEvent", Channel: "call"}
	case 3:
		r.Path = "/hooks/webhook-trigger/contact-created"
		b = []byte(`{"contact":{"name":"Ada","phone":"+351900000000"}}`)
		r.Header = store.Header{{Name: "Content-Type", Value: "application/json"}}
		r.Analysis = analysis("talkdesk-trigger", "contact-created", store.SigUnsigned, "Talkdesk Webhook Trigger deliveries are not signed")
		r.Analysis.Schema = &store.SchemaResult{Status: store.SchemaUnmatched, Reason: "no message of talkdesk-trigger matches"}
	case 4:
		r.Path = "/hooks/talkdesk"
		b = []byte(`{"type":"contact.updated","data":{}}`)
		r.Header = store.Header{{Name: "Content-Type", Value: "application/json"}}
		// Analysis not yet run: pending, no schema.
	case 5:
		r.Path = "/automated-notifications/bridge/digital-connect"
		b = []byte(`{"event_type":"MESSAGE_CREATED","conversation_id":"conv_1","message":{"text":"hello"}}`)
		r.Header = store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Authorization", Value: "Bearer dce-token-123"}, {Name: "Cookie", Value: "sid=abc; theme=dark"}}
		r.Analysis = analysis("talkdesk-dce", "MESSAGE_CREATED", store.SigUnsigned, "")
		r.Analysis.DuplicateOf = "01JQ0000000000000001"
		r.Analysis.Notes = []string{"Authorization: Bearer token sent"}
		r.Forward = &store.Attempt{Seq: 1, At: at, Target: "http://localhost:3000/hook", Status: 502, DurationMS: 31.2, Error: "connection refused"}
		r.Replays = []store.Attempt{{Seq: 1, At: at.Add(time.Minute), Target: "http://localhost:3000/hook", Status: 200, DurationMS: 12.3}}
	case 6:
		r.Path = "/hooks/talkdesk"
		r.ContentEncoding = "gzip"
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write([]byte(`{"type":"call.ended","data":{"call_id":"c_9","duration":61}}`))
		zw.Close()
		b = gz.Bytes()
		r.Header = store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Content-Encoding", Value: "gzip"}}
		r.Analysis = analysis("talkdesk-events", "call.ended", store.SigValid, "")
		r.Analysis.Schema = &store.SchemaResult{Status: store.SchemaValid, Message: "CallEndedEvent", Channel: "events/call.ended", BestGuess: true}
		r.Response.Status = 500
	case 7:
		r.Path = "/hooks/notifier"
		r.ContentType = "application/xml"
		b = []byte(`<?xml version="1.0"?><event type="ticket.created"><id>{{ticket_id}}</id><subject>Printer on fire</subject></event>`)
		r.Header = store.Header{{Name: "Content-Type", Value: "application/xml"}}
		r.Analysis = analysis("talkdesk-notifier", "ticket.created", store.SigUnsigned, "")
		r.Analysis.Notes = []string{"unreplaced placeholder {{ticket_id}}"}
		r.Analysis.Schema = &store.SchemaResult{Status: store.SchemaSkipped, Reason: "XML bodies are not validated"}
	case 8:
		r.Method = "PUT"
		r.Path = "/hooks/form"
		r.Query = "source=test&x=1"
		r.ContentType = "application/x-www-form-urlencoded"
		b = []byte("name=Ada+Lovelace&client_secret=abc123&note=hi%21")
		r.Header = store.Header{{Name: "Content-Type", Value: "application/x-www-form-urlencoded"}}
		r.Analysis = analysis("unknown", "", store.SigUnsigned, "")
		r.Response.Status = 404
	}
	r.Size = int64(len(b))
	return r, b
}

// Hostile returns a delivery whose every network-supplied field carries
// terminal escape sequences: CSI, OSC 8 hyperlinks, OSC 52, C1 controls,
// DEL, bidi controls and marks, invisible format characters.
func (g *Gen) Hostile() (store.Record, []byte) {
	id, at := g.next()
	const (
		csi  = "\x1b[2J\x1b[H\x1b[31m"
		osc8 = "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07"
		osc5 = "\x1b]52;c;cm0gLXJmIH4=\x07"
		c1   = "\u009b31m\u0085\u009d0;title\u009c"
		bidi = "\u202etxt.exe\u202c\u2066x\u2069\u200f\u061c"
		hide = "\u200b\ufeff\u2060\u2028"
	)
	evil := csi + osc8 + osc5 + c1 + bidi + hide + "\x7f\x00\r"
	r := store.Record{Event: store.Event{
		ID: id, ReceivedAt: at, Method: "POST" + csi, Path: "/hooks/" + evil, Query: "q=" + evil,
		Host: "h" + evil, RemoteAddr: "1.2.3.4" + evil, Proto: "HTTP/1.1" + osc8, ContentType: "application/json",
		ContentEncoding: "", Response: store.Response{Status: 200},
		Header:  store.Header{{Name: "X-Evil" + csi, Value: evil}, {Name: "Authorization", Value: "Bearer " + evil}},
		Trailer: store.Header{{Name: "X-Sig" + csi, Value: evil}, {Name: "Authorization", Value: "Bearer " + evil}},
	}}
	r.Analysis = &store.Analysis{Provider: "talkdesk-events" + csi, EventType: "app.installed" + evil, DuplicateOf: "x" + evil,
		Notes:     []string{"note" + evil},
		Signature: store.Signature{Status: store.SigInvalid, Scheme: "s" + evil, KeyID: "k" + evil, Algorithm: "a" + evil, Reason: "r" + evil},
		Schema: &store.SchemaResult{Status: store.SchemaInvalid, Message: "m" + evil, Channel: "c" + evil, Reason: evil,
			Errors: []store.SchemaError{{Path: "/a" + evil, Keyword: "k" + evil, Message: "msg" + evil}}},
	}
	r.Forward = &store.Attempt{Seq: 1, At: at, Target: "http://t" + evil, Error: "e" + evil}
	r.Replays = []store.Attempt{{Seq: 1, At: at, Target: "http://t" + evil, Status: 200, Error: evil}}
	b := []byte(`{"a":"` + "\\u001b[2J" + `","raw":"` + c1 + bidi + `","k` + "\\u001b" + `":1}` + "\n" + evil)
	r.Size = int64(len(b))
	return r, b
}
