package asyncapi

import "testing"

// TestSimilar: a typo, a part of a name and a different case all find the
// message, closest first, as the documents spell it; nothing like any
// message finds nothing.
func TestSimilar(t *testing.T) {
	reg := mustDefault(t)
	for name, want := range map[string]string{
		"app.instaled":           "app.installed",
		"APPINSTALLED":           "AppInstalledEvent",
		"conversation_end":       "CONVERSATION_ENDED",
		"nothing-like-it-at-all": "",
	} {
		got := reg.Similar(name, 5)
		if want == "" {
			if len(got) != 0 {
				t.Errorf("%s: %q, want none", name, got)
			}
			continue
		}
		if len(got) == 0 || len(got) > 5 || got[0] != want {
			t.Errorf("%s: %q, want at most 5 starting with %s", name, got, want)
		}
	}
	if got := reg.Similar("app", 2); len(got) != 2 {
		t.Errorf("Similar(app, 2) = %q, want 2", got)
	}
}
