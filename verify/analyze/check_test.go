package analyze

import (
	"context"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/asyncapi"
)

// Path prefixes match whole segments everywhere, as verify matches --route
// and --hmac: /hooks/x covers /hooks/x and /hooks/x/y, never /hooks/xy.
// (The --hmac half is verify/simulate's TestHMACRouteMatchesWholeSegments.)
func TestPrefixOptionsMatchWholeSegments(t *testing.T) {
	routes := []ChannelRoute{{"/hooks/x", "a"}, {"/hooks/x/deep", "b"}}
	tests := []struct{ path, channel string }{
		{"/hooks/x", "a"},
		{"/hooks/x/y", "a"},
		{"/hooks/x/deep/1", "b"},
		{"/hooks/xy", ""},
		{"/gh/one", ""},
		{"/gh/app", ""},
		{"/gh/apple", ""},
		{"/ghx", ""},
	}
	for _, tt := range tests {
		if got := routeChannel(routes, tt.path); got != tt.channel {
			t.Errorf("channel for %s = %q, want %q", tt.path, got, tt.channel)
		}
	}
}

// The event type is the one the delivery carries, or that of the message a
// route, the path or a discriminator names; a message only guessed from
// the payload's shape lends it none: a DCE bridge delivery with an empty
// body carries no event_type, and is not a CONVERSATION_ENDED.
func TestCheckerEventTypeNotFromBestGuess(t *testing.T) {
	ver, err := verify.New(verify.Config{})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := asyncapi.Default()
	if err != nil {
		t.Fatal(err)
	}
	check := NewChecker(Options{Verifier: ver, Registry: reg})
	tests := []struct{ path, body, want string }{
		{verify.DCEBridgePath, `{}`, ""},
		{verify.DCEBridgePath, `{"conversation_id":"c1"}`, ""},
		{verify.DCEBridgePath, `{"event_type":"MESSAGE_CREATED","conversation_id":"c1"}`, "MESSAGE_CREATED"},
		{"/hooks/webhook-trigger/contact-created", `{}`, "contact-created"},
	}
	for _, tt := range tests {
		ev := store.Event{Method: "POST", Path: tt.path, Header: store.Header{{Name: "Content-Type", Value: "application/json"}}}
		a := check(context.Background(), ev, []byte(tt.body))
		if a.EventType != tt.want {
			t.Errorf("%s %s: event type %q (schema %+v), want %q", tt.path, tt.body, a.EventType, a.Schema, tt.want)
		}
	}
}
