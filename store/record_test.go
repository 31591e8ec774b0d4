package store

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestRecordJSONTrailers(t *testing.T) {
	base := Event{ID: "0abc", ReceivedAt: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Method: "POST", Path: "/c",
		Header: Header{{Name: "Host", Value: "x"}, {Name: "Trailer", Value: "X-Sig"}}}
	tests := []struct {
		name    string
		trailer Header
		want    string // the trailers member, "" when it must be left out
	}{
		{"none", nil, ""},
		{"empty", Header{}, ""},
		{"one", Header{{Name: "X-Sig", Value: "abc"}}, `"trailers":{"X-Sig":["abc"]}`},
		{"grouped under canonical names", Header{{Name: "x-sig", Value: "1"}, {Name: "X-Other", Value: "<&>"}, {Name: "X-Sig", Value: "2"}},
			`"trailers":{"X-Sig":["1","2"],"X-Other":["\u003c\u0026\u003e"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev := base
			ev.Trailer = tt.trailer
			b, err := json.Marshal(Record{Event: ev})
			if err != nil {
				t.Fatal(err)
			}
			s := string(b)
			if tt.want == "" {
				if strings.Contains(s, "trailers") {
					t.Fatalf("trailers present: %s", s)
				}
			} else if !strings.Contains(s, `"headers":{"Host":["x"],"Trailer":["X-Sig"]},`+tt.want+`,"size":0,`) {
				t.Fatalf("want %s right after headers in %s", tt.want, s)
			}
			var back Record
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			var want Header
			for _, nv := range tt.trailer.Canonical() {
				for _, v := range nv.Values {
					want = append(want, Field{Name: nv.Name, Value: v})
				}
			}
			if !slices.Equal(back.Trailer, want) {
				t.Fatalf("read back %+v, want %+v", back.Trailer, want)
			}
		})
	}
}

func TestTrailerStoredAndRead(t *testing.T) {
	db := mustOpen(t)
	ev := &Event{Method: "POST", Path: "/c", Header: Header{{"Transfer-Encoding", "chunked"}},
		Trailer: Header{{"X-Sig", "abc"}, {"X-Sig", "def"}}, Size: 2}
	if err := db.Append(context.Background(), ev, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	plain := mustAppend(t, db, "/p", nil)
	r, err := db.Get(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Trailer, ev.Trailer) {
		t.Fatalf("trailer %+v", r.Trailer)
	}
	if r, err := db.Get(context.Background(), plain.ID); err != nil || r.Trailer != nil {
		t.Fatalf("plain delivery: trailer %+v, %v", r.Trailer, err)
	}
}
