package export

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/curlcmd"
)

type received struct {
	method, path, query string
	header              http.Header
	body                []byte
}

// TestCurlScriptDeliversExactBytes runs the exported script with sh against
// a test server and compares what arrives with what was captured.
func TestCurlScriptDeliversExactBytes(t *testing.T) {
	for _, tool := range []string{"sh", "curl", "base64"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	db := mustOpen(t)
	seed(t, db)
	script := exportString(t, db, Options{Format: Curl})
	if !curlcmd.SafeText(script, true) {
		t.Fatalf("script holds text that could act on a terminal:\n%q", script)
	}

	var mu sync.Mutex
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		mu.Unlock()
	}))
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "replay.sh")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", path)
	cmd.Env = append(os.Environ(), "HOOKSCOPE_TARGET="+srv.URL)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("script failed: %v\n%s\n%s", err, out, script)
	}

	want := fixtures()
	if len(got) != len(want) {
		t.Fatalf("server got %d requests, want %d\n%s", len(got), len(want), script)
	}
	for i, f := range want {
		g := got[i]
		if g.method != f.ev.Method || g.path != f.ev.Path || g.query != f.ev.Query {
			t.Errorf("%s: %s %s?%s", f.name, g.method, g.path, g.query)
		}
		if !bytes.Equal(g.body, f.body) {
			t.Errorf("%s: body %q, want %q", f.name, g.body, f.body)
		}
		sent := http.Header{}
		conn := f.ev.Header.Values("Connection")
		for _, h := range f.ev.Header {
			if !curlcmd.LeftToCurl(h.Name, conn) {
				sent.Add(h.Name, h.Value)
			}
		}
		for name, vals := range sent {
			if strings.Join(g.header.Values(name), "|") != strings.Join(vals, "|") {
				t.Errorf("%s: header %s = %q, want %q", f.name, name, g.header.Values(name), vals)
			}
		}
		// Nothing added that the sender did not send.
		for name := range g.header {
			if _, ok := sent[name]; !ok && name != "Content-Length" {
				t.Errorf("%s: curl added header %s: %q", f.name, name, g.header.Values(name))
			}
		}
	}
}

// TestCurlTargetIsPlainText checks that a query or path holding C1
// controls or bidi overrides is escaped in the script.
func TestCurlTargetIsPlainText(t *testing.T) {
	ev := store.Event{Method: "GET", Path: "/p\u202e", Query: "a=\u009b31m&b=\u202etxt", Host: "h"}
	cmd := curlCommand(ev, nil)
	if !curlcmd.SafeText(cmd, true) || !strings.Contains(cmd, "'/p%E2%80%AE?a=%C2%9B31m&b=%E2%80%AEtxt'") {
		t.Fatalf("target not escaped: %q", cmd)
	}
}

func TestShellQuote(t *testing.T) {
	for _, s := range []string{"", "plain", "it's", "'", "$(x) `y` \\ \" \n !"} {
		out, err := exec.Command("sh", "-c", "printf '%s' "+curlcmd.Quote(s)).Output()
		if err != nil {
			t.Skipf("sh: %v", err)
		}
		if string(out) != s {
			t.Errorf("quote(%q) gave %q back", s, out)
		}
	}
}
