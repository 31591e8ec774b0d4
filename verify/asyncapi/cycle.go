package asyncapi

import (
	"maps"
	"slices"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// cycleFinder looks for reference cycles in compiled schemas: a loop of
// $refs (possibly through allOf, anyOf, oneOf, not, if/then/else or
// dependencies) that comes back to a schema without moving to a property
// or item of the value being checked. The compiler accepts such a schema
// and the validator only notices the loop when a delivery reaches it, and
// then fails the delivery with an error that is the spec's fault; the
// loader refuses the message instead. Loops that do move into the value
// (Node: {properties: {child: {$ref: Node}}}) are ordinary recursive
// schemas and are not cycles.
//
// One finder serves a whole load: schemas shared between messages are
// walked once. Once it has found a cycle it must not be used again (the
// schemas along that cycle stay marked onStack); the load fails there.
type cycleFinder struct {
	reached map[*jsonschema.Schema]bool // met through any subschema
	state   map[*jsonschema.Schema]int8 // of the in-place walk: onStack or walked
}

const (
	onStack int8 = 1
	walked  int8 = 2
)

func newCycleFinder() *cycleFinder {
	return &cycleFinder{reached: map[*jsonschema.Schema]bool{}, state: map[*jsonschema.Schema]int8{}}
}

// find returns a reference cycle among the schemas reachable from root, as
// the schemas along it with the first repeated at the end, or nil.
func (f *cycleFinder) find(root *jsonschema.Schema) []*jsonschema.Schema {
	if root == nil || f.reached[root] {
		return nil
	}
	f.reached[root] = true
	queue := []*jsonschema.Schema{root}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		if cyc := f.inPlace(s, nil); cyc != nil {
			return cyc
		}
		for _, c := range subschemas(s) {
			if !f.reached[c] {
				f.reached[c] = true
				queue = append(queue, c)
			}
		}
	}
	return nil
}

// inPlace walks the schemas that apply to the same value as s, depth
// first; a schema met again while still on the stack closes a cycle.
func (f *cycleFinder) inPlace(s *jsonschema.Schema, stack []*jsonschema.Schema) []*jsonschema.Schema {
	switch f.state[s] {
	case onStack:
		i := slices.Index(stack, s)
		return append(slices.Clone(stack[i:]), s)
	case walked:
		return nil
	}
	f.state[s] = onStack
	stack = append(stack, s)
	for _, c := range inPlaceSubschemas(s) {
		if cyc := f.inPlace(c, stack); cyc != nil {
			return cyc
		}
	}
	f.state[s] = walked
	return nil
}

// inPlaceSubschemas are the subschemas the validator applies to the very
// value s is applied to (jsonschema's validateSelf), in a fixed order.
// Before draft 2019-09 a $ref replaces its siblings, and the compiler
// keeps only the $ref.
func inPlaceSubschemas(s *jsonschema.Schema) []*jsonschema.Schema {
	var out []*jsonschema.Schema
	add := func(cs ...*jsonschema.Schema) {
		for _, c := range cs {
			if c != nil {
				out = append(out, c)
			}
		}
	}
	add(s.Ref)
	if s.Ref != nil && s.DraftVersion < 2019 {
		return out
	}
	add(s.RecursiveRef)
	if s.DynamicRef != nil {
		add(s.DynamicRef.Ref)
	}
	add(s.AllOf...)
	add(s.AnyOf...)
	add(s.OneOf...)
	add(s.Not, s.If, s.Then, s.Else)
	for _, k := range sortedKeys(s.Dependencies) {
		if c, ok := s.Dependencies[k].(*jsonschema.Schema); ok {
			add(c)
		}
	}
	for _, k := range sortedKeys(s.DependentSchemas) {
		add(s.DependentSchemas[k])
	}
	return out
}

// subschemas are all of s's subschemas: the in-place ones and those the
// validator applies to a property, item or other value below (or derived
// from) the one s is applied to.
func subschemas(s *jsonschema.Schema) []*jsonschema.Schema {
	out := inPlaceSubschemas(s)
	add := func(cs ...*jsonschema.Schema) {
		for _, c := range cs {
			if c != nil {
				out = append(out, c)
			}
		}
	}
	asSchema := func(v any) {
		switch v := v.(type) {
		case *jsonschema.Schema:
			add(v)
		case []*jsonschema.Schema:
			add(v...)
		}
	}
	for _, k := range sortedKeys(s.Properties) {
		add(s.Properties[k])
	}
	patterns := slices.Collect(maps.Keys(s.PatternProperties))
	slices.SortFunc(patterns, func(a, b jsonschema.Regexp) int { return strings.Compare(a.String(), b.String()) })
	for _, p := range patterns {
		add(s.PatternProperties[p])
	}
	asSchema(s.AdditionalProperties)
	asSchema(s.Items)
	asSchema(s.AdditionalItems)
	add(s.PropertyNames, s.Contains, s.UnevaluatedProperties, s.UnevaluatedItems, s.Items2020, s.ContentSchema)
	add(s.PrefixItems...)
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// cycleError reports a reference cycle found in the schema at loc: at the
// first $ref along the cycle, naming the schemas it goes through.
func (b *builder) cycleError(loc location, cyc []*jsonschema.Schema) error {
	at := b.locate(cyc[0].Location, loc)
	for i := 0; i+1 < len(cyc); i++ {
		if cyc[i].Ref == cyc[i+1] {
			at = b.locate(cyc[i].Location, loc).child("$ref")
			break
		}
	}
	names := make([]string, len(cyc))
	for i, s := range cyc {
		l := b.locate(s.Location, loc)
		names[i] = "#" + l.ptr
		if l.doc != at.doc {
			names[i] = l.doc.name + names[i]
		}
	}
	return at.errorf(ErrSchema, "$ref cycle: %s; a schema that refers back to itself without going into a property or item can never be checked", strings.Join(names, " -> "))
}
