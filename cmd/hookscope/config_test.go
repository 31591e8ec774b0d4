package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
)

// storeDeliveries writes deliveries straight into a new database (no
// listener) and returns its path; each is path, body and header pairs.
func storeDeliveries(t *testing.T, ds ...delivery) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, d := range ds {
		ev := &store.Event{Method: "POST", Path: d.path, ContentType: "application/json", Size: int64(len(d.body))}
		for i := 0; i+1 < len(d.hdr); i += 2 {
			ev.Header = append(ev.Header, store.Field{Name: d.hdr[i], Value: d.hdr[i+1]})
		}
		if err := db.Append(context.Background(), ev, d.body); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

type delivery struct {
	path string
	body []byte
	hdr  []string
}

// TestSecretSources: each place a provider secret can come from (flag,
// environment, config file) verifies a delivery signed with it, and none
// of them prints it.
func TestSecretSources(t *testing.T) {
	const secret = "s3cret-from-somewhere"
	tk := []byte(`{"id":"evt-1","type":"call.ended","created":1763884800,"data":{}}`)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(tk)
	talkifai := delivery{"/hooks/tk", tk, []string{"X-TalkifAI-Signature", "sha256=" + hex.EncodeToString(mac.Sum(nil))}}
	jwt, err := verify.SignDialpadJWT([]byte(secret), map[string]any{"call_id": 1, "state": "hangup"})
	if err != nil {
		t.Fatal(err)
	}
	dialpad := delivery{"/hooks/dp", []byte(jwt), nil}

	tests := []struct {
		name   string
		d      delivery
		flags  []string
		env    [2]string
		config string
	}{
		{"talkifai flag", talkifai, []string{"--talkifai-secret", secret}, [2]string{}, ""},
		{"talkifai environment", talkifai, nil, [2]string{verify.EnvTalkifAISecret, secret}, ""},
		{"talkifai config", talkifai, nil, [2]string{}, "secrets:\n  talkifai: " + secret + "\n"},
		{"dialpad flag", dialpad, []string{"--dialpad-secret", secret}, [2]string{}, ""},
		{"dialpad environment", dialpad, nil, [2]string{verify.EnvDialpadSecret, secret}, ""},
		{"dialpad config", dialpad, nil, [2]string{}, "secrets:\n  dialpad: " + secret + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", cfg)
			t.Setenv(verify.EnvTalkifAISecret, "")
			t.Setenv(verify.EnvDialpadSecret, "")
			if tt.env[0] != "" {
				t.Setenv(tt.env[0], tt.env[1])
			}
			if tt.config != "" {
				writeFile(t, cfg+"/hookscope/config.yaml", tt.config)
			}
			db := storeDeliveries(t, tt.d)
			code, out, errs := run(t, append([]string{"verify", "--all", "--db", db}, tt.flags...)...)
			if code != 0 || !strings.Contains(out, "sig:valid") {
				t.Fatalf("exit %d, stdout %q, stderr %q; want sig:valid", code, out, errs)
			}
			if strings.Contains(out+errs, secret) {
				t.Fatal("the secret was printed")
			}
			// Without the secret the same delivery cannot be verified:
			// the source above is what made it valid.
			t.Setenv("XDG_CONFIG_HOME", t.TempDir())
			t.Setenv(verify.EnvTalkifAISecret, "")
			t.Setenv(verify.EnvDialpadSecret, "")
			if _, out, _ := run(t, "verify", "--all", "--db", db); strings.Contains(out, "sig:valid") {
				t.Fatalf("valid without any secret: %q", out)
			}
		})
	}
}

const customSpec = `asyncapi: 2.6.0
info: {title: Custom, version: '1'}
channels:
  custom/thing:
    subscribe:
      message:
        name: CustomThing
        payload:
          type: object
          required: [thing]
          properties:
            thing: {type: string}
`

// TestConfigSpecs: the config file's specs add a document and
// no_default_specs drops the embedded ones, as --spec and
// --no-default-specs do.
func TestConfigSpecs(t *testing.T) {
	specDir := t.TempDir()
	spec := filepath.Join(specDir, "custom.yml")
	writeFile(t, spec, customSpec)
	custom := delivery{"/hooks/custom/thing", []byte(`{"thing":"x"}`), nil}
	// Unsigned, so that no key is fetched: the path names the channel.
	talkdesk := delivery{"/hooks/partner-events/app.installed", []byte(`{"event_type":"app.installed"}`), nil}
	tests := []struct {
		name, config string
		d            delivery
		want         string
	}{
		{"specs adds a document", "specs: [" + spec + "]\n", custom, "schema:valid"},
		{"without it the path names no channel", "", custom, "schema:unmatched"},
		{"no_default_specs drops the embedded ones", "no_default_specs: true\n", talkdesk, "schema:unmatched"},
		{"with them the Talkdesk message matches", "", talkdesk, "schema:invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := t.TempDir()
			t.Setenv("XDG_CONFIG_HOME", cfg)
			if tt.config != "" {
				writeFile(t, cfg+"/hookscope/config.yaml", tt.config)
			}
			db := storeDeliveries(t, tt.d)
			code, out, errs := run(t, "verify", "--all", "--db", db)
			if code != 0 || !strings.Contains(out, tt.want) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want %s", code, out, errs, tt.want)
			}
		})
	}
}
