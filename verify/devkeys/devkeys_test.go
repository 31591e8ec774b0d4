package devkeys

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestNewListGetAndFileMode(t *testing.T) {
	d := Dir{Path: filepath.Join(t.TempDir(), "keys")}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []string{"p256", "p384", "p521"} {
		k, err := d.New(c, now)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(d.Path, k.ID+".json"))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v %v", c, fi.Mode().Perm(), err)
		}
		got, err := d.Get(k.ID)
		if err != nil || !got.Private.Equal(k.Private) || got.Curve != c {
			t.Fatalf("%s: reloaded key differs: %v", c, err)
		}
	}
	if _, err := d.New("p999", now); err == nil {
		t.Fatal("unknown curve accepted")
	}
	keys, err := d.List()
	if err != nil || len(keys) != 3 {
		t.Fatalf("list %d %v", len(keys), err)
	}
	if _, err := d.Get("../../etc/passwd"); err == nil {
		t.Fatal("path traversal id accepted")
	}
}

func TestNewestCreatesOnFirstUse(t *testing.T) {
	d := Dir{Path: filepath.Join(t.TempDir(), "keys")}
	now := time.Now()
	k, created, err := d.Newest(now)
	if err != nil || !created || k.Curve != "p256" {
		t.Fatalf("first: %v %v", created, err)
	}
	k2, created, _ := d.Newest(now)
	if created || k2.ID != k.ID {
		t.Fatal("second call made another key")
	}
	// Expired keys are not used.
	k3, created, _ := d.Newest(now.Add(Validity + time.Hour))
	if !created || k3.ID == k.ID {
		t.Fatal("expired key reused")
	}
}

// TestEndpointServesVerifiableKey follows Talkdesk's documented partner
// procedure: fetch the key by id, base64-decode it, verify SHA-512 ECDSA.
func TestEndpointServesVerifiableKey(t *testing.T) {
	d := Dir{Path: filepath.Join(t.TempDir(), "keys")}
	k, _ := d.New("p384", time.Now())
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !d.Intercept(w, r) {
			w.WriteHeader(299)
		}
	}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + EndpointPrefix + k.ID)
	if err != nil {
		t.Fatal(err)
	}
	var pub PublicKey
	json.NewDecoder(resp.Body).Decode(&pub)
	resp.Body.Close()
	if resp.StatusCode != 200 || pub.KeyID != k.ID || pub.ExpiresAt == "" || pub.CreatedAt == "" {
		t.Fatalf("%d %+v", resp.StatusCode, pub)
	}
	raw, err := base64.StdEncoding.DecodeString(pub.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(raw)
	pk, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"type":"app.installed"}`)
	h := sha512.Sum512(body)
	sig, _ := ecdsa.SignASN1(rand.Reader, k.Private, h[:])
	if !ecdsa.VerifyASN1(pk.(*ecdsa.PublicKey), h[:], sig) {
		t.Fatal("served key does not verify")
	}
	for path, want := range map[string]int{EndpointPrefix + "unknown": 404, EndpointPrefix + "..%2F..%2Fx": 404, "/other": 299} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	// HEAD is GET without the body (RFC 9110): answered, not captured.
	for path, want := range map[string]int{EndpointPrefix + k.ID: 200, EndpointPrefix + "unknown": 404} {
		resp, err := http.Head(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want || resp.Header.Get("Content-Type") != "application/json" {
			t.Errorf("HEAD %s: %d %q, want %d and the endpoint's JSON", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
	resp, _ = http.Post(srv.URL+EndpointPrefix+k.ID, "", nil)
	resp.Body.Close()
	if resp.StatusCode != 299 {
		t.Errorf("POST to the key path should be captured, got %d", resp.StatusCode)
	}
}

func TestGetRefusesIDsOutsideTheFolder(t *testing.T) {
	root := t.TempDir()
	d := Dir{Path: filepath.Join(root, "keys")}
	// A key file one level up must stay out of reach.
	if err := os.WriteFile(filepath.Join(root, "outside.json"), []byte(`{}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", ".", "..", "../outside", "a/b", strings.Repeat("a", 129)} {
		if _, err := d.Get(id); err == nil || !strings.Contains(err.Error(), "not a key id") {
			t.Errorf("Get(%q): err = %v, want a refused id", id, err)
		}
	}
}

// TestNewestWithinOneSecond: `keys new --curve p384` right after the key
// the first `send` made (in the same second) is the key the next `send`
// signs with. Key ids are random, so eight pairs make a coin-toss order
// show.
func TestNewestWithinOneSecond(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 100_000_000, time.UTC)
	for i := 0; i < 8; i++ {
		d := Dir{Path: filepath.Join(t.TempDir(), "keys")}
		if _, err := d.New("p256", now); err != nil {
			t.Fatal(err)
		}
		second, err := d.New("p384", now.Add(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		got, created, err := d.Newest(now.Add(2 * time.Millisecond))
		if err != nil || created || got.ID != second.ID {
			t.Fatalf("pair %d: Newest = %s (%s, created %v, %v), want the p384 key %s made last", i, got.ID, got.Curve, created, err, second.ID)
		}
		pub, _ := got.Public()
		if pub.CreatedAt != "2026-01-01T00:00:00Z" || pub.ExpiresAt != "2027-01-01T00:00:00Z" {
			t.Fatalf("served dates %s %s, want whole seconds", pub.CreatedAt, pub.ExpiresAt)
		}
	}
}
