package capture

import (
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// TestChunkedTrailersStored sends chunked requests with trailers through
// the real listener: the body is stored de-chunked and the trailers kept.
func TestChunkedTrailersStored(t *testing.T) {
	const head = "POST /chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
	const chunks = "5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\n"
	tests := []struct {
		name      string
		raw       string
		status    string
		body      string
		truncated bool
		want      store.Header
	}{
		{"declared", head + "Trailer: X-Sig\r\n\r\n" + chunks + "X-Sig: abc\r\n\r\n", "HTTP/1.1 200 OK", `{"a":1}`, false,
			store.Header{{Name: "X-Sig", Value: "abc"}}},
		{"declared first in declared order, then the others by name",
			head + "Trailer: x-zeta, X-Sig\r\n\r\n" + chunks + "X-Other: 1\r\nX-Sig: abc\r\nx-zeta: z\r\nX-Sig: def\r\nX-Alpha: a\r\n\r\n",
			"HTTP/1.1 200 OK", `{"a":1}`, false,
			store.Header{{Name: "X-Zeta", Value: "z"}, {Name: "X-Sig", Value: "abc"}, {Name: "X-Sig", Value: "def"},
				{Name: "X-Alpha", Value: "a"}, {Name: "X-Other", Value: "1"}}},
		{"declared but not sent", head + "Trailer: X-Sig\r\n\r\n" + chunks + "\r\n", "HTTP/1.1 200 OK", `{"a":1}`, false, nil},
		{"empty body", head + "Trailer: X-Sig\r\n\r\n0\r\nX-Sig: abc\r\n\r\n", "HTTP/1.1 200 OK", "", false,
			store.Header{{Name: "X-Sig", Value: "abc"}}},
		{"none", head + "\r\n" + chunks + "\r\n", "HTTP/1.1 200 OK", `{"a":1}`, false, nil},
		{"not chunked", "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTrailer: X-Sig\r\n\r\n{}", "HTTP/1.1 200 OK", "{}", false, nil},
		// net/http bounds the trailer section by its read buffer (4 KiB)
		// and fails the body read past it: answered 400, stored as far
		// as it arrived, without trailers.
		{"longer than net/http reads", head + "Trailer: X-Sig\r\n\r\n" + chunks + "X-Sig: " + strings.Repeat("a", 8<<10) + "\r\n\r\n",
			"HTTP/1.1 400 Bad Request", `{"a":1}`, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, db := startListener(t, Options{})
			if got := rawExchange(t, url, tt.raw); got != tt.status {
				t.Fatalf("status line %q", got)
			}
			rec, body := only(t, db)
			if string(body) != tt.body || rec.Truncated != tt.truncated {
				t.Fatalf("stored body %q, truncated %v", body, rec.Truncated)
			}
			if !slices.Equal(rec.Trailer, tt.want) {
				t.Fatalf("trailer %q, want %q", rec.Trailer, tt.want)
			}
		})
	}
}

func TestReceivedTrailerBounded(t *testing.T) {
	big := strings.Repeat("v", maxTrailerBytes/4)
	r := &http.Request{Trailer: http.Header{
		"X-A": {big, big, big}, "X-B": {big, big}, "X-C": nil,
	}}
	got := receivedTrailer(r, []string{"x-a"}, true)
	size := 0
	for _, f := range got {
		size += len(f.Name) + len(f.Value) + 4
	}
	if len(got) != 3 || size > maxTrailerBytes || got[0].Name != "X-A" || got[2].Name != "X-A" {
		t.Fatalf("kept %d fields of %d bytes (bound %d)", len(got), size, maxTrailerBytes)
	}
	if got := receivedTrailer(r, []string{"x-a"}, false); got != nil {
		t.Fatalf("a body not read whole gave trailers %v", got)
	}
}

// TestReplaySendsTrailers: a delivery stored with trailers is sent again
// chunked, with its trailers, which the target reads from r.Trailer.
func TestReplaySendsTrailers(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		trailer store.Header
		chunked bool
		want    http.Header // the trailers the target reads
	}{
		{"trailers", `{"a":1}`, store.Header{{Name: "X-Sig", Value: "abc"}, {Name: "X-Sig", Value: "def"}, {Name: "X-Other", Value: "1"}}, true,
			http.Header{"X-Sig": {"abc", "def"}, "X-Other": {"1"}}},
		{"connection fields left out", `{"a":1}`, store.Header{{Name: "X-Sig", Value: "abc"}, {Name: "Content-Length", Value: "9"},
			{Name: "Transfer-Encoding", Value: "x"}, {Name: "X-Conn", Value: "1"}}, true, http.Header{"X-Sig": {"abc"}}},
		{"only connection fields", `{"a":1}`, store.Header{{Name: "Content-Length", Value: "9"}}, false, nil},
		{"none", `{"a":1}`, nil, false, nil},
		{"empty body sends none", "", store.Header{{Name: "X-Sig", Value: "abc"}}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type got struct {
				body    string
				te      []string
				cl      int64
				trailer http.Header
			}
			gotc := make(chan got, 1)
			srv, _, _ := target(t, nil)
			srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				tr := http.Header{}
				for k, v := range r.Trailer {
					if v != nil {
						tr[k] = v
					}
				}
				if len(tr) == 0 {
					tr = nil
				}
				gotc <- got{string(b), r.TransferEncoding, r.ContentLength, tr}
			})
			ev := store.Event{Method: "POST", Path: "/c", Header: store.Header{
				{Name: "Transfer-Encoding", Value: "chunked"}, {Name: "Trailer", Value: "X-Sig"}, {Name: "Connection", Value: "X-Conn"}},
				Trailer: tt.trailer}
			a := NewSender(SenderOptions{}).Send(context.Background(), ev, []byte(tt.body), Target{URL: srv.URL})
			if a.Status != 200 || a.Error != "" {
				t.Fatalf("attempt %+v", a)
			}
			g := <-gotc
			if g.body != tt.body {
				t.Fatalf("target read %q", g.body)
			}
			if chunked := slices.Equal(g.te, []string{"chunked"}); chunked != tt.chunked || !chunked && g.cl != int64(len(tt.body)) {
				t.Fatalf("transfer encoding %q, length %d", g.te, g.cl)
			}
			if !sameHTTPHeader(g.trailer, tt.want) {
				t.Fatalf("target read trailers %v, want %v", g.trailer, tt.want)
			}
		})
	}
}

func sameHTTPHeader(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// TestTrailersCapturedThenReplayed: what the listener stores is what a
// replay sends.
func TestTrailersCapturedThenReplayed(t *testing.T) {
	url, db := startListener(t, Options{})
	raw := "POST /chunk HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sig\r\n\r\n5\r\n{\"a\":\r\n2\r\n1}\r\n0\r\nX-Sig: abc\r\n\r\n"
	if got := rawExchange(t, url, raw); got != "HTTP/1.1 200 OK" {
		t.Fatalf("status line %q", got)
	}
	rec, body := only(t, db)
	trc := make(chan string, 1)
	srv, _, _ := target(t, nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		trc <- string(b) + " " + r.Trailer.Get("X-Sig")
	})
	if a := NewSender(SenderOptions{}).Send(context.Background(), rec.Event, body, Target{URL: srv.URL}); a.Status != 200 {
		t.Fatalf("attempt %+v", a)
	}
	if got := <-trc; got != `{"a":1} abc` {
		t.Fatalf("target got %q", got)
	}
}
