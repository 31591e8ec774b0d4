package simulate

import "testing"

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
