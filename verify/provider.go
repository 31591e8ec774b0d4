package verify

// Provider names. They are stored with each delivery and accepted by
// --route, so they are a public interface: never rename one.
const (
	ProviderTalkdeskEvents   = "talkdesk-events"   // Events API, ECDSA-signed
	ProviderTalkdeskTrigger  = "talkdesk-trigger"  // Webhook Trigger API, unsigned
	ProviderTalkdeskDCE      = "talkdesk-dce"      // Automated Notifications bridge for Digital Connect
	ProviderTalkdeskNotifier = "talkdesk-notifier" // HTTP Notifier, user-defined bodies
	ProviderTalkifAI         = "talkifai"          // HMAC-SHA256 in X-TalkifAI-Signature
	ProviderDialpad          = "dialpad"           // HS256 JWT body, or plain JSON
	ProviderHMAC             = "hmac"              // a generic --hmac route
	ProviderUnknown          = "unknown"           // nothing matched
)

// Signature schemes reported in store.Signature.Scheme.
const (
	SchemeTalkdeskECDSA = "talkdesk-ecdsa"
	SchemeTalkifAIHMAC  = "talkifai-hmac"
	SchemeDialpadJWT    = "dialpad-jwt"
	SchemeHMAC          = "hmac"
	// SchemeNone is the scheme of providers that document no signature.
	SchemeNone = "none"
)

// Environment variables that hold secrets. The names are fixed by the
// command-line interface; verify only uses them to tell the user what to set.
const (
	EnvTalkifAISecret = "HOOKSCOPE_TALKIFAI_SECRET"
	EnvDialpadSecret  = "HOOKSCOPE_DIALPAD_SECRET"
)

// Header names of the signed providers.
const (
	HeaderTalkdeskSignature   = "X-Hub-Ecdsa-Signature"
	HeaderTalkdeskSignatureID = "X-Hub-Ecdsa-Signature-Id"
	HeaderTalkifAISignature   = "X-TalkifAI-Signature"
)

var providerNames = []string{
	ProviderTalkdeskEvents,
	ProviderTalkdeskTrigger,
	ProviderTalkdeskDCE,
	ProviderTalkdeskNotifier,
	ProviderTalkifAI,
	ProviderDialpad,
	ProviderHMAC,
	ProviderUnknown,
}

func knownProvider(name string) bool {
	for _, p := range providerNames {
		if p == name {
			return true
		}
	}
	return false
}

// RoutableProviders returns the names --route accepts, in a stable order for
// help text: every provider except hmac, whose routes carry their own header
// and algorithm (see --hmac).
func RoutableProviders() []string {
	var out []string
	for _, p := range providerNames {
		if p != ProviderHMAC {
			out = append(out, p)
		}
	}
	return out
}
