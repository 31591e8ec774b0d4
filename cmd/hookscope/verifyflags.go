package main

import (
	"context"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/textout"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/analyze"
	"github.com/hookscope/hookscope/verify/devkeys"
)

// verifyFlags are the flags that configure verification and validation,
// shared by listen, verify and ui.
type verifyFlags struct {
	routes, hmac, talkdeskKeys, channelRoutes []string
	keysURL, region                           string
	talkifaiSecret, dialpadSecret             string
	specs                                     specFlags
	// from is the settings of the listener whose socket this command
	// goes through (nil: none): they fill in what this command's own
	// flags, environment and config file leave out (see listenerSettings).
	from *listenerSettings
}

// adopt takes the settings of the listener that s reaches, if any, as the
// fallback of this command's own.
func (v *verifyFlags) adopt(ctx context.Context, e *env, s store.Store) {
	v.from = e.listenerSettingsOf(ctx, s)
	if v.from != nil {
		v.specs.more = existing(v.from.Specs)
		v.specs.moreNoDefaults = v.from.NoDefaultSpecs
	}
}

// fromListener returns the listener's settings, or empty ones.
func (v *verifyFlags) fromListener() listenerSettings {
	if v.from == nil {
		return listenerSettings{}
	}
	return *v.from
}

func (v *verifyFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&v.routes, "route", nil, "PATH_PREFIX=PROVIDER: deliveries under the prefix come from PROVIDER (repeatable); providers: "+strings.Join(verify.RoutableProviders(), ", "))
	fl.StringArrayVar(&v.channelRoutes, "channel-route", nil, "PATH_PREFIX=CHANNEL: validate deliveries under the prefix as messages of this AsyncAPI channel (repeatable)")
	fl.StringArrayVar(&v.hmac, "hmac", nil, "PATH_PREFIX=HEADER:ALGO:ENCODING[:PREFIX]: generic HMAC signature rule, secret in $HOOKSCOPE_<NAME>_SECRET (repeatable)")
	fl.StringArrayVar(&v.talkdeskKeys, "talkdesk-key", nil, "ID=FILE.pem: a Talkdesk signature public key to trust for key id ID (repeatable)")
	fl.StringVar(&v.keysURL, "talkdesk-keys-url", "", "base URL of the Talkdesk key endpoint (default: the gateway of --talkdesk-region)")
	fl.StringVar(&v.region, "talkdesk-region", "", "Talkdesk region whose gateway serves signature keys: "+verify.TalkdeskRegions+" (default us)")
	fl.StringVar(&v.talkifaiSecret, "talkifai-secret", "", "TalkifAI webhook secret (prefer $HOOKSCOPE_TALKIFAI_SECRET or the config file: flags land in shell history)")
	fl.StringVar(&v.dialpadSecret, "dialpad-secret", "", "Dialpad webhook secret (prefer $HOOKSCOPE_DIALPAD_SECRET or the config file)")
	v.specs.register(cmd)
}

// checking is everything verification needs, built from flags, the
// environment and the config file.
type checking struct {
	check   analyze.Checker
	signing signingSecrets
	// shared is what it was built from, resolved, for a listener to
	// serve on its socket.
	shared listenerSettings
}

// signingSecrets are the shared secrets hookscope verifies with; they are
// also what it signs with when the live view replays an edited delivery.
type signingSecrets struct {
	talkifai, dialpad []byte
	hmac              []verify.HMACRoute // each with its secret when one is set
	rules             []string           // the --hmac rules hmac was parsed from
	all               []string           // every secret set, for masking
}

// signingSecrets reads the --hmac routes and the shared secrets from the
// flags, the environment and the config file, in that order of precedence,
// then from the listener's settings (adopt).
func (v *verifyFlags) signingSecrets(e *env, cfg *config) (signingSecrets, error) {
	var s signingSecrets
	from := v.fromListener()
	for i, h := range appendNew(append(slices.Clone(v.hmac), cfg.HMAC...), from.HMAC...) {
		hr, err := verify.ParseHMAC(h)
		if err != nil {
			return s, e.fieldUsage(err, i >= len(v.hmac))
		}
		if sec := firstNonEmpty(e.getenv(hr.SecretEnv()), cfg.Secrets.HMAC[hr.Name], from.HMACSecrets[hr.Name]); sec != "" {
			hr.Secret = []byte(sec)
			s.all = append(s.all, sec)
		}
		s.hmac = append(s.hmac, hr)
		s.rules = append(s.rules, h)
	}
	if sec := firstNonEmpty(v.talkifaiSecret, e.getenv(verify.EnvTalkifAISecret), cfg.Secrets.TalkifAI, from.TalkifAI); sec != "" {
		s.talkifai = []byte(sec)
		s.all = append(s.all, sec)
	}
	if sec := firstNonEmpty(v.dialpadSecret, e.getenv(verify.EnvDialpadSecret), cfg.Secrets.Dialpad, from.Dialpad); sec != "" {
		s.dialpad = []byte(sec)
		s.all = append(s.all, sec)
	}
	return s, nil
}

// firstNonEmpty returns the first of flag, env, config that is set.
func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// build reads and checks everything; flag mistakes are usage errors.
func (v *verifyFlags) build(e *env, cfg *config, cache verify.KeyCache) (*checking, error) {
	vc := verify.Config{EventIDFields: cfg.EventIDFields}
	from := v.fromListener()
	routes := append([]string(nil), v.routes...)
	for _, prefix := range slices.Sorted(maps.Keys(cfg.Routes)) {
		routes = append(routes, prefix+"="+cfg.Routes[prefix])
	}
	routes = appendNew(routes, from.Routes...)
	for i, r := range routes {
		rt, err := verify.ParseRoute(r)
		if err != nil {
			return nil, e.fieldUsage(err, i >= len(v.routes))
		}
		vc.Routes = append(vc.Routes, rt)
	}
	sec, err := v.signingSecrets(e, cfg)
	if err != nil {
		return nil, err
	}
	vc.HMAC, vc.TalkifAISecret, vc.DialpadSecret = sec.hmac, sec.talkifai, sec.dialpad
	// The config file's region was checked before the command ran
	// (checkConfigValues); the flag's is checked here.
	if v.region != "" {
		if _, err := verify.TalkdeskGateway(v.region); err != nil {
			return nil, usagef("--talkdesk-region: %q is not a Talkdesk region; accepted values are %s", v.region, verify.TalkdeskRegions)
		}
	}
	vc.TalkdeskRegion = firstNonEmpty(v.region, cfg.Talkdesk.Region, from.Region)
	vc.TalkdeskKeysURL = firstNonEmpty(v.keysURL, cfg.Talkdesk.KeysURL, from.KeysURL)
	keys := append([]string(nil), v.talkdeskKeys...)
	for _, id := range slices.Sorted(maps.Keys(cfg.Talkdesk.Keys)) {
		keys = append(keys, id+"="+cfg.Talkdesk.Keys[id])
	}
	for i, kv := range keys {
		// A mistake names --talkdesk-key, or the config key it came from.
		bad := func(format string, args ...any) error {
			if i >= len(v.talkdeskKeys) {
				return e.configUsage("talkdesk.keys", format, args...)
			}
			return usagef("--talkdesk-key: "+format, args...)
		}
		id, file, ok := strings.Cut(kv, "=")
		if !ok || id == "" || file == "" {
			return nil, bad("%q is not ID=FILE.pem", kv)
		}
		pem, err := os.ReadFile(file)
		if err != nil {
			return nil, bad("%s: %v", id, err)
		}
		if _, err := verify.ParsePublicKey(pem); err != nil {
			return nil, bad("%s: %s is not a public key: %v", id, file, err)
		}
		vc.TalkdeskKeys = append(vc.TalkdeskKeys, verify.LocalKey{ID: id, PEM: pem})
	}
	for _, k := range from.TalkdeskKeys {
		if !slices.ContainsFunc(vc.TalkdeskKeys, func(l verify.LocalKey) bool { return l.ID == k.ID }) {
			vc.TalkdeskKeys = append(vc.TalkdeskKeys, k)
		}
	}
	// The listener trusts its own dev keys, so `hookscope send` deliveries
	// verify without any network — including keys created after it started
	// (the first `send` creates one), hence a look-up rather than a list.
	vc.Cache = devkeys.Cache{Dir: e.devKeys(), Next: cache}
	ver, err := verify.New(vc)
	if err != nil {
		// What New checks that build did not: the keys URL (a flag or
		// the config file) and the event id fields (config file only).
		var fe *verify.FieldError
		fromConfig := errors.As(err, &fe) && fe.Field == "TalkdeskKeysURL" && v.keysURL == ""
		return nil, e.fieldUsage(err, fromConfig)
	}
	reg, warns, err := v.specs.registry(e, cfg)
	if err != nil {
		return nil, err
	}
	printWarnings(e, userWarnings(warns))
	opts := analyze.Options{Verifier: ver, Registry: reg}
	channelRoutes := appendNew(slices.Clone(v.channelRoutes), from.ChannelRoutes...)
	for _, r := range channelRoutes {
		prefix, ch, ok := strings.Cut(r, "=")
		if !ok || !strings.HasPrefix(prefix, "/") || ch == "" {
			return nil, usagef("--channel-route: %q is not PATH_PREFIX=CHANNEL (e.g. /hooks/x=webhook-trigger/contact-created)", r)
		}
		if !reg.HasChannel(ch) {
			return nil, usagef("--channel-route: no channel %q in the loaded specs (hookscope spec ls lists them)", ch)
		}
		opts.ChannelRoutes = append(opts.ChannelRoutes, analyze.ChannelRoute{Prefix: prefix, Channel: ch})
	}
	shared := listenerSettings{
		Routes: routes, ChannelRoutes: channelRoutes, HMAC: sec.rules, TalkifAI: string(sec.talkifai), Dialpad: string(sec.dialpad),
		TalkdeskKeys: vc.TalkdeskKeys, KeysURL: vc.TalkdeskKeysURL, Region: vc.TalkdeskRegion,
		Specs: absPaths(v.specs.all(cfg)), NoDefaultSpecs: v.specs.noDefaultsWith(cfg),
	}
	for _, h := range sec.hmac {
		if h.Secret != nil {
			if shared.HMACSecrets == nil {
				shared.HMACSecrets = map[string]string{}
			}
			shared.HMACSecrets[h.Name] = string(h.Secret)
		}
	}
	return &checking{check: analyze.NewChecker(opts), signing: sec, shared: shared}, nil
}

// pipeline returns the background analyser of a listener.
func (c *checking) pipeline(db store.Store) *analyze.Pipeline {
	return analyze.New(db, c.check, 4)
}

func newVerifyCmd(e *env) *cobra.Command {
	var db string
	var all bool
	vf := &verifyFlags{}
	cmd := &cobra.Command{
		Use:   "verify [ID...] [--all]",
		Short: "Verify stored deliveries again (after adding a secret or key)",
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && !all {
				return usagef("name deliveries by id, or pass --all")
			}
			if len(args) > 0 && all {
				return usagef("--all: pass ids or --all, not both")
			}
			if err := checkIDs(args); err != nil {
				return err
			}
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			s, err := e.openStore(db)
			if err != nil {
				return err
			}
			defer s.Close()
			// Through a listener, its routes, secrets and keys fill in
			// what this command is not given: a verdict it stored is not
			// made weaker by a second terminal that lacks them.
			vf.adopt(cmd.Context(), e, s)
			chk, err := vf.build(e, cfg, s)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			ids := args
			if all {
				if ids, err = store.MatchingIDs(ctx, s, ""); err != nil {
					return err
				}
			}
			p := chk.pipeline(s)
			red := e.redactor(false, slices.Concat(chk.signing.all, vf.fromListener().Mask)...)
			return analyze.InOrder(ctx, ids, func(ctx context.Context, id string) (store.Record, error) {
				rec, err := getDelivery(ctx, s, id)
				if err != nil {
					return rec, err
				}
				if err := p.Analyze(ctx, rec.ID); err != nil {
					return rec, err
				}
				return s.Get(ctx, rec.ID)
			}, func(rec store.Record) error { return textout.Delivery(e.stdout, rec, false, red) })
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	cmd.Flags().BoolVar(&all, "all", false, "verify every stored delivery")
	vf.register(cmd)
	return cmd
}
