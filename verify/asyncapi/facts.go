package asyncapi

import (
	"encoding/json"
	"strconv"
)

// maxSchemaDepth bounds the walks over raw schemas below, which follow
// $refs and so could otherwise loop on a recursive schema.
const maxSchemaDepth = 24

// schemaFacts is what matching needs to know about a schema without
// validating against it: which top-level properties it declares, which it
// pins to fixed values (const, or an enum of one), and the declared type of
// each property (used to turn header strings into numbers or booleans).
type schemaFacts struct {
	declared map[string]bool
	pins     map[string][]any
	types    map[string]string
}

// facts walks the schema at loc through $ref, allOf, anyOf and oneOf. The
// properties of anyOf/oneOf branches count as declared too: a message
// whose payload is "one of these shapes" declares all of them.
func (s *docSet) facts(loc location) schemaFacts {
	f := schemaFacts{declared: map[string]bool{}, pins: map[string][]any{}, types: map[string]string{}}
	s.collectFacts(loc, &f, map[string]bool{}, 0)
	return f
}

// collectFacts adds what the schema at loc says to f. Each schema is read
// once (seen): a second visit adds nothing but a repeated pin, and schemas
// whose allOf names the next one twice would otherwise cost 2^depth visits.
func (s *docSet) collectFacts(loc location, f *schemaFacts, seen map[string]bool, depth int) {
	if depth > maxSchemaDepth {
		return
	}
	loc, err := s.follow(loc)
	if err != nil {
		return
	}
	key := loc.schemaURL()
	if seen[key] {
		return
	}
	seen[key] = true
	v, _ := loc.value()
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	if props, ok := obj["properties"].(map[string]any); ok {
		for name := range props {
			f.declared[name] = true
			ploc, err := s.follow(loc.child("properties").child(name))
			if err != nil {
				continue
			}
			pv, _ := ploc.value()
			p, ok := pv.(map[string]any)
			if !ok {
				continue
			}
			if c, ok := p["const"]; ok && isScalar(c) {
				f.pins[name] = append(f.pins[name], c)
			} else if e, ok := p["enum"].([]any); ok && len(e) == 1 && isScalar(e[0]) {
				f.pins[name] = append(f.pins[name], e[0])
			}
			if t, ok := p["type"].(string); ok && f.types[name] == "" {
				f.types[name] = t
			}
		}
	}
	if req, ok := obj["required"].([]any); ok {
		for _, r := range req {
			if name, ok := r.(string); ok {
				f.declared[name] = true
			}
		}
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		if list, ok := obj[kw].([]any); ok {
			for i := range list {
				s.collectFacts(loc.child(kw).child(strconv.Itoa(i)), f, seen, depth+1)
			}
		}
	}
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, bool, nil, json.Number:
		return true
	}
	return false
}

// maxDerefValues bounds the copy deref makes. Each schema of a few lines
// that names the next one twice doubles the copy, so thirty of them expand
// to billions of values, as a YAML alias bomb does.
const maxDerefValues = 50_000

// deref returns a deep copy of the value at loc with every $ref replaced by
// a copy of what it points to, so a caller can read the schema as one
// self-contained value. A reference back into a schema already being
// expanded (a recursive schema) becomes {} — "anything" — because a finite
// copy cannot hold it; so does everything past maxDerefValues values.
func (s *docSet) deref(loc location) any {
	v, _ := loc.value()
	c := derefCopy{set: s, active: map[string]bool{}, left: maxDerefValues}
	return c.value(loc.doc, v, "", false, 0)
}

// derefCopy is the state of one deref.
type derefCopy struct {
	set    *docSet
	active map[string]bool // references being expanded
	left   int             // values the copy may still hold
}

// value copies v, found in doc. data is set inside instance data (const,
// enum, default, examples), where a "$ref" key is data and not a reference.
func (c *derefCopy) value(doc *document, v any, parentKey string, data bool, depth int) any {
	c.left--
	if depth > maxDepth || c.left < 0 {
		return map[string]any{}
	}
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && !data {
			// Only the document matters to resolving: errors are not
			// reported here, the load already did.
			target, err := c.set.resolveRef(location{doc, ""}, ref)
			if err == nil {
				key := target.schemaURL()
				if c.active[key] {
					return map[string]any{}
				}
				c.active[key] = true
				tv, _ := target.value()
				out := c.value(target.doc, tv, parentKey, false, depth+1)
				delete(c.active, key)
				return out
			}
		}
		out := make(map[string]any, len(v))
		for k, child := range v {
			isData := data || parentKey != "properties" && parentKey != "patternProperties" && dataKeys[k]
			out[k] = c.value(doc, child, k, isData, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, child := range v {
			out[i] = c.value(doc, child, "", data, depth+1)
		}
		return out
	}
	return v
}

// deepCopy copies a JSON value so callers cannot change the registry's own.
func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, c := range v {
			out[k] = deepCopy(c)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, c := range v {
			out[i] = deepCopy(c)
		}
		return out
	}
	return v
}
