package capture

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// TestValidPort: the ports --addr accepts are the decimal numbers net.Listen
// binds, and empty for a free one; anything else is the user's mistake.
func TestValidPort(t *testing.T) {
	for _, tt := range []struct {
		port string
		want bool
	}{
		{"", true}, // "127.0.0.1:": a free port, like 0
		{"0", true},
		{"1", true},
		{"8080", true},
		{"080", true}, // leading zeros: net.Listen reads 80
		{"65535", true},
		{"65536", false},
		{"99999", false},
		{"-1", false},
		{"+80", false},
		{"http", false}, // a service name: net.Listen would look it up, --addr wants a number
		{"0x50", false},
		{"8_080", false},
		{" 80", false},
		{"80 ", false},
		{"18446744073709551616", false},
	} {
		if got := ValidPort(tt.port); got != tt.want {
			t.Errorf("ValidPort(%q) = %v, want %v", tt.port, got, tt.want)
		}
	}
}

// A listener on every interface is bound as [::], which is no address to
// send to: its URL names the loopback address, so it can be pasted into
// curl, and a delivery sent there is captured.
func TestURLOfEveryInterfaceIsLoopback(t *testing.T) {
	for _, tt := range []struct {
		addr, host string
		all        bool
	}{
		{"127.0.0.1:0", "127.0.0.1", false},
		{"0.0.0.0:0", "127.0.0.1", true},
		{":0", "127.0.0.1", true},
		{"[::]:0", "127.0.0.1", true}, // dual-stack; ::1 may be switched off
		{"[::1]:0", "[::1]", false},
	} {
		t.Run(tt.addr, func(t *testing.T) {
			db, err := store.Open(filepath.Join(t.TempDir(), "h.db"), store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			srv, err := Listen(tt.addr, NewHandler(db, Options{}))
			if err != nil {
				t.Skipf("cannot listen on %s here: %v", tt.addr, err)
			}
			defer srv.ln.Close()
			port := srv.Addr().(*net.TCPAddr).Port
			if want := fmt.Sprintf("http://%s:%d", tt.host, port); srv.URL() != want {
				t.Errorf("URL() = %q, want %q", srv.URL(), want)
			}
			if srv.AllInterfaces() != tt.all {
				t.Errorf("AllInterfaces() = %v, want %v", srv.AllInterfaces(), tt.all)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan struct{})
			go func() { srv.Serve(ctx); close(done) }()
			defer func() { cancel(); <-done }()
			resp, err := http.Post(srv.URL()+"/hook", "application/json", strings.NewReader(`{}`))
			if err != nil {
				t.Fatalf("posting to URL(): %v", err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("status %d, want 200", resp.StatusCode)
			}
			if n, _, err := db.Count(context.Background(), ""); err != nil || n != 1 {
				t.Errorf("stored %d deliveries (%v), want 1", n, err)
			}
		})
	}
}

// TestReaches: forwarding to the listener's own address (a mistake that
// made one delivery into thousands) is recognised in the forms a user
// types, and an app on another port, host or scheme is not mistaken for it.
func TestReaches(t *testing.T) {
	listen := func(addr string) (*Server, string) {
		srv, err := Listen(addr, NewHandler(failingAppender{}, Options{}))
		if err != nil {
			t.Skipf("cannot listen on %s here: %v", addr, err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv, fmt.Sprint(srv.Addr().(*net.TCPAddr).Port)
	}
	local, lp := listen("127.0.0.1:0")
	every, ep := listen("0.0.0.0:0")
	for _, tt := range []struct {
		name   string
		srv    *Server
		target string
		want   bool
	}{
		{"own address", local, "http://127.0.0.1:" + lp + "/", true},
		{"own address, a path and query", local, "http://127.0.0.1:" + lp + "/app?x=1", true},
		{"localhost", local, "http://localhost:" + lp, true},
		{"LOCALHOST.", local, "http://LOCALHOST.:" + lp, true},
		{"another port", local, "http://127.0.0.1:1/", false},
		{"https on the port", local, "https://127.0.0.1:" + lp + "/", false},
		{"another loopback address of a listener on one", local, "http://127.0.0.2:" + lp, false},
		{"a name that resolves elsewhere", local, "http://app.invalid:" + lp, false},
		{"the port with a leading zero", local, "http://127.0.0.1:0" + lp, true},
		{"0.0.0.0, which reaches the local host", local, "http://0.0.0.0:" + lp, true},
		{"the IPv4-mapped form", local, "http://[::ffff:127.0.0.1]:" + lp, true},
		{"every interface: loopback", every, "http://127.0.0.1:" + ep, true},
		{"every interface: ::1", every, "http://[::1]:" + ep, true},
		{"every interface: 0.0.0.0", every, "http://0.0.0.0:" + ep, true},
		{"every interface: localhost", every, "http://localhost:" + ep + "/x", true},
		{"every interface: another port", every, "http://127.0.0.1:1", false},
		{"not a URL", local, "127.0.0.1:" + lp, false},
	} {
		if got := tt.srv.Reaches(tt.target); got != tt.want {
			t.Errorf("%s: Reaches(%q) = %v, want %v", tt.name, tt.target, got, tt.want)
		}
	}
	// The machine's own name, where it resolves to the loopback address
	// (as /etc/hosts often makes it), is looked up, as the forward would.
	if host, err := os.Hostname(); err == nil {
		if ips, _ := net.LookupIP(host); slices.ContainsFunc(ips, func(ip net.IP) bool { return ip.Equal(net.IPv4(127, 0, 0, 1)) }) {
			if !local.Reaches("http://" + host + ":" + lp + "/") {
				t.Errorf("Reaches(http://%s:%s/) = false; %s resolves to 127.0.0.1", host, lp, host)
			}
		}
	}
}
