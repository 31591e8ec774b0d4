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
	if err != nil && ctx.Err() != nil && errors.Is(err, tea.ErrProgramKilled) {
		return nil
	}
	return err
}
