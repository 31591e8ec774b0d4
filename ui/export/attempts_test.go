package export

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// seedAttempts gives the seeded deliveries a history to keep: a live
// forward with the app's answer on the first, replays (an answer with
// headers and a text body, a transport error, an edited copy answered in
// binary) on the first and third, and a second pin on the fourth.
func seedAttempts(t testing.TB, db *store.DB, ids []string) {
	t.Helper()
	ctx := context.Background()
	at := time.Date(2025, 6, 1, 11, 0, 0, 987654321, time.UTC)
	fw := &store.Attempt{At: at, Target: "http://localhost:3000/hooks/talkdesk", Status: 201, DurationMS: 12.25,
		RespHeader: store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "X-App", Value: "a\tb"}, {Name: "X-App", Value: "2"}},
		RespBody:   []byte(`{"ok":true}`)}
	if err := db.SetForward(ctx, ids[0], fw, store.Response{Status: 201, DurationMS: 14.5}); err != nil {
		t.Fatal(err)
	}
	replays := []struct {
		id string
		a  store.Attempt
	}{
		{ids[0], store.Attempt{At: at.Add(time.Minute), Target: "http://localhost:3000/hooks/talkdesk", Status: 200, DurationMS: 3.5,
			RespHeader: store.Header{{Name: "Content-Type", Value: "text/plain"}, {Name: "Date", Value: "Sun, 01 Jun 2025 11:01:00 GMT"}},
			RespBody:   []byte("accepted\n")}},
		{ids[0], store.Attempt{At: at.Add(2 * time.Minute), Target: "http://localhost:3001/", DurationMS: 0.75,
			Error: "connection refused: is the target running? (dial tcp 127.0.0.1:3001: connect: connection refused)"}},
		{ids[2], store.Attempt{At: at.Add(3 * time.Minute), Target: "https://app.example/raw?x=1", Status: 500, DurationMS: 101, Edited: true,
			RespHeader: store.Header{{Name: "Content-Type", Value: "application/octet-stream"}},
			RespBody:   []byte{0, 0xff, 0xfe, 0x1b, 'x'}}},
	}
	for _, r := range replays {
		a := r.a
		if err := db.AddAttempt(ctx, r.id, &a); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetPinned(ctx, ids[3], true); err != nil {
		t.Fatal(err)
	}
}

// fullAttempt is an attempt with its answer, as text to compare.
func fullAttempt(t testing.TB, a store.Attempt) string {
	t.Helper()
	b, err := json.Marshal(struct {
		A store.Attempt
		H store.Header
		B []byte
	}{a, a.RespHeader, a.RespBody})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// history is what a backup must keep of each delivery besides the request:
// its pin, its replays and its forward, with their answers.
func history(t testing.TB, db *store.DB) []string {
	t.Helper()
	ctx := context.Background()
	recs, err := db.List(ctx, store.Query{Oldest: true})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(recs))
	for i, r := range recs {
		var b strings.Builder
		b.WriteString("pinned=" + map[bool]string{true: "yes", false: "no"}[r.Pinned])
		if r.Forward != nil {
			full, err := db.Attempt(ctx, r.ID, 0)
			if err != nil {
				t.Fatalf("forward answer of %s: %v", r.ID, err)
			}
			b.WriteString(" forward=" + fullAttempt(t, *r.Forward) + " answer=" + fullAttempt(t, full))
		}
		for _, a := range r.Replays {
			full, err := db.Attempt(ctx, r.ID, a.Seq)
			if err != nil {
				t.Fatalf("replay %d of %s: %v", a.Seq, r.ID, err)
			}
			b.WriteString(" replay=" + fullAttempt(t, full))
		}
		out[i] = b.String()
	}
	return out
}

// TestJSONLRoundTripKeepsPinsAndAttempts: a JSONL export is a backup, so
// importing it restores each delivery's pin, its replays (status, target,
// duration, error, the answer's headers and body) and its live forward,
// exactly.
func TestJSONLRoundTripKeepsPinsAndAttempts(t *testing.T) {
	src := mustOpen(t)
	ids := seed(t, src)
	seedAttempts(t, src, ids)
	want := history(t, src)

	out := exportString(t, src, Options{Format: JSONL})
	b, err := Decode(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	dst := mustOpen(t)
	if err := dst.ImportAll(context.Background(), b.Events, b.Bodies, b.States); err != nil {
		t.Fatal(err)
	}
	got := history(t, dst)
	if len(got) != len(want) {
		t.Fatalf("%d deliveries imported, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("delivery %d:\n got %s\nwant %s", i+1, got[i], want[i])
		}
	}
	// What a pin is for: prune keeps the pinned ones.
	res, err := dst.Prune(context.Background(), store.PruneOptions{MaxEvents: 1})
	if err != nil {
		t.Fatal(err)
	}
	recs, _ := dst.List(context.Background(), store.Query{Filter: "pinned:yes"})
	if len(recs) != 2 || res.Removed != len(ids)-2 {
		t.Fatalf("after prune: %d pinned left, %d removed", len(recs), res.Removed)
	}
}

// TestMaskedExportImportsAttemptsAsTheyAre: a masked export's attempt
// targets and answers are masked; an import takes them as they are.
func TestMaskedExportImportsAttemptsAsTheyAre(t *testing.T) {
	src := mustOpen(t)
	ctx := context.Background()
	ev := &store.Event{Method: "POST", Path: "/hooks/" + secret, Host: "h"}
	if err := src.Append(ctx, ev, []byte("x")); err != nil {
		t.Fatal(err)
	}
	target := "http://app:3000/hooks/" + secret
	a := &store.Attempt{At: time.Now(), Target: target, Status: 200, RespBody: []byte("token " + secret),
		RespHeader: store.Header{{Name: "Authorization", Value: "Bearer " + secret}}}
	if err := src.AddAttempt(ctx, ev.ID, a); err != nil {
		t.Fatal(err)
	}
	out := exportString(t, src, Options{Format: JSONL, Masker: testMasker{}})
	if strings.Contains(out, secret) {
		t.Fatalf("secret exported:\n%s", out)
	}
	b, err := Decode(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	dst := mustOpen(t)
	if err := dst.ImportAll(ctx, b.Events, b.Bodies, b.States); err != nil {
		t.Fatal(err)
	}
	full, err := dst.Attempt(ctx, b.Events[0].ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if full.Target != "http://app:3000/hooks/[masked]" || string(full.RespBody) != "token [masked]" ||
		full.RespHeader.Get("Authorization") != "[masked]" || b.Masked != 1 {
		t.Fatalf("imported attempt %+v (masked %d)", full, b.Masked)
	}
}

// TestMaskedExportDecodesOrLeavesOutCompressedAnswers: an app's answer is
// stored as sent, compressed included; a masked export decodes a gzip one
// to mask it and leaves out one it cannot decode, in JSONL's
// attempt_answers and HAR's forward response alike, and counts it. Before,
// both went out compressed, and gunzipping them gave the secret back.
func TestMaskedExportDecodesOrLeavesOutCompressedAnswers(t *testing.T) {
	ctx := context.Background()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("token " + secret))
	zw.Close()
	for _, tt := range []struct {
		name, encoding string
		body           []byte
		withheld       bool
	}{
		{"gzip", "gzip", gz.Bytes(), false},
		{"gzip cut short", "gzip", gz.Bytes()[:14], true},
		{"deflate", "deflate", []byte{0x2b, 0xc9, 0xcf, 0x4e, 0xcd, 0x03, 0x00}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := mustOpen(t)
			ev := &store.Event{Method: "POST", Path: "/hooks/x", Host: "h"}
			if err := src.Append(ctx, ev, []byte("x")); err != nil {
				t.Fatal(err)
			}
			hdr := store.Header{{Name: "Content-Encoding", Value: tt.encoding}}
			if err := src.SetForward(ctx, ev.ID, &store.Attempt{At: time.Now(), Target: "http://app/", Status: 200, RespHeader: hdr, RespBody: tt.body},
				store.Response{Status: 200}); err != nil {
				t.Fatal(err)
			}
			if err := src.AddAttempt(ctx, ev.ID, &store.Attempt{At: time.Now(), Target: "http://app/", Status: 200, RespHeader: hdr, RespBody: tt.body}); err != nil {
				t.Fatal(err)
			}
			for _, f := range []Format{JSONL, HAR} {
				var buf bytes.Buffer
				res, err := Export(ctx, &buf, src, Options{Format: f, Masker: testMasker{}})
				if err != nil {
					t.Fatal(err)
				}
				if (res.Withheld == 1) != tt.withheld {
					t.Errorf("%s: withheld %d, want %v", f, res.Withheld, tt.withheld)
				}
				if strings.Contains(buf.String(), tt.encoding+`"`) && strings.Contains(buf.String(), "Content-Encoding") {
					t.Errorf("%s: an answer is still marked %s", f, tt.encoding)
				}
				if f == HAR {
					// HAR carries the forward's answer as the entry's
					// response (and no replays); an import does not
					// restore it, so it is read from the file.
					var doc struct {
						Log struct {
							Entries []struct {
								Response struct {
									Content struct{ Text, Encoding string }
								}
							}
						}
					}
					if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
						t.Fatal(err)
					}
					c := doc.Log.Entries[0].Response.Content
					if want := map[bool]string{true: "", false: "token [masked]"}[tt.withheld]; c.Text != want || c.Encoding != "" {
						t.Errorf("har: response content %q (%s), want %q", c.Text, c.Encoding, want)
					}
					continue
				}
				b, err := Decode(&buf)
				if err != nil {
					t.Fatal(err)
				}
				dst := mustOpen(t)
				if err := dst.ImportAll(ctx, b.Events, b.Bodies, b.States); err != nil {
					t.Fatal(err)
				}
				for seq := range 2 {
					a, err := dst.Attempt(ctx, b.Events[0].ID, seq)
					if err != nil {
						t.Fatalf("%s: attempt %d: %v", f, seq, err)
					}
					switch {
					case tt.withheld && len(a.RespBody) != 0:
						t.Errorf("%s: answer %d exported (%d bytes), want it left out", f, seq, len(a.RespBody))
					case !tt.withheld && string(a.RespBody) != "token [masked]":
						t.Errorf("%s: answer %d %q, want it decoded and masked", f, seq, a.RespBody)
					}
				}
			}
		})
	}
}

// TestHARImportKeepsPins: HAR carries the pin under _hookscope, which an
// import restores; it has no place for replays.
func TestHARImportKeepsPins(t *testing.T) {
	src := mustOpen(t)
	seed(t, src) // the second delivery is pinned
	b, err := Decode(strings.NewReader(exportString(t, src, Options{Format: HAR})))
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range b.States {
		if st.Pinned != (i == 1) {
			t.Errorf("delivery %d: pinned %v", i+1, st.Pinned)
		}
	}
}

// TestDecodeRefusesMalformedAttempts: attempts are checked like the rest of
// an imported line (types, sizes, control characters in what is shown,
// answer headers as HTTP), and a bad one fails the file at its line.
func TestDecodeRefusesMalformedAttempts(t *testing.T) {
	good := `{"received_at":"2025-01-01T00:00:00Z","method":"POST","path":"/ok","body":"x"}`
	line := func(extra string) string {
		return `{"received_at":"2025-01-01T00:00:01Z","method":"POST","path":"/a","body":"x",` + extra + `}`
	}
	replay := func(fields string) string {
		return `"replays":[{"seq":1,"at":"2025-01-01T00:00:02Z","target":"http://app/","status":200,"duration_ms":1,"error":""` + fields + `}]`
	}
	answer := func(fields string) string { return `,"attempt_answers":[{"seq":1` + fields + `}]` }
	big := strings.Repeat("a", store.MaxAttemptBody+1)
	tests := []struct{ name, line, want string }{
		{"pinned not a boolean", line(`"pinned":"yes"`), "invalid JSON"},
		{"replays not a list", line(`"replays":{"seq":1}`), "invalid JSON"},
		{"status not a number", line(replay(`,"status":"200"`)), "invalid JSON"},
		{"forward not an object", line(`"forward":"http://app/"`), "invalid JSON"},
		{"status out of range", line(replay(`,"status":42`)), "replay 1: status 42 is not an HTTP status"},
		{"negative duration", line(replay(`,"duration_ms":-1`)), "replay 1: duration_ms -1 is negative"},
		{"escape in target", line(replay(`,"target":"http://app/\u001b[2J"`)), "replay 1: target holds control characters"},
		{"line break in error", line(replay(`,"error":"refused\r\nX: y"`)), "replay 1: error holds control characters"},
		{"escape in forward target", line(`"forward":{"seq":0,"at":"2025-01-01T00:00:02Z","target":"http://a/\u009b","status":200,"duration_ms":1,"error":"\u0007"}`), "forward: target holds control characters"},
		{"seq zero", line(`"replays":[{"seq":0,"at":"2025-01-01T00:00:02Z","target":"t"}]`), "replay number 0 after 0"},
		{"seq out of order", line(`"replays":[{"seq":2,"at":"2025-01-01T00:00:02Z","target":"t"},{"seq":1,"at":"2025-01-01T00:00:02Z","target":"t"}]`), "replay number 1 after 2"},
		{"seq repeated", line(`"replays":[{"seq":1,"at":"2025-01-01T00:00:02Z","target":"t"},{"seq":1,"at":"2025-01-01T00:00:02Z","target":"t"}]`), "replay number 1 after 1"},
		{"bell in a forward error", line(`"forward":{"seq":0,"at":"2025-01-01T00:00:02Z","target":"http://a/","status":200,"duration_ms":1,"error":"\u0007"}`), "forward: error holds control characters"},
		{"forward not numbered 0", line(`"forward":{"seq":7,"at":"2025-01-01T00:00:02Z","target":"http://a/","status":200,"duration_ms":1}`), "forward: seq 7: the live forward is attempt 0"},
		{"too many replays", line(`"replays":[` + strings.TrimSuffix(strings.Repeat(`{"seq":1,"at":"2025-01-01T00:00:02Z","target":"t"},`, 10_001), ",") + `]`), "replays: 10001 of one delivery, more than the 10000"},
		{"C1 control in a target", line(`"replays":[{"seq":1,"at":"2025-01-01T00:00:02Z","target":"http://a/\u009b31m"}]`), "target holds control characters"},
		{"bidi override in an error", line(`"replays":[{"seq":1,"at":"2025-01-01T00:00:02Z","target":"t","error":"x\u202ey"}]`), "error holds control characters"},
		{"tab in a target", line(`"replays":[{"seq":1,"at":"2025-01-01T00:00:02Z","target":"a\tb"}]`), "target holds control characters"},
		{"seq beyond 32 bits", line(`"replays":[{"seq":4294967296,"at":"2025-01-01T00:00:02Z","target":"t"}]`), "replay number 4294967296"},
		// The last 32-bit number: the next replay would wrap to 0, the
		// live forward's key.
		{"seq at the 32-bit end", line(`"replays":[{"seq":4294967295,"at":"2025-01-01T00:00:02Z","target":"t"}]`), "replay number 4294967295 after 0: want increasing numbers from 1 to 16777216"},
		{"answer for no replay", line(replay(``) + `,"attempt_answers":[{"seq":2,"headers":[]}]`), "attempt_answers: seq 2: there is no such replay"},
		{"answer for no forward", line(replay(``) + `,"attempt_answers":[{"seq":0,"headers":[]}]`), "attempt_answers: seq 0: there is no forward"},
		{"answer twice", line(replay(``) + `,"attempt_answers":[{"seq":1},{"seq":1}]`), "seq 1: given twice"},
		{"answer header name", line(replay(``) + answer(`,"headers":[{"name":"Bad Name","value":"v"}]`)), `replay 1 answer header name "Bad Name" is not valid HTTP`},
		{"answer header value", line(replay(``) + answer(`,"headers":[{"name":"X","value":"a\r\nSet-Cookie: b"}]`)), "replay 1 answer header X: value holds control characters"},
		{"answer both bodies", line(replay(``) + answer(`,"body":"a","body_base64":"YQ=="`)), "seq 1: has both body and body_base64"},
		{"answer bad base64", line(replay(``) + answer(`,"body_base64":"!!"`)), "seq 1: body_base64"},
		{"answer body too large", line(replay(``) + answer(`,"body":"`+big+`"`)), "answer body of 65537 bytes, over the 65536 kept"},
		{"answer head too large", line(replay(``) + answer(`,"headers":[{"name":"X","value":"`+big+`"}]`)), "answer header lines of 65559 bytes, over the 65536 kept"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(good + "\n" + tt.line + "\n" + good + "\n"))
			if err == nil || !strings.HasPrefix(err.Error(), "line 2: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want line 2: …%s", err, tt.want)
			}
		})
	}
}
