package termsafe

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestLineWriters(t *testing.T) {
	var buf bytes.Buffer
	tl := NewTextWriter(&buf)
	io.WriteString(tl, "{\"body\":\"\x1b[2J")
	io.WriteString(tl, "x\"}\nrest\x1b")
	// A rune split between two writes reaches Text whole, not as two
	// invalid bytes.
	io.WriteString(tl, "caf\xc3")
	io.WriteString(tl, "\xa9\n")
	tl.Flush()
	if strings.ContainsRune(buf.String(), 0x1b) || !strings.Contains(buf.String(), "rest") || !strings.Contains(buf.String(), "café\n") {
		t.Fatalf("terminal output %q", buf.String())
	}

	// JSON lines: a rune split between two writes is escaped whole.
	buf.Reset()
	jl := NewJSONWriter(&buf)
	nel := "\u0085"
	io.WriteString(jl, `{"body":"a`+nel[:1])
	io.WriteString(jl, nel[1:]+"b\u202e\"}\n")
	jl.Flush()
	if got := buf.String(); got != `{"body":"a\u0085b\u202e"}`+"\n" {
		t.Fatalf("JSON output %q", got)
	}
}
