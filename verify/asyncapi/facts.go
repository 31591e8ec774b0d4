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
	s.collectFacts(loc, &f, 0)
	return f
}

func (s *docSet) collectFacts(loc location, f *schemaFacts, depth int) {
	if depth > maxSchemaDepth {
		return
	}
	loc, err := s.follow(loc)
	if err != nil {
		return
	}
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
				s.collectFacts(loc.child(kw).child(strconv.Itoa(i)), f, depth+1)
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

// deref returns a deep copy of the value at loc with every $ref replaced by
// a copy of what it points to, so a caller can read the schema as one
// self-contained value. A reference back into a schema already being
// expanded (a recursive schema) becomes {} — "anything" — because a finite
// copy cannot hold it.
func (s *docSet) deref(loc location) any {
	return s.derefValue(loc, "", map[string]bool{}, 0)
}

func (s *docSet) derefValue(loc location, parentKey string, active map[string]bool, depth int) any {
	v, _ := loc.value()
	if depth > maxDepth {
		return map[string]any{}
	}
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			target, err := s.resolveRef(loc.child("$ref"), ref)
			if err == nil {
				key := target.schemaURL()
				if active[key] {
					return map[string]any{}
				}
				active[key] = true
				out := s.derefValue(target, parentKey, active, depth+1)
				delete(active, key)
				return out
			}
		}
		out := make(map[string]any, len(v))
		for k, child := range v {
			if parentKey != "properties" && parentKey != "patternProperties" && dataKeys[k] {
				out[k] = deepCopy(child)
				continue
			}
			out[k] = s.derefValue(loc.child(k), k, active, depth+1)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i := range v {
			out[i] = s.derefValue(loc.child(strconv.Itoa(i)), "", active, depth+1)
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
