package uitest

import (
	"context"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Sent is one replay the fake Source was asked to make.
type Sent struct {
	ID, Target string
	Body       []byte // the edited body; nil for an unmodified replay
	Edited     bool
	Resign     bool
}

// SetResign sets what CanResign answers for every delivery.
func (s *Source) SetResign(ok bool, why string) {
	s.mu.Lock()
	s.resign, s.resignWhy, s.resignSet = ok, why, true
	s.mu.Unlock()
}

// SetRecentTargets sets the remembered targets, newest first.
func (s *Source) SetRecentTargets(ts []string) {
	s.mu.Lock()
	s.recent = append([]string(nil), ts...)
	s.mu.Unlock()
}

// PutAttempt stores a full attempt (with response headers and body) for
// Attempt to return, adding its summary to the delivery.
func (s *Source) PutAttempt(id string, a store.Attempt) {
	s.mu.Lock()
	s.putAttempt(id, a)
	s.mu.Unlock()
}

func (s *Source) putAttempt(id string, a store.Attempt) {
	if s.attempts == nil {
		s.attempts = map[string]store.Attempt{}
	}
	s.attempts[fmt.Sprintf("%s/%d", id, a.Seq)] = a
	for i := range s.recs {
		if s.recs[i].ID != id {
			continue
		}
		sum := a
		sum.RespHeader, sum.RespBody = nil, nil
		if a.Seq == 0 {
			s.recs[i].Forward = &sum
		} else {
			s.recs[i].Replays = append(s.recs[i].Replays, sum)
		}
	}
}

// SentReplays returns every replay made so far, in order.
func (s *Source) SentReplays() []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Sent(nil), s.sent...)
}

// ReplayOne implements ui.Source: it records the request and stores an
// attempt answered with 200.
func (s *Source) ReplayOne(ctx context.Context, id, target string) (store.Attempt, error) {
	return s.replay(ctx, Sent{ID: id, Target: target})
}

// EditableBody implements ui.Source: the stored bytes.
func (s *Source) EditableBody(ctx context.Context, id string) ([]byte, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	return s.Body(ctx, id)
}

// CanResign implements ui.Source: what SetResign said, else yes for a
// Talkdesk Events delivery with a verdict.
func (s *Source) CanResign(rec store.Record) (bool, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resignSet {
		return s.resign, s.resignWhy
	}
	if rec.Analysis != nil && rec.Analysis.Provider == "talkdesk-events" {
		return true, "hookscope holds dev key " + rec.Header.Get("X-Hub-Ecdsa-Signature-Id") + ", which signed the original"
	}
	return false, "hookscope holds no key or secret for this delivery"
}

// ReplayEdited implements ui.Source.
func (s *Source) ReplayEdited(ctx context.Context, id, target string, body []byte, resign bool) (store.Attempt, error) {
	return s.replay(ctx, Sent{ID: id, Target: target, Body: append([]byte(nil), body...), Edited: true, Resign: resign})
}

func (s *Source) replay(ctx context.Context, r Sent) (store.Attempt, error) {
	if err := ctx.Err(); err != nil {
		return store.Attempt{}, err
	}
	if _, err := s.Get(ctx, r.ID); err != nil {
		return store.Attempt{}, err
	}
	s.mu.Lock()
	s.sent = append(s.sent, r)
	seq := 1
	for _, rec := range s.recs {
		if rec.ID == r.ID {
			seq = len(rec.Replays) + 1
		}
	}
	a := store.Attempt{Seq: seq, At: time.Date(2026, 3, 14, 15, 20, 0, 0, time.UTC), Target: r.Target, Status: 200,
		DurationMS: 4.2, Edited: r.Edited,
		RespHeader: store.Header{{Name: "Content-Type", Value: "application/json"}}, RespBody: []byte(`{"ok":true}`)}
	s.putAttempt(r.ID, a)
	s.mu.Unlock()
	s.notify(store.Notice{ID: r.ID, Kind: store.Replayed})
	return a, nil
}

// Attempt implements ui.Source.
func (s *Source) Attempt(ctx context.Context, id string, seq int) (store.Attempt, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.attempts[fmt.Sprintf("%s/%d", id, seq)]; ok {
		return a, nil
	}
	for _, r := range s.recs {
		if r.ID != id {
			continue
		}
		if seq == 0 && r.Forward != nil {
			return *r.Forward, nil
		}
		for _, a := range r.Replays {
			if a.Seq == seq {
				return a, nil
			}
		}
	}
	return store.Attempt{}, store.ErrNotFound
}

// RecentTargets implements ui.Source.
func (s *Source) RecentTargets(ctx context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.recent...), nil
}

// AddRecentTarget implements ui.Source.
func (s *Source) AddRecentTarget(ctx context.Context, target string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{target}
	for _, t := range s.recent {
		if t != target && len(out) < 10 {
			out = append(out, t)
		}
	}
	s.recent = out
	return nil
}
