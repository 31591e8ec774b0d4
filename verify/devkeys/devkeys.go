// Package devkeys manages hookscope's development signing keys: ECDSA key
// pairs that stand in for Talkdesk's, so `hookscope send` can sign
// deliveries the way the Events API does and a partner app can fetch the
// public half from the listener's stand-in of Talkdesk's key endpoint, and
// a listener trusts them (Cache) without fetching anything.
//
// Private keys live only in the config folder, one file per key with mode
// 0600; nothing here ever prints or exports them.
package devkeys

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/hookscope/hookscope/verify"
)

// Curves are the accepted --curve values.
var Curves = map[string]elliptic.Curve{"p256": elliptic.P256(), "p384": elliptic.P384(), "p521": elliptic.P521()}

// Validity is how long a new dev key is valid.
const Validity = 365 * 24 * time.Hour

// Key is one development key pair.
type Key struct {
	ID        string
	Curve     string // p256, p384, p521
	CreatedAt time.Time
	ExpiresAt time.Time
	Private   *ecdsa.PrivateKey
}

// PublicKey is the public half in the shape of Talkdesk's
// GET /events/signature-keys/{id} response.
type PublicKey = verify.KeyResponse

// file is a key's on-disk form.
type file struct {
	KeyID      string    `json:"key_id"`
	Curve      string    `json:"curve"`
	CreatedAt  time.Time `json:"created_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	PrivatePEM string    `json:"private_key_pem"`
}

// Dir is a folder of dev keys (the config folder's keys/).
type Dir struct{ Path string }

// New generates a key on curve (p256, p384, p521) and saves it.
func (d Dir) New(curve string, now time.Time) (*Key, error) {
	c, ok := Curves[strings.ToLower(curve)]
	if !ok {
		return nil, fmt.Errorf("devkeys: unknown curve %q (accepted: p256, p384, p521)", curve)
	}
	priv, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devkeys: generate: %w", err)
	}
	var idb [16]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return nil, err
	}
	// CreatedAt keeps its fraction of a second so that the newest of two
	// keys made in one second is still the newest (List, Newest); the
	// endpoint and `keys ls` print whole seconds. ExpiresAt is whole
	// seconds, so the expiry served is the one hookscope uses.
	k := &Key{ID: hex.EncodeToString(idb[:]), Curve: strings.ToLower(curve), CreatedAt: now.UTC(),
		ExpiresAt: now.UTC().Truncate(time.Second).Add(Validity), Private: priv}
	return k, d.save(k)
}

func (d Dir) save(k *Key) error {
	der, err := x509.MarshalECPrivateKey(k.Private)
	if err != nil {
		return fmt.Errorf("devkeys: encode: %w", err)
	}
	b, err := json.MarshalIndent(file{KeyID: k.ID, Curve: k.Curve, CreatedAt: k.CreatedAt, ExpiresAt: k.ExpiresAt,
		PrivatePEM: string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}))}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return fmt.Errorf("devkeys: create %s: %w", d.Path, err)
	}
	path := filepath.Join(d.Path, k.ID+".json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("devkeys: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("devkeys: save %s: %w", path, err)
	}
	return nil
}

// List returns every key, newest first. A missing folder is no keys.
func (d Dir) List() ([]*Key, error) {
	ents, err := os.ReadDir(d.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("devkeys: read %s: %w", d.Path, err)
	}
	var keys []*Key
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		k, err := d.load(filepath.Join(d.Path, e.Name()))
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].CreatedAt.After(keys[j].CreatedAt) })
	return keys, nil
}

// Get returns the key with id.
func (d Dir) Get(id string) (*Key, error) {
	if verify.CheckKeyID(id) != nil {
		return nil, fmt.Errorf("devkeys: %q is not a key id", id)
	}
	return d.load(filepath.Join(d.Path, id+".json"))
}

// Newest returns the most recent unexpired key, creating one on curve
// p256 when there is none: the first `send` just works.
func (d Dir) Newest(now time.Time) (*Key, bool, error) {
	keys, err := d.List()
	if err != nil {
		return nil, false, err
	}
	for _, k := range keys {
		if now.Before(k.ExpiresAt) {
			return k, false, nil
		}
	}
	k, err := d.New("p256", now)
	return k, true, err
}

func (d Dir) load(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devkeys: read %s: %w", path, err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("devkeys: %s: %w", path, err)
	}
	blk, _ := pem.Decode([]byte(f.PrivatePEM))
	if blk == nil {
		return nil, fmt.Errorf("devkeys: %s: no PEM private key", path)
	}
	priv, err := x509.ParseECPrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devkeys: %s: %w", path, err)
	}
	return &Key{ID: f.KeyID, Curve: f.Curve, CreatedAt: f.CreatedAt, ExpiresAt: f.ExpiresAt, Private: priv}, nil
}

// Public returns the key's public half in Talkdesk's response shape.
func (k *Key) Public() (PublicKey, error) {
	return verify.NewKeyResponse(k.ID, &k.Private.PublicKey, k.CreatedAt, k.ExpiresAt)
}

// PublicPEM returns the PEM SubjectPublicKeyInfo of the key.
func (k *Key) PublicPEM() ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(&k.Private.PublicKey)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}
