package main

import (
	"fmt"
	"io"
	"strings"
)

// progress draws a one-line bar on stderr when it is a terminal.
type progress struct {
	w     io.Writer
	total int
	n     int
	on    bool
}

func newProgress(w io.Writer, total int, on bool) *progress {
	p := &progress{w: w, total: total, on: on}
	p.draw()
	return p
}

func (p *progress) step() {
	p.n++
	p.draw()
}

func (p *progress) draw() {
	if !p.on || p.total == 0 {
		return
	}
	const width = 30
	filled := p.n * width / p.total
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d", strings.Repeat("█", filled), strings.Repeat("░", width-filled), p.n, p.total)
}

func (p *progress) done() {
	if p.on {
		fmt.Fprint(p.w, "\r\x1b[2K")
	}
}
