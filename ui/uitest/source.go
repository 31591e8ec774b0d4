// Package uitest holds test doubles for the TUI: an in-memory Source with a
// the store's own filter language, and generators of realistic
// and hostile deliveries. It is used by the ui tests, benchmarks and manual
// trials; production code never imports it.
package uitest

import (
	"context"
	"sort"
	"sync"

	"github.com/hookscope/hookscope/store"
)

// Source is an in-memory ui.Source. It is safe for concurrent use.
type Source struct {
	mu      sync.Mutex
	recs    []store.Record // ascending by ID
	bodies  map[string][]byte
	notices chan store.Notice

	// Calls counts List calls, for tests of paging and coalescing.
	Calls struct{ List, Count, Get, Body, Reverify, SetPinned int }

	// Replay state (replay.go).
	sent              []Sent
	attempts          map[string]store.Attempt
	recent            []string
	resign, resignSet bool
	resignWhy         string
}

// NewSource returns an empty source whose notices go to a channel of
// capacity buf (dropped when full, as the store does).
func NewSource(buf int) *Source {
	return &Source{bodies: map[string][]byte{}, notices: make(chan store.Notice, buf)}
}

// Notices returns the notice channel.
func (s *Source) Notices() <-chan store.Notice { return s.notices }

// Close closes the notice channel.
func (s *Source) Close() { close(s.notices) }

// Add stores records with their bodies (keyed by ID) and sends a Captured
// notice for each, without blocking.
func (s *Source) Add(recs []store.Record, bodies map[string][]byte) {
	s.mu.Lock()
	for _, r := range recs {
		s.recs = append(s.recs, r)
		if b, ok := bodies[r.ID]; ok {
			s.bodies[r.ID] = b
		}
	}
	sort.Slice(s.recs, func(i, j int) bool { return s.recs[i].ID < s.recs[j].ID })
	s.mu.Unlock()
	for _, r := range recs {
		s.notify(store.Notice{ID: r.ID, Kind: store.Captured})
	}
}

// Update replaces a stored record (same ID) and sends an Analyzed notice.
func (s *Source) Update(r store.Record) {
	s.mu.Lock()
	for i := range s.recs {
		if s.recs[i].ID == r.ID {
			s.recs[i] = r
		}
	}
	s.mu.Unlock()
	s.notify(store.Notice{ID: r.ID, Kind: store.Analyzed})
}

func (s *Source) notify(n store.Notice) {
	select {
	case s.notices <- n:
	default:
	}
}

// List implements ui.Source.
func (s *Source) List(ctx context.Context, q store.Query) ([]store.Record, error) {
	f, err := store.ParseFilter(q.Filter)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls.List++
	var out []store.Record
	match := func(r store.Record) bool {
		if q.Before != "" && r.ID >= q.Before || q.After != "" && r.ID <= q.After {
			return false
		}
		return f.Match(r, func() []byte { return s.bodies[r.ID] })
	}
	full := func() bool { return q.Limit > 0 && len(out) >= q.Limit }
	if q.Oldest {
		for i := 0; i < len(s.recs) && !full(); i++ {
			if match(s.recs[i]) {
				out = append(out, s.recs[i])
			}
		}
		return out, ctx.Err()
	}
	for i := len(s.recs) - 1; i >= 0 && !full(); i-- {
		if match(s.recs[i]) {
			out = append(out, s.recs[i])
		}
	}
	return out, ctx.Err()
}

// Count implements ui.Source.
func (s *Source) Count(ctx context.Context, filter string) (int, int, error) {
	f, err := store.ParseFilter(filter)
	if err != nil {
		return 0, 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls.Count++
	n := 0
	for _, r := range s.recs {
		if f.Match(r, func() []byte { return s.bodies[r.ID] }) {
			n++
		}
	}
	return len(s.recs), n, nil
}

// Get implements ui.Source.
func (s *Source) Get(ctx context.Context, id string) (store.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls.Get++
	i := sort.Search(len(s.recs), func(i int) bool { return s.recs[i].ID >= id })
	if i < len(s.recs) && s.recs[i].ID == id {
		return s.recs[i], nil
	}
	return store.Record{}, store.ErrNotFound
}

// Body implements ui.Source.
func (s *Source) Body(ctx context.Context, id string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Calls.Body++
	return s.bodies[id], nil
}

// SetPinned implements ui.Source: it sets the record's Pinned and sends a
// Changed notice, as the store does.
func (s *Source) SetPinned(ctx context.Context, id string, pinned bool) error {
	s.mu.Lock()
	s.Calls.SetPinned++
	i := sort.Search(len(s.recs), func(i int) bool { return s.recs[i].ID >= id })
	found := i < len(s.recs) && s.recs[i].ID == id
	if found {
		s.recs[i].Pinned = pinned
	}
	s.mu.Unlock()
	if !found {
		return store.ErrNotFound
	}
	s.notify(store.Notice{ID: id, Kind: store.Changed})
	return nil
}

// Reverify implements ui.Source: it sends an Analyzed notice.
func (s *Source) Reverify(ctx context.Context, id string) error {
	s.mu.Lock()
	s.Calls.Reverify++
	s.mu.Unlock()
	s.notify(store.Notice{ID: id, Kind: store.Analyzed})
	return nil
}
