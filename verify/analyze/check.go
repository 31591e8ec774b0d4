package analyze

import (
	"context"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
	"github.com/hookscope/hookscope/verify/asyncapi"
)

// truncatedNotes are added to the analysis of a delivery stored truncated,
// by why it is: its verdicts speak of the stored part only.
var truncatedNotes = map[string]string{
	store.CutBySizeLimit: "the body was truncated at the size limit: the signature and schema were checked on the stored part only",
	store.CutInTransit:   "the body did not arrive whole (cut off, or malformed chunks): the signature and schema were checked on the part that came",
	store.CutWithHead:    "only the part of the body that came with the refused head is stored: the signature and schema were checked on it",
}

// ChannelRoute sends the deliveries under a path prefix to one AsyncAPI
// channel, whatever the detected provider suggests (--channel-route).
type ChannelRoute struct {
	// Prefix matches whole path segments: /hooks/x covers /hooks/x and
	// /hooks/x/y, never /hooks/xy.
	Prefix string
	// Channel is a channel's name or address in the registry.
	Channel string
}

// Options are what NewChecker checks deliveries with. The caller builds
// them (from flags, the environment and the config file) and checks that
// every route's channel is in Registry (asyncapi.Registry.HasChannel).
type Options struct {
	// Verifier detects the provider and checks the signature.
	Verifier *verify.Verifier
	// Registry matches the payload to an AsyncAPI message and validates it.
	Registry *asyncapi.Registry
	// ChannelRoutes assign channels by path; the longest matching prefix
	// wins.
	ChannelRoutes []ChannelRoute
}

// NewChecker returns the check of one delivery that listeners, `verify`
// and `import` share: provider and signature first, then the AsyncAPI
// message (by route, provider and payload) and its validation. The event
// type is the provider's, else that of the message a route, the path or a
// discriminator matched; a best guess from the payload's shape is no event
// type the delivery carries, so it lends none.
func NewChecker(opts Options) Checker {
	return func(ctx context.Context, ev store.Event, body []byte) store.Analysis {
		res := opts.Verifier.Check(ctx, verify.Request{Method: ev.Method, Path: ev.Path, Query: ev.Query,
			Header: ev.Header, Body: body, ReceivedAt: ev.ReceivedAt})
		sr := opts.Registry.Check(asyncapi.Delivery{Provider: res.Provider, Path: ev.Path,
			RouteChannel: routeChannel(opts.ChannelRoutes, ev.Path), Header: ev.Header,
			Payload: res.Payload, PayloadKind: res.PayloadKind, PayloadErr: res.PayloadErr, PayloadErrLine: res.PayloadErrLine})
		a := store.Analysis{Provider: res.Provider, EventType: res.EventType, ProviderEventID: res.ProviderEventID,
			Signature: res.Signature, Schema: &sr, Notes: res.Notes}
		if a.EventType == "" && sr.Message != "" && !sr.BestGuess {
			if m, ok := opts.Registry.MessageOf(sr.Channel, sr.Message); ok {
				a.EventType = m.EventType()
			}
		}
		if why := ev.TruncatedBy(); why != "" {
			a.Notes = append(a.Notes, truncatedNotes[why])
		}
		return a
	}
}

// routeChannel returns the channel the longest route prefix of path
// assigns, "" when none does.
func routeChannel(routes []ChannelRoute, path string) string {
	if i := verify.LongestPrefix(routes, path, func(r ChannelRoute) string { return r.Prefix }); i >= 0 {
		return routes[i].Channel
	}
	return ""
}
