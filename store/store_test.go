package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func mustOpen(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "h.db"), Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustAppend(t testing.TB, db *DB, path string, body []byte) *Event {
	t.Helper()
	ev := &Event{Method: "POST", Path: path, Header: Header{{"Content-Type", "application/json"}}, Size: int64(len(body))}
	if err := db.Append(context.Background(), ev, body); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestOpenCreatesFile0600(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "dir", "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode = %v, want 0600", fi.Mode().Perm())
	}
}

func TestAppendGetBody(t *testing.T) {
	db := mustOpen(t)
	body := []byte("\x00\xff binary \x1b[31m")
	ev := mustAppend(t, db, "/a", body)
	if len(ev.ID) != IDLen {
		t.Fatalf("id %q has length %d", ev.ID, len(ev.ID))
	}
	r, err := db.Get(context.Background(), ev.ID[:IDLen-1])
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != ev.ID || r.Path != "/a" || r.Header.Get("content-type") != "application/json" {
		t.Fatalf("got %+v", r)
	}
	got, err := db.Body(context.Background(), ev.ID)
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("body = %q, %v", got, err)
	}
	if _, err := db.Get(context.Background(), "zzz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("invalid prefix: %v", err)
	}
}

func TestPrefixAmbiguity(t *testing.T) {
	db := mustOpen(t)
	a := mustAppend(t, db, "/a", nil)
	b := mustAppend(t, db, "/b", nil)
	common := 0
	for common < IDLen && a.ID[common] == b.ID[common] {
		common++
	}
	if _, err := db.Get(context.Background(), a.ID[:common]); !errors.Is(err, ErrAmbiguous) {
		t.Fatalf("shared prefix %q: err = %v, want ErrAmbiguous", a.ID[:common], err)
	}
	r, err := db.Get(context.Background(), b.ID[:common+1])
	if err != nil || r.ID != b.ID {
		t.Fatalf("unique prefix: %v %v", r.ID, err)
	}
}

func TestListNewestFirstPaged(t *testing.T) {
	db := mustOpen(t)
	var ids []string
	for i := 0; i < 25; i++ {
		ids = append(ids, mustAppend(t, db, fmt.Sprintf("/%d", i), nil).ID)
	}
	var got []string
	before := ""
	for {
		page, err := db.List(context.Background(), Query{Limit: 10, Before: before})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			got = append(got, r.ID)
		}
		before = page[len(page)-1].ID
	}
	if len(got) != len(ids) {
		t.Fatalf("listed %d, want %d", len(got), len(ids))
	}
	for i := range got {
		if got[i] != ids[len(ids)-1-i] {
			t.Fatalf("position %d: %s, want %s", i, got[i], ids[len(ids)-1-i])
		}
	}
	old, _ := db.List(context.Background(), Query{Oldest: true, Limit: 2})
	if old[0].ID != ids[0] || old[1].ID != ids[1] {
		t.Fatalf("oldest first wrong")
	}
	after, _ := db.List(context.Background(), Query{After: ids[22]})
	if len(after) != 2 || after[0].ID != ids[24] {
		t.Fatalf("after: %d records", len(after))
	}
}

func TestConcurrentAppendsAllStoredOnce(t *testing.T) {
	db := mustOpen(t)
	const n = 400
	var wg sync.WaitGroup
	ids := make([]string, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ev := &Event{Method: "POST", Path: fmt.Sprintf("/%d", i)}
			if err := db.Append(context.Background(), ev, []byte(fmt.Sprint(i))); err != nil {
				t.Error(err)
			}
			ids[i] = ev.ID
		}(i)
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, id := range ids {
		if seen[id] {
			t.Fatalf("id %s handed out twice", id)
		}
		seen[id] = true
		b, err := db.Body(context.Background(), id)
		if err != nil || string(b) != fmt.Sprint(i) {
			t.Fatalf("body of %d = %q, %v", i, b, err)
		}
	}
	total, _, _ := db.Count(context.Background(), "")
	if total != n {
		t.Fatalf("count = %d, want %d", total, n)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetSchemaVersionForTest(SchemaVersion + 1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrNewerSchema) {
		t.Fatalf("err = %v, want ErrNewerSchema", err)
	}
}

func TestLockedFileFailsFast(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	_, err = Open(path, Options{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}

func TestFailedCommitIsReported(t *testing.T) {
	db := mustOpen(t)
	boom := errors.New("disk full")
	db.FailCommitsForTest(boom)
	err := db.Append(context.Background(), &Event{Method: "POST"}, []byte("x"))
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want %v", err, boom)
	}
	db.FailCommitsForTest(nil)
	total, _, _ := db.Count(context.Background(), "")
	if total != 0 {
		t.Fatalf("a failed append left %d records", total)
	}
}

func TestClosedStoreRefusesWrites(t *testing.T) {
	db := mustOpen(t)
	db.Close()
	if err := db.Append(context.Background(), &Event{}, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("err = %v", err)
	}
}

func TestDuplicatesAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	ctx := context.Background()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := mustAppend(t, db, "/e", nil)
	a, err := db.PutAnalysis(ctx, first.ID, Analysis{Provider: "talkdesk-events", ProviderEventID: "ev1"})
	if err != nil || a.DuplicateOf != "" {
		t.Fatalf("first: %+v %v", a, err)
	}
	db.Close()
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	second := mustAppend(t, db, "/e", nil)
	if second.ID <= first.ID {
		t.Fatalf("id after restart %s not after %s", second.ID, first.ID)
	}
	a, _ = db.PutAnalysis(ctx, second.ID, Analysis{Provider: "talkdesk-events", ProviderEventID: "ev1"})
	if a.DuplicateOf != first.ID {
		t.Fatalf("DuplicateOf = %q, want %q", a.DuplicateOf, first.ID)
	}
	other := mustAppend(t, db, "/e", nil)
	a, _ = db.PutAnalysis(ctx, other.ID, Analysis{Provider: "talkifai", ProviderEventID: "ev1"})
	if a.DuplicateOf != "" {
		t.Fatalf("another provider's id counted as duplicate")
	}
	// Re-analysing the first keeps it the original.
	a, _ = db.PutAnalysis(ctx, first.ID, Analysis{Provider: "talkdesk-events", ProviderEventID: "ev1"})
	if a.DuplicateOf != "" {
		t.Fatalf("first became a duplicate of %s", a.DuplicateOf)
	}
	r, _ := db.Get(ctx, second.ID)
	if r.Analysis == nil || r.Analysis.DuplicateOf != first.ID {
		t.Fatalf("stored analysis %+v", r.Analysis)
	}
}

// Analysis workers run concurrently, so the newer of two deliveries with the
// same event id may be analysed first. The older one must still end up the
// original and the newer one its duplicate, not both originals.
func TestDuplicateAnalysedBeforeItsOriginal(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	first := mustAppend(t, db, "/e", nil)
	second := mustAppend(t, db, "/e", nil)
	a, err := db.PutAnalysis(ctx, second.ID, Analysis{Provider: "talkdesk-events", ProviderEventID: "ev1"})
	if err != nil || a.DuplicateOf != "" {
		t.Fatalf("second, analysed first: %+v %v", a, err)
	}
	a, err = db.PutAnalysis(ctx, first.ID, Analysis{Provider: "talkdesk-events", ProviderEventID: "ev1"})
	if err != nil || a.DuplicateOf != "" {
		t.Fatalf("first: %+v %v", a, err)
	}
	r, err := db.Get(ctx, second.ID)
	if err != nil || r.Analysis == nil || r.Analysis.DuplicateOf != first.ID {
		t.Fatalf("second's stored analysis %+v %v, want duplicate_of %s", r.Analysis, err, first.ID)
	}
	if _, n, err := db.Count(ctx, "dup:yes"); err != nil || n != 1 {
		t.Fatalf("dup:yes counts %d, want 1", n)
	}
	// A delivery with another event id is left alone.
	third := mustAppend(t, db, "/e", nil)
	db.PutAnalysis(ctx, third.ID, Analysis{Provider: "talkdesk-events", ProviderEventID: "ev2"})
	r, _ = db.Get(ctx, third.ID)
	if r.Analysis.DuplicateOf != "" {
		t.Fatalf("third marked duplicate of %s", r.Analysis.DuplicateOf)
	}
}

func TestAttemptsAndForward(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	a := mustAppend(t, db, "/a", nil)
	b := mustAppend(t, db, "/b", nil)
	for i := 0; i < 3; i++ {
		at := &Attempt{Target: "http://x", Status: 200 + i, RespBody: []byte("resp")}
		if err := db.AddAttempt(ctx, a.ID, at); err != nil {
			t.Fatal(err)
		}
		if at.Seq != i+1 {
			t.Fatalf("seq = %d, want %d", at.Seq, i+1)
		}
	}
	if err := db.AddAttempt(ctx, b.ID, &Attempt{Target: "t"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetForward(ctx, a.ID, &Attempt{Target: "app", Status: 502, Error: "down"}, Response{Status: 502}); err != nil {
		t.Fatal(err)
	}
	r, _ := db.Get(ctx, a.ID)
	if len(r.Replays) != 3 || r.Replays[2].Status != 202 || r.Forward == nil || r.Forward.Status != 502 {
		t.Fatalf("record: %d replays, forward %+v", len(r.Replays), r.Forward)
	}
	full, err := db.Attempt(ctx, a.ID, 2)
	if err != nil || string(full.RespBody) != "resp" {
		t.Fatalf("attempt 2: %+v %v", full, err)
	}
	rb, _ := db.Get(ctx, b.ID)
	if len(rb.Replays) != 1 || rb.Replays[0].Seq != 1 {
		t.Fatalf("b replays %+v", rb.Replays)
	}
}

func TestPinAndDelete(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	a := mustAppend(t, db, "/a", []byte("a"))
	b := mustAppend(t, db, "/b", []byte("b"))
	db.AddAttempt(ctx, b.ID, &Attempt{})
	if err := db.SetPinned(ctx, a.ID, true); err != nil {
		t.Fatal(err)
	}
	n, err := db.Delete(ctx, []string{a.ID, b.ID})
	if err != nil || n != 1 {
		t.Fatalf("deleted %d, %v", n, err)
	}
	if _, err := db.Get(ctx, b.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("b still there: %v", err)
	}
	if _, err := db.Attempt(ctx, b.ID, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("b's attempt still there")
	}
	r, err := db.Get(ctx, a.ID)
	if err != nil || !r.Pinned {
		t.Fatalf("pinned a: %+v %v", r.Pinned, err)
	}
}

func TestSubscribeGetsCommittedNotices(t *testing.T) {
	db := mustOpen(t)
	ch, cancel := db.Subscribe(16)
	defer cancel()
	ev := mustAppend(t, db, "/a", nil)
	select {
	case n := <-ch:
		if n.ID != ev.ID || n.Kind != Captured {
			t.Fatalf("notice %+v", n)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no notice")
	}
	db.FailCommitsForTest(errors.New("x"))
	db.Append(context.Background(), &Event{}, nil)
	select {
	case n := <-ch:
		t.Fatalf("notice for a failed commit: %+v", n)
	case <-time.After(50 * time.Millisecond):
	}
}

func TestImportAllKeepsTimeOrderAndIsAtomic(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	live := mustAppend(t, db, "/live", nil)
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	evs := []*Event{{Method: "POST", ReceivedAt: t0}, {Method: "POST", ReceivedAt: t0}}
	if err := db.ImportAll(ctx, evs, [][]byte{[]byte("1"), []byte("2")}, nil); err != nil {
		t.Fatal(err)
	}
	if evs[0].ID == evs[1].ID || evs[0].ID >= live.ID {
		t.Fatalf("import ids %s %s (live %s)", evs[0].ID, evs[1].ID, live.ID)
	}
	r, _ := db.Get(ctx, evs[1].ID)
	if !r.Imported {
		t.Fatal("not marked imported")
	}
	db.FailCommitsForTest(errors.New("x"))
	if err := db.ImportAll(ctx, []*Event{{}, {}}, [][]byte{nil, nil}, nil); err == nil {
		t.Fatal("want error")
	}
	db.FailCommitsForTest(nil)
	total, _, _ := db.Count(ctx, "")
	if total != 3 {
		t.Fatalf("total %d", total)
	}
}

func TestSetAnsweredOverridesDuration(t *testing.T) {
	db := mustOpen(t)
	ev := &Event{Method: "POST", Response: Response{Status: 200, DurationMS: 0.01}}
	db.Append(context.Background(), ev, nil)
	db.SetAnswered(ev.ID, 7*time.Millisecond)
	// Writes are applied in order: once a later append is committed, the
	// answer time is too.
	mustAppend(t, db, "/later", nil)
	r, _ := db.Get(context.Background(), ev.ID)
	if r.Response.DurationMS != 7 {
		t.Fatalf("duration %v, want 7", r.Response.DurationMS)
	}
}

// TestReadOnlyRefusesChanges: a database opened for reading only reads
// what it holds, and every change fails at once with ErrReadOnly (no
// writer runs: a change used to wait for one for ever).
func TestReadOnlyRefusesChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ev := &Event{Method: "POST", Path: "/kept"}
	if err := db.Append(context.Background(), ev, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if rec, err := ro.Get(context.Background(), ev.ID); err != nil || rec.Path != "/kept" {
		t.Fatalf("read: %+v %v", rec, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	changes := map[string]func() error{
		"append": func() error { return ro.Append(ctx, &Event{Method: "POST", Path: "/new"}, nil) },
		"pin":    func() error { return ro.SetPinned(ctx, ev.ID, true) },
		"delete": func() error { _, err := ro.Delete(ctx, []string{ev.ID}); return err },
	}
	for name, change := range changes {
		if err := change(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("%s: %v, want ErrReadOnly", name, err)
		}
	}
}

// TestImportAllRestoresPinsAndAttempts: an import brings back a delivery's
// pin, its replays with their numbers and answers, and its live forward
// with the app's answer; replay numbers that would not come back as given
// fail the whole import.
func TestImportAllRestoresPinsAndAttempts(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	at := time.Date(2020, 1, 1, 0, 0, 1, 0, time.UTC)
	fw := &Attempt{At: at, Target: "http://app/", Status: 202, DurationMS: 2,
		RespHeader: Header{{Name: "X-App", Value: "1"}}, RespBody: []byte("fw")}
	evs := []*Event{
		{Method: "POST", ReceivedAt: at, Forward: fw},
		{Method: "POST", ReceivedAt: at},
	}
	states := []ImportState{
		{Replays: []Attempt{
			{Seq: 1, At: at, Target: "http://a/", Status: 200, DurationMS: 1.5, RespHeader: Header{{Name: "A", Value: "b"}}, RespBody: []byte("one")},
			{Seq: 3, At: at, Target: "http://b/", Error: "refused"},
		}},
		{Pinned: true},
	}
	if err := db.ImportAll(ctx, evs, [][]byte{[]byte("1"), []byte("2")}, states); err != nil {
		t.Fatal(err)
	}
	r0, _ := db.Get(ctx, evs[0].ID)
	r1, _ := db.Get(ctx, evs[1].ID)
	if r0.Pinned || !r1.Pinned || len(r1.Replays) != 0 || r1.Forward != nil {
		t.Fatalf("pins %v %v, second's attempts %v %v", r0.Pinned, r1.Pinned, r1.Replays, r1.Forward)
	}
	if len(r0.Replays) != 2 || r0.Replays[0].Seq != 1 || r0.Replays[1].Seq != 3 || r0.Replays[1].Error != "refused" ||
		r0.Forward == nil || r0.Forward.Status != 202 {
		t.Fatalf("attempts %+v forward %+v", r0.Replays, r0.Forward)
	}
	a, err := db.Attempt(ctx, evs[0].ID, 1)
	if err != nil || string(a.RespBody) != "one" || a.RespHeader.Get("A") != "b" {
		t.Fatalf("replay answer %+v %v", a, err)
	}
	a, err = db.Attempt(ctx, evs[0].ID, 0)
	if err != nil || string(a.RespBody) != "fw" || a.RespHeader.Get("X-App") != "1" {
		t.Fatalf("forward answer %+v %v", a, err)
	}
	// A replay added after the import is numbered after the imported ones.
	next := &Attempt{At: at, Target: "http://c/"}
	if err := db.AddAttempt(ctx, evs[0].ID, next); err != nil || next.Seq != 4 {
		t.Fatalf("next replay %d %v", next.Seq, err)
	}

	for _, seqs := range [][]int{{0}, {2, 1}, {1, 1}, {1 << 32}} {
		var rs []Attempt
		for _, s := range seqs {
			rs = append(rs, Attempt{Seq: s, At: at})
		}
		err := db.ImportAll(ctx, []*Event{{Method: "POST", ReceivedAt: at}, {Method: "POST", ReceivedAt: at}}, [][]byte{nil, nil},
			[]ImportState{{Pinned: true}, {Replays: rs}})
		if err == nil || !strings.Contains(err.Error(), "delivery 2: replay number") {
			t.Fatalf("replays %v: %v", seqs, err)
		}
	}
	if err := db.ImportAll(ctx, []*Event{{Method: "POST", ReceivedAt: at}}, [][]byte{nil}, []ImportState{}); err == nil {
		t.Fatal("states of the wrong length accepted")
	}
	if total, pinned, _ := db.Count(ctx, "pinned:yes"); total != 2 || pinned != 1 {
		t.Fatalf("after refused imports: %d deliveries, %d pinned", total, pinned)
	}
}
