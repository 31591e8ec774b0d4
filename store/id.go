package store

import (
	"encoding/base32"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// IDLen is the length of every delivery id.
const IDLen = 13

// idEncoding is base32hex in lower case: its alphabet is in ASCII order, so
// ids sort as the timestamps they encode and can be used as bbolt keys.
var idEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// idGen hands out strictly increasing ids derived from the clock in
// nanoseconds, so ids are unique even when two deliveries arrive within the
// same nanosecond or the clock steps back.
type idGen struct {
	mu   sync.Mutex
	last uint64
}

func (g *idGen) next(t time.Time) string {
	n := uint64(t.UnixNano())
	g.mu.Lock()
	if n <= g.last {
		n = g.last + 1
	}
	g.last = n
	g.mu.Unlock()
	return EncodeID(n)
}

// observe makes the generator continue after an id already stored.
func (g *idGen) observe(id string) {
	if n, ok := DecodeID(id); ok {
		g.mu.Lock()
		if n > g.last {
			g.last = n
		}
		g.mu.Unlock()
	}
}

// EncodeID renders a nanosecond timestamp as an id.
func EncodeID(n uint64) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], n)
	return idEncoding.EncodeToString(b[:])
}

// DecodeID returns the nanosecond timestamp an id encodes.
func DecodeID(id string) (uint64, bool) {
	if len(id) != IDLen {
		return 0, false
	}
	b, err := idEncoding.DecodeString(strings.ToLower(id))
	if err != nil || len(b) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(b), true
}

// ValidIDPrefix reports whether s could be the start of an id.
func ValidIDPrefix(s string) bool {
	if s == "" || len(s) > IDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'v' || 'A' <= c && c <= 'V') {
			return false
		}
	}
	return true
}
