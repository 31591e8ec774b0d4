package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/hookscope/hookscope/store"
)

// retentionFlags are --max-events and --max-age, shared by `prune` and
// `listen` (which prunes in the background with store.PruneEvery).
type retentionFlags struct {
	maxEvents int
	maxAge    ageValue
}

// register adds the flags to fs.
func (r *retentionFlags) register(fs *pflag.FlagSet) {
	fs.IntVar(&r.maxEvents, "max-events", 0, "keep at most N deliveries, pinned ones included; the oldest unpinned go first (0: unlimited)")
	fs.Var(&r.maxAge, "max-age", "remove unpinned deliveries older than this, e.g. 36h or 30d (0: unlimited)")
}

// options validates the flags and returns them as prune options.
func (r *retentionFlags) options() (store.PruneOptions, error) {
	if r.maxEvents < 0 {
		return store.PruneOptions{}, usagef("--max-events: must be 0 (unlimited) or more, got %d", r.maxEvents)
	}
	return store.PruneOptions{MaxEvents: r.maxEvents, MaxAge: time.Duration(r.maxAge)}, nil
}

// enabled reports whether any bound is set.
func (r *retentionFlags) enabled() bool { return r.maxEvents > 0 || r.maxAge > 0 }

// ageValue is a duration flag that also takes days ("30d") and weeks
// ("2w"): retention is thought of in days, which time.ParseDuration lacks.
type ageValue time.Duration

func (a *ageValue) String() string {
	if *a == 0 {
		return "0"
	}
	return time.Duration(*a).String()
}

// Type names the value in help and flag errors; not "duration", whose
// generic hint ("500ms, 2s or 1m") would hide that days are accepted.
func (a *ageValue) Type() string { return "age" }

// Set parses 90m, 36h, 7d, 2w, or 0.
func (a *ageValue) Set(s string) error {
	d, err := parseAge(s)
	if err != nil {
		return err
	}
	*a = ageValue(d)
	return nil
}

func parseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not an age: use a duration such as 90m, 36h, 7d or 2w (0: unlimited)", s)
	for suffix, unit := range map[string]time.Duration{"d": 24 * time.Hour, "w": 7 * 24 * time.Hour} {
		if n, ok := strings.CutSuffix(s, suffix); ok {
			f, err := strconv.ParseFloat(n, 64)
			if err != nil || !(f >= 0 && f <= 100*365) { // NaN fails both
				return 0, bad
			}
			return time.Duration(f * float64(unit)), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

// logPrunes reports a listener's background prune passes to its log:
// passes that removed something at info, failures at warn; passes with
// nothing to do stay silent, so an idle listener's log does not grow.
func logPrunes(l *slog.Logger) func(store.PruneResult, error) {
	return func(res store.PruneResult, err error) {
		switch {
		case err != nil:
			l.Warn("prune failed; retrying at the next pass", "err", err)
		case res.Removed > 0:
			l.Info("pruned", "removed", res.Removed, "first", res.First, "last", res.Last,
				"body_bytes", res.BodyBytes, "remaining", res.Remaining, "pinned_kept", res.PinnedKept)
		}
	}
}
