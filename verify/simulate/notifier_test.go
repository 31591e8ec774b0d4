package simulate

import (
	"strings"
	"testing"
)

func TestFindTrigger(t *testing.T) {
	if len(notifierTriggers) != 25 {
		t.Fatalf("%d triggers documented, have %d", 25, len(notifierTriggers))
	}
	for in, want := range map[string]string{
		"CSAT score received.":   "CSAT score received",
		"csat-score-received":    "CSAT score received",
		"AN AGENT LOGS IN":       "An agent logs in",
		"a-call-is-abandoned":    "A call is abandoned",
		" A note is created ":    "A note is created",
		"An outbound call rings": "",
	} {
		got, ok := FindTrigger(in)
		if got != want || ok != (want != "") {
			t.Errorf("%q: %q %v", in, got, ok)
		}
	}
}

// TestWellFormedSaysWhere: a JSON mistake is reported at the line and
// column of the character at fault, counted from 1.
func TestWellFormedSaysWhere(t *testing.T) {
	for _, tc := range []struct{ body, where string }{
		{`{x`, "line 1, column 2:"},
		{"{\n  \"a\": x}", "line 2, column 8:"},
		{"[1,]", "line 1, column 4:"},
		{"{\"a\": \"b\n\"}", "line 1, column 9:"},
	} {
		err := WellFormed("json", []byte(tc.body))
		if err == nil || !strings.HasPrefix(err.Error(), tc.where) {
			t.Errorf("%q: %v, want %s", tc.body, err, tc.where)
		}
	}
	if err := WellFormed("json", []byte(`{"a":[1,2]}`)); err != nil {
		t.Errorf("well-formed JSON refused: %v", err)
	}
}
