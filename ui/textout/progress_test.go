package textout

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer the bar's trailing redraw may write to
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.Reset()
}

func TestCountBar(t *testing.T) {
	var buf syncBuffer
	b := NewCountBar(&buf, true, "exporting", 4)
	b.Set(2)
	b.Set(3) // within 100ms of the last draw: not drawn yet
	b.Done() // and not after Done either
	time.Sleep(2 * barInterval)
	if out := buf.String(); !strings.Contains(out, "exporting [") || !strings.Contains(out, "2/4") || strings.Contains(out, "3/4") || !strings.HasSuffix(out, "\r\x1b[2K") {
		t.Fatalf("bar output %q", out)
	}

	// A step skipped by the limit is drawn once it allows, without
	// waiting for the next step (replay's can be seconds apart).
	buf.Reset()
	b = NewCountBar(&buf, true, "replaying", 6)
	b.Set(1)
	b.Set(2)
	b.Set(3)
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(buf.String(), "3/6") {
		if time.Now().After(deadline) {
			t.Fatalf("the latest count was never drawn: %q", buf.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	b.Done()
	var off bytes.Buffer
	offBar := NewCountBar(&off, false, "x", 4)
	offBar.Set(1)
	offBar.Done()
	if off.Len() != 0 {
		t.Fatalf("bar drawn off a terminal: %q", off.String())
	}
}
