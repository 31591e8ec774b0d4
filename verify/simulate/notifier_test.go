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

// TestWellFormedSaysWhere: a JSON or XML mistake is reported at the line
// and column of the character at fault, counted from 1.
func TestWellFormedSaysWhere(t *testing.T) {
	for _, tc := range []struct{ format, body, where string }{
		{"json", `{x`, "line 1, column 2:"},
		{"json", "{\n  \"a\": x}", "line 2, column 8:"},
		{"json", "[1,]", "line 1, column 4:"},
		{"json", "{\"a\": \"b\n\"}", "line 1, column 9:"},
		{"json", "{\"a\": 1}\n{}", "line 2, column 1:"},
		{"json", "{\"a\": [1,\n", "line 2, column 1: it ends before the JSON value does"},
		// XML too: the README promises line and column for both formats.
		{"xml", "<a>\n  <b x=1>c</b>\n</a>", "line 2, column 8: unquoted or missing attribute value"},
		{"xml", "<a>{{x}}</b>", "line 1, column 12: element <a> closed by </b>"},
		{"xml", "<a>\n<b>&bogus;</b></a>", "line 2, column 10: invalid character entity"},
		{"xml", "<a>\n</a>\n<c/>", "line 3, column 4: an XML document has one root element"},
		{"xml", "<a/>\ntext", "line 2, column 4: text outside the root element"},
	} {
		err := WellFormed(tc.format, []byte(tc.body))
		if err == nil || !strings.HasPrefix(err.Error(), tc.where) {
			t.Errorf("%s %q: %v, want %s", tc.format, tc.body, err, tc.where)
		}
	}
	if err := WellFormed("xml", []byte("<a>\n  <b>c</b>\n</a>\n")); err != nil {
		t.Errorf("well-formed XML refused: %v", err)
	}
	// JSON as verify reads a delivery: a number beyond float64 is JSON.
	for _, body := range []string{`{"a":[1,2]}`, `{"n":1e400,"id":123456789012345678901234567890}`} {
		if err := WellFormed("json", []byte(body)); err != nil {
			t.Errorf("well-formed JSON %s refused: %v", body, err)
		}
	}
}
