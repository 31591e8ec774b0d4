package asyncapi

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// cycleSpec is a document whose channel a carries payload; schemas are
// components/schemas entries, one per line.
func cycleSpec(payload string, schemas ...string) string {
	doc := "asyncapi: 2.6.0\ninfo: {title: cycle, version: '1'}\nchannels:\n  a:\n    subscribe:\n      message:\n        name: M\n        payload: " + payload + "\ncomponents:\n  schemas:\n"
	for _, s := range schemas {
		doc += "    " + s + "\n"
	}
	return doc
}

// TestReferenceCyclesAreRefused: a schema whose $refs loop without going
// into a property or item cannot check any value; it is refused at load,
// at the $ref that closes the loop, instead of failing every delivery.
func TestReferenceCyclesAreRefused(t *testing.T) {
	const refA = "{$ref: '#/components/schemas/A'}"
	tests := []struct {
		name  string
		doc   string
		line  string // text on the line of the $ref reported
		cycle string // in the reason
	}{
		{"two schemas", cycleSpec(refA, "A: {$ref: '#/components/schemas/B'}", "B: {$ref: '#/components/schemas/A'}"),
			"A: {$ref", "#/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A"},
		{"itself", cycleSpec(refA, "A: {$ref: '#/components/schemas/A'}"),
			"A: {$ref", "#/components/schemas/A -> #/components/schemas/A"},
		{"payload refers to itself", cycleSpec("{$ref: '#/channels/a/subscribe/message/payload'}"),
			"payload:", "#/channels/a/subscribe/message/payload -> #/channels/a/subscribe/message/payload"},
		{"through allOf and anyOf", cycleSpec(refA, "A: {allOf: [{$ref: '#/components/schemas/B'}]}", "B: {anyOf: [{type: string}, {$ref: '#/components/schemas/A'}]}"),
			"A: {allOf", "#/components/schemas/A/allOf/0 -> #/components/schemas/B"},
		{"through oneOf", cycleSpec(refA, "A: {oneOf: [{type: string}, {$ref: '#/components/schemas/A'}]}"),
			"A: {oneOf", "#/components/schemas/A -> #/components/schemas/A/oneOf/1 -> #/components/schemas/A"},
		{"through not", cycleSpec(refA, "A: {not: {$ref: '#/components/schemas/A'}}"), "A: {not", "/not"},
		{"through if", cycleSpec(refA, "A: {if: {$ref: '#/components/schemas/A'}}"), "A: {if", "/if"},
		{"through then", cycleSpec(refA, "A: {if: {type: object}, then: {$ref: '#/components/schemas/A'}}"), "A: {if", "/then"},
		{"through dependencies", cycleSpec(refA, "A: {dependencies: {x: {$ref: '#/components/schemas/A'}}}"), "A: {dep", "/dependencies/x"},
		{"below a property", cycleSpec("{type: object, properties: {p: {$ref: '#/components/schemas/A'}}}", "A: {$ref: '#/components/schemas/B'}", "B: {$ref: '#/components/schemas/A'}"),
			"A: {$ref", "#/components/schemas/A -> #/components/schemas/B"},
		{"below an item", cycleSpec("{type: array, items: {$ref: '#/components/schemas/A'}}", "A: {allOf: [{$ref: '#/components/schemas/A'}]}"),
			"A: {allOf", "#/components/schemas/A/allOf/0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := loadErr(t, map[string]string{"spec.yml": tt.doc}, "spec.yml")
			if !errors.Is(e, ErrSchema) || !strings.Contains(e.Reason, "$ref cycle") || !strings.Contains(e.Reason, tt.cycle) {
				t.Fatalf("error %v; want a $ref cycle mentioning %q", e, tt.cycle)
			}
			if want := lineOf(t, tt.doc, tt.line); e.Line != want || e.Col == 0 {
				t.Errorf("error at %d:%d; want line %d", e.Line, e.Col, want)
			}
		})
	}
}

// TestReferenceCycleInHeadersAndSiblings: a cycle in a headers schema, and
// one in a sibling file, are refused too, at their own file and line.
func TestReferenceCycleInHeadersAndSiblings(t *testing.T) {
	headers := "asyncapi: 2.6.0\nchannels:\n  a:\n    publish:\n      message:\n        payload: {type: object}\n        headers: {$ref: '#/components/schemas/H'}\ncomponents:\n  schemas:\n    H: {$ref: '#/components/schemas/H'}\n"
	e := loadErr(t, map[string]string{"spec.yml": headers}, "spec.yml")
	if !errors.Is(e, ErrSchema) || e.Line != 10 {
		t.Errorf("headers: %v; want a $ref cycle at line 10", e)
	}

	main := cycleSpec("{$ref: 'schemas.yml#/A'}")
	schemas := "A: {$ref: '#/B'}\nB: {$ref: '#/A'}\n"
	e = loadErr(t, map[string]string{"spec.yml": main, "schemas.yml": schemas}, "spec.yml")
	if !errors.Is(e, ErrSchema) || !strings.HasSuffix(e.File, "schemas.yml") || e.Line != 1 || !strings.Contains(e.Reason, "#/A -> #/B -> #/A") {
		t.Errorf("sibling: %v; want a $ref cycle at schemas.yml:1", e)
	}
}

// TestRecursiveSchemasLoad: schemas that refer to themselves by going into
// a property or item are ordinary recursive schemas; they load and
// validate at every depth.
func TestRecursiveSchemasLoad(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		valid   string
		invalid string
		path    string // of the error invalid gets
		keyword string
	}{
		{"property", cycleSpec("{$ref: '#/components/schemas/Node'}",
			"Node: {type: object, properties: {child: {$ref: '#/components/schemas/Node'}}}"),
			`{"child":{"child":{"child":{}}}}`, `{"child":{"child":{"child":5}}}`, "/child/child/child", "type"},
		{"items", cycleSpec("{$ref: '#/components/schemas/Tree'}",
			"Tree: {type: array, items: {$ref: '#/components/schemas/Tree'}}"),
			`[[],[[]]]`, `[[],[[1]]]`, "/1/0/0", "type"},
		{"anyOf going into the value", cycleSpec("{$ref: '#/components/schemas/V'}",
			"V: {anyOf: [{type: string}, {type: array, items: {$ref: '#/components/schemas/V'}}]}"),
			`["a",["b",[]]]`, `["a",[3]]`, "/1/0", "type"},
		{"additionalProperties", cycleSpec("{$ref: '#/components/schemas/Map'}",
			"Map: {type: object, additionalProperties: {$ref: '#/components/schemas/Map'}}"),
			`{"a":{"b":{}}}`, `{"a":{"b":[]}}`, "/a/b", "type"},
		{"two schemas in turn", cycleSpec("{$ref: '#/components/schemas/A'}",
			"A: {type: object, properties: {b: {$ref: '#/components/schemas/B'}}}",
			"B: {type: object, required: [id], properties: {a: {$ref: '#/components/schemas/A'}}}"),
			`{"b":{"id":1,"a":{"b":{"id":2}}}}`, `{"b":{"id":1,"a":{"b":{}}}}`, "/b/a/b/id", "required"},
		{"one schema reached twice", cycleSpec("{$ref: '#/components/schemas/A'}",
			"A: {allOf: [{$ref: '#/components/schemas/C'}, {$ref: '#/components/schemas/D'}]}",
			"D: {allOf: [{$ref: '#/components/schemas/C'}]}",
			"C: {type: object, required: [id]}"),
			`{"id":1}`, `{}`, "/id", "required"},
		// Before draft 2019-09 a $ref's siblings are ignored, so the allOf
		// here is never applied and does not loop.
		{"siblings of a $ref", cycleSpec("{$ref: '#/components/schemas/A'}",
			"A: {$ref: '#/components/schemas/S', allOf: [{$ref: '#/components/schemas/A'}]}",
			"S: {type: object, required: [id]}"),
			`{"id":1}`, `{}`, "/id", "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := mustLoadString(t, tt.doc)
			m, ok := r.Message("M")
			if !ok {
				t.Fatal("message M not loaded")
			}
			if errs := m.Validate(mustJSON(t, tt.valid), nil); len(errs) != 0 {
				t.Errorf("%s: %+v; want valid", tt.valid, errs)
			}
			if errs := m.Validate(mustJSON(t, tt.invalid), nil); !hasError(errs, tt.path, tt.keyword) {
				t.Errorf("%s: %+v; want %s at %s", tt.invalid, errs, tt.keyword, tt.path)
			}
			_ = m.PayloadSchema()
			Synthesize(m) // must return
		})
	}
}

// TestSchemaFaultIsNotAPayloadError: should the validator still fail to
// apply a schema (a cycle of a shape the loader does not catch), the error
// blames the spec under its own keyword, not the payload with none.
func TestSchemaFaultIsNotAPayloadError(t *testing.T) {
	// Compiled without the loader's check, as such a schema would be.
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7)
	doc := map[string]any{"definitions": map[string]any{
		"A": map[string]any{"$ref": "#/definitions/B"},
		"B": map[string]any{"$ref": "#/definitions/A"},
	}}
	if err := c.AddResource("mem:///cycle.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("mem:///cycle.json#/definitions/A")
	if err != nil {
		t.Fatal(err)
	}
	m := &Message{payload: sch}
	errs := m.Validate(mustJSON(t, `{"a":1}`), nil)
	if len(errs) != 1 || errs[0].Keyword != store.KeywordSpec || !strings.Contains(errs[0].Message, "fault in the spec") {
		t.Fatalf("errors %+v; want one %q error blaming the spec", errs, store.KeywordSpec)
	}

	leaf := &jsonschema.ValidationError{ErrorKind: &kind.RefCycle{URL: "u", KeywordLocation1: "/$ref/$ref", KeywordLocation2: "/$ref"}, InstanceLocation: []string{"x"}}
	tests := []struct {
		name string
		err  error
		path string
		want string
	}{
		{"reference cycle", &jsonschema.ValidationError{ErrorKind: &kind.Schema{Location: "u"}, Causes: []*jsonschema.ValidationError{leaf}}, "/x", store.KeywordSpec},
		{"not a validation error", errors.New("boom"), "", store.KeywordSpec},
		{"false schema", &jsonschema.ValidationError{ErrorKind: &kind.FalseSchema{}, InstanceLocation: []string{"y"}}, "/y", "false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, n := schemaErrors(tt.err, "")
			if n != 1 || len(got) != 1 || got[0].Path != tt.path || got[0].Keyword != tt.want {
				t.Fatalf("got %+v (%d); want one %q error at %q", got, n, tt.want, tt.path)
			}
		})
	}
}

// TestCheckRefusesReferenceCycle is the audit's case end to end: spec
// check fails, naming the file and line, instead of saying ok.
func TestCheckRefusesReferenceCycle(t *testing.T) {
	doc := cycleSpec("{$ref: '#/components/schemas/A'}", "A: {$ref: '#/components/schemas/B'}", "B: {$ref: '#/components/schemas/A'}")
	dir := writeFiles(t, map[string]string{"cycle.yml": doc})
	_, err := Check(filepath.Join(dir, "cycle.yml"))
	if err == nil || !errors.Is(err, ErrSchema) || !strings.Contains(err.Error(), "cycle.yml:11:9: $ref cycle") {
		t.Fatalf("Check = %v; want a $ref cycle at cycle.yml:11:9", err)
	}
}
