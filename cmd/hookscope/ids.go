package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/hookscope/hookscope/store"
)

// checkIDs refuses, as a usage error, an argument that cannot be the start
// of a delivery id.
func checkIDs(args []string) error {
	for _, id := range args {
		if !store.ValidIDPrefix(id) {
			return usagef("%q is not a delivery id: ids are %d characters of 0-9 and a-v (a unique prefix is enough)", id, store.IDLen)
		}
	}
	return nil
}

// getDelivery reads the delivery whose id starts with prefix; a prefix that
// matches none or several is an error that says so in the user's terms.
func getDelivery(ctx context.Context, s store.Store, prefix string) (store.Record, error) {
	rec, err := s.Get(ctx, prefix)
	switch {
	case errors.Is(err, store.ErrAmbiguous):
		return rec, fmt.Errorf("%q matches more than one delivery: type more of the id", prefix)
	case errors.Is(err, store.ErrNotFound):
		return rec, fmt.Errorf("no delivery with id %q in %s", prefix, s.Path())
	}
	return rec, err
}
