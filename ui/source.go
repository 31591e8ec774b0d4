package ui

import (
	"context"

	"github.com/hookscope/hookscope/store"
)

// Source is where the TUI reads deliveries. The store implements it
// directly; a client of the process that holds the database implements it
// over a unix socket. The TUI calls it only from tea.Cmds, never from
// Update, and holds no more than a few screens of records at a time.
type Source interface {
	// List returns up to q.Limit records, newest first, with ids strictly
	// less than q.Before ("" = from the newest), matching q.Filter (the
	// filter language text; a parse error comes back as an error whose
	// message is for the user).
	List(ctx context.Context, q store.Query) ([]store.Record, error)
	// Count returns how many deliveries are stored and how many match
	// filter.
	Count(ctx context.Context, filter string) (total, matched int, err error)
	// Get returns one delivery.
	Get(ctx context.Context, id string) (store.Record, error)
	// Body returns the stored body bytes of a delivery.
	Body(ctx context.Context, id string) ([]byte, error)
	// Reverify asks for the delivery's signature and schema to be checked
	// again; the new analysis arrives as an Analyzed notice.
	Reverify(ctx context.Context, id string) error
	// SetPinned pins or unpins a delivery: pruning never removes a pinned
	// one.
	SetPinned(ctx context.Context, id string, pinned bool) error
	// Replayer sends deliveries again.
	Replayer
}

// Replayer is the part of a Source that replays deliveries to a target
// and remembers where. Every method may touch the network or the disk; the
// TUI calls them only from tea.Cmds.
type Replayer interface {
	// ReplayOne sends delivery id unmodified to target (an exact http or
	// https URL) and stores the attempt. A target that refuses, times out
	// or answers 5xx is an attempt (Status, Error), not an error: err says
	// the attempt could not be made or stored.
	ReplayOne(ctx context.Context, id, target string) (store.Attempt, error)
	// EditableBody returns what the user edits for delivery id: its exact
	// stored bytes, or for a Dialpad JWT the claims JSON.
	EditableBody(ctx context.Context, id string) ([]byte, error)
	// CanResign reports whether the holder of the Source has what signed
	// rec (a dev key, a configured secret) and so can sign an edited copy
	// again; the sentence says with what, or why not.
	CanResign(rec store.Record) (bool, string)
	// ReplayEdited sends an edited copy of delivery id (body in the form
	// EditableBody gave) to target, signed again when resign, else with
	// the original signature headers, and stores the attempt as edited.
	ReplayEdited(ctx context.Context, id, target string, body []byte, resign bool) (store.Attempt, error)
	// Attempt returns one stored attempt of delivery id with the target's
	// response headers and (capped) body; seq 0 is the live forward.
	Attempt(ctx context.Context, id string, seq int) (store.Attempt, error)
	// RecentTargets returns the replay targets used lately, newest first.
	RecentTargets(ctx context.Context) ([]string, error)
	// AddRecentTarget remembers target as the newest replay target.
	AddRecentTarget(ctx context.Context, target string) error
}
