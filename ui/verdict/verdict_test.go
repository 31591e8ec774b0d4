package verdict

import (
	"testing"

	"github.com/hookscope/hookscope/store"
)

func withSig(status string) store.Record {
	return store.Record{Analysis: &store.Analysis{Signature: store.Signature{Status: status}}}
}

func withSchema(status string) store.Record {
	return store.Record{Analysis: &store.Analysis{Schema: &store.SchemaResult{Status: status}}}
}

// TestBadges checks every signature and schema result, the states before a
// result exists, and that a status the UI does not know (a newer database,
// an import) is shown made safe rather than obeyed.
func TestBadges(t *testing.T) {
	tests := []struct {
		name string
		got  Badge
		want Badge
	}{
		{"sig not analysed", Signature(store.Record{}), Badge{"…", "pending", Pending}},
		{"sig empty", Signature(withSig("")), Badge{"…", "pending", Pending}},
		{"sig pending", Signature(withSig(store.SigPending)), Badge{"…", "pending", Pending}},
		{"sig valid", Signature(withSig(store.SigValid)), Badge{"✓", "valid", Good}},
		{"sig invalid", Signature(withSig(store.SigInvalid)), Badge{"✗", "invalid", Bad}},
		{"sig unverifiable", Signature(withSig(store.SigUnverifiable)), Badge{"?", "unverifiable", Warn}},
		{"sig unsigned", Signature(withSig(store.SigUnsigned)), Badge{"–", "unsigned", Neutral}},
		{"sig unknown", Signature(withSig("odd\x1b[2J")), Badge{"?", "odd␛[2J", Warn}},
		{"schema not analysed", Schema(store.Record{}), Badge{Missing, "", Unknown}},
		{"schema no result", Schema(withSig(store.SigValid)), Badge{Missing, "", Unknown}},
		{"schema valid", Schema(withSchema(store.SchemaValid)), Badge{"✓", "valid", Good}},
		{"schema invalid", Schema(withSchema(store.SchemaInvalid)), Badge{"✗", "invalid", Bad}},
		{"schema unmatched", Schema(withSchema(store.SchemaUnmatched)), Badge{"?", "unmatched", Warn}},
		{"schema skipped", Schema(withSchema(store.SchemaSkipped)), Badge{"–", "skipped", Neutral}},
		{"schema unknown", Schema(withSchema("new\u202e")), Badge{"?", "new\ufffd", Warn}},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, tt.got, tt.want)
		}
	}
}

func TestBadgeText(t *testing.T) {
	b := Badge{"✓", "valid", Good}
	if got := b.Text(false); got != "✓ valid" {
		t.Errorf("long: %q", got)
	}
	if got := b.Text(true); got != "✓" {
		t.Errorf("short: %q", got)
	}
	if got := (Badge{Missing, "", Unknown}).Text(false); got != Missing {
		t.Errorf("no word: %q", got)
	}
}

func TestHTTPStatus(t *testing.T) {
	for code, want := range map[int]Level{0: Unknown, 200: Good, 299: Good, 301: Neutral, 399: Neutral,
		400: Warn, 499: Warn, 500: Bad, 502: Bad} {
		if got := HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%d) = %v, want %v", code, got, want)
		}
	}
}
