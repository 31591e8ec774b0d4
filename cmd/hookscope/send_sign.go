package main

import (
	"fmt"
	"time"

	"github.com/hookscope/hookscope/store/jwttoken"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/devkeys"
	"github.com/hookscope/hookscope/verify/simulate"
)

// newSigner finds what `send` signs a provider's deliveries with: the newest
// dev key (created on first use) for the Talkdesk Events API, the
// configured secret for TalkifAI and Dialpad (else, when listener is not
// nil, the one it says the listener verifies with: the secret may be in
// its environment only). A missing secret is not an
// error: the delivery goes out as the provider would send it without one.
// The notes are said once on stderr before sending: a key created, a
// secret missing. fileBody is the --body file's content (nil without one):
// a token there is sent as it is, signed or not.
func newSigner(e *env, cfg *config, provider string, now time.Time, fileBody []byte, listener func() listenerSettings) (*simulate.Signer, []string, error) {
	s := &simulate.Signer{Provider: provider}
	var notes []string
	switch provider {
	case verify.ProviderTalkdeskEvents:
		k, created, err := e.devKeys().Newest(now)
		if err != nil {
			return nil, nil, fmt.Errorf("dev signing key: %w", err)
		}
		s.Key = k
		if created {
			notes = append(notes, fmt.Sprintf("created dev key %s (%s) in %s; a running listener serves it at %s%s", k.ID, k.Curve, e.devKeys().Path, devkeys.EndpointPrefix, k.ID))
		}
	case verify.ProviderTalkifAI:
		s.Secret = []byte(firstNonEmpty(e.getenv(verify.EnvTalkifAISecret), cfg.Secrets.TalkifAI))
		if len(s.Secret) == 0 && listener != nil {
			s.Secret = []byte(listener().TalkifAI)
		}
		if len(s.Secret) == 0 {
			notes = append(notes, "no TalkifAI secret configured (set "+verify.EnvTalkifAISecret+" or secrets.talkifai in the config file): sending unsigned, which a listener calls invalid, since TalkifAI signs every delivery")
		}
	case verify.ProviderDialpad:
		s.Secret = []byte(firstNonEmpty(e.getenv(verify.EnvDialpadSecret), cfg.Secrets.Dialpad))
		if len(s.Secret) == 0 && listener != nil {
			s.Secret = []byte(listener().Dialpad)
		}
		switch {
		case len(s.Secret) > 0:
		case jwttoken.Looks(fileBody):
			notes = append(notes, "no Dialpad secret configured (set "+verify.EnvDialpadSecret+" or secrets.dialpad in the config file): the --body token goes out as it is, with the signature it carries")
		default:
			notes = append(notes, "no Dialpad secret configured (set "+verify.EnvDialpadSecret+" or secrets.dialpad in the config file): sending plain JSON, as Dialpad does for webhooks created without a secret")
		}
	}
	return s, notes, nil
}
