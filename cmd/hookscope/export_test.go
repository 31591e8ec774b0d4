package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

const testSecret = "s3cr3t-client-secret"

// captureSet posts a JSON delivery with a secret and a binary one to the
// listener and returns their bodies in order.
func captureSet(t *testing.T, l *listener) [][]byte {
	t.Helper()
	bin := []byte("\x00\x01\xfe\xff\x1b[31m binary")
	bodies := [][]byte{[]byte(`{"event":"app.installed","client_secret":"` + testSecret + `"}`), bin}
	if post(t, l.url+"/hooks/talkdesk?x=1", bodies[0], "Content-Type", "application/json", "Authorization", "Bearer tok-"+testSecret) != 200 {
		t.Fatal("post json")
	}
	if post(t, l.url+"/bin", bodies[1], "Content-Type", "application/octet-stream") != 200 {
		t.Fatal("post binary")
	}
	return bodies
}

func TestExportImportRoundTripThroughCLI(t *testing.T) {
	l := startListen(t)
	bodies := captureSet(t, l)
	dir := t.TempDir()
	for _, format := range []string{"jsonl", "har"} {
		t.Run(format, func(t *testing.T) {
			file := filepath.Join(dir, "all."+format)
			// Exported through the running listener's socket.
			code, _, errs := run(t, "export", "--db", l.db, "--format", format, "--out", file, "--reveal-secrets")
			if code != 0 || !strings.Contains(errs, "exported 2 deliveries") {
				t.Fatalf("export: %d %s", code, errs)
			}
			if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("export file: %v %v", fi, err)
			}
			// Into a database that does not exist yet, as on a new machine.
			other := filepath.Join(dir, format, "o.db")
			code, out, errs := run(t, "import", file, "--db", other)
			if code != 0 || !strings.HasPrefix(out, "imported 2 deliveries from") || !strings.Contains(out, "("+format+")") {
				t.Fatalf("import: %d %q %s", code, out, errs)
			}
			orig := lsJSON(t, l.db)
			got := lsJSON(t, other)
			if len(got) != 2 {
				t.Fatalf("%d imported", len(got))
			}
			for i := range got {
				id := got[len(got)-1-i]["id"].(string) // ls is newest first
				_, body, _ := run(t, "show", id, "--body", "--db", other)
				if body != string(bodies[i]) {
					t.Errorf("body %d: %q, want %q", i, body, bodies[i])
				}
				if fmt.Sprint(got[i]["headers"]) != fmt.Sprint(orig[i]["headers"]) || got[i]["path"] != orig[i]["path"] ||
					got[i]["query"] != orig[i]["query"] || got[i]["imported"] != true {
					t.Errorf("delivery %d:\n got %v\nwant %v", i, got[i], orig[i])
				}
				// Imported deliveries are verified like live ones.
				if st := got[i]["signature"].(map[string]any)["status"]; st == "pending" || got[i]["provider"] == "" {
					t.Errorf("delivery %d not verified on import: %v", i, got[i]["signature"])
				}
			}
		})
	}
}

func TestExportMasksSecretsUnlessRevealed(t *testing.T) {
	l := startListen(t)
	captureSet(t, l)
	for _, format := range []string{"jsonl", "har", "curl"} {
		_, masked, errs := run(t, "export", "--db", l.db, "--format", format)
		if strings.Contains(masked, testSecret) || !strings.Contains(masked, "••••") {
			t.Errorf("%s: secret not masked by default", format)
		}
		// Of the two deliveries, one carried a secret: the user is told
		// it no longer matches what was received.
		if !strings.Contains(errs, "secrets masked in 1: it is no longer the bytes received") {
			t.Errorf("%s: export note: %s", format, errs)
		}
		// Masking an Authorization header leaves a signed body as
		// received, and a curl file is never imported: the note claims
		// neither that every signed one fails nor anything of an import.
		if strings.Contains(errs, "a signed one fails") || strings.Contains(errs, "after import") {
			t.Errorf("%s: export note overclaims: %s", format, errs)
		}
		_, revealed, _ := run(t, "export", "--db", l.db, "--format", format, "--reveal-secrets")
		if !strings.Contains(revealed, testSecret) {
			t.Errorf("%s: --reveal-secrets did not reveal", format)
		}
	}
	// An import of a masked export says which deliveries are not exact;
	// one of exact copies says nothing of the kind.
	dir := t.TempDir()
	for _, format := range []string{"jsonl", "har"} {
		for _, reveal := range []bool{false, true} {
			file := filepath.Join(dir, fmt.Sprintf("%s-%v.%s", format, reveal, format))
			args := []string{"export", "--db", l.db, "--format", format, "--out", file}
			if reveal {
				args = append(args, "--reveal-secrets")
			}
			if code, _, errs := run(t, args...); code != 0 {
				t.Fatalf("export: %s", errs)
			}
			code, _, errs := run(t, "import", file, "--db", filepath.Join(dir, fmt.Sprintf("%s-%v.db", format, reveal)))
			noted := strings.Contains(errs, "1 of them was exported with secrets masked, so it is not the bytes received")
			if code != 0 || noted == reveal || strings.Contains(errs, "a signed one fails") {
				t.Errorf("%s import, reveal %v: exit %d, note %v: %s", format, reveal, code, noted, errs)
			}
		}
	}
	one := filepath.Join(dir, "one.jsonl")
	if _, _, errs := run(t, "export", "--db", l.db, "--out", one, "path:/bin"); !strings.Contains(errs, "exported 1 delivery to "+one+" (jsonl, no secrets found to mask)") {
		t.Errorf("export of a delivery without secrets: %s", errs)
	}
	if _, out, errs := run(t, "import", one, "--db", filepath.Join(dir, "one.db")); !strings.HasPrefix(out, "imported 1 delivery from") {
		t.Errorf("import of one delivery: %q %s", out, errs)
	}
}

func TestMalformedImportsWriteNothing(t *testing.T) {
	l := startListen(t)
	captureSet(t, l)
	dir := t.TempDir()
	good := `{"received_at":"2025-01-01T00:00:00Z","method":"POST","path":"/ok","body":"x"}`
	entry := `{"startedDateTime":"2025-01-01T00:00:00Z","time":1,"request":{"method":"POST","url":"http://h/p","httpVersion":"HTTP/1.1","headers":[]},"response":{"status":200}}`
	files := map[string]struct{ content, want string }{
		"bad.jsonl": {good + "\n" + good + "\n{\"method\": oops\n" + good + "\n", "line 3"},
		"bad.har":   {`{"log":{"version":"1.2","entries":[` + entry + `,{"startedDateTime":"2025-01-01T00:00:00Z","response":{"status":200}}]}}`, "HAR entry 2: missing request"},
	}
	for name, f := range files {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(f.content), 0o600)
		code, _, errs := run(t, "import", path, "--db", l.db)
		if code != 1 || !strings.Contains(errs, f.want) || !strings.Contains(errs, "nothing was imported") {
			t.Errorf("%s: exit %d: %s", name, code, errs)
		}
	}
	if got := lsJSON(t, l.db, "--limit", "0"); len(got) != 2 {
		t.Fatalf("%d deliveries after refused imports, want 2", len(got))
	}
}

func TestPinPruneAndStatsWhileListening(t *testing.T) {
	l := startListen(t)
	for i := 0; i < 6; i++ {
		post(t, fmt.Sprintf("%s/n/%d", l.url, i), []byte(`{}`))
	}
	recs := lsJSON(t, l.db) // newest first
	oldest, second := recs[5]["id"].(string), recs[4]["id"].(string)
	if code, out, errs := run(t, "pin", oldest[:10], second, "--db", l.db); code != 0 || out != "pinned "+oldest+"\npinned "+second+"\n" {
		t.Fatalf("pin: %d %q %s", code, out, errs)
	}
	if code, out, _ := run(t, "unpin", second, "--db", l.db); code != 0 || out != "unpinned "+second+"\n" {
		t.Fatalf("unpin: %d %q", code, out)
	}
	if got := lsJSON(t, l.db, "pinned:yes"); len(got) != 1 || got[0]["id"] != oldest {
		t.Fatalf("pinned: %v", got)
	}
	// A typo changes nothing: every id is resolved first.
	if code, _, _ := run(t, "unpin", oldest, "0000000000", "--db", l.db); code != 1 {
		t.Fatalf("unknown id: exit %d", code)
	}
	if got := lsJSON(t, l.db, "pinned:yes"); len(got) != 1 {
		t.Fatal("unpinned despite the unknown id")
	}

	code, out, errs := run(t, "prune", "--max-events", "3", "--dry-run", "--db", l.db)
	if code != 0 || !strings.HasPrefix(out, "would remove 3 deliveries") {
		t.Fatalf("dry run: %d %q %s", code, out, errs)
	}
	code, out, errs = run(t, "prune", "--max-events", "3", "--db", l.db)
	if code != 0 || !strings.HasPrefix(out, "removed 3 deliveries") || !strings.Contains(out, "through the running listener") {
		t.Fatalf("prune: %d %q %s", code, out, errs)
	}
	left := lsJSON(t, l.db)
	if len(left) != 3 || left[2]["id"] != oldest {
		t.Fatalf("left %v", left)
	}
	if code, _, errs := run(t, "prune", "--compact", "--db", l.db); code != 1 || !strings.Contains(errs, "stop it first") {
		t.Fatalf("compact while listening: %d %s", code, errs)
	}

	_, out, _ = run(t, "stats", "--json", "--db", l.db)
	var st store.Stats
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("stats: %v %q", err, out)
	}
	if st.Total != 3 || st.Pinned != 1 || st.BodyBytes != 6 || st.FileSize <= 0 {
		t.Fatalf("stats %+v", st)
	}
	if _, out, _ := run(t, "stats", "--db", l.db); !strings.Contains(out, "3 (1 pinned") {
		t.Fatalf("stats text:\n%s", out)
	}

	// Stopped, the file can be compacted.
	l.stop()
	if code, out, errs := run(t, "prune", "--compact", "--db", l.db); code != 0 || !strings.HasPrefix(out, "compacted ") {
		t.Fatalf("compact: %d %q %s", code, out, errs)
	}
	if got := lsJSON(t, l.db); len(got) != 3 {
		t.Fatalf("%d after compaction", len(got))
	}
}

func TestMaintenanceUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"export", "--format", "xml"}, "--format: accepted values are har, jsonl, curl"},
		{[]string{"export", "color:red"}, "unknown key"},
		{[]string{"export", "a", "b"}, "FILTER is one argument, got 2: quote the whole filter, as in `hookscope export 'a b'`"},
		{[]string{"ls", "type:app.installed", "sig:valid"}, "as in `hookscope ls 'type:app.installed sig:valid'`"},
		{[]string{"ls", "-sig:valid"}, "goes after `--`, flags before it: `hookscope ls -- '-sig:valid'`"},
		{[]string{"export", "-provider:dialpad"}, "`hookscope export -- '-sig:valid'`"},
		{[]string{"import"}, "accepts 1 arg"},
		{[]string{"pin"}, "requires at least 1 arg"},
		{[]string{"unpin", "not-an-id!"}, "not a delivery id"},
		{[]string{"prune"}, "nothing to do"},
		{[]string{"prune", "--max-events", "-1"}, "--max-events"},
		{[]string{"prune", "--max-events", "many"}, "--max-events"},
		{[]string{"prune", "--max-age", "3x"}, "--max-age"},
		{[]string{"prune", "--compact", "--dry-run"}, "--compact"},
		{[]string{"stats", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, errs := run(t, tt.args...)
			if code != 2 || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errs, tt.want)
			}
		})
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"0": 0, "90m": 90 * time.Minute, "36h": 36 * time.Hour, "7d": 7 * 24 * time.Hour,
		"1.5d": 36 * time.Hour, "2w": 14 * 24 * time.Hour,
	} {
		if got, err := parseAge(in); err != nil || got != want {
			t.Errorf("parseAge(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "3x", "-1h", "-2d", "d", "soon"} {
		if _, err := parseAge(in); err == nil {
			t.Errorf("parseAge(%q) accepted", in)
		}
	}
}

func TestLogPrunes(t *testing.T) {
	var buf bytes.Buffer
	report := logPrunes(slog.New(slog.NewTextHandler(&buf, nil)))
	report(store.PruneResult{}, nil)
	if buf.Len() != 0 {
		t.Fatalf("idle pass logged: %s", buf.String())
	}
	report(store.PruneResult{Removed: 3, First: "a", Last: "b"}, nil)
	report(store.PruneResult{}, fmt.Errorf("disk full"))
	if out := buf.String(); !strings.Contains(out, "removed=3") || !strings.Contains(out, "disk full") {
		t.Fatalf("log:\n%s", out)
	}
}

// TestVerifyImportedReportsProgress: verifying an import, which can take
// longer than storing it, reports each delivery done, so import's
// "verifying" bar moves instead of leaving a terminal blank.
func TestVerifyImportedReportsProgress(t *testing.T) {
	dir := t.TempDir()
	db, err := store.Open(filepath.Join(dir, "h.db"), store.Options{LockTimeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var evs []*store.Event
	var bodies [][]byte
	at := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	for i := range 5 {
		body := []byte(fmt.Sprintf(`{"n":%d}`, i))
		evs = append(evs, &store.Event{Method: "POST", Path: "/hooks/x", ReceivedAt: at.Add(time.Duration(i) * time.Second),
			Size: int64(len(body)), Imported: true, Header: store.Header{{Name: "Content-Type", Value: "application/json"}}, ContentType: "application/json"})
		bodies = append(bodies, body)
	}
	if err := db.ImportAll(t.Context(), evs, bodies, nil); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" || k == "HOME" {
			return dir
		}
		return ""
	}}
	var done []int
	if err := e.verifyImported(t.Context(), db, evs, func(n int) { done = append(done, n) }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(done) != "[1 2 3 4 5]" {
		t.Fatalf("progress %v, want one report per delivery", done)
	}
	for _, ev := range evs {
		r, err := db.Get(t.Context(), ev.ID)
		if err != nil || r.SignatureOrPending().Status == store.SigPending {
			t.Fatalf("%s not verified: %v %v", ev.ID, r.SignatureOrPending(), err)
		}
	}
}

// TestExportOutNamesTheUsersPath: an --out that is a folder, or in a folder
// that does not exist, is refused before anything is written, naming the
// path the user gave (not a temporary file's).
func TestExportOutNamesTheUsersPath(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "h.db")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, tt := range []struct {
		out  string
		code int
		want string
	}{
		{dir, 2, "--out: " + dir + " is a folder"},
		{filepath.Join(dir, "nope", "x.jsonl"), 1, "cannot write " + filepath.Join(dir, "nope", "x.jsonl") + ": its folder"},
	} {
		code, _, errs := run(t, "export", "--db", db, "--out", tt.out)
		if code != tt.code || !strings.Contains(errs, tt.want) || strings.Contains(errs, ".tmp-") {
			t.Errorf("--out %s: exit %d %q; want %d naming it", tt.out, code, errs, tt.code)
		}
	}
}

// TestMaskedImportIsValidHTTP: a masked export whose masking shortened a
// body carries a Content-Length to match, so show --raw of an imported
// copy parses as one request with its whole body and nothing after it;
// an unmasked one keeps the original value.
func TestMaskedImportIsValidHTTP(t *testing.T) {
	l := startListen(t)
	bodies := captureSet(t, l)
	dir := t.TempDir()
	for _, format := range []string{"jsonl", "har"} {
		for _, reveal := range []bool{false, true} {
			name := fmt.Sprintf("%s-%v", format, reveal)
			t.Run(name, func(t *testing.T) {
				file := filepath.Join(dir, name+"."+format)
				args := []string{"export", "path:/hooks/*", "--db", l.db, "--format", format, "--out", file}
				if reveal {
					args = append(args, "--reveal-secrets")
				}
				if code, _, errs := run(t, args...); code != 0 {
					t.Fatalf("export: %s", errs)
				}
				other := filepath.Join(dir, name+".db")
				if code, _, errs := run(t, "import", file, "--db", other); code != 0 {
					t.Fatalf("import: %s", errs)
				}
				id := lsJSON(t, other)[0]["id"].(string)
				_, raw, _ := run(t, "show", id, "--raw", "--db", other)
				br := bufio.NewReader(strings.NewReader(raw))
				req, err := http.ReadRequest(br)
				if err != nil {
					t.Fatalf("show --raw does not parse: %v\n%q", err, raw)
				}
				body, err := io.ReadAll(req.Body)
				rest, _ := io.ReadAll(br)
				if err != nil || req.ContentLength != int64(len(body)) || len(rest) != 0 {
					t.Fatalf("Content-Length %d, body %q (%v), %d bytes after it\n%q", req.ContentLength, body, err, len(rest), raw)
				}
				if masked := !bytes.Equal(body, bodies[0]); masked == reveal || reveal && req.Header.Get("Content-Length") != fmt.Sprint(len(bodies[0])) {
					t.Fatalf("reveal %v: body %q, Content-Length %q", reveal, body, req.Header.Get("Content-Length"))
				}
			})
		}
	}
}

// TestImportRestoresPinsReplaysAndForward: the user's backup — pin a
// delivery, replay several, export with --reveal-secrets, import into
// another database — keeps the pin, the replays and the live forward.
func TestImportRestoresPinsReplaysAndForward(t *testing.T) {
	app, _ := appServer(t, 201)
	l := startListen(t, "--forward-to", app.URL+"/app")
	for _, p := range []string{"/hooks/a", "/hooks/b", "/other"} {
		if code := post(t, l.url+p, []byte(`{"p":"`+p+`"}`), "Content-Type", "application/json"); code != 201 {
			t.Fatalf("post %s: %d", p, code)
		}
	}
	deadline := time.Now().Add(waitBound)
	for {
		n := 0
		for _, r := range lsJSON(t, l.db) {
			if r["forward"] != nil {
				n++
			}
		}
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of 3 forwards recorded", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	recs := lsJSON(t, l.db) // newest first
	if code, _, errs := run(t, "pin", recs[2]["id"].(string), "--db", l.db); code != 0 {
		t.Fatalf("pin: %s", errs)
	}
	for range 2 {
		if code, _, errs := run(t, "replay", "path:/hooks/*", "--to", app.URL+"/again", "--db", l.db); code != 0 {
			t.Fatalf("replay: %s", errs)
		}
	}
	file := filepath.Join(t.TempDir(), "a.jsonl")
	if code, _, errs := run(t, "export", "--db", l.db, "--reveal-secrets", "--out", file); code != 0 {
		t.Fatalf("export: %s", errs)
	}
	other := filepath.Join(t.TempDir(), "b.db")
	if code, out, errs := run(t, "import", file, "--db", other); code != 0 {
		t.Fatalf("import: %q %s", out, errs)
	}
	want, got := lsJSON(t, l.db), lsJSON(t, other)
	if len(got) != 3 {
		t.Fatalf("%d imported", len(got))
	}
	pinned := 0
	for i := range want {
		for _, k := range []string{"pinned", "replays", "forward"} {
			if fmt.Sprint(got[i][k]) != fmt.Sprint(want[i][k]) {
				t.Errorf("delivery %d %s:\n got %v\nwant %v", i, k, got[i][k], want[i][k])
			}
		}
		if got[i]["pinned"] == true {
			pinned++
		}
	}
	if pinned != 1 || len(want[0]["replays"].([]any)) != 0 || len(want[1]["replays"].([]any)) != 2 {
		t.Fatalf("test set: %d pinned, replays %v / %v", pinned, want[0]["replays"], want[1]["replays"])
	}
	// The answers are restored too.
	db, err := store.Open(other, store.Options{LockTimeout: lockTimeout})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	id := got[1]["id"].(string)
	for _, seq := range []int{0, 1, 2} {
		a, err := db.Attempt(t.Context(), id, seq)
		if err != nil || string(a.RespBody) != `{"app":true}` || a.Status != 201 {
			t.Errorf("attempt %d: %d %q %v", seq, a.Status, a.RespBody, err)
		}
	}
}
