package termsafe

import (
	"bytes"
	"io"
)

// LineWriter passes what is written to it through one of this package's
// rules a line at a time, for output streamed in pieces (an export to
// stdout). Whole lines, so that nothing the rule must see whole (an escape
// sequence, a multi-byte rune, a JSON string) is split between two writes.
// What follows the last newline waits for Flush.
type LineWriter struct {
	w     io.Writer
	clean func([]byte) []byte
	buf   []byte
}

// NewTextWriter returns a LineWriter that writes text as Text shows it:
// control characters from payloads made visible, never obeyed.
func NewTextWriter(w io.Writer) *LineWriter {
	return &LineWriter{w: w, clean: func(b []byte) []byte { return []byte(Text(string(b))) }}
}

// NewJSONWriter returns a LineWriter that writes JSON text with the escapes
// JSON makes: the same values, safe on a terminal.
func NewJSONWriter(w io.Writer) *LineWriter {
	return &LineWriter{w: w, clean: JSON}
}

// Write buffers p and writes every complete line, cleaned. It reports all
// of p written unless writing a line fails.
func (t *LineWriter) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if i := bytes.LastIndexByte(t.buf, '\n'); i >= 0 {
		if _, err := t.w.Write(t.clean(t.buf[:i+1])); err != nil {
			return 0, err
		}
		t.buf = append(t.buf[:0], t.buf[i+1:]...)
	}
	return len(p), nil
}

// Flush writes, cleaned, what was written after the last newline.
func (t *LineWriter) Flush() error {
	if len(t.buf) == 0 {
		return nil
	}
	_, err := t.w.Write(t.clean(t.buf))
	t.buf = t.buf[:0]
	return err
}
