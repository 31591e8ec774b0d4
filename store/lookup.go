package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

// Look-ups through a Store that commands share: they need nothing but the
// interface, so they work the same on a database open here and on one a
// listener holds.

// lookupPage is how many records a look-up reads per List call.
const lookupPage = 1000

// NewestID returns the id of the newest delivery in s, "" when there is
// none. A listener reads it before it accepts connections, to know where
// this run's deliveries start.
func NewestID(ctx context.Context, s Store) (string, error) {
	recs, err := s.List(ctx, Query{Limit: 1})
	if err != nil || len(recs) == 0 {
		return "", err
	}
	return recs[0].ID, nil
}

// MatchingIDs lists the ids of the deliveries matching filter ("" for all),
// oldest first, reading a page at a time.
func MatchingIDs(ctx context.Context, s Store, filter string) ([]string, error) {
	var ids []string
	after := ""
	for {
		recs, err := s.List(ctx, Query{Filter: filter, Oldest: true, After: after, Limit: lookupPage})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if len(recs) < lookupPage {
			return ids, nil
		}
		after = recs[len(recs)-1].ID
	}
}

// Each calls each with the deliveries matching filter ("" for all), newest
// first, page records at a time (lookupPage when page < 1), until limit
// records (0: all) have been passed or each returns an error, which Each
// returns. A page at a time, so that listing a whole history holds one page
// of records, here and in a listener that serves the listing over its
// socket; each may see an empty page at the end.
func Each(ctx context.Context, s Store, filter string, limit, page int, each func([]Record) error) error {
	if page < 1 {
		// A Limit of 0 would ask List for everything at once.
		page = lookupPage
	}
	before := ""
	for left := limit; limit == 0 || left > 0; {
		n := page
		if limit > 0 {
			n = min(n, left)
		}
		recs, err := s.List(ctx, Query{Filter: filter, Before: before, Limit: n})
		if err != nil {
			return err
		}
		if err := each(recs); err != nil {
			return err
		}
		if len(recs) < n {
			return nil
		}
		before = recs[len(recs)-1].ID
		left -= len(recs)
	}
	return nil
}

// SelectionError is an argument of Select that is neither a stored
// delivery's id nor a valid filter: the caller's mistake, not the store's.
type SelectionError struct {
	Arg string
	Err error // why Arg does not parse as a filter
}

// Error says which argument is neither, in the user's terms.
func (e *SelectionError) Error() string {
	return fmt.Sprintf("%q is neither a delivery id nor a filter: %v", e.Arg, e.Err)
}

// Unwrap returns the filter's parse error.
func (e *SelectionError) Unwrap() error { return e.Err }

// Select turns arguments that name deliveries into ids, each once, oldest
// first across all the arguments (ids are time-ordered, so sorted ids are
// received order): an argument that is the id (or unique prefix) of a
// stored delivery selects it; anything else is a filter of its own, and a
// delivery matching any of them is selected. A filter that matches nothing
// is an error, as is an ambiguous prefix; an argument that is neither is a
// *SelectionError.
func Select(ctx context.Context, s Store, args []string) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, a := range args {
		if ValidIDPrefix(a) {
			rec, err := s.Get(ctx, a)
			if err == nil {
				add(rec.ID)
				continue
			}
			if errors.Is(err, ErrAmbiguous) {
				return nil, fmt.Errorf("%q matches more than one delivery: type more of the id", a)
			}
			if !errors.Is(err, ErrNotFound) {
				return nil, err
			}
		}
		if _, err := ParseFilter(a); err != nil {
			return nil, &SelectionError{Arg: a, Err: err}
		}
		matched, err := MatchingIDs(ctx, s, a)
		if err != nil {
			return nil, err
		}
		if len(matched) == 0 {
			return nil, fmt.Errorf("no delivery has the id %q or matches it as a filter", a)
		}
		for _, id := range matched {
			add(id)
		}
	}
	// Each argument's matches are in order, but not their union.
	slices.Sort(ids)
	return ids, nil
}
