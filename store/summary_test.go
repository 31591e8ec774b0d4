package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func TestSummaryRoundTrip(t *testing.T) {
	for _, s := range []summary{
		{},
		{Status: 503, Method: "POST", Path: "/ü/\x1b", Provider: "talkdesk-events", EventType: "app.installed",
			Sig: SigValid, Schema: SchemaInvalid, Dup: true, HasAnalysis: true},
	} {
		got, err := decodeSummary(s.encode())
		if err != nil || !reflect.DeepEqual(got, s) {
			t.Fatalf("round trip %+v -> %+v, %v", s, got, err)
		}
	}
	if _, err := decodeSummary([]byte{0, 1, 0, 200}); err == nil {
		t.Fatal("truncated summary accepted")
	}
}

// FuzzDecodeSummary: whatever decodeSummary accepts encodes to bytes that
// decode to the same summary. (Not the same bytes: trailing bytes, unknown
// flag bits and over-long varints are tolerated on the way in.)
func FuzzDecodeSummary(f *testing.F) {
	f.Add(summary{Method: "GET", Path: "/x"}.encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeSummary(b)
		if err != nil {
			return
		}
		again, err := decodeSummary(s.encode())
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("%q decodes to %+v, which round-trips to %+v, %v", b, s, again, err)
		}
	})
}

// TestSummaryFollowsAnalysisAndBackfills checks that filters see analysis,
// forward status and deletions, and that a file without summaries gets
// them on open.
func TestSummaryFollowsAnalysisAndBackfills(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ev := &Event{Method: "POST", Path: "/a", Response: Response{Status: 200}}
	db.Append(ctx, ev, []byte("x"))
	db.PutAnalysis(ctx, ev.ID, Analysis{Provider: "talkifai", EventType: "call.ended", Signature: Signature{Status: SigInvalid}})
	db.SetForward(ctx, ev.ID, &Attempt{Status: 502}, Response{Status: 502})
	for _, f := range []string{"provider:talkifai", "type:call.*", "sig:invalid", "status:5xx"} {
		if _, n, _ := db.Count(ctx, f); n != 1 {
			t.Fatalf("%s matched %d", f, n)
		}
	}
	// Drop the summaries as an older file would lack them.
	db.bolt.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketSummary) })
	db.Close()
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, n, _ := db.Count(ctx, "sig:invalid status:502"); n != 1 {
		t.Fatalf("after backfill matched %d", n)
	}
	db.Delete(ctx, []string{ev.ID})
	if _, n, _ := db.Count(ctx, "sig:invalid"); n != 0 {
		t.Fatal("deleted delivery still matches")
	}
}
