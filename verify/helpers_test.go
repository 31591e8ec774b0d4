package verify

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hookscope/hookscope/store"
)

// testNow is the fixed clock of most tests.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// memCache is a KeyCache in memory.
type memCache struct {
	mu    sync.Mutex
	keys  map[string]store.CachedKey
	saves int
}

func newMemCache() *memCache { return &memCache{keys: map[string]store.CachedKey{}} }

func (c *memCache) LoadKey(id string) (store.CachedKey, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[id]
	return k, ok, nil
}

func (c *memCache) SaveKey(k store.CachedKey) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.keys[k.KeyID] = k
	c.saves++
	return nil
}

func mustNew(t testing.TB, cfg Config) *Verifier {
	t.Helper()
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	v, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func mustKey(t testing.TB, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fixtures", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hdr(kv ...string) store.Header {
	var h store.Header
	for i := 0; i+1 < len(kv); i += 2 {
		h = append(h, store.Field{Name: kv[i], Value: kv[i+1]})
	}
	return h
}

// keyServer is a stand-in for Talkdesk's key endpoint. It serves the keys in
// docs by id and counts requests.
type keyServer struct {
	*httptest.Server
	mu       sync.Mutex
	docs     map[string]string // id -> JSON body
	requests atomic.Int64
	paths    chan string
	delay    time.Duration // guarded by mu, like status and raw
	status   int           // when non-zero, answer this status to everything
	raw      string        // when non-empty, answer this body to everything
	header   http.Header   // added to every answer, e.g. Retry-After
}

func newKeyServer(t testing.TB) *keyServer {
	ks := &keyServer{docs: map[string]string{}, paths: make(chan string, 1000)}
	ks.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ks.requests.Add(1)
		select {
		case ks.paths <- r.URL.EscapedPath():
		default:
		}
		ks.mu.Lock()
		delay, status, raw := ks.delay, ks.status, ks.raw
		for name, vals := range ks.header {
			w.Header()[name] = vals
		}
		ks.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		if status != 0 {
			http.Error(w, "boom", status)
			return
		}
		if raw != "" {
			io.WriteString(w, raw)
			return
		}
		id, ok := strings.CutPrefix(r.URL.Path, "/events/signature-keys/")
		ks.mu.Lock()
		doc, found := ks.docs[id]
		ks.mu.Unlock()
		if !ok || !found {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, doc)
	}))
	t.Cleanup(ks.Close)
	return ks
}

// configure makes the server misbehave: answer status, or raw, after delay.
func (ks *keyServer) configure(status int, raw string, delay time.Duration) {
	ks.mu.Lock()
	ks.status, ks.raw, ks.delay = status, raw, delay
	ks.mu.Unlock()
}

// setHeader adds a header to every answer.
func (ks *keyServer) setHeader(name, value string) {
	ks.mu.Lock()
	if ks.header == nil {
		ks.header = http.Header{}
	}
	ks.header.Set(name, value)
	ks.mu.Unlock()
}

// add serves pub under id, expiring at expires (zero: no expires_at).
func (ks *keyServer) add(t testing.TB, id string, pub *ecdsa.PublicKey, expires time.Time) {
	t.Helper()
	kr, err := NewKeyResponse(id, pub, testNow.Add(-24*time.Hour), expires)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(kr)
	ks.mu.Lock()
	ks.docs[id] = string(b)
	ks.mu.Unlock()
}

// talkdeskRequest signs body with priv as Talkdesk does.
func talkdeskRequest(t testing.TB, priv *ecdsa.PrivateKey, id string, body []byte) Request {
	t.Helper()
	sig, err := SignTalkdesk(priv, body)
	if err != nil {
		t.Fatal(err)
	}
	return Request{Method: "POST", Path: "/hooks/td", Body: body,
		Header: hdr("Content-Type", "application/json", HeaderTalkdeskSignature, sig, HeaderTalkdeskSignatureID, id)}
}

func check(v *Verifier, r Request) Result { return v.Check(context.Background(), r) }

func wantSig(t *testing.T, got Result, status, reasonPart string) {
	t.Helper()
	if got.Signature.Status != status || !strings.Contains(got.Signature.Reason, reasonPart) {
		t.Fatalf("signature = %+v (notes %q), want status %q with reason containing %q", got.Signature, got.Notes, status, reasonPart)
	}
}

// recordingTransport answers every request itself and records the hosts
// asked, so region tests never touch the network.
type recordingTransport struct {
	mu    sync.Mutex
	hosts []string
	body  string
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	rt.mu.Lock()
	rt.hosts = append(rt.hosts, r.URL.Scheme+"://"+r.URL.Host)
	rt.mu.Unlock()
	return &http.Response{StatusCode: 200, Status: "200 OK", Header: http.Header{}, Body: io.NopCloser(strings.NewReader(rt.body)), Request: r}, nil
}
