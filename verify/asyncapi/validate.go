package asyncapi

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/jsonpointer"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// printer renders the library's own wording for the error kinds that are
// not spelled out below (minLength, pattern, …).
var printer = message.NewPrinter(language.English)

// maxEnumShown bounds how many allowed values an enum error lists.
const maxEnumShown = 8

// maxErrors bounds the errors one validation reports. A body of a few
// megabytes can hold millions of violations (an array of numbers where the
// schema wants strings); listing them all cost gigabytes of memory and a
// stored analysis tens of times the body's size, and nobody reads them.
const maxErrors = 100

// schemaErrors flattens a validation error into its leaves. The error the
// validator returns is a tree whose inner nodes only say "allOf failed" or
// "$ref failed"; what a person can act on is at the leaves. It returns at
// most about maxErrors errors (whole locations are kept; Message.validate
// cuts the sorted list), the first in sortErrors' order and without
// repeats, and how many distinct ones there are in all: leaves that say the
// same thing of the same place (two branches of an allOf failing alike) are
// one error, as sortErrors lists them.
func schemaErrors(err error, prefix string) ([]store.SchemaError, int) {
	if err == nil {
		return nil, 0
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []store.SchemaError{specFault(prefix, err.Error())}, 1
	}
	var leaves []*jsonschema.ValidationError
	n := 0 // errors the leaves describe to, repeats included
	var walk func(*jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			leaves = append(leaves, e)
			n += leafCount(e)
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	if n <= maxErrors {
		var out []store.SchemaError
		for _, e := range leaves {
			out = append(out, describe(e, prefix)...)
		}
		out = sortErrors(out)
		return out, len(out)
	}
	// Describe only the leaves nearest the start of the payload, so the
	// errors kept do not depend on the order the validator walked the
	// payload's objects in; and all the leaves at one location together,
	// so the ones kept do not depend on their order either. Repeats are
	// only ever at one location (an error's path is its leaf's location,
	// or a property below it named by the leaf), so they are dropped
	// location by location; the rest are only counted, and a leaf alone at
	// its location that describes to one error need not be described.
	slices.SortStableFunc(leaves, func(a, b *jsonschema.ValidationError) int {
		return slices.CompareFunc(a.InstanceLocation, b.InstanceLocation, compareTokens)
	})
	var out []store.SchemaError
	total := 0
	for i := 0; i < len(leaves); {
		j := i + 1
		for j < len(leaves) && slices.Equal(leaves[j].InstanceLocation, leaves[i].InstanceLocation) {
			j++
		}
		keep := len(out) < maxErrors
		if j == i+1 && !keep && leafCount(leaves[i]) == 1 {
			total++
		} else {
			var at []store.SchemaError
			for _, e := range leaves[i:j] {
				at = append(at, describe(e, prefix)...)
			}
			at = sortErrors(at)
			total += len(at)
			if keep {
				out = append(out, at...)
			}
		}
		i = j
	}
	return out, total
}

// leafCount is how many errors describe makes of a leaf.
func leafCount(e *jsonschema.ValidationError) int {
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		return len(k.Missing)
	case *kind.AdditionalProperties:
		return len(k.Properties)
	}
	return 1
}

// describe turns one leaf into one or more SchemaErrors (one per missing
// required property and per property not allowed, so each has its own
// pointer).
func describe(e *jsonschema.ValidationError, prefix string) []store.SchemaError {
	at := prefix + instancePointer(e.InstanceLocation)
	kw := ""
	if p := e.ErrorKind.KeywordPath(); len(p) > 0 {
		kw = p[0]
	}
	one := func(reason string) []store.SchemaError {
		return []store.SchemaError{{Path: at, Keyword: kw, Message: sentence(at, reason)}}
	}
	// each is one error per property named, at the property's own pointer.
	each := func(names []string, keyword, reason string) []store.SchemaError {
		out := make([]store.SchemaError, 0, len(names))
		for _, name := range names {
			p := at + "/" + jsonpointer.Escape(name)
			out = append(out, store.SchemaError{Path: p, Keyword: keyword, Message: sentence(p, reason)})
		}
		return out
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		return each(k.Missing, "required", "required property is missing")
	case *kind.AdditionalProperties:
		return each(k.Properties, "additionalProperties", "property is not allowed by the schema")
	case *kind.Type:
		return one(fmt.Sprintf("expected %s, got %s", strings.Join(k.Want, " or "), article(k.Got)))
	case *kind.Const:
		return one(fmt.Sprintf("expected %s, got %s", display(k.Want), display(k.Got)))
	case *kind.Enum:
		return one(fmt.Sprintf("%s is not one of %s", display(k.Got), displayList(k.Want)))
	case *kind.Format:
		return one(fmt.Sprintf("%s is not a valid %s", display(k.Got), k.Want))
	case *kind.FalseSchema:
		// A `false` schema (properties: {x: false}) is a keyword of its own.
		kw = "false"
		return one("no value is allowed here")
	}
	if kw == "" {
		// Only the inner nodes (allOf, $ref, the whole schema) and a few
		// leaves have no keyword; a leaf without one is a failure to
		// apply the schema (a reference cycle), not a fault of the payload.
		return []store.SchemaError{specFault(at, e.ErrorKind.LocalizedString(printer))}
	}
	return one(e.ErrorKind.LocalizedString(printer))
}

// specFault is the error for a schema that could not be applied at at: it
// blames the spec, so nobody goes looking for a fault in the payload.
func specFault(at, reason string) store.SchemaError {
	return store.SchemaError{Path: at, Keyword: store.KeywordSpec,
		Message: sentence(at, "the message's schema could not be applied (a fault in the spec, not the payload): "+reason)}
}

// sentence prefixes a reason with the pointer it is about, "(root)" for the
// whole payload, as in "/timestamp: 'yesterday' is not a valid date-time".
func sentence(at, reason string) string {
	if at == "" {
		at = "(root)"
	}
	return at + ": " + reason
}

func instancePointer(loc []string) string {
	var b strings.Builder
	for _, tok := range loc {
		b.WriteByte('/')
		b.WriteString(jsonpointer.Escape(tok))
	}
	return b.String()
}

func article(t string) string {
	switch t {
	case "object", "array", "integer":
		return "an " + t
	case "null":
		return "null"
	}
	return "a " + t
}

// display shows a JSON value inside a sentence: strings in single quotes
// and cut at 60 bytes (on a rune boundary, so the sentence stays UTF-8),
// containers by kind.
func display(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > 60 {
			cut := 57
			for cut > 0 && !utf8.RuneStart(v[cut]) {
				cut--
			}
			v = v[:cut] + "..."
		}
		return "'" + v + "'"
	case nil:
		return "null"
	case bool:
		return strconv.FormatBool(v)
	case json.Number:
		return v.String()
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	}
	return fmt.Sprint(v)
}

func displayList(vs []any) string {
	parts := make([]string, 0, maxEnumShown+1)
	for i, v := range vs {
		if i == maxEnumShown {
			parts = append(parts, fmt.Sprintf("… (%d more)", len(vs)-maxEnumShown))
			break
		}
		parts = append(parts, display(v))
	}
	return strings.Join(parts, ", ")
}

// sortErrors orders errors by path (comparePointers) then keyword and
// drops exact repeats: the validator walks object properties in map order,
// and the same leaf can be reached through two branches.
func sortErrors(errs []store.SchemaError) []store.SchemaError {
	sort.SliceStable(errs, func(i, j int) bool {
		if c := comparePointers(errs[i].Path, errs[j].Path); c != 0 {
			return c < 0
		}
		if errs[i].Keyword != errs[j].Keyword {
			return errs[i].Keyword < errs[j].Keyword
		}
		return errs[i].Message < errs[j].Message
	})
	out := errs[:0]
	for i, e := range errs {
		if i > 0 && e == errs[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// comparePointers orders two JSON pointers token by token (compareTokens),
// a pointer before those below it.
func comparePointers(a, b string) int {
	for a != "" && b != "" {
		var ta, tb string
		ta, a = firstToken(a)
		tb, b = firstToken(b)
		if c := compareTokens(ta, tb); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// firstToken splits a non-empty JSON pointer ("/a/b") into its first token
// and the pointer to the rest.
func firstToken(p string) (tok, rest string) {
	p = p[1:]
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i], p[i:]
	}
	return p, ""
}

// compareTokens orders two pointer tokens: array indices by number, so
// that /list/9 comes before /list/10 and the first errors listed are those
// of the first items; anything else as text.
func compareTokens(a, b string) int {
	if len(a) != len(b) && isIndex(a) && isIndex(b) {
		return cmp.Compare(len(a), len(b)) // indices have no leading zeros
	}
	return strings.Compare(a, b)
}

func isIndex(tok string) bool {
	if tok == "" {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return false
		}
	}
	return true
}

// headerValue builds the JSON object a headers schema is validated against:
// the delivery's header values under the names the schema declares, matched
// case-insensitively because HTTP header names are. Headers the schema does
// not mention are left out: every request carries Host, User-Agent and the
// like, which a message's headers schema is not about. A value is turned
// into a number or boolean when the schema declares that type and the text
// parses as one.
func (m *Message) headerValue(h store.Header) map[string]any {
	obj := map[string]any{}
	for name := range m.headerInfo.declared {
		vals := h.Values(name)
		if len(vals) == 0 {
			continue
		}
		s := vals[0]
		var v any = s
		switch m.headerInfo.types[name] {
		case "integer", "number":
			// Only text that is a JSON number becomes one: ParseFloat would
			// also accept "Inf" and "0x1p3", which are not.
			t := strings.TrimSpace(s)
			if t != "" && (t[0] == '-' || '0' <= t[0] && t[0] <= '9') && json.Valid([]byte(t)) {
				v = json.Number(t)
			}
		case "boolean":
			if b, err := strconv.ParseBool(strings.TrimSpace(s)); err == nil {
				v = b
			}
		}
		obj[name] = v
	}
	return obj
}
