package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// waitLines waits until the headless listener has printed n lines and
// returns them.
func waitLines(t *testing.T, l *listener, n int) []string {
	t.Helper()
	deadline := time.Now().Add(waitBound)
	for strings.Count(l.stdout.String(), "\n") < n {
		if time.Now().After(deadline) {
			t.Fatalf("headless printed %q, want %d lines", l.stdout.String(), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return strings.Split(strings.TrimSuffix(l.stdout.String(), "\n"), "\n")
}

// rawUnsafe returns the first rune of out that termsafe says must not reach
// a terminal (newlines end JSON lines), or 0.
func rawUnsafe(out string) rune {
	for _, r := range out {
		if r != '\n' && termsafe.Unsafe(r) {
			return r
		}
	}
	return 0
}

// TestJSONOutputsEscapeUnsafeRunes: a path and a header value carrying C1
// (NEL), bidi override and isolate runes come out of every JSON output on
// stdout as \u escapes, and decode to the identical strings.
func TestJSONOutputsEscapeUnsafeRunes(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const path, note = "/x/\u0085\u202egpj.exe\u2066y\u2069", "a\u202eb\u0085"
	l := startListen(t, "--json")
	post(t, l.url+"/x/%C2%85%E2%80%AEgpj.exe%E2%81%A6y%E2%81%A9", []byte(`{}`), "X-Note", note)
	headless := waitLines(t, l, 1)[0]
	_, ls, _ := run(t, "ls", "--json", "--db", l.db)
	var rec struct{ ID string }
	if err := json.Unmarshal([]byte(ls), &rec); err != nil {
		t.Fatalf("ls --json %q: %v", ls, err)
	}
	_, show, _ := run(t, "show", rec.ID, "--json", "--db", l.db)
	_, export, _ := run(t, "export", "--db", l.db, "--format", "jsonl", "--reveal-secrets")
	for _, tc := range []struct{ name, out string }{
		{"headless", headless}, {"ls", ls}, {"show", show}, {"export", export},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if r := rawUnsafe(tc.out); r != 0 {
				t.Fatalf("raw %U in %q", r, tc.out)
			}
			for _, esc := range []string{`\u0085`, `\u202e`, `\u2066`, `\u2069`} {
				if !strings.Contains(tc.out, esc) {
					t.Errorf("%s not escaped in %s", esc, tc.out)
				}
			}
			var got struct {
				Path    string              `json:"path"`
				Headers map[string][]string `json:"headers"`
			}
			if err := json.Unmarshal([]byte(strings.TrimSpace(tc.out)), &got); err != nil {
				t.Fatalf("%q: %v", tc.out, err)
			}
			if got.Path != path || len(got.Headers["X-Note"]) != 1 || got.Headers["X-Note"][0] != note {
				t.Fatalf("decoded path %q, X-Note %q; want %q, %q", got.Path, got.Headers["X-Note"], path, note)
			}
		})
	}
}

// TestStatsJSONEscapesUnsafeRunes: event types come from payloads, so stats
// --json escapes what a terminal would act on, and decodes to the same type.
func TestStatsJSONEscapesUnsafeRunes(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	const typ = "app.\u202einstalled\u0085"
	l := startListen(t)
	body, _ := json.Marshal(map[string]string{"event_type": typ, "event_id": "e1"})
	post(t, l.url+"/hooks/talkdesk", body)
	waitLines(t, l, 1)
	_, out, _ := run(t, "stats", "--json", "--db", l.db)
	if r := rawUnsafe(out); r != 0 {
		t.Fatalf("raw %U in %q", r, out)
	}
	var st struct {
		Providers []struct {
			Types []struct {
				EventType string `json:"event_type"`
			} `json:"types"`
		} `json:"providers"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("%q: %v", out, err)
	}
	if len(st.Providers) != 1 || len(st.Providers[0].Types) != 1 || st.Providers[0].Types[0].EventType != typ {
		t.Fatalf("decoded %+v from %q; want type %q", st, out, typ)
	}
}

// TestPathsPrintedTerminalSafe: file names are printed (export's
// destination, import's source and database, prune --compact's file) with
// what a terminal would act on made visible.
func TestPathsPrintedTerminalSafe(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	dir := filepath.Join(t.TempDir(), "x\x1b]0;pwned\x07\u202ey")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(dir, "h.db")
	s, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Append(context.Background(), &store.Event{Method: "POST", Path: "/p"}, []byte("x")); err != nil {
		t.Fatal(err)
	}
	s.Close()
	file := filepath.Join(dir, "out.jsonl")
	for _, args := range [][]string{
		{"export", "--db", db, "--out", file},
		{"import", file, "--db", filepath.Join(dir, "h2.db")},
		{"prune", "--compact", "--db", db},
	} {
		code, out, errs := run(t, args...)
		if code != 0 || !strings.Contains(out+errs, "pwned") {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
		if r := rawUnsafe(out + errs); r != 0 {
			t.Errorf("%v: raw %U in stdout %q, stderr %q", args, r, out, errs)
		}
	}
}
