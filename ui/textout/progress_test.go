package textout

import (
	"bytes"
	"strings"
	"testing"
)

func TestCountBar(t *testing.T) {
	var buf bytes.Buffer
	b := NewCountBar(&buf, true, "exporting", 4)
	b.Set(2)
	b.Set(3) // within 100ms of the last draw: skipped
	b.Done()
	if out := buf.String(); !strings.Contains(out, "exporting [") || !strings.Contains(out, "2/4") || strings.Contains(out, "3/4") || !strings.HasSuffix(out, "\r\x1b[2K") {
		t.Fatalf("bar output %q", out)
	}
	buf.Reset()
	off := NewCountBar(&buf, false, "x", 4)
	off.Set(1)
	off.Done()
	if buf.Len() != 0 {
		t.Fatalf("bar drawn off a terminal: %q", buf.String())
	}
}
