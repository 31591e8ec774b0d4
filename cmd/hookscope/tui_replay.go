package main

import (
	"context"
	"fmt"
	"time"

	"github.com/hookscope/hookscope/capture"
	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify/simulate"
)

// uiReplayTimeout bounds one replay attempt started from the live view.
const uiReplayTimeout = 30 * time.Second

// uiReplayer is the replay half of the live view's Source: it sends with
// a capture.Sender, signs edited copies with what hookscope holds, and
// remembers recent targets in the config folder.
type uiReplayer struct {
	sender  *capture.Sender
	keyring simulate.Keyring
	recent  *recentTargets
}

// newUISource returns the live view's Source over s.
func newUISource(e *env, s store.Store, reverify func(ctx context.Context, id string) error, signing signingSecrets) uiSource {
	keyring := simulate.Keyring{DevKeys: e.devKeys(), TalkifAI: signing.talkifai, Dialpad: signing.dialpad, HMAC: signing.hmac}
	return uiSource{Store: s, reverify: reverify, uiReplayer: &uiReplayer{
		sender:  capture.NewSender(capture.SenderOptions{Timeout: uiReplayTimeout}),
		keyring: keyring,
		recent:  &recentTargets{path: recentTargetsPath(e)},
	}}
}

// ReplayOne sends delivery id unmodified to target and stores the attempt.
func (s uiSource) ReplayOne(ctx context.Context, id, target string) (store.Attempt, error) {
	var res capture.ReplayResult
	got := false
	s.sender.Replay(ctx, s.Store, []string{id}, capture.ReplayOptions{Target: capture.Target{URL: target}}, func(r capture.ReplayResult) {
		res, got = r, true
	})
	if !got {
		// Cancelled before the attempt started.
		return store.Attempt{}, context.Cause(ctx)
	}
	return res.Attempt, res.Err
}

// EditableBody returns the bytes the user edits for delivery id.
func (s uiSource) EditableBody(ctx context.Context, id string) ([]byte, error) {
	rec, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := s.Body(ctx, rec.ID)
	if err != nil {
		return nil, err
	}
	return simulate.EditableBody(rec, b)
}

// CanResign reports whether hookscope holds the key or secret that signs
// rec, and says which, or why not.
func (s uiSource) CanResign(rec store.Record) (bool, string) {
	sg, why := s.keyring.Resigner(rec)
	return sg != nil, why
}

// ReplayEdited sends an edited copy of delivery id to target, signed again
// when resign, and stores the attempt marked as edited.
func (s uiSource) ReplayEdited(ctx context.Context, id, target string, edited []byte, resign bool) (store.Attempt, error) {
	rec, err := s.Get(ctx, id)
	if err != nil {
		return store.Attempt{}, err
	}
	orig, err := s.Body(ctx, rec.ID)
	if err != nil {
		return store.Attempt{}, err
	}
	var sg *simulate.Signer
	if resign {
		var why string
		if sg, why = s.keyring.Resigner(rec); sg == nil {
			return store.Attempt{}, fmt.Errorf("cannot re-sign: %s", why)
		}
	}
	body, hdr, err := simulate.EditedRequest(rec, orig, edited, sg)
	if err != nil {
		return store.Attempt{}, err
	}
	return s.sender.ReplayEdited(ctx, s.Store, rec, body, capture.Target{URL: target, Header: hdr})
}

// RecentTargets returns the replay targets used lately, newest first.
func (s uiSource) RecentTargets(ctx context.Context) ([]string, error) { return s.recent.load() }

// AddRecentTarget remembers target as the newest replay target.
func (s uiSource) AddRecentTarget(ctx context.Context, target string) error {
	return s.recent.add(target)
}
