package asyncapi

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hookscope/hookscope/store"
)

// lineOf returns the 1-based line of the first line of doc containing s.
func lineOf(t *testing.T, doc, s string) int {
	t.Helper()
	for i, l := range strings.Split(doc, "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	t.Fatalf("%q not in document", s)
	return 0
}

const refSpec = `asyncapi: 2.6.0
info: {title: Refs, version: '1'}
channels:
  things:
    publish:
      message:
        $ref: '%s'
components:
  messages:
    Thing:
      payload:
        $ref: '#/components/schemas/Thing'
  schemas:
    Thing: {type: object, required: [id]}
`

func refDoc(ref string) string { return strings.Replace(refSpec, "%s", ref, 1) }

func TestRefsRefusedOrBroken(t *testing.T) {
	outside := "asyncapi: 2.6.0\ncomponents: {messages: {M: {payload: {type: object}}}}\n"
	tests := []struct {
		name    string
		ref     string
		want    error
		message string
	}{
		{"missing component", "#/components/messages/Nope", ErrRefNotFound, "has nothing at #/components/messages/Nope"},
		{"missing sibling file", "other.yml#/components/messages/M", ErrRefNotFound, "does not exist"},
		{"pointer missing in sibling", "sib.yml#/components/messages/Nope", ErrRefNotFound, "has nothing at"},
		{"parent directory", "../outside.yml#/components/messages/M", ErrRefRefused, "not in the same directory"},
		{"subdirectory", "sub/outside.yml#/components/messages/M", ErrRefRefused, "not in the same directory"},
		{"absolute path", "/etc/passwd#/x", ErrRefRefused, "absolute path"},
		{"http URL", "http://example.com/spec.yml#/components/messages/M", ErrRefRefused, "URL"},
		{"https URL", "https://example.com/spec.yml", ErrRefRefused, "URL"},
		{"file URL", "file:///etc/passwd", ErrRefRefused, "URL"},
		{"network-path reference", "//example.com/spec.yml", ErrRefRefused, "URL"},
		{"anchor fragment for a message", "#Thing", ErrRefNotFound, "JSON pointer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := refDoc(tt.ref)
			files := map[string]string{
				"main/spec.yml":        doc,
				"main/sib.yml":         outside,
				"outside.yml":          outside,
				"main/sub/outside.yml": outside,
			}
			e := loadErr(t, files, "main/spec.yml")
			if !errors.Is(e, tt.want) {
				t.Fatalf("error %v; want %v", e, tt.want)
			}
			if !strings.Contains(e.Reason, tt.message) {
				t.Errorf("reason %q; want it to mention %q", e.Reason, tt.message)
			}
			if wantLine := lineOf(t, doc, "$ref: '"+tt.ref); e.Line != wantLine || e.Col == 0 {
				t.Errorf("position %d:%d; want line %d", e.Line, e.Col, wantLine)
			}
			if !strings.HasPrefix(e.Error(), "asyncapi: ") || !strings.Contains(e.Error(), filepath.Join("main", "spec.yml")+":") {
				t.Errorf("Error() = %q; want asyncapi: FILE:LINE:COL: …", e.Error())
			}
		})
	}
}

func TestBrokenRefInSchema(t *testing.T) {
	doc := `asyncapi: 2.6.0
info: {title: T, version: '1'}
channels:
  a:
    publish:
      message:
        payload:
          type: object
          properties:
            who:
              $ref: '#/components/schemas/Person'
components:
  schemas:
    People: {type: object}
`
	e := loadErr(t, map[string]string{"spec.yml": doc}, "spec.yml")
	if !errors.Is(e, ErrRefNotFound) || e.Line != lineOf(t, doc, "$ref") {
		t.Fatalf("got %v (line %d); want broken $ref at line %d", e, e.Line, lineOf(t, doc, "$ref"))
	}
}

func TestSiblingRefs(t *testing.T) {
	main := `asyncapi: 2.6.0
info: {title: Main, version: '1'}
channels:
  orders/created:
    publish:
      message:
        $ref: 'messages.yml#/components/messages/OrderCreated'
`
	messages := `components:
  messages:
    OrderCreated:
      title: order.created
      payload:
        $ref: './schemas.json#/Order'
`
	schemas := `{"Order": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "total": {"type": "number", "minimum": 0}}}}`
	dir := writeFiles(t, map[string]string{"spec.yml": main, "messages.yml": messages, "schemas.json": schemas})
	r, _, err := Load([]string{filepath.Join(dir, "spec.yml")}, false)
	if err != nil {
		t.Fatal(err)
	}
	got := r.Check(Delivery{Path: "/orders/created", Payload: mustJSON(t, `{"total":-1}`), PayloadKind: "json"})
	if got.Message != "OrderCreated" || !hasError(got.Errors, "/id", "required") || !hasError(got.Errors, "/total", "minimum") {
		t.Fatalf("got %+v", got)
	}
	m, _ := r.Message("order.created")
	if sch, ok := m.PayloadSchema().(map[string]any); !ok || sch["type"] != "object" {
		t.Errorf("PayloadSchema across files = %v", m.PayloadSchema())
	}

	// A broken $ref inside a sibling is reported in the sibling.
	dir = writeFiles(t, map[string]string{"spec.yml": main, "messages.yml": strings.Replace(messages, "#/Order", "#/Nope", 1), "schemas.json": schemas})
	_, _, err = Load([]string{filepath.Join(dir, "spec.yml")}, false)
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrRefNotFound) || !strings.HasSuffix(e.File, "messages.yml") || e.Line != 6 {
		t.Fatalf("got %v; want broken $ref at messages.yml:6", err)
	}
}

func TestMalformedDocuments(t *testing.T) {
	tests := []struct {
		name string
		file string
		doc  string
		want error
		line int
	}{
		{"unclosed flow sequence", "spec.yml", "asyncapi: 2.6.0\nchannels:\n  a:\n    publish: [\n", ErrSyntax, 0},
		{"bad indentation", "spec.yml", "asyncapi: 2.6.0\ninfo:\n  title: x\n version: 1\n", ErrSyntax, 4},
		{"duplicate key", "spec.yml", "asyncapi: 2.6.0\nchannels: {}\nchannels: {}\n", ErrSyntax, 3},
		{"tab indentation", "spec.yml", "asyncapi: 2.6.0\nchannels:\n\ta: {}\n", ErrSyntax, 3},
		{"JSON syntax", "spec.json", "{\n  \"asyncapi\": \"2.6.0\",\n  \"channels\": {,}\n}\n", ErrSyntax, 3},
		{"JSON duplicate key", "spec.json", "{\n  \"asyncapi\": \"2.6.0\",\n  \"asyncapi\": \"2.6.0\"\n}\n", ErrSyntax, 3},
		{"empty file", "spec.yml", "", ErrSyntax, 0},
		{"two documents", "spec.yml", "asyncapi: 2.6.0\n---\nasyncapi: 2.6.0\n", ErrSyntax, 3},
		{"alias cycle", "spec.yml", "asyncapi: 2.6.0\nx: &a [*a]\n", ErrSyntax, 0},
		{"not a mapping", "spec.yml", "- a\n- b\n", ErrNotAsyncAPI, 1},
		{"no version", "spec.yml", "info: {title: x}\n", ErrNotAsyncAPI, 1},
		{"version 3", "spec.yml", "asyncapi: 3.0.0\n", ErrNotAsyncAPI, 1},
		{"unquoted version number", "spec.yml", "info: {}\nasyncapi: 2.6\n", ErrNotAsyncAPI, 2},
		{"OpenAPI", "spec.yml", "openapi: 3.1.0\n", ErrNotAsyncAPI, 1},
		{"channels not a mapping", "spec.yml", "asyncapi: 2.6.0\nchannels: [a]\n", ErrNotAsyncAPI, 2},
		{"invalid schema", "spec.yml", "asyncapi: 2.6.0\nchannels:\n  a:\n    publish:\n      message:\n        payload:\n          type: object\n          properties:\n            n:\n              type: 5\n", ErrSchema, 10},
		{"type typo", "spec.yml", "asyncapi: 2.6.0\nchannels:\n  a:\n    publish:\n      message:\n        payload:\n          type: strin\n", ErrSchema, 7},
		{"invalid regex", "spec.yml", "asyncapi: 2.6.0\nchannels:\n  a:\n    publish:\n      message:\n        payload:\n          pattern: '(?<=x)y'\n", ErrSchema, 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := loadErr(t, map[string]string{tt.file: tt.doc}, tt.file)
			if tt.name == "type typo" && !strings.Contains(e.Error(), "'string'") {
				// The answer the user needs is in the list, not cut off.
				t.Errorf("error %v does not list 'string'", e)
			}
			if !errors.Is(e, tt.want) {
				t.Fatalf("error %v; want %v", e, tt.want)
			}
			if tt.line > 0 && e.Line != tt.line {
				t.Errorf("error %v at line %d; want line %d", e, e.Line, tt.line)
			}
			if tt.line == 0 && tt.want == ErrSyntax && tt.doc != "" && e.Line == 0 {
				t.Errorf("error %v has no line", e)
			}
		})
	}
}

func TestAliasBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("asyncapi: 2.6.0\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [")
		for j := 0; j < 10; j++ {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*a" + string(rune('0'+i-1)))
		}
		b.WriteString("]\n")
	}
	_, _, err := loadBytes("bomb.yml", []byte(b.String()))
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v; want ErrTooLarge", err)
	}
}

// TestReferenceLatticeIsBounded: forty schemas, each naming the next twice,
// would expand to 2^40 values; the self-contained copy stops at its bound
// and send's synthesiser answers instead of hanging.
func TestReferenceLatticeIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("asyncapi: 2.6.0\ninfo: {title: L, version: '1'}\nchannels:\n  a:\n    publish:\n      message:\n        name: M\n        payload: {$ref: '#/components/schemas/s0'}\ncomponents:\n  schemas:\n")
	const n = 40
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    s%d: {type: object, properties: {a: {$ref: '#/components/schemas/s%d'}, b: {$ref: '#/components/schemas/s%d'}}}\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "    s%d: {type: string}\n", n)
	r, _ := mustLoadString(t, b.String())
	m, _ := r.Message("M")
	if got := countValues(m.PayloadSchema()); got > maxDerefValues {
		t.Fatalf("PayloadSchema holds %d values; the bound is %d", got, maxDerefValues)
	}
	Synthesize(m) // must return; whether it finds a payload does not matter
}

// TestSchemaReachedTwice: facts read each schema once, so a pin reached
// through two allOf branches is still one pin (and names the event), and
// an allOf lattice forty deep loads at once instead of in 2^24 visits.
func TestSchemaReachedTwice(t *testing.T) {
	r, _ := mustLoadString(t, `asyncapi: 2.6.0
info: {title: Diamond, version: '1'}
channels:
  things:
    publish:
      message:
        name: Done
        payload: {allOf: [{$ref: '#/components/schemas/A'}, {$ref: '#/components/schemas/B'}]}
components:
  schemas:
    A: {allOf: [{$ref: '#/components/schemas/E'}]}
    B: {allOf: [{$ref: '#/components/schemas/E'}]}
    E: {type: object, properties: {type: {const: thing.done}}}
`)
	if m, ok := r.Message("Done"); !ok || m.EventType() != "thing.done" {
		t.Fatalf("event type of Done = %q; want the pinned thing.done", m.EventType())
	}
	var b strings.Builder
	b.WriteString("asyncapi: 2.6.0\ninfo: {title: L, version: '1'}\nchannels:\n  a:\n    publish:\n      message:\n        name: M\n        payload: {$ref: '#/components/schemas/s0'}\ncomponents:\n  schemas:\n")
	const n = 40
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    s%d: {allOf: [{$ref: '#/components/schemas/s%d'}, {$ref: '#/components/schemas/s%d'}]}\n", i, i+1, i+1)
	}
	fmt.Fprintf(&b, "    s%d: {type: object}\n", n)
	mustLoadString(t, b.String())
}

func countValues(v any) int {
	n := 1
	switch v := v.(type) {
	case map[string]any:
		for _, c := range v {
			n += countValues(c)
		}
	case []any:
		for _, c := range v {
			n += countValues(c)
		}
	}
	return n
}

// TestAsyncAPIKeywordsAndYAML12: AsyncAPI-only keywords do not break
// loading, and YAML 1.2 scalars keep their JSON meaning (yes/no and
// timestamps stay strings).
func TestAsyncAPIKeywordsAndYAML12(t *testing.T) {
	doc := `asyncapi: 2.6.0
id: 'urn:example:pets'
info:
  title: Pets
  version: 1.0.0
  x-audience: internal
externalDocs: {url: 'https://example.com/docs'}
tags: [{name: pets, externalDocs: {url: 'https://example.com/tags'}}]
channels:
  pets/adopted:
    bindings: {http: {type: request, method: POST, bindingVersion: 0.3.0}}
    publish:
      operationId: adopted
      traits:
        - bindings: {http: {type: request}}
      bindings: {http: {type: request, method: POST}}
      message:
        $ref: '#/components/messages/Adopted'
components:
  messageTraits:
    Common:
      headers:
        type: object
        properties:
          X-Pet-Store: {type: string, enum: [yes, no]}
  messages:
    Adopted:
      name: Adopted
      title: pet.adopted
      traits:
        - $ref: '#/components/messageTraits/Common'
      correlationId: {location: '$message.header#/X-Id'}
      bindings: {http: {headers: {type: object}}}
      examples:
        - name: rex
          summary: Rex is adopted
          payload: {petType: dog, on: 2021-01-01, vaccinated: yes}
      payload:
        $ref: '#/components/schemas/Pet'
  schemas:
    Pet:
      type: object
      discriminator: petType
      deprecated: false
      externalDocs: {url: 'https://example.com/pet'}
      required: [petType, on]
      properties:
        petType: {type: string, example: cat}
        'on': {type: string, const: 2021-01-01, readOnly: true}
        vaccinated: {type: string, enum: [yes, no]}
      examples:
        - {petType: cat, 'on': 2021-01-01}
`
	r, warns := mustLoadString(t, doc)
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	m, ok := r.Message("pet.adopted")
	if !ok {
		t.Fatal("pet.adopted not found")
	}
	ex := m.Examples()
	if len(ex) != 2 {
		t.Fatalf("Examples = %v; want the message example and the schema example", ex)
	}
	first := ex[0].(map[string]any)
	if first["on"] != "2021-01-01" || first["vaccinated"] != "yes" {
		t.Errorf("example = %#v; want timestamps and yes/no as strings", first)
	}
	for i, e := range ex {
		if errs := m.Validate(e, nil); len(errs) != 0 {
			t.Errorf("example %d does not validate: %v", i, errs)
		}
	}
	// Trait headers apply to the message.
	got := r.Check(Delivery{Path: "/pets/adopted", Header: store.Header{{Name: "x-pet-store", Value: "maybe"}}, Payload: ex[0], PayloadKind: "json"})
	if got.Status != store.SchemaInvalid || !hasError(got.Errors, "/headers/X-Pet-Store", "enum") {
		t.Errorf("got %+v; want the trait's headers schema applied", got)
	}
}

func TestWarnings(t *testing.T) {
	_, warns, err := Load(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, w := range warns {
		if strings.Contains(w.Message, "tokenUrl") && strings.Contains(w.Message, "{region}") {
			found = true
			if w.File != "embedded:talkdesk-webhooks-asyncapi.yml" || w.Line != 392 {
				t.Errorf("tokenUrl warning at %s:%d", w.File, w.Line)
			}
		}
	}
	if !found || len(warns) != 1 {
		t.Fatalf("warnings = %v; want only the tokenUrl one", warns)
	}

	// spec check on a file: same warning, no error.
	dir := writeFiles(t, map[string]string{"td.yml": string(readSeed(t, "talkdesk-webhooks-asyncapi.yml"))})
	warns, err = Check(filepath.Join(dir, "td.yml"))
	if err != nil || len(warns) != 1 || warns[0].Line != 392 || !strings.HasSuffix(warns[0].String(), "payload validation is unaffected") {
		t.Fatalf("Check = %v, %v", warns, err)
	}

	// Structural warnings.
	doc := `asyncapi: 2.6.0
info: {title: W, version: '1', termsOfService: 'not a uri'}
channels:
  empty: {}
  nomsg:
    publish: {summary: nothing}
  avro:
    publish:
      message:
        schemaFormat: 'application/vnd.apache.avro;version=1.9.0'
        payload: {type: record, fields: []}
`
	_, warns = mustLoadString(t, doc)
	for _, want := range []string{"termsOfService", `channel "empty" has no messages`, "publish has no message", "schemaFormat"} {
		ok := false
		for _, w := range warns {
			ok = ok || strings.Contains(w.Message, want)
		}
		if !ok {
			t.Errorf("no warning mentioning %q in %v", want, warns)
		}
	}
}

func readSeed(t *testing.T, name string) []byte {
	t.Helper()
	b, err := seedFS.ReadFile("specs/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestUserSpecsComeFirst(t *testing.T) {
	doc := `asyncapi: 2.6.0
info: {title: Mine, version: '1'}
channels:
  partner-events/app.installed:
    publish:
      message:
        name: MyInstalled
        title: app.installed
        payload: {type: object, required: [tenant]}
`
	dir := writeFiles(t, map[string]string{"mine.yml": doc})
	r, warns, err := Load([]string{filepath.Join(dir, "mine.yml"), filepath.Join(dir, "mine.yml")}, true)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := r.Message("app.installed")
	if m.Name() != "MyInstalled" {
		t.Errorf("Message(app.installed) = %s; want the user's", m.Name())
	}
	got := r.Check(Delivery{Provider: "talkdesk-events", Path: "/partner-events/app.installed", Payload: map[string]any{}, PayloadKind: "json"})
	if got.Message != "MyInstalled" {
		t.Errorf("path match = %s; want the user's channel", got.Message)
	}
	var dupChannel, twice bool
	for _, w := range warns {
		dupChannel = dupChannel || strings.Contains(w.Message, "also declared")
		twice = twice || strings.Contains(w.Message, "named twice")
	}
	if !dupChannel || !twice {
		t.Errorf("warnings = %v", warns)
	}
	if _, _, err := Load([]string{filepath.Join(dir, "missing.yml")}, true); err == nil || !strings.Contains(err.Error(), "missing.yml") {
		t.Errorf("missing file: %v", err)
	}
}

func TestJSONDocument(t *testing.T) {
	doc := `{
  "asyncapi": "2.6.0",
  "info": {"title": "J", "version": "1"},
  "channels": {
    "j/big": {"publish": {"message": {"name": "Big", "payload": {"type": "object", "properties": {"n": {"const": 12345678901234567890}}}}}}
  }
}`
	dir := writeFiles(t, map[string]string{"spec.json": doc})
	r, _, err := Load([]string{filepath.Join(dir, "spec.json")}, false)
	if err != nil {
		t.Fatal(err)
	}
	// Numbers stay exact: a const beyond float64 precision still matches.
	for payload, want := range map[string]string{`{"n":12345678901234567890}`: store.SchemaValid, `{"n":12345678901234567891}`: store.SchemaInvalid} {
		if got := r.Check(Delivery{Path: "/j/big", Payload: mustJSON(t, payload), PayloadKind: "json"}); got.Status != want {
			t.Errorf("%s: %+v; want %s", payload, got, want)
		}
	}
}

// TestSchemaIDCannotFetch: a schema's $id moves its base URI, so a relative
// $ref that looks like a sibling resolves to a URL; the compiler's loader
// must refuse it rather than fetch it.
func TestSchemaIDCannotFetch(t *testing.T) {
	doc := "asyncapi: 2.6.0\nchannels:\n  a:\n    publish:\n      message:\n        payload:\n          $id: 'https://example.com/s.json'\n          properties:\n            x: {$ref: 'other.json'}\n"
	e := loadErr(t, map[string]string{"spec.yml": doc, "other.json": "{}"}, "spec.yml")
	if !errors.Is(e, ErrSchema) || !strings.Contains(e.Reason, "https://example.com/other.json") {
		t.Fatalf("got %v; want the compiler to refuse https://example.com/other.json", e)
	}
}

func TestEmptyMappingKey(t *testing.T) {
	_, _, err := loadBytes("k.yml", []byte("asyncapi: 2.6.0\n? \n: x\n"))
	var e *Error
	if err != nil && !errors.As(err, &e) {
		t.Fatalf("error %T %v is not an *Error", err, err)
	}
}
