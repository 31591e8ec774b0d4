package export

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// harSchema checks v against the HAR 1.2 structure: every required member
// present with the right JSON type, recursively. Optional members are
// checked when present.
func harSchema(t *testing.T, v any) {
	t.Helper()
	var errs []string
	fail := func(path, msg string) { errs = append(errs, path+": "+msg) }
	obj := func(path string, v any) map[string]any {
		m, ok := v.(map[string]any)
		if !ok {
			fail(path, fmt.Sprintf("want object, got %T", v))
		}
		return m
	}
	arr := func(path string, v any) []any {
		a, ok := v.([]any)
		if !ok {
			fail(path, fmt.Sprintf("want array, got %T", v))
		}
		return a
	}
	need := func(path string, m map[string]any, kind string, keys ...string) {
		for _, k := range keys {
			x, ok := m[k]
			if !ok {
				fail(path+"."+k, "missing")
				continue
			}
			okType := false
			switch kind {
			case "string":
				_, okType = x.(string)
			case "number":
				_, okType = x.(float64)
			case "object":
				_, okType = x.(map[string]any)
			case "array":
				_, okType = x.([]any)
			}
			if !okType {
				fail(path+"."+k, fmt.Sprintf("want %s, got %T", kind, x))
			}
		}
	}
	nvList := func(path string, v any) {
		for i, x := range arr(path, v) {
			need(fmt.Sprintf("%s[%d]", path, i), obj(path, x), "string", "name", "value")
		}
	}
	root := obj("", v)
	log := obj("log", root["log"])
	need("log", log, "string", "version")
	need("log", log, "object", "creator")
	need("log", log, "array", "entries")
	if log["version"] != "1.2" {
		fail("log.version", fmt.Sprint(log["version"]))
	}
	need("log.creator", obj("log.creator", log["creator"]), "string", "name", "version")
	for i, e := range arr("log.entries", log["entries"]) {
		p := fmt.Sprintf("log.entries[%d]", i)
		en := obj(p, e)
		need(p, en, "string", "startedDateTime")
		need(p, en, "number", "time")
		need(p, en, "object", "request", "response", "cache", "timings")
		if s, ok := en["startedDateTime"].(string); ok {
			if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
				fail(p+".startedDateTime", err.Error())
			}
		}
		req := obj(p+".request", en["request"])
		need(p+".request", req, "string", "method", "url", "httpVersion")
		need(p+".request", req, "array", "cookies", "headers", "queryString")
		need(p+".request", req, "number", "headersSize", "bodySize")
		nvList(p+".request.headers", req["headers"])
		nvList(p+".request.queryString", req["queryString"])
		if pd, ok := req["postData"]; ok {
			need(p+".request.postData", obj(p+".request.postData", pd), "string", "mimeType", "text")
		}
		resp := obj(p+".response", en["response"])
		need(p+".response", resp, "number", "status", "headersSize", "bodySize")
		need(p+".response", resp, "string", "statusText", "httpVersion", "redirectURL")
		need(p+".response", resp, "array", "cookies", "headers")
		need(p+".response", resp, "object", "content")
		need(p+".response.content", obj(p+".response.content", resp["content"]), "number", "size")
		need(p+".response.content", obj(p+".response.content", resp["content"]), "string", "mimeType")
		need(p+".timings", obj(p+".timings", en["timings"]), "number", "send", "wait", "receive")
	}
	if len(errs) > 0 {
		t.Fatalf("not HAR 1.2:\n%s", strings.Join(errs, "\n"))
	}
}

func TestHARIsValidAndReimportsExactly(t *testing.T) {
	db := mustOpen(t)
	ids := seed(t, db)
	out := exportString(t, db, Options{Format: HAR, Version: "test"})
	var doc any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("HAR is not JSON: %v\n%s", err, out)
	}
	harSchema(t, doc)
	entries := doc.(map[string]any)["log"].(map[string]any)["entries"].([]any)
	if len(entries) != len(ids) {
		t.Fatalf("%d entries", len(entries))
	}
	first := entries[0].(map[string]any)
	if u := first["request"].(map[string]any)["url"]; u != "http://abc.ngrok.app/hooks/talkdesk" {
		t.Errorf("url %v", u)
	}
	hs := first["_hookscope"].(map[string]any)
	if hs["id"] != ids[0] || hs["provider"] != "talkdesk" || hs["signature"].(map[string]any)["status"] != "valid" {
		t.Errorf("_hookscope %v", hs)
	}
	if q := entries[4].(map[string]any)["request"].(map[string]any)["queryString"]; fmt.Sprint(q) != "[map[name:a value:1] map[name:b value:two words] map[name:a value:3]]" {
		t.Errorf("queryString %v", q)
	}
	if pd := entries[2].(map[string]any)["request"].(map[string]any)["postData"].(map[string]any); pd["encoding"] != "base64" {
		t.Errorf("invalid UTF-8 body not base64: %v", pd)
	}
	if !entries[1].(map[string]any)["_hookscope"].(map[string]any)["pinned"].(bool) {
		t.Errorf("pin not exported")
	}

	b, err := Decode(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != HAR {
		t.Fatalf("detected %s", b.Format)
	}
	checkSame(t, fixtures(), b)
}

// TestExportKeepsAnEncodedSlash: a path sent as /a%2Fb/{id} leaves in the
// HAR URL and the curl command with its encoded slash, though {} make
// net/url drop the raw form and re-encode the slash as /.
func TestExportKeepsAnEncodedSlash(t *testing.T) {
	db := mustOpen(t)
	ev := &store.Event{Method: "POST", Path: "/a/b/{id}", RawPath: "/a%2Fb/{id}", Host: "h", ReceivedAt: time.Now().UTC(), Size: 1}
	if err := db.Append(context.Background(), ev, []byte("x")); err != nil {
		t.Fatal(err)
	}
	const sent = "/a%2Fb/%7Bid%7D"
	har := exportString(t, db, Options{Format: HAR})
	if !strings.Contains(har, `"url": "http://h`+sent+`"`) {
		t.Errorf("HAR url is not the path as sent (%s):\n%s", sent, har)
	}
	b, err := Decode(strings.NewReader(har))
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Events[0]; got.Path != ev.Path || got.EscapedPath() != sent {
		t.Errorf("re-imported path %q, sent as %q", got.Path, got.EscapedPath())
	}
	if script := exportString(t, db, Options{Format: Curl}); !strings.Contains(script, `'`+sent+`'`) {
		t.Errorf("curl target is not the path as sent (%s):\n%s", sent, script)
	}
}

// checkSame compares a decoded batch with the fixtures: bodies byte for
// byte, header lines with names in their case and order, and the request.
func checkSame(t *testing.T, want []fixture, b *Batch) {
	t.Helper()
	if len(b.Events) != len(want) {
		t.Fatalf("%d deliveries decoded, want %d", len(b.Events), len(want))
	}
	for i, f := range want {
		ev := b.Events[i]
		if !bytes.Equal(b.Bodies[i], f.body) && !(len(f.body) == 0 && len(b.Bodies[i]) == 0) {
			t.Errorf("%s: body %q, want %q", f.name, b.Bodies[i], f.body)
		}
		if fmt.Sprint(ev.Header) != fmt.Sprint(f.ev.Header) {
			t.Errorf("%s: headers\n got %v\nwant %v", f.name, ev.Header, f.ev.Header)
		}
		if ev.Method != f.ev.Method || ev.Path != f.ev.Path || ev.Query != f.ev.Query || ev.Host != f.ev.Host {
			t.Errorf("%s: request %s %s ? %s @ %s", f.name, ev.Method, ev.Path, ev.Query, ev.Host)
		}
		if ev.Size != int64(len(f.body)) || !ev.Imported || ev.ReceivedAt.IsZero() {
			t.Errorf("%s: size %d imported %v at %v", f.name, ev.Size, ev.Imported, ev.ReceivedAt)
		}
	}
}

func TestJSONLRoundTripIsExact(t *testing.T) {
	src := mustOpen(t)
	ids := seed(t, src)
	seedAttempts(t, src, ids)
	out := exportString(t, src, Options{Format: JSONL})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(ids) {
		t.Fatalf("%d lines", len(lines))
	}
	// Each line is the `show --json` object plus the body fields.
	rec, _ := src.Get(context.Background(), ids[0])
	showJSON, _ := json.Marshal(rec)
	if !strings.HasPrefix(lines[0], strings.TrimSuffix(string(showJSON), "}")+",") {
		t.Fatalf("line is not the show --json object:\n%s\n%s", lines[0], showJSON)
	}

	b, err := Decode(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if b.Format != JSONL {
		t.Fatalf("detected %s", b.Format)
	}
	checkSame(t, fixtures(), b)

	// Into another database and out again: the same file (pins, replays
	// and forwards included) but for the imported flag, verdicts (computed
	// again there), and the id,
	// which an import derives from the receive time (the fixtures' ids
	// came from the clock).
	dst := mustOpen(t)
	if err := dst.ImportAll(context.Background(), b.Events, b.Bodies, b.States); err != nil {
		t.Fatal(err)
	}
	again := exportString(t, dst, Options{Format: JSONL})
	for i, line := range strings.Split(strings.TrimSuffix(again, "\n"), "\n") {
		var a, w map[string]any
		json.Unmarshal([]byte(line), &a)
		json.Unmarshal([]byte(lines[i]), &w)
		if n, _ := store.DecodeID(a["id"].(string)); a["received_at"] != time.Unix(0, int64(n)).UTC().Format(store.TimeFormat) {
			t.Errorf("line %d: id %v is not its receive time %v", i+1, a["id"], a["received_at"])
		}
		for _, k := range []string{"id", "imported", "provider", "event_type", "signature", "schema"} {
			delete(a, k)
			delete(w, k)
		}
		if fmt.Sprint(a) != fmt.Sprint(w) {
			t.Errorf("line %d changed in the round trip:\n got %v\nwant %v", i+1, a, w)
		}
	}
}

func TestMaskingByDefaultOnlyWhenAsked(t *testing.T) {
	db := mustOpen(t)
	seed(t, db)
	for _, f := range Formats {
		masked := exportString(t, db, Options{Format: f, Masker: testMasker{}})
		if strings.Contains(masked, secret) {
			t.Errorf("%s: secret exported with a masker", f)
		}
		if !strings.Contains(masked, "[masked]") {
			t.Errorf("%s: nothing masked", f)
		}
		revealed := exportString(t, db, Options{Format: f})
		if !strings.Contains(revealed, secret) {
			t.Errorf("%s: secret missing when revealed", f)
		}
	}
	line := strings.SplitN(exportString(t, db, Options{Format: JSONL, Masker: testMasker{}}), "\n", 2)[0]
	if !strings.Contains(line, `"secrets_masked":true`) {
		t.Errorf("masked line not flagged: %s", line)
	}
	// The result counts what masking changed: only the first fixture
	// carries the secret.
	for _, tc := range []struct {
		masker Masker
		want   Result
	}{
		{testMasker{}, Result{Written: len(fixtures()), Masked: 1}},
		{nil, Result{Written: len(fixtures())}},
	} {
		got, err := Export(context.Background(), io.Discard, db, Options{Format: JSONL, Masker: tc.masker})
		if err != nil || got != tc.want {
			t.Errorf("masker %v: %+v %v, want %+v", tc.masker != nil, got, err, tc.want)
		}
	}
}

// TestMaskingReachesGzipBodiesQueryAndPath checks that secrets are masked
// where the masker cannot see them as stored (a gzip body) and outside
// headers and body (the query and the path), in every format.
func TestMaskingReachesGzipBodiesQueryAndPath(t *testing.T) {
	db := mustOpen(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(`{"client_secret":"` + secret + `"}`))
	zw.Close()
	ev := &store.Event{Method: "POST", Path: "/hooks/" + secret, Query: "token=" + secret, Host: secret + ".example",
		ContentType: "application/json", ContentEncoding: "gzip",
		Header: store.Header{{Name: "Content-Encoding", Value: "gzip"}, {Name: "Content-Type", Value: "application/json"}}}
	if err := db.Append(context.Background(), ev, gz.Bytes()); err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		out := exportString(t, db, Options{Format: f, Masker: testMasker{}})
		if strings.Contains(out, secret) {
			t.Errorf("%s: secret in the path or query exported:\n%s", f, out)
		}
		if f == Curl {
			continue
		}
		b, err := Decode(strings.NewReader(out))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if got := string(b.Bodies[0]); got != `{"client_secret":"[masked]"}` {
			t.Errorf("%s: body %q, want it decoded and masked", f, got)
		}
		if ce := b.Events[0].Header.Get("Content-Encoding"); ce != "" || b.Events[0].ContentEncoding != "" {
			t.Errorf("%s: decoded body still marked %q / %q", f, ce, b.Events[0].ContentEncoding)
		}
	}
	// Revealed, the delivery is exported as received.
	b, err := Decode(strings.NewReader(exportString(t, db, Options{Format: JSONL})))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bodies[0], gz.Bytes()) || b.Events[0].Query != "token="+secret {
		t.Errorf("revealed export changed: body %q query %q", b.Bodies[0], b.Events[0].Query)
	}
}

// TestMaskingWithholdsBodiesItCannotRead: a masked export leaves out a
// body compressed in a way hookscope cannot decode (a gzip body cut at
// --max-body, deflate, gzip applied twice) and says so, since its bytes
// could hold a secret in any form; before, such bodies were exported as
// they came and decoding the file gave the secret back. A body that
// decodes is masked as before, and --reveal-secrets exports all as stored.
func TestMaskingWithholdsBodiesItCannotRead(t *testing.T) {
	doc := []byte(`{"client_secret":"` + secret + `","pad":"` + strings.Repeat("x", 2000) + `"}`)
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		zw.Write(b)
		zw.Close()
		return buf.Bytes()
	}
	var fl bytes.Buffer
	fw, _ := flate.NewWriter(&fl, flate.BestSpeed)
	fw.Write(doc)
	fw.Close()
	for _, tt := range []struct {
		name, encoding string
		body           []byte
		withheld       bool
	}{
		{"gzip cut short", "gzip", gz(doc)[:40], true},
		{"deflate", "deflate", fl.Bytes(), true},
		{"gzip twice", "gzip, gzip", gz(gz(doc)), true},
		{"gzip magic, not gzip", "", append([]byte{0x1f, 0x8b}, doc...), true},
		{"gzip, decoded and masked", "gzip", gz(doc), false},
		// gzip inside gzip, with one coding named or none: decoded once,
		// it would still hide the secret.
		{"gzip inside gzip, one coding named", "gzip", gz(gz(doc)), true},
		{"gzip inside gzip, none named", "", gz(gz(doc)), true},
		// Codings split over several lines: all of them count, not the
		// first (Get) only.
		{"identity, then deflate, on two lines", "identity\ndeflate", fl.Bytes(), true},
		{"gzip, then gzip, on two lines", "gzip\ngzip", gz(gz(doc)), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpen(t)
			first, _, _ := strings.Cut(tt.encoding, "\n")
			ev := &store.Event{Method: "POST", Path: "/hooks/x", ContentType: "application/json", ContentEncoding: first,
				Header: store.Header{{Name: "Content-Type", Value: "application/json"}}}
			for line := range strings.SplitSeq(tt.encoding, "\n") {
				if line != "" {
					ev.Header = append(ev.Header, store.Field{Name: "Content-Encoding", Value: line})
				}
			}
			if err := db.Append(context.Background(), ev, tt.body); err != nil {
				t.Fatal(err)
			}
			for _, f := range Formats {
				var buf bytes.Buffer
				res, err := Export(context.Background(), &buf, db, Options{Format: f, Masker: testMasker{}})
				if err != nil {
					t.Fatal(err)
				}
				if (res.Withheld == 1) != tt.withheld || res.Masked != 1 {
					t.Errorf("%s: withheld %d masked %d, want withheld %v", f, res.Withheld, res.Masked, tt.withheld)
				}
				if f == Curl {
					if said := strings.Contains(buf.String(), "# not sent: its body, compressed"); said != tt.withheld {
						t.Errorf("curl: says withheld %v", said)
					}
					continue
				}
				b, err := Decode(&buf)
				if err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				got := b.Bodies[0]
				switch {
				case tt.withheld && len(got) != 0:
					t.Errorf("%s: body exported (%d bytes), want it left out", f, len(got))
				case !tt.withheld && bytes.Contains(got, []byte(secret)):
					t.Errorf("%s: secret exported", f)
				case !tt.withheld && !bytes.Contains(got, []byte(`"client_secret":"[masked]"`)):
					t.Errorf("%s: body %.60q, want it decoded and masked", f, got)
				}
				if ce := b.Events[0].Header.Get("Content-Encoding"); ce != "" {
					t.Errorf("%s: exported body still marked %q", f, ce)
				}
			}
			// Revealed, the body is exported as stored.
			b, err := Decode(strings.NewReader(exportString(t, db, Options{Format: JSONL})))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bodies[0], tt.body) {
				t.Errorf("revealed export changed the body")
			}
		})
	}
}

// TestMaskingReachesTheRawPath: a path sent with an encoding that decoding
// loses keeps it in RawPath, which is exported (jsonl's raw_path, and the
// URL of har and curl). The secret is masked there too; a raw path that
// holds it only percent-encoded no longer encodes the masked path and is
// dropped, so no format carries it in any form.
func TestMaskingReachesTheRawPath(t *testing.T) {
	tests := []struct {
		name, path, rawPath, wantRaw string
		leak                         []string
	}{
		{"literal", "/hooks/" + secret + "/a/b", "/hooks/" + secret + "/a%2Fb", "/hooks/[masked]/a%2Fb", []string{secret}},
		{"percent-encoded", "/hooks/" + secret, "/hooks/%73" + secret[1:], "", []string{secret, "%73" + secret[1:]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := mustOpen(t)
			ev := &store.Event{Method: "POST", Path: tt.path, RawPath: tt.rawPath, Host: "h"}
			if err := db.Append(context.Background(), ev, []byte("x")); err != nil {
				t.Fatal(err)
			}
			for _, f := range Formats {
				out := exportString(t, db, Options{Format: f, Masker: testMasker{}})
				for _, l := range tt.leak {
					if strings.Contains(out, l) {
						t.Errorf("%s: %q exported:\n%s", f, l, out)
					}
				}
			}
			b, err := Decode(strings.NewReader(exportString(t, db, Options{Format: JSONL, Masker: testMasker{}})))
			if err != nil {
				t.Fatal(err)
			}
			if got := b.Events[0].RawPath; got != tt.wantRaw {
				t.Errorf("raw_path %q, want %q", got, tt.wantRaw)
			}
		})
	}
}

// TestMaskingReachesAttemptTargets: a live forward and a replay with
// --keep-path sent the path on, so the attempts' targets and errors carry
// the secret too; the jsonl line (forward, replays) masks them.
func TestMaskingReachesAttemptTargets(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	ev := &store.Event{Method: "POST", Path: "/hooks/" + secret, Host: "h"}
	if err := db.Append(ctx, ev, []byte("x")); err != nil {
		t.Fatal(err)
	}
	target := "http://app:3000/hooks/" + secret
	fw := &store.Attempt{At: time.Now(), Target: target, Error: `Post "` + target + `": refused`}
	if err := db.SetForward(ctx, ev.ID, fw, store.Response{Status: 502}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddAttempt(ctx, ev.ID, &store.Attempt{At: time.Now(), Target: target, Status: 200}); err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		if out := exportString(t, db, Options{Format: f, Masker: testMasker{}}); strings.Contains(out, secret) {
			t.Errorf("%s: secret exported:\n%s", f, out)
		}
	}
	out := exportString(t, db, Options{Format: JSONL, Masker: testMasker{}})
	var line struct {
		Forward struct{ Target, Error string }
		Replays []struct{ Target string }
	}
	if err := json.Unmarshal([]byte(out), &line); err != nil {
		t.Fatal(err)
	}
	masked := "http://app:3000/hooks/[masked]"
	if line.Forward.Target != masked || line.Forward.Error != `Post "`+masked+`": refused` ||
		len(line.Replays) != 1 || line.Replays[0].Target != masked {
		t.Errorf("attempts %+v", line)
	}
	// The record read from the store is not changed by masking.
	recs, err := db.List(ctx, store.Query{})
	if err != nil || recs[0].Forward.Target != target || recs[0].Replays[0].Target != target {
		t.Fatalf("stored attempts changed: %v %+v", err, recs)
	}
}

func TestExportPagesOldestFirstWithFilter(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	n := PageSize*2 + 3
	evs := make([]*store.Event, n)
	bodies := make([][]byte, n)
	for i := range evs {
		p := "/even"
		if i%2 == 1 {
			p = "/odd"
		}
		evs[i] = &store.Event{Method: "POST", Path: p, ReceivedAt: time.Unix(1700000000, int64(i))}
		bodies[i] = []byte(fmt.Sprint(i))
	}
	if err := db.ImportAll(ctx, evs, bodies, nil); err != nil {
		t.Fatal(err)
	}
	calls := 0
	out := exportString(t, db, Options{Format: JSONL, Progress: func(int) { calls++ }})
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != n || calls != n {
		t.Fatalf("%d lines, %d progress calls, want %d", len(lines), calls, n)
	}
	for i, l := range lines {
		if !strings.Contains(l, fmt.Sprintf(`"body":"%d"`, i)) {
			t.Fatalf("line %d out of order: %s", i, l)
		}
	}
	odd := exportString(t, db, Options{Format: JSONL, Filter: "path:/odd"})
	if c := strings.Count(odd, "\n"); c != n/2 {
		t.Fatalf("filter exported %d", c)
	}
	if _, err := Export(ctx, &bytes.Buffer{}, db, Options{Filter: "color:red"}); err == nil {
		t.Fatal("bad filter accepted")
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "accepted values are har, jsonl, curl") {
		t.Fatalf("ParseFormat: %v", err)
	}
}

func TestDecodeRefusesMalformedFilesWithPosition(t *testing.T) {
	good := `{"id":"x","received_at":"2025-01-01T00:00:00Z","method":"POST","path":"/","body":"a"}`
	harEntry := `{"startedDateTime":"2025-01-01T00:00:00.000Z","time":1,"request":{"method":"POST","url":"http://h/p","httpVersion":"HTTP/1.1","headers":[],"postData":{"mimeType":"text/plain","text":"x"}},"response":{"status":200}}`
	tests := []struct {
		name, file string
		line       int
		entry      int
		want       string
	}{
		{"bad JSON on line 3", good + "\n" + good + "\n{not json\n" + good + "\n", 3, 0, "invalid JSON"},
		{"no method", good + "\n" + `{"received_at":"2025-01-01T00:00:00Z"}` + "\n", 2, 0, "method"},
		{"no time", `{"method":"POST"}`, 1, 0, "received_at"},
		{"ls --json line", `{"method":"POST","received_at":"2025-01-01T00:00:00Z","size":12}`, 1, 0, "no body"},
		{"bad base64", `{"method":"POST","received_at":"2025-01-01T00:00:00Z","body_base64":"!!"}`, 1, 0, "body_base64"},
		{"header injection", `{"method":"POST","received_at":"2025-01-01T00:00:00Z","raw_headers":[{"name":"X","value":"a\r\nB: c"}]}`, 1, 0, "control"},
		{"trailer injection", `{"method":"POST","received_at":"2025-01-01T00:00:00Z","trailers":{"X-Sig":["a\u001b[2J"]}}`, 1, 0, "trailer X-Sig: value holds control"},
		{"trailer name", `{"method":"POST","received_at":"2025-01-01T00:00:00Z","trailers":{"X Sig":["a"]}}`, 1, 0, "trailer name"},
		{"HAR entry 2 without request", `{"log":{"version":"1.2","entries":[` + harEntry + `,{"startedDateTime":"2025-01-01T00:00:00Z"}]}}`, 0, 2, "missing request"},
		{"HAR bad encoding", `{"log":{"entries":[{"startedDateTime":"2025-01-01T00:00:00Z","request":{"method":"POST","url":"http://h/","postData":{"text":"x","encoding":"rot13"}}}]}}`, 0, 1, "encoding"},
		{"HAR no time", `{"log":{"entries":[{"request":{"method":"POST","url":"http://h/"}}]}}`, 0, 1, "startedDateTime"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Decode(strings.NewReader(tt.file))
			var pe *ParseError
			if !errors.As(err, &pe) || b != nil {
				t.Fatalf("got %v, %v", b, err)
			}
			if pe.Line != tt.line || pe.Entry != tt.entry || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q (line %d, entry %d)", err, pe.Line, pe.Entry)
			}
		})
	}
	for _, junk := range []string{"", "hello", "[1,2]"} {
		if _, err := Decode(strings.NewReader(junk)); err == nil {
			t.Errorf("%q accepted", junk)
		}
	}
}

// TestDecodeForeignHAR reads a HAR as a browser saves it: HTTP/2
// pseudo-headers, base64 and form postData, no _hookscope.
func TestDecodeForeignHAR(t *testing.T) {
	har := `{"log":{"version":"1.2","creator":{"name":"WebInspector","version":"537.36"},"pages":[],"entries":[
	{"startedDateTime":"2025-02-03T04:05:06.789Z","time":12.5,
	 "request":{"method":"POST","url":"https://api.example.com/hook?x=1","httpVersion":"http/2.0",
	   "headers":[{"name":":authority","value":"api.example.com"},{"name":"content-type","value":"application/octet-stream"}],
	   "queryString":[{"name":"x","value":"1"}],"cookies":[],"headersSize":-1,"bodySize":3,
	   "postData":{"mimeType":"application/octet-stream","text":"AP8B","encoding":"base64"}},
	 "response":{"status":201,"statusText":"Created","httpVersion":"http/2.0","headers":[],"cookies":[],"content":{"size":0,"mimeType":"x-unknown"},"redirectURL":"","headersSize":-1,"bodySize":0},
	 "cache":{},"timings":{"send":1,"wait":10,"receive":1.5}},
	{"startedDateTime":"2025-02-03T04:05:07Z","time":1,"request":{"method":"POST","url":"http://h/form","httpVersion":"HTTP/1.1","headers":[],
	   "postData":{"mimeType":"application/x-www-form-urlencoded","params":[{"name":"a b","value":"c&d"}]}},"response":{"status":200}}
	]}}`
	b, err := Decode(strings.NewReader(har))
	if err != nil {
		t.Fatal(err)
	}
	ev := b.Events[0]
	if ev.Host != "api.example.com" || ev.Path != "/hook" || ev.Query != "x=1" || ev.Proto != "HTTP/2.0" ||
		len(ev.Header) != 1 || ev.ContentType != "application/octet-stream" || ev.Response.Status != 201 {
		t.Fatalf("event %+v", ev)
	}
	if !bytes.Equal(b.Bodies[0], []byte{0, 0xff, 1}) {
		t.Fatalf("body %q", b.Bodies[0])
	}
	if want := time.Date(2025, 2, 3, 4, 5, 6, 789000000, time.UTC); !ev.ReceivedAt.Equal(want) {
		t.Fatalf("time %v", ev.ReceivedAt)
	}
	if string(b.Bodies[1]) != "a+b=c%26d" || b.Events[1].ContentType != "application/x-www-form-urlencoded" {
		t.Fatalf("form body %q %q", b.Bodies[1], b.Events[1].ContentType)
	}
}

// TestHARForwardContent: a forwarded app's answer is the response content,
// as text when it is UTF-8 and in base64 otherwise, like the request body.
func TestHARForwardContent(t *testing.T) {
	for _, tt := range []struct {
		name           string
		body           []byte
		text, encoding string
	}{
		{"text", []byte(`{"ok":true}`), `{"ok":true}`, ""},
		{"binary", []byte{0, 0xff, 1}, "AP8B", "base64"},
	} {
		ev := store.Event{Method: "POST", Path: "/f", Response: store.Response{Status: 200}}
		f := store.Attempt{Status: 201, RespHeader: store.Header{{Name: "Content-Type", Value: "application/x"}}, RespBody: tt.body}
		ev.Forward = &f
		rec := store.Record{Event: ev}
		c := harEntryOf(delivery{rec: rec, forward: &f}).Response.Content
		want := harContent{Size: int64(len(tt.body)), MimeType: "application/x", Text: tt.text, Encoding: tt.encoding}
		if c != want {
			t.Errorf("%s: content = %+v, want %+v", tt.name, c, want)
		}
	}
}

// TestJSONLCarriesTrailers: a JSONL export holds a delivery's trailers
// (masked like headers with a masker), and an import reads them back.
func TestJSONLCarriesTrailers(t *testing.T) {
	tests := []struct {
		name   string
		masker Masker
		want   string
		masked bool
	}{
		{"revealed", nil, `"trailers":{"X-Sig":["abc","def"],"Authorization":["Bearer ` + secret + `"]}`, false},
		{"masked", testMasker{}, `"trailers":{"X-Sig":["abc","def"],"Authorization":["[masked]"]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, ev := dbWithTrailers(t)
			out := exportString(t, db, Options{Format: JSONL, Masker: tt.masker})
			if !strings.Contains(out, tt.want) || strings.Contains(out, `"secrets_masked":true`) != tt.masked {
				t.Fatalf("want %s (masked %v) in\n%s", tt.want, tt.masked, out)
			}
			b, err := Decode(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			var want store.Header
			for _, f := range ev.Trailer {
				if tt.masker != nil {
					f.Value = tt.masker.Header(f.Name, f.Value)
				}
				want = append(want, f)
			}
			if got := b.Events[0].Trailer; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("imported trailers %v, want %v", got, want)
			}
		})
	}
}

// TestHARCarriesTrailers: a HAR export holds a delivery's trailers in the
// request's custom "_trailers" list (masked like headers with a masker),
// and an import into a fresh database reads them back.
func TestHARCarriesTrailers(t *testing.T) {
	tests := []struct {
		name   string
		masker Masker
		want   []harNV
		masked bool
	}{
		{"revealed", nil, []harNV{{"X-Sig", "abc"}, {"X-Sig", "def"}, {"Authorization", "Bearer " + secret}}, false},
		{"masked", testMasker{}, []harNV{{"X-Sig", "abc"}, {"X-Sig", "def"}, {"Authorization", "[masked]"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, _ := dbWithTrailers(t)
			out := exportString(t, db, Options{Format: HAR, Masker: tt.masker})
			var doc struct {
				Log struct {
					Entries []struct {
						Request struct {
							Trailers []harNV `json:"_trailers"`
						} `json:"request"`
						Hookscope struct {
							SecretsMasked bool `json:"secrets_masked"`
						} `json:"_hookscope"`
					} `json:"entries"`
				} `json:"log"`
			}
			if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Log.Entries) != 1 {
				t.Fatalf("HAR: %v\n%s", err, out)
			}
			var v any
			json.Unmarshal([]byte(out), &v)
			harSchema(t, v) // still HAR 1.2: the member is custom
			e := doc.Log.Entries[0]
			if fmt.Sprint(e.Request.Trailers) != fmt.Sprint(tt.want) || e.Hookscope.SecretsMasked != tt.masked {
				t.Fatalf("_trailers %v (masked %v), want %v (masked %v)\n%s", e.Request.Trailers, e.Hookscope.SecretsMasked, tt.want, tt.masked, out)
			}
			if tt.masked && strings.Contains(out, secret) {
				t.Fatalf("secret in a masked HAR:\n%s", out)
			}

			b, err := Decode(strings.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			fresh := mustOpen(t)
			if err := fresh.ImportAll(context.Background(), b.Events, b.Bodies, b.States); err != nil {
				t.Fatal(err)
			}
			recs, err := fresh.List(context.Background(), store.Query{})
			if err != nil || len(recs) != 1 {
				t.Fatalf("imported %d: %v", len(recs), err)
			}
			var want store.Header
			for _, nv := range tt.want {
				want = append(want, store.Field{Name: nv.Name, Value: nv.Value})
			}
			if got := recs[0].Trailer; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("imported trailers %v, want %v", got, want)
			}
		})
	}
}

// TestDecodeHARTrailerNames: "_trailers" from another tool get canonical
// names, as stored trailers have, and are checked as headers are.
func TestDecodeHARTrailerNames(t *testing.T) {
	in := `{"log":{"entries":[{"startedDateTime":"2025-01-01T00:00:00Z","request":{"method":"POST","url":"http://h/","_trailers":[{"name":"x-sig","value":"1"}]}}]}}`
	b, err := Decode(strings.NewReader(in))
	if err != nil || fmt.Sprint(b.Events[0].Trailer) != fmt.Sprint(store.Header{{Name: "X-Sig", Value: "1"}}) {
		t.Fatalf("%v %v", b, err)
	}
	bad := `{"log":{"entries":[{"startedDateTime":"2025-01-01T00:00:00Z","request":{"method":"POST","url":"http://h/","_trailers":[{"name":"X-Sig","value":"a\r\nB: c"}]}}]}}`
	if _, err := Decode(strings.NewReader(bad)); err == nil || !strings.Contains(err.Error(), "trailer X-Sig: value holds control") {
		t.Fatalf("injection: %v", err)
	}
}

// TestCurlSaysTrailersAreNotSent: the curl command of a delivery with
// trailers cannot send them, and its comment says so.
func TestCurlSaysTrailersAreNotSent(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	for _, tr := range []store.Header{nil, {{Name: "X-Sig", Value: "abc"}, {Name: "X-Other", Value: "d"}}} {
		ev := &store.Event{Method: "POST", Path: "/c", Host: "h", Proto: "HTTP/1.1", Header: store.Header{{Name: "Host", Value: "h"}}, Trailer: tr, Size: 2}
		if err := db.Append(ctx, ev, []byte("{}")); err != nil {
			t.Fatal(err)
		}
	}
	out := exportString(t, db, Options{Format: Curl})
	const note = "# not sent: its 2 trailer field(s); curl cannot send request trailers\n"
	if i := strings.Index(out, note); strings.Count(out, note) != 1 || i < strings.Index(out, "curl -sS") || i > strings.LastIndex(out, "curl -sS") {
		t.Fatalf("want the note once, above the second command:\n%s", out)
	}
	if strings.Contains(out, "X-Sig") {
		t.Fatalf("a trailer in the script:\n%s", out)
	}
}

// dbWithTrailers returns a database holding one chunked delivery whose
// trailers repeat a name and carry an Authorization to mask.
func dbWithTrailers(t *testing.T) (*store.DB, *store.Event) {
	t.Helper()
	db := mustOpen(t)
	ev := &store.Event{Method: "POST", Path: "/c", Host: "h", Proto: "HTTP/1.1", ReceivedAt: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC),
		Header:  store.Header{{Name: "Host", Value: "h"}, {Name: "Transfer-Encoding", Value: "chunked"}, {Name: "Trailer", Value: "X-Sig, Authorization"}},
		Trailer: store.Header{{Name: "X-Sig", Value: "abc"}, {Name: "X-Sig", Value: "def"}, {Name: "Authorization", Value: "Bearer " + secret}},
		Size:    2}
	if err := db.Append(context.Background(), ev, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	return db, ev
}

// TestCurlSaysHeadersAreNotSent: header lines no request can carry (a
// delivery net/http refused for one) are left out of the command, and a
// comment says how many, without repeating them (they came from the
// sender, and may hold escape sequences).
func TestCurlSaysHeadersAreNotSent(t *testing.T) {
	db := mustOpen(t)
	ev := &store.Event{Method: "POST", Path: "/c", Host: "h", Proto: "HTTP/1.1", Refused: "400 Bad Request",
		Header: store.Header{{Name: "Host", Value: "h"}, {Name: "X-A", Value: "a\x1b[31mb"}, {Name: "X B", Value: "c"}, {Name: "X-Ok", Value: "1"}}}
	if err := db.Append(context.Background(), ev, nil); err != nil {
		t.Fatal(err)
	}
	out := exportString(t, db, Options{Format: Curl})
	if !strings.Contains(out, "# not sent: 2 header field(s) that are not valid HTTP") || strings.Contains(out, "\x1b") ||
		strings.Contains(out, "X-A") || !strings.Contains(out, "-H 'X-Ok: 1'") {
		t.Fatalf("curl export of a refused delivery:\n%s", out)
	}
}

// TestMaskedExportFixesContentLength: when masking changes a body's length,
// the exported Content-Length (JSONL's raw_headers and headers, HAR's
// request headers) is the exported body's, in the header's own case; a
// delivery without one gets none, and an unmasked export is exact.
func TestMaskedExportFixesContentLength(t *testing.T) {
	plain := `{"client_secret":"` + secret + `","n":1}`
	maskedBody := `{"client_secret":"[masked]","n":1}`
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(plain))
	zw.Close()
	n := func(s string) string { return fmt.Sprint(len(s)) }
	tests := []struct {
		name      string
		header    store.Header
		body      string
		truncated bool
		masker    Masker
		want      []string // the exported Content-Length values
		exact     bool     // the imported copy's Content-Length is its body's
	}{
		{"masked", store.Header{{Name: "Content-Type", Value: "application/json"}, {Name: "Content-Length", Value: n(plain)}}, plain, false, testMasker{}, []string{n(maskedBody)}, true},
		{"masked, name as sent", store.Header{{Name: "content-length", Value: n(plain)}}, plain, false, testMasker{}, []string{n(maskedBody)}, true},
		{"masked, repeated", store.Header{{Name: "Content-Length", Value: n(plain)}, {Name: "Content-Length", Value: n(plain)}}, plain, false, testMasker{}, []string{n(maskedBody), n(maskedBody)}, true},
		{"revealed", store.Header{{Name: "Content-Length", Value: n(plain)}}, plain, false, nil, []string{n(plain)}, true},
		{"nothing masked", store.Header{{Name: "Content-Length", Value: "5"}}, "hello", false, testMasker{}, []string{"5"}, true},
		{"chunked: none added", store.Header{{Name: "Transfer-Encoding", Value: "chunked"}}, plain, false, testMasker{}, nil, false},
		{"gzip decoded to mask", store.Header{{Name: "Content-Encoding", Value: "gzip"}, {Name: "Content-Length", Value: n(gz.String())}}, gz.String(), false, testMasker{}, []string{n(maskedBody)}, true},
		// Stored cut: the value keeps saying how much more was sent.
		{"truncated", store.Header{{Name: "Content-Length", Value: "1000"}}, plain, true, testMasker{}, []string{fmt.Sprint(1000 - len(plain) + len(maskedBody))}, false},
		// A refused request's values that disagree, kept as they came:
		// only the one that was the stored body's length moves.
		{"values that disagree", store.Header{{Name: "Content-Length", Value: n(plain)}, {Name: "Content-Length", Value: "3"}}, plain, false, testMasker{}, []string{n(maskedBody), "3"}, false},
	}
	for _, tt := range tests {
		for _, f := range []Format{JSONL, HAR} {
			t.Run(tt.name+"/"+string(f), func(t *testing.T) {
				db := mustOpen(t)
				ev := &store.Event{Method: "POST", Path: "/c", Host: "h", Proto: "HTTP/1.1", Header: tt.header,
					ContentType: tt.header.Get("Content-Type"), ContentEncoding: tt.header.Get("Content-Encoding"),
					Size: int64(len(tt.body)), Truncated: tt.truncated}
				if err := db.Append(context.Background(), ev, []byte(tt.body)); err != nil {
					t.Fatal(err)
				}
				out := exportString(t, db, Options{Format: f, Masker: tt.masker})
				var exported []harNV
				if f == JSONL {
					var line struct {
						Headers    map[string][]string `json:"headers"`
						RawHeaders []harNV             `json:"raw_headers"`
					}
					if err := json.Unmarshal([]byte(out), &line); err != nil {
						t.Fatal(err)
					}
					if got := line.Headers["Content-Length"]; fmt.Sprint(got) != fmt.Sprint(tt.want) && !(got == nil && tt.want == nil) {
						t.Errorf("headers: Content-Length %q, want %q", got, tt.want)
					}
					exported = line.RawHeaders
				} else {
					var doc struct {
						Log struct {
							Entries []struct {
								Request struct {
									Headers []harNV `json:"headers"`
								} `json:"request"`
							} `json:"entries"`
						} `json:"log"`
					}
					if err := json.Unmarshal([]byte(out), &doc); err != nil {
						t.Fatal(err)
					}
					exported = doc.Log.Entries[0].Request.Headers
				}
				var got, names, sent []string
				for _, nv := range exported {
					if strings.EqualFold(nv.Name, "Content-Length") {
						got, names = append(got, nv.Value), append(names, nv.Name)
					}
				}
				for _, h := range tt.header {
					if strings.EqualFold(h.Name, "Content-Length") {
						sent = append(sent, h.Name)
					}
				}
				if fmt.Sprint(names) != fmt.Sprint(sent) {
					t.Errorf("names %q, sent as %q", names, sent)
				}
				if fmt.Sprint(got) != fmt.Sprint(tt.want) {
					t.Errorf("exported Content-Length %q, want %q\n%s", got, tt.want, out)
				}
				b, err := Decode(strings.NewReader(out))
				if err != nil {
					t.Fatal(err)
				}
				if tt.masker == nil && (string(b.Bodies[0]) != tt.body || fmt.Sprint(b.Events[0].Header) != fmt.Sprint(tt.header)) {
					t.Errorf("revealed export changed: %v %q", b.Events[0].Header, b.Bodies[0])
				}
				if cl := b.Events[0].Header.Get("Content-Length"); tt.exact && cl != fmt.Sprint(len(b.Bodies[0])) {
					t.Errorf("imported Content-Length %q for a %d-byte body", cl, len(b.Bodies[0]))
				}
			})
		}
	}
}

// TestMaskingReachesTheAnalysis: verification's text quotes the body (an
// event type, a repeated-key note, a schema error); a configured secret in
// it is masked in every format, and the delivery counts as masked.
func TestMaskingReachesTheAnalysis(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	ev := &store.Event{Method: "POST", Path: "/hooks/x", Host: "h"}
	if err := db.Append(ctx, ev, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutAnalysis(ctx, ev.ID, store.Analysis{Provider: "talkdesk-events", EventType: "call." + secret,
		Notes:  []string{`the body repeats a key in one object at "/` + secret + `"`},
		Schema: &store.SchemaResult{Status: store.SchemaInvalid, Errors: []store.SchemaError{{Path: "/type", Message: `type is "call.` + secret + `"`}}}}); err != nil {
		t.Fatal(err)
	}
	for _, f := range Formats {
		var buf bytes.Buffer
		res, err := Export(ctx, &buf, db, Options{Format: f, Masker: testMasker{}})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), secret) || res.Masked != 1 {
			t.Errorf("%s: masked %d, output:\n%s", f, res.Masked, buf.String())
		}
	}
}
