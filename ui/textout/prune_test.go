package textout

import (
	"bytes"
	"testing"

	"github.com/hookscope/hookscope/store"
)

func TestPruned(t *testing.T) {
	tests := []struct {
		name string
		res  store.PruneResult
		via  bool
		want string
	}{
		{"nothing", store.PruneResult{Remaining: 7}, false, "removed 0 deliveries; 7 left\n"},
		{"removed", store.PruneResult{Removed: 2, First: "a", Last: "b", BodyBytes: 2048, Remaining: 5}, false,
			"removed 2 deliveries (ids a … b, 2.0KiB of bodies); 5 left\n"},
		{"dry run with pinned kept, through the listener", store.PruneResult{DryRun: true, Removed: 1, First: "a", Last: "a", BodyBytes: 10, Remaining: 3, PinnedKept: 2}, true,
			"would remove 1 delivery (ids a … a, 10B of bodies); 3 left, of which 2 pinned would otherwise have gone (through the running listener)\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := Pruned(&b, tt.res, tt.via); err != nil {
				t.Fatal(err)
			}
			if b.String() != tt.want {
				t.Errorf("Pruned = %q, want %q", b.String(), tt.want)
			}
		})
	}
}
