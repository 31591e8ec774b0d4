package capture

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
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
// the elapsed time and how many were answered 2xx. Each goroutine first
// opens its connection with one delivery (answered and counted, not timed),
// so the figure is the steady rate, not connection set-up.
func drive(tb interface{ Error(...any) }, url string, n, clients int) (time.Duration, int64) {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var next, ok int64
	post := func() bool {
		resp, err := client.Post(url, "application/json", bytes.NewReader(payload1K))
		if err != nil {
			tb.Error(err)
			return false
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 == 2 {
			atomic.AddInt64(&ok, 1)
		}
		return true
	}
	var warm, wg sync.WaitGroup
	start := make(chan struct{})
	for c := 0; c < clients; c++ {
		warm.Add(1)
		wg.Add(1)
		go func() {
			defer wg.Done()
			connected := post()
			warm.Done()
			<-start
			for connected && atomic.AddInt64(&next, 1) <= int64(n) {
				if !post() {
					return
				}
			}
		}()
	}
	warm.Wait()
	began := time.Now()
	close(start)
	wg.Wait()
	return time.Since(began), ok
}

// driveExternal runs drive in a child process (this test binary again, see
// TestMain): real senders are other processes, and clients inside the
// server's process would compete with it in the Go scheduler, which hides
// the server's own costs behind run-queue delays. It also returns the CPU
// time both processes used meanwhile (this process serves).
func driveExternal(tb testing.TB, url string, n, clients int) (elapsed time.Duration, ok int64, cpu time.Duration) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %d %d", clientEnv, url, n, clients))
	before := selfCPU()
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("load client: %v", err)
	}
	cpu = selfCPU() - before + cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	var ns int64
	if _, err := fmt.Sscan(string(out), &ns, &ok); err != nil {
		tb.Fatalf("load client output %q: %v", out, err)
	}
	return time.Duration(ns), ok, cpu
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

// serve runs h behind the capture listener (Listen: timeouts, and the
// connection recording that keeps headers in received order).
func serve(tb testing.TB, h *Handler) string {
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

// serveBare runs h on a plain net/http server with the same timeouts as
// Listen but nothing of capture's: no connection recording.
func serveBare(tb testing.TB, h http.Handler) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String() + "/hooks/talkdesk"
}

// BenchmarkCaptureVsBare posts 1 KiB JSON deliveries from 64 and from 256
// concurrent clients (another process) to a bare net/http handler that reads
// the body and answers 200 (on a plain http.Server), and to the real capture
// handler (behind Listen) with durable
// group commit, and reports both rates and their ratio. Every acknowledged
// capture is checked to be stored.
//
// The two alternate in rounds (bare first in one round, capture first in the
// next) so that a machine whose speed drifts during the run (a shared
// virtual machine does) slows both alike. It also reports the CPU time per
// delivery, server and load client together: on a small machine both
// servers are CPU-bound, and this says where the difference comes from.
func BenchmarkCaptureVsBare(b *testing.B) {
	for _, clients := range []int{64, 256} {
		b.Run(fmt.Sprintf("clients=%d", clients), func(b *testing.B) { benchCaptureVsBare(b, clients) })
	}
}

// benchRounds is how many times bare and capture alternate.
const benchRounds = 6

func benchCaptureVsBare(b *testing.B, clients int) {
	bare := serveBare(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
	var bareTime, capTime, bareCPU, capCPU time.Duration
	var acked int64
	b.ResetTimer()
	for round := range benchRounds {
		n := b.N / benchRounds
		if round == benchRounds-1 {
			n = b.N - n*(benchRounds-1)
		}
		runBare := func() {
			d, _, cpu := driveExternal(b, bare, n, clients)
			bareTime, bareCPU = bareTime+d, bareCPU+cpu
		}
		runCapture := func() {
			d, ok, cpu := driveExternal(b, captured, n, clients)
			capTime, capCPU, acked = capTime+d, capCPU+cpu, acked+ok
		}
		if round%2 == 0 {
			runBare()
			runCapture()
		} else {
			runCapture()
			runBare()
		}
	}
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
	b.ReportMetric(float64(bareCPU.Microseconds())/float64(b.N), "bare-cpu-µs/req")
	b.ReportMetric(float64(capCPU.Microseconds())/float64(b.N), "capture-cpu-µs/req")
	b.ReportMetric(0, "ns/op")
}
