package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// listSpy records the Limit of every List call.
type listSpy struct {
	Store
	limits []int
}

func (s *listSpy) List(ctx context.Context, q Query) ([]Record, error) {
	s.limits = append(s.limits, q.Limit)
	return s.Store.List(ctx, q)
}

// TestEach: Each passes the newest limit deliveries (all with limit 0)
// newest first, never asking List for more than a page at once (nor for
// everything, a Limit of 0), and an error from each stops it.
func TestEach(t *testing.T) {
	db := mustOpen(t)
	ctx := context.Background()
	var newest []string // newest first
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e", "/f", "/g", "/h", "/i"} {
		newest = append([]string{mustAppend(t, db, p, nil).ID}, newest...)
	}
	stop := errors.New("stop")
	for _, tt := range []struct {
		name       string
		limit      int
		page       int
		filter     string
		stopAfter  int // each fails after this many calls; 0 never
		want       int // deliveries passed
		wantCalls  int // List calls, so pages asked for
		wantErr    error
		wantFilter []string // when filtered, the ids wanted instead of newest[:want]
	}{
		{name: "limit 0 is all", limit: 0, page: 4, want: 9, wantCalls: 3},
		{name: "limit 0, pages exactly fill it", limit: 0, page: 3, want: 9, wantCalls: 4},
		{name: "limit 0, one page holds all", limit: 0, page: 100, want: 9, wantCalls: 1},
		{name: "limit smaller than a page", limit: 2, page: 4, want: 2, wantCalls: 1},
		{name: "limit a page", limit: 4, page: 4, want: 4, wantCalls: 1},
		{name: "limit larger than a page", limit: 6, page: 4, want: 6, wantCalls: 2},
		{name: "limit two pages exactly", limit: 8, page: 4, want: 8, wantCalls: 2},
		{name: "limit past the end", limit: 20, page: 4, want: 9, wantCalls: 3},
		{name: "limit past the end, pages exactly fill the store", limit: 20, page: 3, want: 9, wantCalls: 4},
		{name: "page 0 is the default page", limit: 0, page: 0, want: 9, wantCalls: 1},
		{name: "filtered", limit: 0, page: 1, filter: "path:/b", want: 1, wantCalls: 2, wantFilter: []string{newest[7]}},
		{name: "error from each stops", limit: 0, page: 2, stopAfter: 2, want: 4, wantCalls: 2, wantErr: stop},
		{name: "error from the first each stops", limit: 5, page: 2, stopAfter: 1, want: 2, wantCalls: 1, wantErr: stop},
	} {
		t.Run(tt.name, func(t *testing.T) {
			spy := &listSpy{Store: db}
			var got []string
			calls := 0
			err := Each(ctx, spy, tt.filter, tt.limit, tt.page, func(recs []Record) error {
				calls++
				for _, r := range recs {
					got = append(got, r.ID)
				}
				if calls == tt.stopAfter {
					return stop
				}
				return nil
			})
			if err != tt.wantErr {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			want := newest[:tt.want]
			if tt.wantFilter != nil {
				want = tt.wantFilter
			}
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("passed %v, want %v", got, want)
			}
			if len(spy.limits) != tt.wantCalls || calls != tt.wantCalls {
				t.Errorf("%d List calls (limits %v), each called %d times, want %d", len(spy.limits), spy.limits, calls, tt.wantCalls)
			}
			page := tt.page
			if page < 1 {
				page = lookupPage
			}
			for _, l := range spy.limits {
				if l <= 0 || l > page {
					t.Errorf("asked List for %d records at once (page %d)", l, page)
				}
			}
		})
	}
	// A List error is returned as it is (a malformed filter).
	if err := Each(ctx, db, "bogus:1", 0, 3, func([]Record) error { return nil }); err == nil {
		t.Error("a filter List refuses: no error")
	}
}
