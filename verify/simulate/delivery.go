package simulate

import "github.com/hookscope/hookscope/store"

// Delivery is one simulated delivery on its way out: the request to send,
// and what the caller reports about it.
type Delivery struct {
	// Message is the AsyncAPI message name, or for an HTTP Notifier
	// template the trigger it simulates.
	Message string
	Method  string
	// URL is where the delivery goes; the caller sets it.
	URL     string
	Header  store.Header
	Body    []byte
	EventID string // the provider's event id, "" when the body carries none
	// SignedWith says how the body was signed ("talkdesk-ecdsa:KEYID",
	// "talkifai-hmac", "dialpad-jwt"), "" when it was not; Unsigned then
	// says why.
	SignedWith string
	Unsigned   string
	// Tampered says what Tamper changed, "" when the body is as signed.
	Tampered string
	// SchemaErrors is how the body fails its message's schema once the
	// Builder's Sets are applied. A receiver should see such bodies too,
	// so the delivery is still meant to go out.
	SchemaErrors []string
}
