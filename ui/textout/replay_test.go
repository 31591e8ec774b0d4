package textout

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
)

func TestReplayedLines(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		a    store.Attempt
		err  error
		want string
	}{
		{store.Attempt{Seq: 2, At: at, Target: "http://app/in", Status: 201, DurationMS: 1.25}, nil,
			"33l9t6bsac57e  → http://app/in  201 in 1.2ms (attempt #2)\n"},
		{store.Attempt{Seq: 1, At: at, Target: "http://app/\x1b[2J", DurationMS: 3, Error: "connection refused"}, nil,
			"33l9t6bsac57e  → http://app/␛[2J  failed after 3.0ms: connection refused\n"},
		{store.Attempt{}, errors.New("store attempt: disk full"), "33l9t6bsac57e  error: store attempt: disk full\n"},
		// An answer whose body broke off: the status came, and so must
		// the error that show records beside it.
		{store.Attempt{Seq: 3, Target: "http://app/in", Status: 200, DurationMS: 3, Error: "reading the response: unexpected EOF"}, nil,
			"33l9t6bsac57e  → http://app/in  200 in 3.0ms (attempt #3): reading the response: unexpected EOF\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Replayed(&b, "33l9t6bsac57e", tt.a, tt.err, nil); err != nil || b.String() != tt.want {
			t.Errorf("got %q (%v), want %q", b.String(), err, tt.want)
		}
	}
	if got := ReplaySummary(store.AttemptTally{Sent: 3, OK: 1, Non2xx: 1, Errors: 1}, 4); got != "replayed 3 of 4: 1 2xx, 1 non-2xx, 1 error" {
		t.Errorf("summary %q", got)
	}
}

func TestReplayedJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var b bytes.Buffer
	a := store.Attempt{Seq: 2, At: at, Target: "http://app/in", Status: 0, DurationMS: 1.5, Error: "timeout"}
	if err := ReplayedJSON(&b, "33l9t6bsac57e", a, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := ReplayedJSON(&b, "33l9t6bsac57e", a, errors.New("store attempt: disk full"), nil); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := `{"id":"33l9t6bsac57e","seq":2,"at":"` + at.Format(store.TimeFormat) + `","target":"http://app/in","status":0,"duration_ms":1.5,"error":"timeout"}`
	if len(lines) != 2 || lines[0] != want {
		t.Fatalf("got %q\nwant %q", lines, want)
	}
	var second map[string]any
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil || second["error"] != "store attempt: disk full" {
		t.Fatalf("error field: %v %v", second, err)
	}
}

// TestReplayedMasksConfiguredSecrets: a --keep-path replay's target, and
// the errors quoting it, have configured secrets masked in the line and
// the JSON object; a nil redactor shows them as sent.
func TestReplayedMasksConfiguredSecrets(t *testing.T) {
	const secret = "tk-path-secret-9f8e"
	target := "http://app/hooks/" + secret + "/x?token=" + secret
	masked := "http://app/hooks/" + redact.Mask + "/x?token=" + redact.Mask
	red := redact.New([]string{secret})
	answered := store.Attempt{Seq: 1, Target: target, Status: 200}
	failed := store.Attempt{Seq: 1, Target: target, Error: `Post "` + target + `": connection refused`}
	notStored := errors.New("store attempt: " + target)
	for _, tt := range []struct {
		a   store.Attempt
		err error
	}{{answered, nil}, {failed, nil}, {answered, notStored}} {
		var line, obj bytes.Buffer
		Replayed(&line, "33l9t6bsac57e", tt.a, tt.err, red)
		ReplayedJSON(&obj, "33l9t6bsac57e", tt.a, tt.err, red)
		for what, out := range map[string]string{"line": line.String(), "JSON": obj.String()} {
			if strings.Contains(out, secret) || !strings.Contains(out, redact.Mask) {
				t.Errorf("%s: %q", what, out)
			}
		}
		line.Reset()
		Replayed(&line, "33l9t6bsac57e", tt.a, tt.err, nil)
		if !strings.Contains(line.String(), secret) {
			t.Errorf("revealed line: %q", line.String())
		}
	}
	var obj bytes.Buffer
	ReplayedJSON(&obj, "33l9t6bsac57e", failed, nil, red)
	var got attemptJSON
	if err := json.Unmarshal(obj.Bytes(), &got); err != nil || got.Target != masked || got.Error != `Post "`+masked+`": connection refused` {
		t.Fatalf("JSON %+v %v", got, err)
	}
}
