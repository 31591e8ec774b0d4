package asyncapi

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/big"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hookscope/hookscope/store/jsonpointer"
)

// Limits of the synthesiser. Optional properties are filled in only near
// the top, and nothing is generated below synthMaxDepth, so a deep or
// recursive schema still gives a small body.
const (
	synthMaxDepth      = 12
	synthOptionalDepth = 3
)

// Synthesize returns a realistic, minimal payload that m's payload schema
// accepts, for `hookscope send`. The first of the message's examples that
// validates wins; otherwise the value is built from the schema: required
// properties and properties pinned by const or a one-value enum (an object
// that requires nothing — Dialpad's — gets all its declared properties near
// the top, since an empty object says nothing), const, the first enum value,
// default, formats (date-time is now), ids as 32-hex like Talkdesk's,
// numbers within their bounds, strings within their lengths and simple
// patterns, arrays with their minItems, allOf merged, and the first oneOf or
// anyOf branch that validates. A top-level event_type, type or event
// property is set to the message's event type where the schema allows it,
// so two messages sharing one schema (the DCE bridge) stay apart.
//
// The result is a generic JSON value (map[string]any, []any, string,
// json.Number, bool, nil) and passes m.Validate; when the schema cannot be
// satisfied this way the error lists what failed.
func Synthesize(m *Message) (any, error) {
	if m == nil {
		return nil, errors.New("asyncapi: synthesize: no message")
	}
	for _, ex := range m.Examples() {
		v, err := normalise(ex)
		if err == nil && len(m.Validate(v, nil)) == 0 {
			return v, nil
		}
	}
	sch := m.PayloadSchema()
	if sch == nil {
		// No payload schema: anything is valid, and an empty object is the
		// least surprising body.
		return map[string]any{}, nil
	}
	var errs []string
	// Defaults and examples in the schema make a realistic body, but a
	// document can carry one that its own constraints reject: try once
	// with them and once without.
	for _, hints := range []bool{true, false} {
		s := &synth{now: time.Now().UTC(), eventType: m.EventType(), hints: hints}
		v, err := normalise(s.value(sch, "", 0))
		if err != nil {
			return nil, fmt.Errorf("asyncapi: synthesize %s: %w", m.Name(), err)
		}
		verrs := m.Validate(v, nil)
		if len(verrs) == 0 {
			return v, nil
		}
		errs = errs[:0]
		for _, e := range verrs {
			errs = append(errs, e.Message)
		}
	}
	return nil, fmt.Errorf("asyncapi: synthesize %s: no valid payload could be built from the schema: %s", m.Name(), strings.Join(errs, "; "))
}

// synth builds one instance of a dereferenced schema.
type synth struct {
	now       time.Time
	eventType string
	hints     bool // use default, example and examples from the schema
}

// value returns an instance of schema s for a property called name (""
// at the root) at depth (0 at the root).
func (s *synth) value(sch any, name string, depth int) any {
	obj, ok := sch.(map[string]any)
	if !ok {
		// true, or a schema that is not an object: anything goes.
		return s.byName(name, depth)
	}
	if c, ok := obj["const"]; ok {
		return deepCopy(c)
	}
	if e, ok := obj["enum"].([]any); ok && len(e) > 0 {
		if depth == 1 && isDiscriminator(name) {
			for _, v := range e {
				if v == s.eventType && s.eventType != "" {
					return v
				}
			}
		}
		return deepCopy(e[0])
	}
	if s.hints {
		if d, ok := obj["default"]; ok {
			return deepCopy(d)
		}
		if ex, ok := obj["examples"].([]any); ok && len(ex) > 0 {
			return deepCopy(ex[0])
		}
		if ex, ok := obj["example"]; ok {
			return deepCopy(ex)
		}
	}
	if _, ok := obj["allOf"].([]any); ok {
		return s.value(mergeAllOf(obj, 0), name, depth)
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		if branches, ok := obj[kw].([]any); ok && len(branches) > 0 {
			return s.branch(obj, kw, branches, name, depth)
		}
	}
	if depth > synthMaxDepth {
		return zeroOf(schemaType(obj))
	}
	switch schemaType(obj) {
	case "object":
		return s.object(obj, depth)
	case "array":
		return s.array(obj, name, depth)
	case "string":
		return s.str(obj, name, depth)
	case "integer":
		return s.number(obj, name, true)
	case "number":
		return s.number(obj, name, false)
	case "boolean":
		return false
	case "null":
		return nil
	}
	return s.byName(name, depth)
}

// branch picks the first oneOf/anyOf branch whose instance the whole node
// accepts (for oneOf: exactly one branch matches). Each branch is merged
// with the node's own keywords, which apply alongside it.
func (s *synth) branch(obj map[string]any, kw string, branches []any, name string, depth int) any {
	base := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != kw {
			base[k] = v
		}
	}
	check := compileLocal(obj)
	var first any
	for i, b := range branches {
		cand := s.value(mergeAllOf(map[string]any{"allOf": []any{base, b}}, 0), name, depth)
		if i == 0 {
			first = cand
		}
		if check == nil {
			return cand
		}
		if v, err := normalise(cand); err == nil && check.Validate(v) == nil {
			return cand
		}
	}
	return first
}

func (s *synth) object(obj map[string]any, depth int) map[string]any {
	props, _ := obj["properties"].(map[string]any)
	required := stringList(obj["required"])
	include := map[string]bool{}
	for _, r := range required {
		include[r] = true
	}
	for k, p := range props {
		if pm, ok := p.(map[string]any); ok && pinned(pm) {
			include[k] = true
		}
		if len(required) == 0 && depth <= synthOptionalDepth {
			include[k] = true
		}
	}
	if mp, ok := intKeyword(obj, "minProperties"); ok && len(include) < mp {
		for _, k := range slices.Sorted(maps.Keys(props)) {
			if len(include) >= mp {
				break
			}
			include[k] = true
		}
		for i := 1; len(include) < mp && obj["additionalProperties"] != false; i++ {
			include["field_"+strconv.Itoa(i)] = true
		}
	}
	out := make(map[string]any, len(include))
	for _, k := range slices.Sorted(maps.Keys(include)) {
		ps, ok := props[k]
		if !ok {
			ps = additional(obj)
		}
		out[k] = s.value(ps, k, depth+1)
	}
	return out
}

// additional is the schema of a property not declared in properties.
func additional(obj map[string]any) any {
	if ap, ok := obj["additionalProperties"].(map[string]any); ok {
		return ap
	}
	return true
}

func (s *synth) array(obj map[string]any, name string, depth int) []any {
	n, _ := intKeyword(obj, "minItems")
	max, hasMax := intKeyword(obj, "maxItems")
	_, hasItems := obj["items"]
	if n == 0 && hasItems && depth <= synthOptionalDepth && (!hasMax || max > 0) {
		n = 1 // one item shows the shape; an empty list shows nothing
	}
	item := singular(name)
	out := make([]any, 0, n)
	switch items := obj["items"].(type) {
	case []any: // tuple form
		if n < len(items) {
			n = len(items)
		}
		for i := 0; i < n; i++ {
			var sch any = true
			if i < len(items) {
				sch = items[i]
			} else if ai, ok := obj["additionalItems"]; ok {
				sch = ai
			}
			out = append(out, s.value(sch, item, depth+1))
		}
	default:
		var sch any = true
		if items != nil {
			sch = items
		}
		for i := 0; i < n; i++ {
			out = append(out, s.value(sch, item, depth+1))
		}
	}
	return out
}

func (s *synth) str(obj map[string]any, name string, depth int) string {
	format, _ := obj["format"].(string)
	v := s.stringFor(format, name)
	if depth == 1 && format == "" && isDiscriminator(name) && s.eventType != "" {
		// A free-text event_type/type/event names the event: say which.
		v = s.eventType
	}
	minLen, hasMin := intKeyword(obj, "minLength")
	maxLen, hasMax := intKeyword(obj, "maxLength")
	fit := func(v string) string {
		if hasMax && utf8.RuneCountInString(v) > maxLen {
			v = string([]rune(v)[:maxLen])
		}
		if hasMin && utf8.RuneCountInString(v) < minLen {
			pad := "x"
			if isHexString(v) {
				pad = "0"
			}
			v += strings.Repeat(pad, minLen-utf8.RuneCountInString(v))
		}
		return v
	}
	v = fit(v)
	pat, _ := obj["pattern"].(string)
	if pat == "" {
		return v
	}
	re, err := regexp.Compile(pat)
	if err != nil || re.MatchString(v) {
		return v
	}
	// Generating from an arbitrary pattern is out of scope; common
	// shapes cover the patterns ids and codes are usually given.
	for _, c := range []string{newHex32(), newUUID(), "example", "EXAMPLE", "abc123", "ABC123", "a", "A", "0", "1", "12345", "+14155550123"} {
		if c = fit(c); re.MatchString(c) {
			return c
		}
	}
	return v
}

// stringFor picks a realistic string from the format, else the property's
// name.
func (s *synth) stringFor(format, name string) string {
	switch format {
	case "date-time":
		return s.now.Format(time.RFC3339)
	case "date":
		return s.now.Format(time.DateOnly)
	case "time":
		return s.now.Format("15:04:05") + "Z"
	case "email", "idn-email":
		return "agent@example.com"
	case "hostname", "idn-hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.10"
	case "ipv6":
		return "2001:db8::10"
	case "uri", "iri", "uri-reference", "iri-reference", "url":
		return "https://example.com/" + slug(name)
	case "uri-template":
		return "https://example.com/{id}"
	case "uuid":
		return newUUID()
	case "json-pointer":
		return "/data"
	case "relative-json-pointer":
		return "0"
	case "regex":
		return ".*"
	case "duration":
		return "PT1M"
	}
	n := strings.ToLower(name)
	switch {
	case isIDName(name):
		return newHex32()
	case strings.Contains(n, "email"):
		return "agent@example.com"
	case strings.Contains(n, "phone") || strings.HasSuffix(n, "_number") || n == "from" || n == "to":
		return "+14155550123"
	case strings.Contains(n, "url") || strings.Contains(n, "href") || strings.Contains(n, "uri") || strings.Contains(n, "link"):
		return "https://example.com/" + slug(name)
	case strings.HasSuffix(n, "_at") || strings.Contains(n, "date") || strings.Contains(n, "timestamp") ||
		n == "time" || n == "created" || n == "updated":
		return s.now.Format(time.RFC3339)
	case n == "first_name" || n == "firstname":
		return "Alex"
	case n == "last_name" || n == "lastname":
		return "Doe"
	case n == "name" || n == "display_name" || n == "displayname" || n == "full_name":
		return "Alex Doe"
	case strings.Contains(n, "company"):
		return "Example Corp"
	case n == "text" || n == "message" || n == "note" || n == "description" || n == "reason" || n == "body":
		return "Sent by hookscope send"
	case n == "direction":
		return "inbound"
	case n == "status" || n == "state":
		return "active"
	}
	return "example"
}

// number picks a number within the schema's bounds: epoch milliseconds for
// a timestamp-like name, a large id for an id-like one, else 1.
func (s *synth) number(obj map[string]any, name string, integer bool) json.Number {
	n := strings.ToLower(name)
	v := 1.0
	switch {
	case integer && (strings.Contains(n, "date") || strings.Contains(n, "timestamp") || strings.HasSuffix(n, "_at") || n == "time"):
		v = float64(s.now.UnixMilli())
	case integer && isIDName(name):
		v = float64(randomInt(1e15, 9e15))
	case strings.Contains(n, "duration"):
		v = 245
	}
	minV, hasMin := numKeyword(obj, "minimum")
	maxV, hasMax := numKeyword(obj, "maximum")
	exMin, hasExMin := numKeyword(obj, "exclusiveMinimum")
	exMax, hasExMax := numKeyword(obj, "exclusiveMaximum")
	step := 1.0
	if !integer {
		step = 0.5
	}
	if hasMin && v < minV {
		v = minV
	}
	if hasExMin && v <= exMin {
		v = exMin + step
	}
	if hasMax && v > maxV {
		v = maxV
	}
	if hasExMax && v >= exMax {
		v = exMax - step
		if hasExMin && v <= exMin {
			v = (exMin + exMax) / 2
		}
	}
	if mo, ok := numKeyword(obj, "multipleOf"); ok && mo > 0 {
		v = math.Ceil(v/mo) * mo
		if (hasMax && v > maxV) || (hasExMax && v >= exMax) {
			v -= mo
		}
	}
	if integer {
		v = math.Ceil(v)
		return json.Number(strconv.FormatInt(int64(v), 10))
	}
	return json.Number(strconv.FormatFloat(v, 'f', -1, 64))
}

// byName guesses a value for a property whose schema says nothing.
func (s *synth) byName(name string, depth int) any {
	if name == "" && depth == 0 {
		return map[string]any{}
	}
	return s.stringFor("", name)
}

// schemaType is the schema's declared type (the first one other than null
// when it lists several), else the type its keywords imply, else "".
func schemaType(obj map[string]any) string {
	switch t := obj["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				return s
			}
		}
		if len(t) > 0 {
			return "null"
		}
	}
	has := func(keys ...string) bool {
		for _, k := range keys {
			if _, ok := obj[k]; ok {
				return true
			}
		}
		return false
	}
	switch {
	case has("properties", "required", "additionalProperties", "minProperties", "patternProperties"):
		return "object"
	case has("items", "minItems", "maxItems", "uniqueItems"):
		return "array"
	case has("minLength", "maxLength", "pattern", "format"):
		return "string"
	case has("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"):
		return "number"
	}
	return ""
}

func zeroOf(t string) any {
	switch t {
	case "object":
		return map[string]any{}
	case "array":
		return []any{}
	case "integer", "number":
		return json.Number("0")
	case "boolean":
		return false
	case "null":
		return nil
	}
	return ""
}

// mergeAllOf folds allOf branches into one schema: properties merged (a
// property declared twice keeps both schemas under allOf), required
// united, other keywords taken from the first schema that sets them.
func mergeAllOf(obj map[string]any, depth int) map[string]any {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if k != "allOf" {
			out[k] = v
		}
	}
	branches, _ := obj["allOf"].([]any)
	for _, b := range branches {
		bm, ok := b.(map[string]any)
		if !ok {
			continue
		}
		if _, nested := bm["allOf"]; nested && depth < synthMaxDepth {
			bm = mergeAllOf(bm, depth+1)
		}
		for k, v := range bm {
			switch k {
			case "properties":
				props, _ := out["properties"].(map[string]any)
				merged := make(map[string]any, len(props))
				for pk, pv := range props {
					merged[pk] = pv
				}
				if add, ok := v.(map[string]any); ok {
					for pk, pv := range add {
						if prev, dup := merged[pk]; dup {
							merged[pk] = map[string]any{"allOf": []any{prev, pv}}
						} else {
							merged[pk] = pv
						}
					}
				}
				out["properties"] = merged
			case "required":
				seen := map[string]bool{}
				var req []any
				for _, r := range append(stringList(out["required"]), stringList(v)...) {
					if !seen[r] {
						seen[r] = true
						req = append(req, r)
					}
				}
				out["required"] = req
			default:
				if _, set := out[k]; !set {
					out[k] = v
				}
			}
		}
	}
	return out
}

// compileLocal compiles a dereferenced schema on its own (draft-07, format
// asserted, no loading of anything), or returns nil when it cannot.
func compileLocal(sch any) *jsonschema.Schema {
	const u = "hookscope-embedded:///synth/branch.json"
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	c.AssertFormat()
	c.UseLoader(refuseLoader{})
	if err := c.AddResource(u, sch); err != nil {
		return nil
	}
	s, err := c.Compile(u)
	if err != nil {
		return nil
	}
	return s
}

// normalise turns a Go value into what JSON decoding with UseNumber gives,
// which is what the validator sees for a delivery.
func normalise(v any) (any, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	dec := json.NewDecoder(&buf)
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	return out, nil
}

func isDiscriminator(name string) bool {
	for _, p := range discriminatorProps {
		if p == name {
			return true
		}
	}
	return false
}

// pinned reports whether a property schema fixes its value (const or a
// one-value enum): such properties are how messages are told apart, so
// they are always included.
func pinned(p map[string]any) bool {
	if _, ok := p["const"]; ok {
		return true
	}
	e, ok := p["enum"].([]any)
	return ok && len(e) == 1
}

// isIDName reports whether a property name names an identifier: id,
// something_id, somethingId.
func isIDName(name string) bool {
	n := strings.ToLower(name)
	return n == "id" || strings.HasSuffix(n, "_id") || strings.HasSuffix(n, "-id") ||
		(strings.HasSuffix(name, "Id") && len(name) > 2)
}

func singular(name string) string {
	if strings.HasSuffix(name, "s") && len(name) > 1 && !strings.HasSuffix(name, "ss") {
		return name[:len(name)-1]
	}
	return name
}

func slug(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		} else if b.Len() > 0 {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-")
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func numKeyword(obj map[string]any, k string) (float64, bool) {
	switch n := obj[k].(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}

func intKeyword(obj map[string]any, k string) (int, bool) {
	f, ok := numKeyword(obj, k)
	if !ok || f < 0 || f > 1<<20 {
		return 0, false
	}
	return int(f), true
}

func isHexString(s string) bool {
	if s == "" {
		return false
	}
	_, err := hex.DecodeString(s + strings.Repeat("0", len(s)%2))
	return err == nil
}

// newHex32 returns a random 32-character lowercase hex id, the shape of
// Talkdesk's ids.
func newHex32() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// newUUID returns a random version 4 UUID.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func randomInt(lo, hi int64) int64 {
	n, err := rand.Int(rand.Reader, big.NewInt(hi-lo))
	if err != nil {
		return lo
	}
	return lo + n.Int64()
}

// SetPath sets the value at path in doc (a generic JSON value) and returns
// the document, for `send --set PATH=VALUE`. path is a JSON pointer
// (/data/account_id, with ~0 and ~1 escapes; "-" appends to an array) or a
// dotted path (data.account_id). Missing or null objects on the way are
// created; walking into a string, number or boolean is an error. value is
// taken as JSON when it parses as JSON (42, true, null, {"a":1}, "quoted"),
// otherwise as a plain string, so --set data.name=Alex needs no quotes.
func SetPath(doc any, path string, value string) (any, error) {
	toks, err := splitPath(path)
	if err != nil {
		return doc, err
	}
	v := parseSetValue(value)
	if len(toks) == 0 {
		return v, nil
	}
	if doc == nil {
		doc = map[string]any{}
	}
	return setIn(doc, toks, v, path, "")
}

func splitPath(path string) ([]string, error) {
	if path == "" {
		return nil, errors.New("empty path: use a JSON pointer such as /data/account_id or a dotted path such as data.account_id")
	}
	if strings.HasPrefix(path, "/") {
		var toks []string
		for _, raw := range strings.Split(path[1:], "/") {
			tok, ok := jsonpointer.Unescape(raw)
			if !ok {
				return nil, fmt.Errorf("path %q: %q is not a JSON pointer segment (~ must be followed by 0 or 1)", path, raw)
			}
			toks = append(toks, tok)
		}
		return toks, nil
	}
	toks := strings.Split(path, ".")
	for _, t := range toks {
		if t == "" {
			return nil, fmt.Errorf("path %q has an empty segment", path)
		}
	}
	return toks, nil
}

func parseSetValue(s string) any {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		if _, err := dec.Token(); err != nil { // nothing after the value
			return v
		}
	}
	return s
}

// setIn sets toks under cur; at is the pointer walked so far, for errors.
func setIn(cur any, toks []string, v any, path, at string) (any, error) {
	tok := toks[0]
	last := len(toks) == 1
	switch c := cur.(type) {
	case map[string]any:
		if last {
			c[tok] = v
			return c, nil
		}
		child, ok := c[tok]
		if !ok || child == nil {
			child = map[string]any{}
		}
		nc, err := setIn(child, toks[1:], v, path, at+"/"+jsonpointer.Escape(tok))
		if err != nil {
			return cur, err
		}
		c[tok] = nc
		return c, nil
	case []any:
		if tok == "-" && last {
			return append(c, v), nil
		}
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 || i >= len(c) {
			return cur, fmt.Errorf("path %q: %s is an array of %d items; %q is not an index in it", path, orRoot(at), len(c), tok)
		}
		if last {
			c[i] = v
			return c, nil
		}
		child := c[i]
		if child == nil {
			child = map[string]any{}
		}
		nc, err := setIn(child, toks[1:], v, path, at+"/"+tok)
		if err != nil {
			return cur, err
		}
		c[i] = nc
		return c, nil
	}
	return cur, fmt.Errorf("path %q: %s is %s, not an object or array", path, orRoot(at), describeKind(cur))
}

func orRoot(at string) string {
	if at == "" {
		return "the body"
	}
	return at
}

func describeKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "a value"
}
