package verify

import (
	"context"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Request is a captured delivery as verify needs it. Body is the exact raw
// bytes received: signatures cover them, not a re-encoding.
type Request struct {
	Method string
	Path   string // without query
	Query  string
	Header store.Header
	Body   []byte
	// ReceivedAt is when the delivery arrived; key expiry and JWT exp/nbf
	// are judged at this time so that re-verifying an old delivery gives
	// the same answer. Zero means now.
	ReceivedAt time.Time
}

// NewRequest builds the Request for a stored delivery, so that re-verifying
// it judges expiry at the time it was received.
func NewRequest(e store.Event, body []byte) Request {
	return Request{Method: e.Method, Path: e.Path, Query: e.Query, Header: e.Header, Body: body, ReceivedAt: e.ReceivedAt}
}

// Result is everything Check concluded about a delivery.
type Result struct {
	// Provider is one of the Provider constants.
	Provider string
	// EventType is where the provider carries one: Talkdesk Events type or
	// event_type, the Webhook Trigger channel ("contact-created"), the DCE
	// event_type, TalkifAI type; for Dialpad a call's state, a contact
	// event's event, a change log action, else the kind ("sms",
	// "agent_status"). Empty when there is none.
	EventType string
	// ProviderEventID is the provider's own event id, for duplicate
	// detection (see Config.EventIDFields); empty when there is none.
	ProviderEventID string
	// Signature is the verdict; Status is never store.SigPending.
	Signature store.Signature
	// Payload is the decoded JSON body (numbers as json.Number) or, for a
	// Dialpad JWT, its decoded claims; nil when the body is not JSON.
	Payload any
	// PayloadKind is one of the Kind constants.
	PayloadKind string
	// PayloadErr says why the body is not what it looks like, e.g. "body is
	// not valid JSON: invalid character 'x' ... at offset 12 (line 1,
	// column 13)".
	PayloadErr string
	// PayloadErrLine is, for a KindBadJSON body, the 1-based line where
	// the JSON breaks; 0 otherwise.
	PayloadErrLine int
	// Notes are further findings in words: where a key came from, a DCE
	// bearer token, unreplaced HTTP Notifier placeholders, ...
	Notes []string
}

// Analysis returns the part of a store.Analysis that verification decides;
// the caller sets AnalyzedAt, DuplicateOf and Schema.
func (r Result) Analysis() store.Analysis {
	return store.Analysis{
		Provider:        r.Provider,
		EventType:       r.EventType,
		ProviderEventID: r.ProviderEventID,
		Signature:       r.Signature,
		Notes:           append([]string(nil), r.Notes...),
	}
}

// Check detects the provider of a delivery and verifies its signature. It
// may fetch a Talkdesk key (bounded by the fetch timeout and shared with
// concurrent Checks for the same key), so run it off the capture path.
func (v *Verifier) Check(ctx context.Context, r Request) Result {
	when := r.ReceivedAt
	if when.IsZero() {
		when = v.now()
	}
	// The payload is read from the body as its Content-Encoding says;
	// signatures are checked over r.Body, the bytes as received.
	dec := decodeContent(r.Body, r.Header.Codings())
	p := decodePayload(dec.body, r.Header.Get("Content-Type"))
	if dec.skip != "" {
		p = payload{kind: KindBinary, err: dec.skip}
	}
	tok, isJWT := extractJWT(dec.body)
	d := v.detect(r, p, isJWT)
	res := Result{Provider: d.provider}

	switch d.provider {
	case ProviderTalkdeskEvents:
		res.Signature, res.Notes = v.checkTalkdesk(ctx, r, p.obj, when)
	case ProviderTalkifAI:
		res.Signature = checkTalkifAI(r.Header, r.Body, v.talkifai)
	case ProviderDialpad:
		res.Signature, p = v.checkDialpad(tok, isJWT, p, when)
	case ProviderHMAC:
		res.Signature = checkHMAC(*d.hmac, r.Header, r.Body)
	case ProviderTalkdeskTrigger:
		res.Signature = unsigned("Talkdesk documents no signature for Webhook Trigger deliveries")
	case ProviderTalkdeskDCE:
		res.Signature = unsigned("Talkdesk documents no signature for the Digital Connect bridge; it authenticates with an OAuth bearer token")
		res.Notes = dceNotes(r)
	case ProviderTalkdeskNotifier:
		res.Signature = unsigned("Talkdesk documents no signature for HTTP Notifier deliveries")
		res.Notes = notifierNotes(p, dec.body)
	default:
		res.Signature = unsigned("no provider recognised: name one with --route PATH_PREFIX=PROVIDER")
	}

	res.Payload, res.PayloadKind, res.PayloadErr, res.PayloadErrLine = p.value, p.kind, p.err, p.errLine
	res.EventType = eventType(d.provider, d, p.obj)
	res.ProviderEventID = v.providerEventID(d.provider, p.obj)
	if p.kind == KindJSON {
		if n := duplicateKeysNote(dec.body); n != "" {
			res.Notes = append(res.Notes, n)
		}
	}
	if d.byBody {
		res.Notes = append(res.Notes, "named "+d.provider+" by the body's shape, with no signature header: if another service sent it, name its provider with --route PATH_PREFIX=PROVIDER")
	}
	if dec.note != "" {
		res.Notes = append(res.Notes, dec.note)
	}
	return res
}

func unsigned(reason string) store.Signature {
	return store.Signature{Status: store.SigUnsigned, Scheme: SchemeNone, Reason: reason}
}

// checkDialpad judges a Dialpad delivery: a JWT body is verified and its
// claims become the payload whatever the verdict; plain JSON is unsigned.
func (v *Verifier) checkDialpad(t jwtToken, isJWT bool, p payload, when time.Time) (store.Signature, payload) {
	if !isJWT {
		if p.kind == KindJSON {
			reason := "plain JSON: Dialpad signs (as an HS256 JWT) only webhooks created with a secret"
			if len(v.dialpad) > 0 {
				reason += "; a Dialpad secret is configured here, so this webhook was created without one or is not from Dialpad"
			}
			return unsigned(reason), p
		}
		sig := store.Signature{Scheme: SchemeDialpadJWT, Algorithm: "jwt-hs256"}
		return sigInvalid(sig, "body is neither a JWT nor JSON: Dialpad sends one of the two"), p
	}
	p = payload{kind: KindJWT, value: t.claims, obj: t.claims}
	if t.claimsErr != nil {
		p = payload{kind: KindJWT, err: t.claimsErr.Error()}
	}
	return verifyDialpadJWT(t, v.dialpad, when), p
}
