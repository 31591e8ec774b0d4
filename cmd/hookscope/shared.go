package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/remote"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/verify"
)

// listenerSettings is what a listener verifies and masks with, resolved
// from its flags, its environment and the config file as they were when it
// started. It serves them on its socket (remote.Hooks.Settings) to the
// commands that reach its database through it: verify, ls, show, export,
// replay and an attached ui. They use their own settings first and the
// listener's for what theirs leave out, so that a second terminal neither
// stores weaker verdicts than the listener did (a route or a secret it was
// not given) nor prints a secret the listener masks.
type listenerSettings struct {
	Routes         []string          `json:"routes,omitempty"` // PATH_PREFIX=PROVIDER
	ChannelRoutes  []string          `json:"channel_routes,omitempty"`
	HMAC           []string          `json:"hmac,omitempty"`         // --hmac rules
	HMACSecrets    map[string]string `json:"hmac_secrets,omitempty"` // by rule name
	TalkifAI       string            `json:"talkifai_secret,omitempty"`
	Dialpad        string            `json:"dialpad_secret,omitempty"`
	TalkdeskKeys   []verify.LocalKey `json:"talkdesk_keys,omitempty"`
	KeysURL        string            `json:"talkdesk_keys_url,omitempty"`
	Region         string            `json:"talkdesk_region,omitempty"`
	Specs          []string          `json:"specs,omitempty"` // absolute paths
	NoDefaultSpecs bool              `json:"no_default_specs,omitempty"`
	// Mask is every secret the listener masks (its signing secrets and
	// every HOOKSCOPE_<NAME>_SECRET of its environment).
	Mask []string `json:"mask,omitempty"`
}

// settingsTimeout bounds the wait for a listener's settings: the socket
// answered a moment ago (openStore), so a slow answer means a busy
// listener, and the command goes on with its own settings.
const settingsTimeout = 2 * time.Second

// listenerSettingsOf returns the settings of the listener s reaches, or
// nil when s is the file itself or the listener shares none (an older
// one). A listener that fails to answer is said on stderr: this command
// then verifies and masks with its own settings only, and the user must
// know that a secret only the listener was given may show.
func (e *env) listenerSettingsOf(ctx context.Context, s store.Store) *listenerSettings {
	c, ok := s.(*remote.Client)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, settingsTimeout)
	defer cancel()
	var ls listenerSettings
	ok, err := c.Settings(ctx, &ls)
	if err != nil {
		fmt.Fprintf(e.stderr, "hookscope: warning: could not read the settings of the listener holding %s (%s): routes and secrets only it was given are not used here, and such a secret is not masked\n",
			termsafe.Line(s.Path()), termsafe.Line(err.Error()))
		return nil
	}
	if !ok {
		return nil
	}
	return &ls
}

// defaultListenerSettings returns the settings of the listener holding the
// default database, or empty ones when none runs (or it shares none).
func (e *env) defaultListenerSettings(ctx context.Context) listenerSettings {
	sock := store.SocketPath(e.defaultDB())
	if !isSocket(sock) {
		return listenerSettings{}
	}
	c, err := remote.Dial(sock, dialTimeout)
	if err != nil {
		return listenerSettings{}
	}
	defer c.Close()
	if ls := e.listenerSettingsOf(ctx, c); ls != nil {
		return *ls
	}
	return listenerSettings{}
}

// listenerMask is the secrets the listener s reaches masks (nil when none).
func (e *env) listenerMask(ctx context.Context, s store.Store) []string {
	if ls := e.listenerSettingsOf(ctx, s); ls != nil {
		return ls.Mask
	}
	return nil
}

// absPaths returns paths made absolute (against the working directory),
// so that a command run elsewhere finds the same files.
func absPaths(paths []string) []string {
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		if a, err := filepath.Abs(p); err == nil {
			p = a
		}
		out = append(out, p)
	}
	return out
}

// appendNew appends to list the items of more it does not hold yet.
func appendNew(list []string, more ...string) []string {
	for _, m := range more {
		if !slices.Contains(list, m) {
			list = append(list, m)
		}
	}
	return list
}

// existing keeps the paths that name a file: a listener's spec that is
// gone (or was never readable here) is not this command's mistake.
func existing(paths []string) []string {
	return slices.DeleteFunc(slices.Clone(paths), func(p string) bool {
		_, err := os.Stat(p)
		return err != nil
	})
}
