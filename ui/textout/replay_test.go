package textout

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
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
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Replayed(&b, "33l9t6bsac57e", tt.a, tt.err); err != nil || b.String() != tt.want {
			t.Errorf("got %q (%v), want %q", b.String(), err, tt.want)
		}
	}
	if got := ReplaySummary(store.AttemptTally{Sent: 3, OK: 1, Non2xx: 1, Errors: 1}, 4); got != "replayed 3 of 4: 1 2xx, 1 non-2xx, 1 errors" {
		t.Errorf("summary %q", got)
	}
}

func TestReplayedJSON(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var b bytes.Buffer
	a := store.Attempt{Seq: 2, At: at, Target: "http://app/in", Status: 0, DurationMS: 1.5, Error: "timeout"}
	if err := ReplayedJSON(&b, "33l9t6bsac57e", a, nil); err != nil {
		t.Fatal(err)
	}
	if err := ReplayedJSON(&b, "33l9t6bsac57e", a, errors.New("store attempt: disk full")); err != nil {
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
