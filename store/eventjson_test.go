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
	emptyTrailer := eventWith("e", 6)
	emptyTrailer.Trailer = Header{} // omitempty leaves out an empty one too
	trailerNoHeader := eventWith("n", 7)
	trailerNoHeader.Header = nil
	trailerNoHeader.Trailer = Header{{Name: "X-Sig", Value: "abc"}}
	forwardedTrailer := eventWith("g", 8)
	forwardedTrailer.Forward = &Attempt{Target: "http://localhost"}
	forwardedTrailer.Trailer = Header{{Name: "X-Sig", Value: "abc"}}
	events = append(events, nilHeader, imported, zone, forwarded, refused, emptyTrailer, trailerNoHeader, forwardedTrailer, &Event{})
	for _, s := range trickyStrings {
		// Trailers hold any of the strings, in name and value, once or
		// repeated.
		ev := eventWith(s, 1.5)
		ev.Trailer = Header{{Name: "X-" + s, Value: s}, {Name: "X-Sig", Value: ""}, {Name: "X-" + s, Value: s + s}}
		events = append(events, ev)
	}
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
		if nanos%2 == 0 {
			// Half the inputs carry trailers, the other half none (the
			// field is left out then).
			ev.Trailer = Header{{Name: b, Value: a}, {Name: a, Value: b}}
		}
		ev.ReceivedAt = time.Unix(0, nanos).UTC()
		want, werr := json.Marshal(ev)
		got, gerr := encodeEvent(ev)
		if (werr != nil) != (gerr != nil) || !bytes.Equal(got, want) {
			t.Fatalf("got %s (%v)\nwant %s (%v)", got, gerr, want, werr)
		}
	})
}

// TestEventWithoutTrailerReads checks that events stored before trailers
// were recorded (no "Trailer" member) still read, with none, and that one
// with trailers reads them back.
func TestEventWithoutTrailerReads(t *testing.T) {
	old := []byte(`{"ID":"0abc","ReceivedAt":"2026-11-23T09:01:02.0000034Z","Method":"POST","Path":"/p","RawPath":"","Query":"","Host":"x","RemoteAddr":"1.2.3.4:5","Proto":"HTTP/1.1","Header":[{"Name":"Host","Value":"x"}],"Size":0,"Truncated":false,"ContentType":"","ContentEncoding":"","Response":{"status":200,"duration_ms":1},"Imported":false,"Forward":null}`)
	var ev Event
	if err := json.Unmarshal(old, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Trailer != nil || ev.Header.Get("Host") != "x" {
		t.Fatalf("read %+v", ev)
	}
	again, err := encodeEvent(&ev)
	if err != nil || !bytes.Equal(again, old) {
		t.Fatalf("re-encoded differently:\n got %s (%v)\nwant %s", again, err, old)
	}
	ev.Trailer = Header{{Name: "X-Sig", Value: "abc"}}
	b, err := encodeEvent(&ev)
	if err != nil {
		t.Fatal(err)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil || len(back.Trailer) != 1 || back.Trailer[0] != (Field{Name: "X-Sig", Value: "abc"}) {
		t.Fatalf("trailer not read back from %s: %+v (%v)", b, back.Trailer, err)
	}
}
