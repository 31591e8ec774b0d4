package asyncapi

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/hookscope/hookscope/store/jsonpointer"
)

// maxDocuments bounds how many files one load may read through sibling
// $refs, so a chain of files cannot make loading unbounded.
const maxDocuments = 64

// maxRefHops bounds how many $ref objects in a row are followed when
// resolving a message or channel ($ref to a $ref to …), which also stops
// reference cycles.
const maxRefHops = 32

// document is one decoded file: a document the user named, an embedded seed
// document, or a sibling file one of those refers to.
type document struct {
	name string // as shown in errors: the path given, or "embedded:NAME"
	url  string // absolute URL; the jsonschema resource id
	*tree
	// readSibling reads a file in the same directory by base name; nil when
	// the document may not refer to other files.
	readSibling func(base string) ([]byte, error)
}

// location is a JSON value inside a document.
type location struct {
	doc *document
	ptr string
}

func (l location) value() (any, bool) { return lookupPointer(l.doc.root, l.ptr) }

func (l location) pos() pos { return l.doc.at(l.ptr) }

// schemaURL is the location in the form the schema compiler takes.
func (l location) schemaURL() string { return l.doc.url + "#" + escapeFragment(l.ptr) }

func (l location) child(tok string) location {
	return location{l.doc, l.ptr + "/" + jsonpointer.Escape(tok)}
}

func (l location) errorf(sentinel error, format string, args ...any) *Error {
	p := l.pos()
	return &Error{File: l.doc.name, Line: p.line, Col: p.col, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}

func (l location) warnf(format string, args ...any) Warning {
	p := l.pos()
	return Warning{File: l.doc.name, Line: p.line, Col: p.col, Message: fmt.Sprintf(format, args...)}
}

// docSet holds every document of one load, keyed by URL, so that a sibling
// referred to from two places is read once.
type docSet struct {
	byURL map[string]*document
	order []*document
	// frozen is set once loading is done: from then on the set is only
	// read (a Registry is used from many goroutines), so a $ref that would
	// need a new file fails instead of reading it.
	frozen bool
}

func newDocSet() *docSet { return &docSet{byURL: map[string]*document{}} }

func (s *docSet) add(name, u string, data []byte, readSibling func(string) ([]byte, error)) (*document, error) {
	if len(s.order) >= maxDocuments {
		return nil, &Error{File: name, Reason: fmt.Sprintf("more than %d files referenced", maxDocuments), Err: ErrTooLarge}
	}
	t, err := decodeDocument(name, data)
	if err != nil {
		return nil, err
	}
	d := &document{name: name, url: u, tree: t, readSibling: readSibling}
	s.byURL[u] = d
	s.order = append(s.order, d)
	return d, nil
}

// fileURL is the URL under which a file on disk is known to the compiler.
func fileURL(abs string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String()
}

// osSiblingReader reads siblings of a file on disk. Only regular files are
// read, and only up to maxFileSize, so a sibling name cannot be a device or
// a FIFO that blocks loading.
func osSiblingReader(dir string) func(string) ([]byte, error) {
	return func(base string) ([]byte, error) {
		p := filepath.Join(dir, base)
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a regular file", p)
		}
		if fi.Size() > maxFileSize {
			return nil, fmt.Errorf("%s is %d bytes; the limit is %d", p, fi.Size(), maxFileSize)
		}
		return os.ReadFile(p)
	}
}

// fsSiblingReader reads siblings from an fs.FS directory (the embedded
// seed documents).
func fsSiblingReader(fsys fs.FS, dir string) func(string) ([]byte, error) {
	return func(base string) ([]byte, error) { return fs.ReadFile(fsys, path.Join(dir, base)) }
}

// resolveRef resolves the $ref string ref written at from to the location it
// names, reading a sibling file when the ref names one. Only two kinds of
// reference are honoured: a fragment inside the same document ("#/a/b") and
// a file in the same directory ("common.yml#/a/b", "./common.yml"). URLs,
// absolute paths and other directories are refused before anything is read.
func (s *docSet) resolveRef(from location, ref string) (location, error) {
	filePart, frag, _ := strings.Cut(ref, "#")
	target := from.doc
	if filePart != "" {
		var err error
		target, err = s.sibling(from, filePart)
		if err != nil {
			return location{}, err
		}
	}
	ptr, err := url.PathUnescape(frag)
	if err != nil {
		return location{}, from.errorf(ErrRefNotFound, "$ref %q: malformed fragment: %v", ref, err)
	}
	if ptr != "" && !strings.HasPrefix(ptr, "/") {
		return location{}, from.errorf(ErrRefNotFound, "$ref %q: only JSON pointer fragments (#/...) are supported here", ref)
	}
	loc := location{target, ptr}
	if _, ok := loc.value(); !ok {
		return location{}, from.errorf(ErrRefNotFound, "$ref %q: %s has nothing at #%s", ref, target.name, ptr)
	}
	return loc, nil
}

// sibling returns the document a $ref's file part names, reading it on first
// use, after checking that it is a plain file name in the same directory.
func (s *docSet) sibling(from location, filePart string) (*document, error) {
	refused := func(why string) error {
		return from.errorf(ErrRefRefused, "$ref to %q refused: %s; a spec may refer only to files in its own directory", filePart, why)
	}
	ref, err := url.Parse(filePart)
	if err != nil {
		return nil, refused("it is not a valid reference")
	}
	if ref.Scheme != "" || ref.Host != "" || ref.Opaque != "" || strings.HasPrefix(filePart, "//") {
		return nil, refused("it is a URL")
	}
	name := ref.Path
	for strings.HasPrefix(name, "./") {
		name = name[2:]
	}
	switch {
	case strings.HasPrefix(ref.Path, "/"):
		return nil, refused("it is an absolute path")
	case name == "" || name == "." || name == "..":
		return nil, refused("it does not name a file")
	case strings.ContainsAny(name, `/\`) || strings.ContainsRune(name, 0):
		return nil, refused("it is not in the same directory")
	}
	if from.doc.readSibling == nil {
		return nil, refused("this document may not read other files")
	}
	base, err := url.Parse(from.doc.url)
	if err != nil {
		return nil, refused("the document has no location")
	}
	u := base.ResolveReference(&url.URL{Path: name}).String()
	if d, ok := s.byURL[u]; ok {
		return d, nil
	}
	if s.frozen {
		return nil, refused("it was not loaded with the document")
	}
	data, err := from.doc.readSibling(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, from.errorf(ErrRefNotFound, "$ref %q: file %s does not exist next to %s", filePart, name, from.doc.name)
		}
		return nil, from.errorf(ErrRefNotFound, "$ref %q: %v", filePart, err)
	}
	siblingName := name
	if dir := dirOf(from.doc.name); dir != "" {
		siblingName = dir + name
	}
	return s.add(siblingName, u, data, from.doc.readSibling)
}

// dirOf returns the directory part of a display name, with its separator.
func dirOf(name string) string {
	if i := strings.LastIndexAny(name, `/\:`); i >= 0 {
		return name[:i+1]
	}
	return ""
}

// follow resolves a chain of {$ref: …} objects starting at loc and returns
// the first location that is not a $ref object.
func (s *docSet) follow(loc location) (location, error) {
	for hops := 0; ; hops++ {
		v, _ := loc.value()
		obj, ok := v.(map[string]any)
		if !ok {
			return loc, nil
		}
		ref, ok := obj["$ref"].(string)
		if !ok {
			return loc, nil
		}
		if hops >= maxRefHops {
			return location{}, loc.errorf(ErrRefNotFound, "$ref chain longer than %d (a cycle?)", maxRefHops)
		}
		next, err := s.resolveRef(loc.child("$ref"), ref)
		if err != nil {
			return location{}, err
		}
		loc = next
	}
}

// dataKeys hold instance data rather than schema or document structure, so a
// "$ref" key inside them is data and not a reference.
var dataKeys = map[string]bool{"const": true, "enum": true, "default": true, "example": true, "examples": true}

// checkRefs resolves every $ref in every document of the set (reading
// siblings as they are named, which grows the set while it is walked), so a
// broken or refused reference is reported at its own line before any
// schema is compiled.
func (s *docSet) checkRefs() error {
	for i := 0; i < len(s.order); i++ {
		d := s.order[i]
		if err := s.walkRefs(location{d, ""}, d.root, "", 0); err != nil {
			return err
		}
	}
	return nil
}

func (s *docSet) walkRefs(loc location, v any, parentKey string, depth int) error {
	if depth > maxDepth {
		return nil
	}
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			// "#name" is a draft-07 $id anchor inside a schema: the schema
			// compiler resolves those itself.
			if !strings.HasPrefix(ref, "#") || strings.HasPrefix(ref, "#/") || ref == "#" {
				if _, err := s.resolveRef(loc.child("$ref"), ref); err != nil {
					return err
				}
			}
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			// Inside properties a key such as "examples" is a property name,
			// not the keyword, so only skip data keywords elsewhere.
			if parentKey != "properties" && parentKey != "patternProperties" && (dataKeys[k] || strings.HasPrefix(k, "x-")) {
				continue
			}
			if err := s.walkRefs(loc.child(k), v[k], k, depth+1); err != nil {
				return err
			}
		}
	case []any:
		for i, item := range v {
			if err := s.walkRefs(loc.child(strconv.Itoa(i)), item, "", depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// lookupPointer returns the value at a JSON pointer.
func lookupPointer(v any, ptr string) (any, bool) {
	if ptr == "" {
		return v, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, raw := range strings.Split(ptr[1:], "/") {
		tok, ok := jsonpointer.Unescape(raw)
		if !ok {
			return nil, false
		}
		switch c := v.(type) {
		case map[string]any:
			v, ok = c[tok]
			if !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) || strconv.Itoa(i) != tok {
				return nil, false
			}
			v = c[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// escapeFragment percent-encodes a JSON pointer for use as a URL fragment,
// the inverse of the decoding the schema compiler applies.
func escapeFragment(ptr string) string {
	const keep = "-._~!$&'()*+,;=:@/"
	var b strings.Builder
	for i := 0; i < len(ptr); i++ {
		c := ptr[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(keep, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
