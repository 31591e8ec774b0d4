package asyncapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/verify"
)

// Delivery is what matching and validation need to know about one
// delivery.
type Delivery struct {
	// Provider is the detected provider (talkdesk-events, dialpad, …);
	// "" or "unknown" makes every loaded message a candidate.
	Provider string
	// Path is the request path, without the query.
	Path string
	// RouteChannel is the channel a user-configured route sends this path
	// to; "" when no route applies.
	RouteChannel string
	// Header holds the request headers, for messages with a headers schema.
	Header store.Header
	// Payload is the JSON body decoded with json.Decoder.UseNumber, or a
	// Dialpad JWT's claims in the same representation.
	Payload any
	// PayloadKind says what the body is, one of verify's Kind constants.
	// Only json and jwt payloads are matched; "" counts as json when
	// Payload is set.
	PayloadKind string
	// PayloadErr says why the body could not be decoded ("unexpected end
	// of JSON input"); a delivery with one is skipped, or for a body that
	// claims JSON, invalid (see malformed).
	PayloadErr string
	// PayloadErrLine is where such a body breaks (verify.Result's).
	PayloadErrLine int
}

// pair is one message as carried by one channel: the unit matching picks,
// since the result names both.
type pair struct {
	ch *channel
	m  *Message
}

// index is built once at load: candidate pairs by provider.
type index struct {
	all        []pair
	byProvider map[string][]pair
}

func (r *Registry) buildIndex() {
	r.idx.byProvider = map[string][]pair{}
	for _, ch := range r.channels {
		for _, m := range ch.messages {
			p := pair{ch, m}
			r.idx.all = append(r.idx.all, p)
			r.idx.byProvider[ch.provider] = append(r.idx.byProvider[ch.provider], p)
		}
	}
}

// candidates are the pairs matching may pick for a provider: all of them
// for an unknown provider; else that provider's, falling back to channels
// whose document names no provider (a user's own spec).
func (r *Registry) candidates(provider string) []pair {
	if provider == "" || provider == verify.ProviderUnknown {
		return r.idx.all
	}
	if ps := r.idx.byProvider[provider]; len(ps) > 0 {
		return ps
	}
	return r.idx.byProvider[""]
}

// Check matches a delivery to a message and validates it. Matching applies
// these rules in order, stopping at the first that decides:
//
//  1. a route the user configured names the channel;
//  2. the request path ends with a channel's address;
//  3. a discriminator: a payload property a message pins with const or a
//     one-value enum, else the payload's `event_type`/`type`/`event` equal
//     to a message's title, name or event type or its channel's last
//     segment;
//  4. the message whose schema declares the most of the payload's
//     top-level properties, ties broken by fewest errors: a best guess.
//
// When a channel carries several messages (oneOf), rules 3 and 4 pick among
// them. Non-JSON payloads are skipped with the reason; a body that claims
// to be JSON but does not parse is judged by malformed. A Talkdesk event
// whose two event names disagree is invalid (see disagreement).
func (r *Registry) Check(d Delivery) store.SchemaResult {
	res := r.check(d)
	if res.Status == store.SchemaValid || res.Status == store.SchemaInvalid {
		if e, ok := r.disagreement(d, res); ok {
			res.Status = store.SchemaInvalid
			res.Errors = append([]store.SchemaError{e}, res.Errors...)
		}
	}
	return res
}

// disagreement finds a Talkdesk event that names two different events:
// Talkdesk's documented payloads carry `type`, the AsyncAPI documents pin
// `event_type`, and matching accepts either (rule 3). When a payload
// carries both and they differ, whichever decided the match, the delivery
// claims to be two events at once, and the event type hookscope shows
// (type) is not the message it was checked against; no schema says so,
// because each message pins only one of the two.
func (r *Registry) disagreement(d Delivery, res store.SchemaResult) (store.SchemaError, bool) {
	ch := r.channel(res.Channel)
	if ch == nil || ch.provider != verify.ProviderTalkdeskEvents {
		return store.SchemaError{}, false
	}
	obj, _ := d.Payload.(map[string]any)
	typ, _ := obj["type"].(string)
	evt, _ := obj["event_type"].(string)
	if typ == "" || evt == "" || typ == evt {
		return store.SchemaError{}, false
	}
	return store.SchemaError{
		Path:    "/type",
		Keyword: "discriminator",
		Message: fmt.Sprintf("type is %s but event_type is %s: the two name different events (checked as %s)", display(typ), display(evt), res.Message),
	}, true
}

// check is Check without the cross-check of event names.
func (r *Registry) check(d Delivery) store.SchemaResult {
	if d.PayloadKind == verify.KindBadJSON {
		return r.malformed(d)
	}
	if reason := skipReason(d); reason != "" {
		return store.SchemaResult{Status: store.SchemaSkipped, Errors: []store.SchemaError{}, Reason: reason}
	}
	if d.RouteChannel != "" {
		ch := r.channel(d.RouteChannel)
		if ch == nil {
			return unmatched(fmt.Sprintf("the route names channel %q, which no loaded AsyncAPI document declares", d.RouteChannel))
		}
		return r.within(ch, d)
	}
	cands := r.candidates(d.Provider)
	if len(cands) == 0 && d.Provider == verify.ProviderTalkdeskNotifier {
		// The HTTP Notifier sends whatever template the user wrote in
		// Talkdesk: no provider's document can describe it, so its
		// deliveries are not unmatched (a status that calls for a look).
		return store.SchemaResult{Status: store.SchemaSkipped, Errors: []store.SchemaError{},
			Reason: "HTTP Notifier bodies are the template you wrote in Talkdesk; no loaded AsyncAPI document describes them (give one with --spec)"}
	}
	if len(cands) == 0 {
		return unmatched(fmt.Sprintf("no loaded AsyncAPI document describes provider %s", d.Provider))
	}
	if ch := pathChannel(d.Path, cands); ch != nil {
		return r.within(ch, d)
	}
	obj, ok := d.Payload.(map[string]any)
	if !ok {
		return unmatched("the payload is not a JSON object, and neither a route nor the path names a channel")
	}
	if res, ok := discriminate(cands, obj, d); ok {
		return res
	}
	if p, errs, total, ok := bestFit(cands, d, true); ok {
		return undocumentedName(cands, obj, d.Provider, p.resultWith(errs, total, true))
	}
	keys := slices.Sorted(maps.Keys(obj))
	if len(keys) > 8 {
		keys = append(keys[:8], "…")
	}
	who := "any loaded message"
	if d.Provider != "" && d.Provider != verify.ProviderUnknown {
		who = "any " + d.Provider + " message"
	}
	return unmatched(fmt.Sprintf("no discriminator matched and the payload's properties (%s) are not declared by %s", strings.Join(keys, ", "), who))
}

// maxNamesListed bounds the event names an undocumented-name error lists.
const maxNamesListed = 8

// undocumentedName improves a best guess for a payload whose event name
// (type, event_type, event) is one the provider's documents do not know
// at all: the guess's own error at that field ("expected 'call.started',
// got 'call.transferred'") reads as if the delivery were a misspelt
// call.started, while the truth is that no document describes its event.
// Only a field some candidate pins counts (Talkdesk's type standing in for
// the event_type its documents pin), so that a field merely called type in
// another provider's payload is left alone.
func undocumentedName(cands []pair, obj map[string]any, provider string, res store.SchemaResult) store.SchemaResult {
	if provider == "" || provider == verify.ProviderUnknown {
		return res
	}
	for _, prop := range discriminatorProps {
		val, _ := obj[prop].(string)
		if val == "" {
			continue
		}
		pinned := prop
		if prop == "type" && provider == verify.ProviderTalkdeskEvents {
			pinned = "event_type"
		}
		var known []string
		used := false
		for _, c := range cands {
			if vals := c.m.facts.pins[pinned]; len(vals) > 0 {
				used = true
				if containsValue(vals, val) {
					return res
				}
			}
			if val == c.m.title || val == c.m.name || val == c.m.eventType || val == c.ch.segs[len(c.ch.segs)-1] {
				return res
			}
			if c.m.eventType != "" && !slices.Contains(known, c.m.eventType) {
				known = append(known, c.m.eventType)
			}
		}
		if !used {
			continue
		}
		list := strings.Join(known, ", ")
		if len(known) > maxNamesListed {
			list = strings.Join(known[:maxNamesListed], ", ") + fmt.Sprintf(", … (%d in all)", len(known))
		}
		at := "/" + prop
		errs := []store.SchemaError{{Path: at, Keyword: "discriminator",
			Message: fmt.Sprintf("%s: %s is no %s event the loaded documents describe (%s); it was checked against the closest message, %s", at, display(val), provider, list, res.Message)}}
		for _, e := range res.Errors {
			if e.Path == at && (e.Keyword == "const" || e.Keyword == "enum") {
				continue // the guess's "expected …" at the same field
			}
			errs = append(errs, e)
		}
		res.Status, res.Errors = store.SchemaInvalid, errs
		return res
	}
	return res
}

func unmatched(reason string) store.SchemaResult {
	return store.SchemaResult{Status: store.SchemaUnmatched, Errors: []store.SchemaError{}, Reason: reason}
}

// malformed judges a body that claims to be JSON but does not parse. From a
// provider whose messages are loaded (or on a channel a route or the path
// names) that is the delivery's first error, not a reason to look away: it
// is invalid, and the error says where the JSON breaks. From an unknown
// sender no message applies, so it is skipped, with the same words.
func (r *Registry) malformed(d Delivery) store.SchemaResult {
	var ch *channel
	switch {
	case d.RouteChannel != "":
		ch = r.channel(d.RouteChannel)
	case d.Provider != "" && d.Provider != verify.ProviderUnknown && len(r.idx.byProvider[d.Provider]) > 0:
		ch = pathChannel(d.Path, r.idx.byProvider[d.Provider])
	default:
		return store.SchemaResult{Status: store.SchemaSkipped, Errors: []store.SchemaError{}, Reason: "the " + d.PayloadErr}
	}
	res := store.SchemaResult{Status: store.SchemaInvalid,
		Errors: []store.SchemaError{{Path: "", Keyword: store.KeywordSyntax, Message: d.PayloadErr, Line: d.PayloadErrLine}}}
	if ch != nil {
		res.Channel = ch.name
		if len(ch.messages) == 1 {
			res.Message = ch.messages[0].name
		}
	}
	return res
}

func skipReason(d Delivery) string {
	switch d.PayloadKind {
	case verify.KindJSON, verify.KindJWT:
	case "":
		if d.Payload == nil && d.PayloadErr == "" {
			return "the body is empty"
		}
	case verify.KindEmpty:
		return "the body is empty"
	case verify.KindXML:
		return "the body is XML; the AsyncAPI messages describe JSON payloads"
	case verify.KindForm:
		return "the body is a form; the AsyncAPI messages describe JSON payloads"
	default:
		if d.PayloadErr != "" {
			return "the " + d.PayloadErr // e.g. too large to decode
		}
		return fmt.Sprintf("the body is %s, not JSON", d.PayloadKind)
	}
	if d.PayloadErr != "" {
		return "the body could not be decoded: " + d.PayloadErr
	}
	return ""
}

// within picks a message of a channel that rule 1 or 2 decided.
func (r *Registry) within(ch *channel, d Delivery) store.SchemaResult {
	switch len(ch.messages) {
	case 0:
		return store.SchemaResult{Status: store.SchemaUnmatched, Channel: ch.name, Errors: []store.SchemaError{}, Reason: fmt.Sprintf("channel %q declares no messages", ch.name)}
	case 1:
		return pair{ch, ch.messages[0]}.result(d, false)
	}
	pairs := make([]pair, len(ch.messages))
	for i, m := range ch.messages {
		pairs[i] = pair{ch, m}
	}
	if obj, ok := d.Payload.(map[string]any); ok {
		if res, ok := discriminate(pairs, obj, d); ok {
			return res
		}
	}
	p, errs, total, _ := bestFit(pairs, d, false)
	return p.resultWith(errs, total, true)
}

func (r *Registry) channel(name string) *channel {
	want := strings.Trim(name, "/")
	for _, ch := range r.channels {
		if ch.name == name || ch.address == want {
			return ch
		}
	}
	return nil
}

// pathChannel returns the candidate channel whose address the path ends
// with, segment by segment ({param} segments match any one segment); the
// longest address wins.
func pathChannel(path string, cands []pair) *channel {
	path = strings.Trim(path, "/")
	if path == "" {
		return nil
	}
	segs := strings.Split(path, "/")
	var best *channel
	for _, p := range cands {
		ch := p.ch
		if best != nil && (ch == best || len(ch.segs) <= len(best.segs)) {
			continue
		}
		if suffixMatch(segs, ch.segs) {
			best = ch
		}
	}
	return best
}

func suffixMatch(path, addr []string) bool {
	if len(addr) > len(path) {
		return false
	}
	off := len(path) - len(addr)
	for i, a := range addr {
		s := path[off+i]
		if len(a) > 2 && a[0] == '{' && a[len(a)-1] == '}' {
			if s == "" {
				return false
			}
			continue
		}
		if a != s {
			return false
		}
	}
	return true
}

// discriminate applies rule 3 and returns the winner's result, a best guess
// when a tie had to be broken by rule 4's scoring. A tie is broken with the
// validation errors bestFit already computed: the winner is not validated
// a second time.
func discriminate(cands []pair, obj map[string]any, d Delivery) (store.SchemaResult, bool) {
	// (a) properties pinned by const / one-value enum.
	bestScore := 0
	var pinned []pair
	for _, c := range cands {
		score := 0
		for prop, vals := range c.m.facts.pins {
			if v, ok := obj[prop]; ok && containsValue(vals, v) {
				score++
			}
		}
		switch {
		case score > bestScore:
			bestScore, pinned = score, append(pinned[:0], c)
		case score == bestScore && score > 0:
			pinned = append(pinned, c)
		}
	}
	if len(pinned) == 1 {
		return pinned[0].result(d, false), true
	}
	// (b) the event name the payload carries, against the message's names.
	pool := cands
	if len(pinned) > 1 {
		pool = pinned
	}
	var named []pair
	for _, c := range pool {
		for _, prop := range discriminatorProps {
			s, ok := obj[prop].(string)
			if ok && s != "" && (s == c.m.title || s == c.m.name || s == c.m.eventType || s == c.ch.segs[len(c.ch.segs)-1]) {
				named = append(named, c)
				break
			}
		}
	}
	switch {
	case len(named) == 1:
		return named[0].result(d, false), true
	case len(named) > 1:
		p, errs, total, _ := bestFit(named, d, false)
		return p.resultWith(errs, total, true), true
	case len(pinned) > 1:
		p, errs, total, _ := bestFit(pinned, d, false)
		return p.resultWith(errs, total, true), true
	}
	return store.SchemaResult{}, false
}

// bestFit applies rule 4: the most declared top-level properties, then the
// fewest errors, then load order. With requireDeclared, a message that
// declares none of the payload's properties is no candidate at all. It
// returns the winner's validation errors (at most maxErrors) and how many
// there are in all.
func bestFit(cands []pair, d Delivery, requireDeclared bool) (pair, []store.SchemaError, int, bool) {
	obj, _ := d.Payload.(map[string]any)
	bestScore := -1
	var top []pair
	for _, c := range cands {
		score := 0
		for k := range obj {
			if c.m.facts.declared[k] {
				score++
			}
		}
		switch {
		case score > bestScore:
			bestScore, top = score, append(top[:0], c)
		case score == bestScore:
			top = append(top, c)
		}
	}
	if len(top) == 0 || requireDeclared && bestScore == 0 {
		return pair{}, nil, 0, false
	}
	if len(top) == 1 {
		errs, total := top[0].m.validate(d.Payload, d.Header)
		return top[0], errs, total, true
	}
	best, bestErrs, bestTotal := -1, []store.SchemaError(nil), 0
	for i, c := range top {
		errs, total := c.m.validate(d.Payload, d.Header)
		if best < 0 || total < bestTotal {
			best, bestErrs, bestTotal = i, errs, total
		}
		if total == 0 {
			break
		}
	}
	return top[best], bestErrs, bestTotal, true
}

func (p pair) result(d Delivery, guess bool) store.SchemaResult {
	errs, total := p.m.validate(d.Payload, d.Header)
	return p.resultWith(errs, total, guess)
}

// resultWith builds the result from the winner's validation errors, total
// of them in all (more than listed when the list was cut at maxErrors).
func (p pair) resultWith(errs []store.SchemaError, total int, guess bool) store.SchemaResult {
	res := store.SchemaResult{Status: store.SchemaValid, Message: p.m.name, Channel: p.ch.name, BestGuess: guess, Errors: errs}
	if len(errs) > 0 {
		res.Status = store.SchemaInvalid
	}
	if total > len(errs) {
		res.Reason = fmt.Sprintf("%d errors found; the first %d are listed", total, len(errs))
	}
	if res.Errors == nil {
		res.Errors = []store.SchemaError{}
	}
	return res
}

// containsValue reports whether v equals one of the pinned values, numbers
// compared by value (1 and 1.0 are the same JSON number).
func containsValue(vals []any, v any) bool {
	for _, w := range vals {
		if jsonEqual(w, v) {
			return true
		}
	}
	return false
}

// jsonEqual compares two scalar JSON values; numbers by value.
func jsonEqual(a, b any) bool {
	an, aok := numberRat(a)
	bn, bok := numberRat(b)
	if aok || bok {
		return aok && bok && an.Cmp(bn) == 0
	}
	return a == b
}

func numberRat(v any) (*big.Rat, bool) {
	var s string
	switch n := v.(type) {
	case json.Number:
		s = n.String()
	case float64:
		s = strconv.FormatFloat(n, 'g', -1, 64)
	case int:
		s = strconv.Itoa(n)
	case int64:
		s = strconv.FormatInt(n, 10)
	default:
		return nil, false
	}
	r, ok := new(big.Rat).SetString(s)
	return r, ok
}
