package body

import (
	"fmt"
	"strings"
)

// SampleJSON returns a compact JSON document of about n bytes shaped like a
// batch of Talkdesk events, for benchmarks and manual trials.
func SampleJSON(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"type":"batch","events":[`)
	for i := 0; b.Len() < n-200; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"evt_%06d","type":"contact.created","created_at":"2026-01-02T15:04:05Z","data":{"contact_id":%d,"name":"Contact %d","tags":["a","b"],"score":%d.5,"active":true}}`, i, 100000+i, i, i%100)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}
