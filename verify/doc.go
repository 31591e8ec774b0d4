// Package verify answers the first question a user asks about a captured
// webhook delivery: who sent it, and is it really from them?
//
// It owns provider detection (configured routes, then signature headers,
// then the shape of the path and body), event type and provider event id
// extraction, payload decoding, and every signature scheme hookscope knows:
// Talkdesk Events API ECDSA (with resolution of Talkdesk's public keys),
// TalkifAI HMAC-SHA256, Dialpad HS256 JWTs, and generic HMAC routes. It also
// owns the signing side of those formats (SignTalkdesk, SignHMAC,
// SignDialpadJWT, EncodePublicKey) so that simulated deliveries stay in step
// with what is verified.
//
// verify is a pure library. It must not write to a terminal or a log, must
// not open the database (the store implements KeyCache), and must never put
// a secret into a reason, note or error. The only network access it makes is
// the Talkdesk key fetch, to a gateway the user configured or one of
// Talkdesk's three documented gateways; never to a URL taken from a
// delivery.
package verify
