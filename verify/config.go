package verify

import (
	"crypto/ecdsa"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Route assigns every delivery whose path starts with Prefix, segment by
// segment (/td covers /td and /td/x, not /tdx), to Provider. It is the value
// of one --route PATH_PREFIX=PROVIDER flag. Among routes and --hmac rules
// the longest matching prefix wins; on a tie, the route.
type Route struct {
	Prefix   string
	Provider string
}

// FieldError is a bad value in one field of a Config (or a value for one,
// given to ParseRoute or ParseHMAC). Field is the Config field's name, so a
// caller names its own source of the value (a flag, a config file key); Err
// quotes the value and says what is wrong with it.
type FieldError struct {
	Field string // "Routes", "HMAC", "TalkdeskRegion", "TalkdeskKeys", "TalkdeskKeysURL" or "EventIDFields"
	Err   error
}

// Error names the field and says what is wrong.
func (e *FieldError) Error() string { return e.Field + " " + e.Err.Error() }

// Unwrap returns the reason, without the field.
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Err: fmt.Errorf(format, args...)}
}

// ParseRoute parses a --route value, PATH_PREFIX=PROVIDER, such as
// "/td=talkdesk-events".
func ParseRoute(s string) (Route, error) {
	prefix, provider, ok := strings.Cut(s, "=")
	prefix, provider = strings.TrimSpace(prefix), strings.TrimSpace(provider)
	accepted := strings.Join(RoutableProviders(), ", ")
	if !ok || prefix == "" || provider == "" {
		return Route{}, fieldErrorf("Routes", "%q: want PATH_PREFIX=PROVIDER (e.g. /td=talkdesk-events); providers: %s", s, accepted)
	}
	if !strings.HasPrefix(prefix, "/") {
		return Route{}, fieldErrorf("Routes", "%q: the path prefix must start with /", s)
	}
	if provider == ProviderHMAC {
		return Route{}, fieldErrorf("Routes", "%q: generic HMAC routes are configured as hmac routes (PATH_PREFIX=HEADER:ALGO:ENCODING[:PREFIX])", s)
	}
	if !knownProvider(provider) {
		return Route{}, fieldErrorf("Routes", "%q: unknown provider %q; providers: %s", s, provider, accepted)
	}
	return Route{Prefix: prefix, Provider: provider}, nil
}

// HMACRoute is a generic HMAC signature rule for deliveries under Prefix: the
// signature is in Header, computed with Algo (sha1, sha256, sha512) over the
// raw body, written with Encoding (hex, base64) after SigPrefix. It is the
// value of one --hmac flag; Secret comes from the config file or from the
// environment variable named by SecretEnv.
type HMACRoute struct {
	// Name is derived from Prefix ("/github" -> "GITHUB") and names the
	// secret's environment variable.
	Name      string
	Prefix    string
	Header    string
	Algo      string
	Encoding  string
	SigPrefix string
	Secret    []byte
}

// SecretEnv returns the environment variable that holds the route's secret,
// HOOKSCOPE_<NAME>_SECRET.
func (h HMACRoute) SecretEnv() string { return "HOOKSCOPE_" + h.Name + "_SECRET" }

// IsSecretEnv reports whether an environment variable is named like a
// route's SecretEnv, HOOKSCOPE_<NAME>_SECRET with NAME a valid route name
// (HOOKSCOPE_TALKIFAI_SECRET and HOOKSCOPE_DIALPAD_SECRET among them), so
// that commands which do not know a listener's --hmac routes can still
// mask their secrets.
func IsSecretEnv(k string) bool {
	name, ok := strings.CutPrefix(k, "HOOKSCOPE_")
	if !ok {
		return false
	}
	name, ok = strings.CutSuffix(name, "_SECRET")
	return ok && validRouteName(name)
}

// validRouteName reports whether name may name a route's secret variable:
// upper-case letters, digits and _, at least one.
func validRouteName(name string) bool {
	return name != "" && strings.Trim(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == ""
}

// ParseHMAC parses a --hmac value, PATH_PREFIX=HEADER:ALGO:ENCODING[:PREFIX],
// such as "/github=X-Hub-Signature-256:sha256:hex:sha256=". The signature
// prefix is everything after the third colon, so it may itself contain
// colons. The returned route has no Secret.
func ParseHMAC(s string) (HMACRoute, error) {
	const want = "want PATH_PREFIX=HEADER:ALGO:ENCODING[:PREFIX] (e.g. /github=X-Hub-Signature-256:sha256:hex:sha256=)"
	prefix, spec, ok := strings.Cut(s, "=")
	if !ok || prefix == "" || spec == "" {
		return HMACRoute{}, fieldErrorf("HMAC", "%q: %s", s, want)
	}
	parts := strings.SplitN(spec, ":", 4)
	if len(parts) < 3 {
		return HMACRoute{}, fieldErrorf("HMAC", "%q: %s", s, want)
	}
	h := HMACRoute{
		Name:     routeName(prefix),
		Prefix:   prefix,
		Header:   strings.TrimSpace(parts[0]),
		Algo:     strings.ToLower(strings.TrimSpace(parts[1])),
		Encoding: strings.ToLower(strings.TrimSpace(parts[2])),
	}
	if len(parts) == 4 {
		h.SigPrefix = parts[3]
	}
	if err := h.validate(); err != nil {
		return HMACRoute{}, fieldErrorf("HMAC", "%q: %w", s, err)
	}
	return h, nil
}

func (h HMACRoute) validate() error {
	if !strings.HasPrefix(h.Prefix, "/") {
		return fmt.Errorf("path prefix %q must start with /", h.Prefix)
	}
	if !validHeaderName(h.Header) {
		return fmt.Errorf("%q is not a header name", h.Header)
	}
	if _, ok := hmacHashes[h.Algo]; !ok {
		return fmt.Errorf("algorithm %q: want sha1, sha256 or sha512", h.Algo)
	}
	if h.Encoding != "hex" && h.Encoding != "base64" {
		return fmt.Errorf("encoding %q: want hex or base64", h.Encoding)
	}
	if !validRouteName(h.Name) {
		return fmt.Errorf("name %q: want upper-case letters, digits and _ (it names HOOKSCOPE_<NAME>_SECRET)", h.Name)
	}
	return nil
}

// routeName turns a path prefix into an environment-variable-friendly name:
// letters and digits upper-cased, every other run of characters one
// underscore. "/" alone becomes ROOT.
func routeName(prefix string) string {
	var b strings.Builder
	pendingSep := false
	for _, r := range prefix {
		switch {
		case 'a' <= r && r <= 'z':
			r -= 'a' - 'A'
			fallthrough
		case 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
			if pendingSep && b.Len() > 0 {
				b.WriteByte('_')
			}
			pendingSep = false
			b.WriteRune(r)
		default:
			pendingSep = true
		}
	}
	if b.Len() == 0 {
		return "ROOT"
	}
	return b.String()
}

// validHeaderName bounds a configured header name (an HTTP token) so it
// cannot be used to make every lookup expensive.
func validHeaderName(s string) bool {
	return len(s) <= 256 && store.ValidHeaderName(s)
}

// LocalKey is a Talkdesk signature public key the user supplied
// (--talkdesk-key ID=FILE.pem, the config file, or a hookscope dev key). PEM
// holds the key in any form ParsePublicKey accepts.
type LocalKey struct {
	ID  string
	PEM []byte
}

// KeyCache keeps fetched Talkdesk keys between runs. The store implements it
// with a bbolt bucket; verify never opens the database itself.
type KeyCache interface {
	// LoadKey returns the cached key for id; ok is false when there is none.
	LoadKey(id string) (key store.CachedKey, ok bool, err error)
	// SaveKey stores a freshly fetched key.
	SaveKey(key store.CachedKey) error
}

// Talkdesk regions and their API gateways: the four suffixes of the
// talkdeskapp gateway the webhook surface spec lists (com, eu, au, co.uk)
// and Canada's. A user may choose any of them with --talkdesk-region.
var talkdeskGateways = map[string]string{
	"us": "https://api.talkdeskapp.com",
	"eu": "https://api.talkdeskapp.eu",
	"ca": "https://api.talkdeskappca.com",
	"au": "https://api.talkdeskapp.au",
	"uk": "https://api.talkdeskapp.co.uk",
}

// hrefGateways are the three gateways Talkdesk documents for the Events API
// key endpoint (us, eu, ca). A delivery's _links.root.href comes from an
// unverified body, so it may choose one of these and nothing else: not even
// the au and uk hosts, which only the user can choose.
var hrefGateways = []string{talkdeskGateways["us"], talkdeskGateways["eu"], talkdeskGateways["ca"]}

// TalkdeskRegions lists the accepted region values, for messages.
const TalkdeskRegions = "us, eu, ca, au or uk"

// TalkdeskGateway returns the API gateway of a Talkdesk region (one of
// TalkdeskRegions).
func TalkdeskGateway(region string) (string, error) {
	g, ok := talkdeskGateways[strings.ToLower(region)]
	if !ok {
		return "", fieldErrorf("TalkdeskRegion", "%q: want %s", region, TalkdeskRegions)
	}
	return g, nil
}

// Config is everything a Verifier needs. Zero values are sensible defaults
// except for secrets, which are simply absent.
type Config struct {
	// Routes and HMAC are the user's explicit rules (--route, --hmac); they
	// come before any header or shape detection.
	Routes []Route
	HMAC   []HMACRoute

	// TalkifAISecret and DialpadSecret are copied by New; without them
	// those providers' verdicts are unverifiable.
	TalkifAISecret []byte
	DialpadSecret  []byte

	// TalkdeskKeys are trusted before the cache and the key endpoint.
	TalkdeskKeys []LocalKey
	// TalkdeskKeysURL overrides the key endpoint's base URL
	// (--talkdesk-keys-url); it always wins over the region and over a
	// delivery's _links.root.href.
	TalkdeskKeysURL string
	// TalkdeskRegion is us (default), eu, ca, au or uk.
	TalkdeskRegion string

	// Cache may be nil: keys are then fetched once per process.
	Cache KeyCache
	// Client fetches keys; the default refuses redirects so that a key only
	// ever comes from the configured host.
	Client *http.Client
	// FetchTimeout bounds one key fetch; default 5s.
	FetchTimeout time.Duration
	// Now defaults to time.Now.
	Now func() time.Time

	// EventIDFields overrides, per provider, the payload fields (dotted paths
	// such as "data.id") that hold the provider's event id, tried in order.
	EventIDFields map[string][]string
}

// Verifier detects providers and checks signatures. It is safe for
// concurrent use.
type Verifier struct {
	routes        []Route
	hmac          []HMACRoute
	talkifai      []byte
	dialpad       []byte
	localKeys     map[string]*ecdsa.PublicKey
	keysURL       string // explicit override, or ""
	regionGateway string
	cache         KeyCache
	client        *http.Client
	timeout       time.Duration
	now           func() time.Time
	eventIDFields map[string][]string

	mu       sync.Mutex
	inflight map[string]*keyFetch
	memory   map[string]memKey  // keys fetched by this process
	failures *keyFailures       // fetches that failed recently
	unknown  *unknownKeyLimiter // the ration of fetches of ids never seen
}

// DefaultFetchTimeout bounds a key fetch when Config.FetchTimeout is zero.
const DefaultFetchTimeout = 5 * time.Second

// New checks cfg and returns a Verifier. Errors name the flag or setting at
// fault and never contain a secret.
func New(cfg Config) (*Verifier, error) {
	v := &Verifier{
		cache:         cfg.Cache,
		client:        cfg.Client,
		timeout:       cfg.FetchTimeout,
		now:           cfg.Now,
		localKeys:     map[string]*ecdsa.PublicKey{},
		inflight:      map[string]*keyFetch{},
		memory:        map[string]memKey{},
		failures:      newKeyFailures(maxMissingKeys),
		unknown:       newUnknownKeyLimiter(unknownKeyBurst, unknownKeyInterval),
		eventIDFields: map[string][]string{},
		talkifai:      clone(cfg.TalkifAISecret),
		dialpad:       clone(cfg.DialpadSecret),
	}
	for _, r := range cfg.Routes {
		if _, err := ParseRoute(r.Prefix + "=" + r.Provider); err != nil {
			return nil, err
		}
		v.routes = append(v.routes, r)
	}
	for _, h := range cfg.HMAC {
		if h.Name == "" {
			h.Name = routeName(h.Prefix)
		}
		h.Algo, h.Encoding = strings.ToLower(h.Algo), strings.ToLower(h.Encoding)
		if err := h.validate(); err != nil {
			return nil, fieldErrorf("HMAC", "%q: %w", h.Prefix, err)
		}
		h.Secret = clone(h.Secret)
		v.hmac = append(v.hmac, h)
	}
	for _, k := range cfg.TalkdeskKeys {
		if err := CheckKeyID(k.ID); err != nil {
			return nil, fieldErrorf("TalkdeskKeys", "%q: %w", k.ID, err)
		}
		if _, dup := v.localKeys[k.ID]; dup {
			return nil, fieldErrorf("TalkdeskKeys", "%q: key id given twice", k.ID)
		}
		pub, err := ParsePublicKey(k.PEM)
		if err != nil {
			return nil, fieldErrorf("TalkdeskKeys", "%q: %w", k.ID, err)
		}
		v.localKeys[k.ID] = pub
	}
	region := cfg.TalkdeskRegion
	if region == "" {
		region = "us"
	}
	gw, err := TalkdeskGateway(region)
	if err != nil {
		return nil, err
	}
	v.regionGateway = gw
	if cfg.TalkdeskKeysURL != "" {
		if err := CheckKeysURL(cfg.TalkdeskKeysURL); err != nil {
			return nil, err
		}
		v.keysURL = strings.TrimRight(cfg.TalkdeskKeysURL, "/")
	}
	if err := CheckEventIDFields(cfg.EventIDFields); err != nil {
		return nil, err
	}
	for p, fields := range cfg.EventIDFields {
		v.eventIDFields[p] = append([]string(nil), fields...)
	}
	if v.client == nil {
		v.client = &http.Client{
			// A redirect would move the key fetch to a host nobody chose.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	if v.timeout <= 0 {
		v.timeout = DefaultFetchTimeout
	}
	if v.now == nil {
		v.now = time.Now
	}
	return v, nil
}

// CheckKeysURL checks a Talkdesk key endpoint base URL (--talkdesk-keys-url,
// talkdesk.keys_url) without asking it anything; the error is a *FieldError.
func CheckKeysURL(s string) error {
	u, err := url.Parse(s)
	if err == nil && u.User != nil {
		// The URL appears in verdicts, notes and the key cache; a
		// password in it would be shown everywhere. Talkdesk's key
		// endpoint needs no login.
		return fieldErrorf("TalkdeskKeysURL", "%q: must not contain a user name or password", u.Redacted())
	}
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fieldErrorf("TalkdeskKeysURL", "%q: want an http or https base URL such as https://api.talkdeskapp.com", s)
	}
	return nil
}

// CheckEventIDFields checks that every provider named in the config's
// event_id_fields exists, in a stable order; the error is a *FieldError.
func CheckEventIDFields(m map[string][]string) error {
	for _, p := range slices.Sorted(maps.Keys(m)) {
		if !knownProvider(p) {
			return fieldErrorf("EventIDFields", "%q: unknown provider; providers: %s", p, strings.Join(providerNames, ", "))
		}
	}
	return nil
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte(nil), b...)
}
