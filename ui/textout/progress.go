package textout

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// CountBar is a one-line progress bar for long exports, imports and
// replays, drawn (on stderr) only when the caller says the stream is a
// terminal: elsewhere it would be noise in a log. Redraws are limited to a
// few per second: drawing every one of 100k steps would cost more than the
// work. A step skipped that way is drawn when the limit allows (a trailing
// redraw), so the bar does not lag until the next step: replay's steps can
// be seconds apart.
type CountBar struct {
	w     io.Writer
	label string
	total int64
	on    bool

	mu       sync.Mutex // Set's caller and the trailing redraw
	last     time.Time
	n        int64       // the latest count
	trailing *time.Timer // a redraw of n, when one is due
	drawn    bool
	done     bool
}

// NewCountBar returns a bar counting to total (0: unknown, a bare counter)
// that draws on w only when on.
func NewCountBar(w io.Writer, on bool, label string, total int64) *CountBar {
	return &CountBar{w: w, on: on, label: label, total: total}
}

// On reports whether the bar draws: callers print per-item lines only
// when it does not.
func (b *CountBar) On() bool { return b.on }

// barInterval is the least time between two redraws.
const barInterval = 100 * time.Millisecond

// Set shows n done, redrawing at most every barInterval.
func (b *CountBar) Set(n int64) {
	if !b.on {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.n = n
	if b.trailing != nil {
		return // the redraw due draws n
	}
	if wait := barInterval - time.Since(b.last); wait > 0 {
		b.trailing = time.AfterFunc(wait, b.redraw)
		return
	}
	b.last = time.Now()
	b.draw(n)
}

// redraw is the trailing redraw of the latest count.
func (b *CountBar) redraw() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trailing = nil
	if b.done {
		return
	}
	b.last = time.Now()
	b.draw(b.n)
}

func (b *CountBar) draw(n int64) {
	b.drawn = true
	if b.total <= 0 {
		fmt.Fprintf(b.w, "\r%s %d", b.label, n)
		return
	}
	const width = 30
	filled := int(min(n, b.total) * width / b.total)
	fmt.Fprintf(b.w, "\r%s [%s%s] %d/%d", b.label, strings.Repeat("█", filled), strings.Repeat("░", width-filled), n, b.total)
}

// Done clears the bar's line so the summary that follows starts clean; no
// redraw comes after it.
func (b *CountBar) Done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.done = true
	if b.trailing != nil {
		b.trailing.Stop()
		b.trailing = nil
	}
	if b.on && b.drawn {
		fmt.Fprint(b.w, "\r\x1b[2K")
	}
}
