package capture

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// payload1K is a 1 KiB JSON delivery.
var payload1K = func() []byte {
	b := []byte(`{"event_type":"app.installed","event_id":"e1","data":{"pad":"`)
	for len(b) < 1024-3 {
		b = append(b, 'x')
	}
	return append(b, `"}}`...)
}()

// drive posts n deliveries to url from `clients` goroutines and returns
// the elapsed time and how many were answered 2xx.
func drive(tb interface{ Error(...any) }, url string, n, clients int) (time.Duration, int64) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var next, ok int64
	var wg sync.WaitGroup
	start := time.Now()
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for atomic.AddInt64(&next, 1) <= int64(n) {
				resp, err := client.Post(url, "application/json", bytes.NewReader(payload1K))
				if err != nil {
					tb.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode/100 == 2 {
					atomic.AddInt64(&ok, 1)
				}
			}
		}()
	}
	wg.Wait()
	return time.Since(start), ok
}

// driveExternal runs drive in a child process (this test binary again, see
// TestMain): real senders are other processes, and clients inside the
// server's process would compete with it in the Go scheduler, which hides
// the server's own costs behind run-queue delays.
func driveExternal(tb testing.TB, url string, n, clients int) (time.Duration, int64) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %d", clientEnv, url, n, clients))
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("load client: %v", err)
	}
	var ns, ok int64
	if _, err := fmt.Sscan(string(out), &ns, &ok); err != nil {
		tb.Fatalf("load client output %q: %v", out, err)
	}
	return time.Duration(ns), ok
}

const clientEnv = "HOOKSCOPE_BENCH_CLIENT"

// TestMain turns the test binary into the benchmark's load client when
// clientEnv is set.
func TestMain(m *testing.M) {
	if spec := os.Getenv(clientEnv); spec != "" {
		var url string
		var n, clients int
		if _, err := fmt.Sscan(spec, &url, &n, &clients); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		d, ok := drive(failer{}, url, n, clients)
		fmt.Println(int64(d), ok)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// failer is the testing.TB subset drive needs, outside a test.
type failer struct{ testing.TB }

func (failer) Error(args ...any) { fmt.Fprintln(os.Stderr, args...); os.Exit(1) }

func serve(tb testing.TB, h http.Handler) string {
	srv, err := Listen("127.0.0.1:0", h)
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { srv.Serve(ctx); close(done) }()
	tb.Cleanup(func() { cancel(); <-done })
	return srv.URL() + "/hooks/talkdesk"
}

// BenchmarkCaptureVsBare posts 1 KiB JSON deliveries from 64 and from 256
// concurrent clients (another process) to a bare net/http handler that reads
// the body and answers 200, then to the real capture handler with durable
// group commit, and reports both rates and their ratio. Every acknowledged
// capture is checked to be stored.
func BenchmarkCaptureVsBare(b *testing.B) {
	for _, clients := range []int{64, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchCaptureVsBare(b, clients) })
	}
}

func benchCaptureVsBare(b *testing.B, clients int) {
	bare := serve(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusOK)
	}))
	db, err := store.Open(filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	captured := serve(b, NewHandler(db, Options{Policy: DefaultPolicy()}))

	before, _, _ := db.Count(context.Background(), "")
	b.ResetTimer()
	bareTime, _ := driveExternal(b, bare, b.N, clients)
	capTime, acked := driveExternal(b, captured, b.N, clients)
	b.StopTimer()

	after, _, _ := db.Count(context.Background(), "")
	if stored := int64(after - before); stored < acked {
		b.Fatalf("acknowledged %d deliveries but stored %d", acked, stored)
	}
	bareRate := float64(b.N) / bareTime.Seconds()
	capRate := float64(b.N) / capTime.Seconds()
	b.ReportMetric(bareRate, "bare-req/s")
	b.ReportMetric(capRate, "capture-req/s")
	b.ReportMetric(capRate/bareRate, "ratio")
	b.ReportMetric(0, "ns/op")
	if testing.Verbose() {
		fmt.Printf("bare %.0f req/s, capture %.0f req/s, ratio %.2f\n", bareRate, capRate, capRate/bareRate)
	}
}
