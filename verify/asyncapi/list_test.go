package asyncapi

import (
	"testing"

	"github.com/hookscope/hookscope/verify"
)

func TestChannels(t *testing.T) {
	chans := mustDefault(t).Channels()
	byProvider := map[string]int{}
	for _, c := range chans {
		for _, m := range c.Messages {
			byProvider[m.Provider]++
		}
	}
	want := map[string]int{"talkdesk-events": 8, "talkdesk-trigger": 9, "talkdesk-dce": 2, "dialpad": 5, "talkifai": 7}
	for p, n := range want {
		if byProvider[p] != n {
			t.Errorf("%s: %d messages; want %d", p, byProvider[p], n)
		}
	}
	if len(byProvider) != len(want) {
		t.Errorf("providers = %v", byProvider)
	}
}

func TestHasChannel(t *testing.T) {
	r := mustDefault(t)
	for _, ch := range r.Channels() {
		if !r.HasChannel(ch.Channel) || !r.HasChannel(ch.Address) {
			t.Errorf("channel %q (address %q) not found by name and address", ch.Channel, ch.Address)
		}
		// Whatever Check resolves as a route's channel is accepted.
		route := "/" + ch.Address + "/"
		res := r.Check(Delivery{Provider: ch.Provider, RouteChannel: route, PayloadKind: verify.KindJSON, Payload: map[string]any{}})
		if res.Channel != ch.Channel || !r.HasChannel(route) {
			t.Errorf("route %q: Check picks channel %q, HasChannel %v", route, res.Channel, r.HasChannel(route))
		}
	}
	if r.HasChannel("no/such") || r.HasChannel("") {
		t.Error("unknown channel found")
	}
}
