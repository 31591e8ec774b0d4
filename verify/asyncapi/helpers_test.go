package asyncapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// mustDefault loads the embedded seed documents.
func mustDefault(t testing.TB) *Registry {
	t.Helper()
	r, err := Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return r
}

// mustJSON decodes JSON the way the capture path does (UseNumber).
func mustJSON(t testing.TB, s string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
	return v
}

// writeFiles creates files in a fresh temporary directory and returns it.
func writeFiles(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// mustLoadString loads one document given as text, from a temporary file so
// that sibling refs and positions behave as for a user's file.
func mustLoadString(t testing.TB, doc string) (*Registry, []Warning) {
	t.Helper()
	dir := writeFiles(t, map[string]string{"spec.yml": doc})
	r, w, err := Load([]string{filepath.Join(dir, "spec.yml")}, false)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return r, w
}

// loadErr loads documents from files and returns the *Error it must fail with.
func loadErr(t testing.TB, files map[string]string, main string) *Error {
	t.Helper()
	dir := writeFiles(t, files)
	_, _, err := Load([]string{filepath.Join(dir, main)}, false)
	if err == nil {
		t.Fatalf("Load succeeded; want an error")
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
	return e
}

// hasError reports whether errs holds one with this path and keyword.
func hasError(errs []store.SchemaError, path, keyword string) bool {
	for _, e := range errs {
		if e.Path == path && e.Keyword == keyword {
			return true
		}
	}
	return false
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// documentedExamples returns Talkdesk's documented Events API payloads by
// event type, decoded with UseNumber.
func documentedExamples(t testing.TB) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(readTestdata(t, "talkdesk-events-examples.json")))
	dec.UseNumber()
	var all map[string]any
	if err := dec.Decode(&all); err != nil {
		t.Fatal(err)
	}
	delete(all, "_note")
	return all
}
