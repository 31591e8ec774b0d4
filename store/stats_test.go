package store

import (
	"context"
	"encoding/json"
	"testing"
	"time"
)

func TestStats(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	put := func(provider, typ, sig, schema, eventID string) *Event {
		ev := mustAppend(t, db, "/"+typ, []byte("12345"))
		a := Analysis{Provider: provider, EventType: typ, ProviderEventID: eventID, Signature: Signature{Status: sig}}
		if schema != "" {
			a.Schema = &SchemaResult{Status: schema}
		}
		if _, err := db.PutAnalysis(ctx, ev.ID, a); err != nil {
			t.Fatal(err)
		}
		return ev
	}
	put("talkdesk", "app.installed", SigValid, SchemaValid, "e1")
	dup := put("talkdesk", "app.installed", SigValid, SchemaValid, "e1")
	put("talkdesk", "call.ended", SigInvalid, SchemaInvalid, "e2")
	put("dialpad", "sms", SigUnsigned, "", "")
	mustAppend(t, db, "/pending", []byte("1")) // not analysed yet
	db.SetPinned(ctx, dup.ID, true)
	if err := db.ImportAll(ctx, []*Event{{Method: "POST", ReceivedAt: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}}, [][]byte{[]byte("ab")}, nil); err != nil {
		t.Fatal(err)
	}

	st, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != 6 || st.Pinned != 1 || st.Imported != 1 || st.Duplicates != 1 || st.BodyBytes != 4*5+1+2 {
		t.Fatalf("counts: %+v", st)
	}
	if st.FileSize <= 0 || st.Path != db.Path() {
		t.Fatalf("file: %q %d", st.Path, st.FileSize)
	}
	if !st.Oldest.Equal(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)) || !st.Newest.After(st.Oldest) {
		t.Fatalf("range %v .. %v", st.Oldest, st.Newest)
	}
	wantSig := map[string]int{SigValid: 2, SigInvalid: 1, SigUnverifiable: 0, SigUnsigned: 1, SigPending: 2}
	wantSchema := map[string]int{SchemaValid: 2, SchemaInvalid: 1, SchemaUnmatched: 0, SchemaSkipped: 0, "none": 3}
	for k, v := range wantSig {
		if st.Signatures[k] != v {
			t.Errorf("signatures[%s] = %d, want %d", k, st.Signatures[k], v)
		}
	}
	for k, v := range wantSchema {
		if st.Schemas[k] != v {
			t.Errorf("schemas[%s] = %d, want %d", k, st.Schemas[k], v)
		}
	}
	got, _ := json.Marshal(st.Providers)
	want := `[{"provider":"talkdesk","count":3,"types":[{"event_type":"app.installed","count":2},{"event_type":"call.ended","count":1}]},` +
		`{"provider":"dialpad","count":1,"types":[{"event_type":"sms","count":1}]}]`
	if string(got) != want {
		t.Fatalf("providers\n got %s\nwant %s", got, want)
	}
}

func TestStatsSpansChunks(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	n := statsChunk*2 + 7
	evs := make([]*Event, n)
	bodies := make([][]byte, n)
	for i := range evs {
		evs[i] = &Event{Method: "POST", ReceivedAt: time.Unix(1700000000, int64(i))}
		bodies[i] = []byte("x")
	}
	if err := db.ImportAll(ctx, evs, bodies, nil); err != nil {
		t.Fatal(err)
	}
	st, err := db.Stats(ctx)
	if err != nil || st.Total != n || st.Signatures[SigPending] != n {
		t.Fatalf("%d counted, %v", st.Total, err)
	}
}
