package asyncapi

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hookscope/hookscope/store/jsonpointer"
)

// seedFS holds the seed documents, so that the binary never reads anything
// outside the repository at run time: the providers' Talkdesk and Dialpad
// documents as published, and talkifai-asyncapi.yml, which hookscope wrote
// from TalkifAI's webhook page because TalkifAI publishes none.
//
//go:embed specs/*.yml
var seedFS embed.FS

// seedDir is the directory of seedFS holding the seed documents.
const seedDir = "specs"

// embeddedURL is the URL root under which seed documents are known to the
// schema compiler; it is not a scheme anything can load from.
const embeddedURL = "hookscope-embedded:///"

// Registry is a loaded set of AsyncAPI documents: their channels and
// messages with schemas compiled, ready to match and validate deliveries.
// It is immutable and safe for concurrent use.
type Registry struct {
	set      *docSet
	channels []*channel
	messages []*Message
	idx      index
}

// channel is one channel of a document with the messages its operations
// carry.
type channel struct {
	name     string
	address  string   // name without surrounding slashes
	segs     []string // address split on "/", for suffix matching
	provider string
	doc      *document
	messages []*Message
}

// Default loads the embedded seed documents (Talkdesk webhook surface,
// Dialpad webhook events, TalkifAI webhook events). Their warnings are dropped; Load(nil, true)
// returns them.
func Default() (*Registry, error) {
	r, _, err := Load(nil, true)
	return r, err
}

// Load reads the given files (--spec FILE, repeatable) and, when
// withDefaults is true (no --no-default-specs), the embedded seed documents.
// The user's documents come first, so their channels and names win over the
// seed documents' in matching and lookups. Each file may refer to sibling
// files in its directory; nothing else is read. Any refusal is an *Error
// naming file, line and reason; problems that do not stop validation are
// returned as warnings.
func Load(files []string, withDefaults bool) (*Registry, []Warning, error) {
	set := newDocSet()
	var roots []*document
	seen := map[string]bool{}
	var warns []Warning
	for _, f := range files {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, nil, &Error{File: f, Reason: err.Error(), Err: err}
		}
		u := fileURL(abs)
		if seen[u] {
			warns = append(warns, Warning{File: f, Message: "named twice; loaded once"})
			continue
		}
		seen[u] = true
		data, err := readSpecFile(f)
		if err != nil {
			return nil, nil, err
		}
		d, err := set.add(f, u, data, osSiblingReader(filepath.Dir(abs)))
		if err != nil {
			return nil, nil, err
		}
		roots = append(roots, d)
	}
	if withDefaults {
		entries, err := fs.ReadDir(seedFS, seedDir)
		if err != nil {
			return nil, nil, fmt.Errorf("asyncapi: embedded specs: %w", err)
		}
		for _, e := range entries {
			data, err := fs.ReadFile(seedFS, path.Join(seedDir, e.Name()))
			if err != nil {
				return nil, nil, fmt.Errorf("asyncapi: embedded %s: %w", e.Name(), err)
			}
			d, err := set.add("embedded:"+e.Name(), embeddedURL+e.Name(), data, fsSiblingReader(seedFS, seedDir))
			if err != nil {
				return nil, nil, err
			}
			roots = append(roots, d)
		}
	}
	r, w, err := build(set, roots)
	if err != nil {
		return nil, nil, err
	}
	return r, append(warns, w...), nil
}

// Check loads and compiles one document (`hookscope spec check FILE`),
// without the seed documents, and reports its warnings; a refusal is an
// *Error naming file, line and reason.
func Check(file string) ([]Warning, error) {
	_, warns, err := Load([]string{file}, false)
	return warns, err
}

// loadBytes loads one document from memory; siblings cannot be read. It is
// what the fuzz test drives.
func loadBytes(name string, data []byte) (*Registry, []Warning, error) {
	set := newDocSet()
	d, err := set.add(name, embeddedURL+"mem/"+memName(name), data, nil)
	if err != nil {
		return nil, nil, err
	}
	return build(set, []*document{d})
}

// memName makes a display name safe to use as the last segment of a URL.
func memName(name string) string {
	return strings.NewReplacer("/", "_", "#", "_", "?", "_", "%", "_").Replace(name)
}

func readSpecFile(name string) ([]byte, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return nil, &Error{File: name, Reason: describeOSError(err), Err: err}
	}
	if !fi.Mode().IsRegular() {
		return nil, &Error{File: name, Reason: "not a regular file", Err: ErrNotAsyncAPI}
	}
	if fi.Size() > maxFileSize {
		return nil, &Error{File: name, Reason: fmt.Sprintf("file is %d bytes; the limit is %d", fi.Size(), maxFileSize), Err: ErrTooLarge}
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, &Error{File: name, Reason: describeOSError(err), Err: err}
	}
	return data, nil
}

func describeOSError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// builder turns decoded documents into a Registry.
type builder struct {
	set      *docSet
	compiler *jsonschema.Compiler
	cycles   *cycleFinder
	byLoc    map[string]*Message
	reg      *Registry
	warns    []Warning
}

func build(set *docSet, roots []*document) (*Registry, []Warning, error) {
	for _, d := range roots {
		if err := checkHeader(d); err != nil {
			return nil, nil, err
		}
	}
	if err := set.checkRefs(); err != nil {
		return nil, nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft7) // AsyncAPI 2.x Schema Objects are draft-07
	c.AssertFormat()
	c.UseLoader(refuseLoader{})
	for _, d := range set.order {
		if err := c.AddResource(d.url, d.root); err != nil {
			return nil, nil, &Error{File: d.name, Reason: err.Error(), Err: ErrSchema}
		}
	}
	b := &builder{set: set, compiler: c, cycles: newCycleFinder(), byLoc: map[string]*Message{}, reg: &Registry{set: set}}
	for _, d := range roots {
		if err := b.document(d); err != nil {
			return nil, nil, err
		}
		b.warns = append(b.warns, lintDocument(d)...)
	}
	b.warns = append(b.warns, b.lintRegistry()...)
	set.frozen = true
	b.reg.buildIndex()
	return b.reg, b.warns, nil
}

// refuseLoader is the schema compiler's loader: every document it may use
// was added beforehand, so any other URL ($schema or $id tricks included) is
// refused rather than fetched or read.
type refuseLoader struct{}

func (refuseLoader) Load(u string) (any, error) {
	return nil, fmt.Errorf("%s: %w: only the document and its sibling files may be used", u, ErrRefRefused)
}

// checkHeader refuses anything that is not an AsyncAPI 2.x document.
func checkHeader(d *document) error {
	root := location{d, ""}
	obj, ok := d.root.(map[string]any)
	if !ok {
		return root.errorf(ErrNotAsyncAPI, "the document is not a mapping")
	}
	v, ok := obj["asyncapi"]
	if !ok {
		return root.errorf(ErrNotAsyncAPI, "no `asyncapi` version field; is this an AsyncAPI document?")
	}
	ver, ok := v.(string)
	if !ok {
		return root.child("asyncapi").errorf(ErrNotAsyncAPI, "`asyncapi` must be a version string such as '2.6.0' (quote it)")
	}
	if !strings.HasPrefix(ver, "2.") {
		return root.child("asyncapi").errorf(ErrNotAsyncAPI, "AsyncAPI %s is not supported: hookscope reads AsyncAPI 2.x documents", ver)
	}
	if ch, ok := obj["channels"]; ok {
		if _, ok := ch.(map[string]any); !ok {
			return root.child("channels").errorf(ErrNotAsyncAPI, "`channels` must be a mapping of channel name to channel item")
		}
	}
	return nil
}

// orderedKeys returns a mapping's keys in the order they are written in the
// file (the decoder records positions; maps do not keep order).
func orderedKeys(loc location, m map[string]any) []string {
	keys := slices.Sorted(maps.Keys(m))
	sort.SliceStable(keys, func(i, j int) bool {
		pi, pj := loc.child(keys[i]).pos(), loc.child(keys[j]).pos()
		if pi.line != pj.line {
			return pi.line < pj.line
		}
		return pi.col < pj.col
	})
	return keys
}

func (b *builder) document(d *document) error {
	root := location{d, ""}
	obj := d.root.(map[string]any)
	chans, _ := obj["channels"].(map[string]any)
	chLoc := root.child("channels")
	for _, name := range orderedKeys(chLoc, chans) {
		if err := b.channel(d, chLoc.child(name), name); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) channel(d *document, loc location, name string) error {
	item, err := b.set.follow(loc)
	if err != nil {
		return err
	}
	v, _ := item.value()
	obj, ok := v.(map[string]any)
	if !ok {
		if v == nil {
			b.warns = append(b.warns, loc.warnf("channel %q is empty", name))
			return nil
		}
		return loc.errorf(ErrNotAsyncAPI, "channel %q must be a mapping", name)
	}
	address := strings.Trim(name, "/")
	ch := &channel{name: name, address: address, segs: strings.Split(address, "/"), doc: d}
	ch.provider = channelProvider(d, obj, address)
	for _, op := range []string{"publish", "subscribe"} {
		opv, ok := obj[op]
		if !ok {
			continue
		}
		opObj, ok := opv.(map[string]any)
		if !ok {
			return item.child(op).errorf(ErrNotAsyncAPI, "%s must be a mapping", op)
		}
		if _, ok := opObj["message"]; !ok {
			b.warns = append(b.warns, item.child(op).warnf("channel %q: %s has no message", name, op))
			continue
		}
		locs, err := b.messageLocations(item.child(op).child("message"), 0)
		if err != nil {
			return err
		}
		for _, ml := range locs {
			m, err := b.message(ml, ch)
			if err != nil {
				return err
			}
			if !containsMessage(ch.messages, m) {
				ch.messages = append(ch.messages, m)
			}
		}
	}
	if len(ch.messages) == 0 {
		b.warns = append(b.warns, loc.warnf("channel %q has no messages; deliveries cannot match it", name))
	}
	b.reg.channels = append(b.reg.channels, ch)
	return nil
}

func containsMessage(ms []*Message, m *Message) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// messageLocations follows an operation's `message` ($ref, or a oneOf list
// of Message Objects and $refs) to the Message Objects themselves. The
// schema compiler cannot do this: a Message Object is not a schema.
func (b *builder) messageLocations(loc location, depth int) ([]location, error) {
	if depth > 2 {
		return nil, loc.errorf(ErrNotAsyncAPI, "oneOf nested too deeply")
	}
	target, err := b.set.follow(loc)
	if err != nil {
		return nil, err
	}
	v, _ := target.value()
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, loc.errorf(ErrNotAsyncAPI, "a message must be a Message Object, a $ref to one, or {oneOf: [...]}")
	}
	list, ok := obj["oneOf"]
	if !ok {
		return []location{target}, nil
	}
	items, ok := list.([]any)
	if !ok {
		return nil, target.child("oneOf").errorf(ErrNotAsyncAPI, "oneOf must be a list of messages")
	}
	var out []location
	for i := range items {
		sub, err := b.messageLocations(target.child("oneOf").child(strconv.Itoa(i)), depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, sub...)
	}
	return out, nil
}

// jsonSchemaFormat reports whether a Message schemaFormat names a JSON
// Schema (the AsyncAPI Schema Object, a draft-07 superset, or draft-07
// itself) that this package can validate; "" is the AsyncAPI default.
func jsonSchemaFormat(f string) bool {
	f = strings.ToLower(strings.ReplaceAll(f, " ", ""))
	return f == "" ||
		strings.HasPrefix(f, "application/vnd.aai.asyncapi;") || strings.HasPrefix(f, "application/vnd.aai.asyncapi+json;") ||
		strings.HasPrefix(f, "application/vnd.aai.asyncapi+yaml;") || f == "application/vnd.aai.asyncapi" ||
		strings.HasPrefix(f, "application/schema+json;version=draft-07") || strings.HasPrefix(f, "application/schema+yaml;version=draft-07")
}

func (b *builder) message(loc location, ch *channel) (*Message, error) {
	key := loc.schemaURL()
	if m, ok := b.byLoc[key]; ok {
		m.channels = append(m.channels, ch.name)
		return m, nil
	}
	v, _ := loc.value()
	obj := v.(map[string]any)
	m := &Message{set: b.set, loc: loc, provider: ch.provider, channels: []string{ch.name}}
	fields, err := b.withTraits(loc, obj)
	if err != nil {
		return nil, err
	}
	str := func(k string) string {
		if f, ok := fields[k]; ok {
			s, _ := f.value()
			str, _ := s.(string)
			return str
		}
		return ""
	}
	m.name = str("name")
	if m.name == "" {
		if rest, ok := strings.CutPrefix(loc.ptr, "/components/messages/"); ok && !strings.Contains(rest, "/") {
			m.name, _ = jsonpointer.Unescape(rest)
		} else {
			m.name = fmt.Sprintf("%s#%d", ch.name, len(ch.messages)+1)
		}
	}
	m.title = str("title")
	m.contentType = str("contentType")
	if m.contentType == "" {
		if root, ok := loc.doc.root.(map[string]any); ok {
			m.contentType, _ = root["defaultContentType"].(string)
		}
	}
	if f := str("schemaFormat"); !jsonSchemaFormat(f) {
		b.warns = append(b.warns, loc.warnf("message %s: schemaFormat %q is not JSON Schema; its payload is not validated", m.name, f))
	} else if pl, ok := fields["payload"]; ok {
		m.payloadLoc = pl
		if m.payload, err = b.compile(pl); err != nil {
			return nil, err
		}
		m.facts = b.set.facts(pl)
	} else {
		b.warns = append(b.warns, loc.warnf("message %s has no payload schema; any payload is valid", m.name))
	}
	if hl, ok := fields["headers"]; ok {
		m.headersLoc = hl
		if m.headers, err = b.compile(hl); err != nil {
			return nil, err
		}
		m.headerInfo = b.set.facts(hl)
	}
	m.eventType = eventType(m, ch)
	b.byLoc[key] = m
	b.reg.messages = append(b.reg.messages, m)
	return m, nil
}

// withTraits returns where each field of the message is defined: on the
// message itself, else on the first of its traits that sets it. (AsyncAPI
// 2.x merges traits into the message; the message's own fields win.)
func (b *builder) withTraits(loc location, obj map[string]any) (map[string]location, error) {
	fields := map[string]location{}
	for k := range obj {
		fields[k] = loc.child(k)
	}
	traits, ok := obj["traits"].([]any)
	if !ok {
		return fields, nil
	}
	for i := range traits {
		tl, err := b.set.follow(loc.child("traits").child(strconv.Itoa(i)))
		if err != nil {
			return nil, err
		}
		tv, _ := tl.value()
		tobj, ok := tv.(map[string]any)
		if !ok {
			continue
		}
		for k := range tobj {
			if _, set := fields[k]; !set {
				fields[k] = tl.child(k)
			}
		}
	}
	return fields, nil
}

// compile compiles the schema at loc; a failure becomes an *Error at the
// line the compiler complains about. A schema the compiler accepts but
// that no value can be checked against (a reference cycle, see
// cycleFinder) is refused the same way, at the $ref that closes the loop.
func (b *builder) compile(loc location) (*jsonschema.Schema, error) {
	sch, err := b.compiler.Compile(loc.schemaURL())
	if err != nil {
		return nil, b.compileError(loc, err)
	}
	if cyc := b.cycles.find(sch); cyc != nil {
		return nil, b.cycleError(loc, cyc)
	}
	return sch, nil
}

func (b *builder) compileError(loc location, err error) error {
	at := loc
	reason := err.Error()
	var (
		sve *jsonschema.SchemaValidationError
		rxe *jsonschema.InvalidRegexError
		pne *jsonschema.JSONPointerNotFoundError
		lue *jsonschema.LoadURLError
		ane *jsonschema.AnchorNotFoundError
	)
	switch {
	case errors.As(err, &sve):
		at = b.locate(sve.URL, loc)
		reason = "not a valid schema"
		var ve *jsonschema.ValidationError
		if errors.As(sve.Err, &ve) {
			if leaves, _ := schemaErrors(ve, ""); len(leaves) > 0 {
				at = location{at.doc, at.ptr + leaves[0].Path}
				reason = "not a valid draft-07 schema: " + leaves[0].Message
			}
		}
	case errors.As(err, &rxe):
		at = b.locate(rxe.URL, loc)
		reason = fmt.Sprintf("pattern %q is not a regular expression Go can run: %v", rxe.Regex, rxe.Err)
	case errors.As(err, &pne):
		at = b.locate(pne.URL, loc)
		reason = fmt.Sprintf("reference %s not found", pne.URL)
	case errors.As(err, &lue):
		reason = fmt.Sprintf("reference to %s refused: only the document and its sibling files may be used", lue.URL)
	case errors.As(err, &ane):
		reason = fmt.Sprintf("anchor %s not found", ane.Reference)
	}
	return at.errorf(ErrSchema, "%s", reason)
}

// locate maps a schema URL from the compiler back to a document location.
func (b *builder) locate(u string, fallback location) location {
	base, frag, _ := strings.Cut(u, "#")
	d, ok := b.set.byURL[base]
	if !ok {
		return fallback
	}
	ptr, err := url.PathUnescape(frag)
	if err != nil {
		return location{d, ""}
	}
	return location{d, ptr}
}
