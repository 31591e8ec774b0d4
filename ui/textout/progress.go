package textout

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// CountBar is a one-line progress bar for long exports, imports and
// replays, drawn (on stderr) only when the caller says the stream is a
// terminal: elsewhere it would be noise in a log. Redraws are limited to a
// few per second: drawing every one of 100k steps would cost more than the
// work.
type CountBar struct {
	w     io.Writer
	label string
	total int64
	on    bool
	last  time.Time
	drawn bool
}

// NewCountBar returns a bar counting to total (0: unknown, a bare counter)
// that draws on w only when on.
func NewCountBar(w io.Writer, on bool, label string, total int64) *CountBar {
	return &CountBar{w: w, on: on, label: label, total: total}
}

// On reports whether the bar draws: callers print per-item lines only
// when it does not.
func (b *CountBar) On() bool { return b.on }

// Set shows n done, redrawing at most every 100ms.
func (b *CountBar) Set(n int64) {
	if !b.on || time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last = time.Now()
	b.draw(n)
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

// Done clears the bar's line so the summary that follows starts clean.
func (b *CountBar) Done() {
	if b.on && b.drawn {
		fmt.Fprint(b.w, "\r\x1b[2K")
	}
}
