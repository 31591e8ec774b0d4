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
}
