package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestNewestIDAndMatchingIDs(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	if id, err := NewestID(ctx, db); id != "" || err != nil {
		t.Fatalf("empty store: %q %v", id, err)
	}
	a := mustAppend(t, db, "/hooks/a", nil)
	b := mustAppend(t, db, "/other", nil)
	c := mustAppend(t, db, "/hooks/c", nil)
	if id, err := NewestID(ctx, db); id != c.ID || err != nil {
		t.Fatalf("newest: %q %v, want %q", id, err, c.ID)
	}
	if ids, err := MatchingIDs(ctx, db, ""); err != nil || strings.Join(ids, ",") != a.ID+","+b.ID+","+c.ID {
		t.Fatalf("all, oldest first: %v %v", ids, err)
	}
	if ids, err := MatchingIDs(ctx, db, "path:/hooks/*"); err != nil || strings.Join(ids, ",") != a.ID+","+c.ID {
		t.Fatalf("filtered: %v %v", ids, err)
	}
}

// TestMatchingIDsPages: more matches than one page are all listed, once.
func TestMatchingIDsPages(t *testing.T) {
	db := mustOpen(t)
	n := lookupPage + 5
	evs := make([]*Event, n)
	bodies := make([][]byte, n)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range evs {
		evs[i] = &Event{Method: "POST", Path: "/x", ReceivedAt: at.Add(time.Duration(i) * time.Second)}
	}
	if err := db.ImportAll(context.Background(), evs, bodies, nil); err != nil {
		t.Fatal(err)
	}
	ids, err := MatchingIDs(context.Background(), db, "")
	if err != nil || len(ids) != n || ids[0] != evs[0].ID || ids[n-1] != evs[n-1].ID {
		t.Fatalf("%d ids, err %v", len(ids), err)
	}
}

func TestSelect(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	a := mustAppend(t, db, "/hooks/a", nil)
	b := mustAppend(t, db, "/hooks/b", nil)
	c := mustAppend(t, db, "/other", nil)
	// Ids (full or a unique prefix) and filters, each delivery once, oldest
	// first whatever the argument order.
	ids, err := Select(ctx, db, []string{c.ID[:12], "path:/hooks/*", a.ID})
	if err != nil || strings.Join(ids, ",") != a.ID+","+b.ID+","+c.ID {
		t.Fatalf("select: %v %v", ids, err)
	}
	common := 0
	for common < IDLen && a.ID[common] == b.ID[common] {
		common++
	}
	if _, err := Select(ctx, db, []string{a.ID[:common]}); err == nil || !strings.Contains(err.Error(), "type more of the id") {
		t.Fatalf("ambiguous prefix: %v", err)
	}
	if _, err := Select(ctx, db, []string{"path:/nothing"}); err == nil || !strings.Contains(err.Error(), "no delivery has the id") {
		t.Fatalf("no match: %v", err)
	}
	_, err = Select(ctx, db, []string{"bogus:key"})
	var se *SelectionError
	if !errors.As(err, &se) || se.Arg != "bogus:key" || !strings.Contains(err.Error(), "neither a delivery id nor a filter") {
		t.Fatalf("bad argument: %v", err)
	}
}

// TestSelectOldestFirstOverall: the union of several arguments is in
// received order, not argument by argument, and a delivery matching two
// filters is selected once.
func TestSelectOldestFirstOverall(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	// Interleaved: "path:/a" matches a1, a2 and ab; "path:/*b*" matches b1,
	// ab and b2.
	var ids []string
	for _, p := range []string{"/a1", "/b1", "/a2", "/ab", "/b2"} {
		ids = append(ids, mustAppend(t, db, p, nil).ID)
	}
	a1, b1, a2, ab, b2 := ids[0], ids[1], ids[2], ids[3], ids[4]
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"path:/a", "path:/*b*"}, []string{a1, b1, a2, ab, b2}},
		{[]string{"path:/*b*", "path:/a"}, []string{a1, b1, a2, ab, b2}},
		{[]string{"path:/*b*", a1}, []string{a1, b1, ab, b2}},
		{[]string{b2, "path:/a", ab[:12]}, []string{a1, a2, ab, b2}},
		{[]string{"path:/ab", "path:/a", "path:/*b*"}, []string{a1, b1, a2, ab, b2}},
	} {
		got, err := Select(ctx, db, tt.args)
		if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Select(%q) = %v %v, want %v", tt.args, got, err, tt.want)
		}
	}
}
