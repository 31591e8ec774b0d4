package ui

import (
	"context"
	"errors"

	tea "charm.land/bubbletea/v2"
)

// Run runs the TUI until the user quits or ctx is done: alternate screen,
// mouse (cell motion), keyboard. The terminal is restored on return. It
// returns nil on a normal quit or cancellation.
func Run(ctx context.Context, opts Options) error {
	if opts.Source == nil {
		return errors.New("ui: no Source")
	}
	m := New(opts)
	m.ctx = ctx
	p := tea.NewProgram(m, tea.WithContext(ctx))
	_, err := p.Run()
	return quitErr(ctx, err)
}

// quitErr is what Run reports for the program's own error: nil for a stop
// someone asked for. That is ctx ending (tea's ErrProgramKilled), or a
// SIGINT sent to the process (`kill -INT`; in the view ctrl-c is a key),
// which tea turns into ErrInterrupted while the caller's own signal handler
// starts the clean stop.
func quitErr(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, tea.ErrInterrupted):
		return nil
	case ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled):
		return nil
	}
	return err
}
