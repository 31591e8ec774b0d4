package capture

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Timeouts that keep slow or idle clients from pinning the listener.
const (
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 2 * time.Minute // a 10 MiB body over a slow tunnel
	// WriteTimeout bounds the time from a request's arrival to the end of
	// its answer; Listen adds the configured wait (--delay, or the app's
	// time when forwarding if longer), which is spent on purpose.
	WriteTimeout = 2 * time.Minute
	IdleTimeout  = 2 * time.Minute
	// MaxWait bounds --delay and --forward-timeout: a provider gives up on
	// a delivery within seconds, so longer only pins connections.
	MaxWait        = 10 * time.Minute
	maxHeaderBytes = 1 << 20
	shutdownGrace  = 10 * time.Second
)

// Server is a bound listener serving a Handler.
type Server struct {
	ln      net.Listener
	http    *http.Server
	handler *Handler
	// loopback is set when addr named no host or an unspecified one
	// (0.0.0.0, ::): the listener then takes connections on every
	// interface, and its own address ([::]) is not one to send to.
	loopback string
}

// ValidPort reports whether port, the PORT of a HOST:PORT for Listen, is a
// decimal number from 0 to 65535, or empty ("127.0.0.1:"), which like 0
// picks a free port. The caller checks it before Listen so that a mistake
// (99999) is told as a bad value, not as a failure to bind. A service name
// (http) is refused too, although net.Listen would look it up: the port is
// given as a number.
func ValidPort(port string) bool {
	if port == "" {
		return true
	}
	n, err := strconv.ParseUint(port, 10, 16)
	return err == nil && n <= 65535
}

// Listen binds addr (HOST:PORT) now, so the caller can print the URL before
// serving and a port in use is reported at once. What net/http itself
// reports (a recovered panic, accept errors) goes to h's logger: by default
// it would go to stderr, which the live view owns.
func Listen(addr string, h *Handler) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("capture: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      writeTimeout(h.wait()),
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		// "OPTIONS *" is a delivery like any other: net/http's own
		// answer to it would leave it unstored.
		DisableGeneralOptionsHandler: true,
		ConnContext:                  connContext,
		ErrorLog:                     slog.NewLogLogger(h.opts.Logger.Handler(), slog.LevelError),
	}
	// Ctrl-C answers the deliveries waiting out --delay at once: the
	// shutdown grace is shorter than the longest delay.
	srv.RegisterOnShutdown(h.endWaits)
	return &Server{ln: ln, handler: h, http: srv, loopback: loopbackFor(addr)}, nil
}

// loopbackFor is the loopback host to reach a listener on addr from this
// machine when addr's host is empty or an unspecified IP address (net.Listen
// then binds every interface), and "" when addr names a host. It is
// 127.0.0.1 for [::] too: Go binds the wildcard dual-stack, and ::1 is
// missing where IPv6 is switched off (many containers), while IPv4's
// loopback is everywhere.
func loopbackFor(addr string) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		return "127.0.0.1"
	}
	return ""
}

// writeTimeout is WriteTimeout plus wait, a negative wait counting as none
// (the handler does not wait then). The sum saturates: wrapped around to a
// negative value it would mean no timeout at all to net/http.
func writeTimeout(wait time.Duration) time.Duration {
	switch {
	case wait <= 0:
		return WriteTimeout
	case wait > math.MaxInt64-WriteTimeout:
		return math.MaxInt64
	}
	return WriteTimeout + wait
}

// wait is how long h deliberately holds an answer at most: the policy's
// delay, or when forwarding the app's time if that is longer. The delay does
// not apply to forwarded deliveries, but it does to those that are not (too
// large, or their body could not be read), which the policy answers.
func (h *Handler) wait() time.Duration {
	w := h.opts.Policy.Delay
	if f := h.opts.Forward; f != nil {
		s := f.Sender
		if s == nil {
			s = defaultForwardSender()
		}
		w = max(w, s.client.Timeout)
	}
	return w
}

// URL is the base URL deliveries are sent to.
// On every interface, it is the loopback address of the listener's port
// (bound as [::] by net.Listen, which is no address to send to), so that
// it can be pasted into curl; AllInterfaces says so.
func (s *Server) URL() string {
	a, ok := s.ln.Addr().(*net.TCPAddr)
	if s.loopback == "" || !ok {
		return "http://" + s.ln.Addr().String()
	}
	return "http://" + s.loopback + ":" + strconv.Itoa(a.Port)
}

// Close releases a listener that will not be served (Serve closes it
// itself when its context ends).
func (s *Server) Close() error { return s.ln.Close() }

// Reaches reports whether a request to target, a URL, would come back to
// this listener: an http URL on its port (as a number: 018080 is 8080), at
// an address that is the listener's own, or unspecified (0.0.0.0 reaches
// the local host), or, when it takes connections on every interface, any
// loopback or interface address of this machine. A host name is looked up
// (briefly: the forward would look it up anyway), so localhost, the
// machine's own name and spellings the resolver reads as an address
// (127.1, 0) count. Forwarding there would send every delivery back to
// hookscope, which would forward it again, for ever.
func (s *Server) Reaches(target string) bool {
	u, err := url.Parse(target)
	a, ok := s.ln.Addr().(*net.TCPAddr)
	if err != nil || !ok || !strings.EqualFold(u.Scheme, "http") {
		return false // this listener speaks plain HTTP only
	}
	port := 80
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return false
		}
	}
	if port != a.Port {
		return false
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	var ips []net.IP
	switch ip := net.ParseIP(host); {
	case ip != nil:
		ips = []net.IP{ip}
	case strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost"):
		ips = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	default:
		ctx, cancel := context.WithTimeout(context.Background(), lookupBound)
		defer cancel()
		addrs, _ := net.DefaultResolver.LookupIPAddr(ctx, host)
		for _, ad := range addrs {
			ips = append(ips, ad.IP)
		}
	}
	return slices.ContainsFunc(ips, func(ip net.IP) bool { return s.isOwn(ip, a.IP) })
}

// lookupBound bounds Reaches' look-up of a host name.
const lookupBound = time.Second

// isOwn reports whether a connection to ip reaches a listener bound to
// bound (on its port): the same address, an unspecified one (which
// reaches the local host), or, for a listener on every interface, any
// loopback or interface address of this machine.
func (s *Server) isOwn(ip, bound net.IP) bool {
	switch {
	case ip.Equal(bound), ip.IsUnspecified():
		return true
	case s.loopback == "":
		return false
	case ip.IsLoopback():
		return true
	}
	addrs, _ := net.InterfaceAddrs()
	for _, ad := range addrs {
		if n, ok := ad.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}

// AllInterfaces reports whether the listener takes connections on every
// interface (an address of 0.0.0.0, :: or no host), not only at URL.
func (s *Server) AllInterfaces() bool { return s.loopback != "" }

// Addr is the bound address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Serve answers requests until ctx ends, then stops accepting, lets
// requests in flight finish (their deliveries get stored), and returns.
func (s *Server) Serve(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(recordingListener{s.ln, s.handler.storeRefused}) }()
	select {
	case err := <-errc:
		return fmt.Errorf("capture: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	err := s.http.Shutdown(sctx)
	if e := <-errc; e != nil && !errors.Is(e, http.ErrServerClosed) && err == nil {
		err = e
	}
	if err != nil {
		return fmt.Errorf("capture: shutdown: %w", err)
	}
	return nil
}
