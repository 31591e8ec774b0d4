package textout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// TestStatsGroupsAndClipsNames: deliveries without a provider or event
// type are counted under "(none)", payload names are made terminal-safe
// and clipped to their column, and an empty database has no table.
func TestStatsGroupsAndClipsNames(t *testing.T) {
	var b bytes.Buffer
	if err := Stats(&b, store.Stats{Path: "/tmp/h.db", FileSize: 2048}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); !strings.HasPrefix(out, "database     /tmp/h.db (2.0KiB)\n") || strings.Contains(out, "received") || strings.Contains(out, "provider / event type") {
		t.Fatalf("empty database:\n%s", out)
	}
	b.Reset()
	long := strings.Repeat("x", 50)
	st := store.Stats{Total: 3, Providers: []store.ProviderStats{
		{Provider: "", Count: 1, Types: []store.TypeCount{{EventType: "", Count: 1}}},
		{Provider: "evil\x1b[2J", Count: 2, Types: []store.TypeCount{{EventType: long, Count: 2}}},
	}}
	if err := Stats(&b, st); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	noControl(t, "Stats", out)
	for _, want := range []string{
		"\nprovider / event type                       count\n",
		"(none)                                          1\n",
		"  (none)                                        1\n",
		"  " + strings.Repeat("x", 37) + "…        2\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
}
