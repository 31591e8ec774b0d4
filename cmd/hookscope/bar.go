package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// countBar is a one-line progress bar for long exports and imports, drawn
// on stderr only when stderr is a terminal (elsewhere it would be noise in
// a log). Redraws are limited to a few per second: drawing every one of
// 100k steps would cost more than the work.
type countBar struct {
	w     io.Writer
	label string
	total int64
	on    bool
	last  time.Time
	drawn bool
}

// newCountBar returns a bar counting to total (0: unknown, a bare counter).
func newCountBar(w io.Writer, on bool, label string, total int64) *countBar {
	return &countBar{w: w, on: on, label: label, total: total}
}

// set shows n done, redrawing at most every 100ms.
func (b *countBar) set(n int64) {
	if !b.on || time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last = time.Now()
	b.draw(n)
}

func (b *countBar) draw(n int64) {
	b.drawn = true
	if b.total <= 0 {
		fmt.Fprintf(b.w, "\r%s %d", b.label, n)
		return
	}
	const width = 30
	filled := int(min(n, b.total) * width / b.total)
	fmt.Fprintf(b.w, "\r%s [%s%s] %d/%d", b.label, strings.Repeat("█", filled), strings.Repeat("░", width-filled), n, b.total)
}

// done clears the bar's line so the summary that follows starts clean.
func (b *countBar) done() {
	if b.on && b.drawn {
		fmt.Fprint(b.w, "\r\x1b[2K")
	}
}
