package store

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// tricky strings: everything encoding/json escapes or replaces.
var trickyStrings = []string{
	"", "plain", `quote " backslash \`, "<script>&amp;</script>", "\x00\x01\x1f\x7f",
	"\b\f\n\r\t", "\xff\xfe invalid", "caf\xc3", "line\u2028para\u2029", "émoji 🎉", "\x1b[31mred",
}

func eventWith(s string, d float64) *Event {
	return &Event{
		ID: "0abc" + s, ReceivedAt: time.Date(2026, 11, 23, 9, 1, 2, 3400, time.UTC),
		Method: s, Path: "/p/" + s, RawPath: "/p%2F" + s, Query: s, Host: s, RemoteAddr: "1.2.3.4:5", Proto: "HTTP/1.1",
		Header: Header{{Name: "X-" + s, Value: s}, {Name: "A", Value: ""}},
		Size:   int64(len(s)), Truncated: len(s)%2 == 0, ContentType: s, ContentEncoding: s,
		Response: Response{Status: 200 + len(s), DurationMS: d},
	}
}

func TestEncodeEventMatchesJSON(t *testing.T) {
	var events []*Event
	for _, s := range trickyStrings {
		for _, d := range []float64{0, 1.25, 1e-7, 3e21, -2.5, 123456.789} {
			events = append(events, eventWith(s, d))
		}
	}
	nilHeader := eventWith("x", 1)
	nilHeader.Header = nil
	imported := eventWith("y", 2)
	imported.Imported = true
	imported.ReceivedAt = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) // no fraction
	zone := eventWith("z", 3)
	zone.ReceivedAt = time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("x", 3600))
	forwarded := eventWith("f", 4)
	forwarded.Forward = &Attempt{Target: "http://localhost"}
	refused := eventWith("r", 5)
	refused.Refused = "400 Bad Request"
	events = append(events, nilHeader, imported, zone, forwarded, refused, &Event{})
	for i, ev := range events {
		want, werr := json.Marshal(ev)
		got, gerr := encodeEvent(ev)
		if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
			t.Errorf("event %d:\n got %s (%v)\nwant %s (%v)", i, got, gerr, want, werr)
		}
	}
}

func TestEncodeEventRefusesWhatJSONRefuses(t *testing.T) {
	for _, d := range []float64{math.NaN(), math.Inf(1)} {
		if _, err := encodeEvent(eventWith("x", d)); err == nil {
			t.Errorf("duration %v encoded; encoding/json refuses it", d)
		}
	}
	far := eventWith("x", 1)
	far.ReceivedAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := encodeEvent(far); err == nil {
		t.Error("year 10000 encoded; encoding/json refuses it")
	}
}

func FuzzEncodeEvent(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add(s, s, int64(len(s)), 1.5)
	}
	f.Fuzz(func(t *testing.T, a, b string, nanos int64, d float64) {
		ev := eventWith(a, d)
		ev.Header = append(ev.Header, Field{Name: b, Value: a + b})
		ev.ReceivedAt = time.Unix(0, nanos).UTC()
		want, werr := json.Marshal(ev)
		got, gerr := encodeEvent(ev)
		if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("got %s (%v)\nwant %s (%v)", got, gerr, want, werr)
		}
	})
}
