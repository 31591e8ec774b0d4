package remote

import (
	"context"
	"fmt"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// TestPruneAndStatsThroughSocket checks that the maintenance calls reach the
// listener's database and come back with the same results as in-process.
func TestPruneAndStatsThroughSocket(t *testing.T) {
	db, c := serveDB(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 5; i++ {
		ev := &store.Event{Method: "POST", Path: fmt.Sprintf("/%d", i)}
		if err := db.Append(ctx, ev, []byte("abc")); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, ev.ID)
	}
	if err := c.SetPinned(ctx, ids[0], true); err != nil {
		t.Fatal(err)
	}
	st, err := c.Stats(ctx)
	if err != nil || st.Total != 5 || st.Pinned != 1 || st.BodyBytes != 15 || st.Path != db.Path() {
		t.Fatalf("stats %+v %v", st, err)
	}
	dry, err := c.Prune(ctx, store.PruneOptions{MaxEvents: 2, DryRun: true})
	if err != nil || dry.Removed != 3 || !dry.DryRun {
		t.Fatalf("dry run %+v %v", dry, err)
	}
	res, err := c.Prune(ctx, store.PruneOptions{MaxEvents: 2})
	if err != nil || res.Removed != 3 || res.First != ids[1] || res.Last != ids[3] || res.PinnedKept != 1 {
		t.Fatalf("prune %+v %v", res, err)
	}
	if total, _, _ := db.Count(ctx, ""); total != 2 {
		t.Fatalf("%d left", total)
	}
	if _, err := c.Prune(ctx, store.PruneOptions{MaxEvents: -1}); err == nil {
		t.Fatal("bad options accepted")
	}
}
