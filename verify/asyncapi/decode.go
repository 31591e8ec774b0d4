package asyncapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/hookscope/hookscope/store/jsonpointer"
)

// Limits on what one file may cost. A spec is a few hundred kilobytes at
// most; the node limit stops a "billion laughs" alias bomb, which is small on
// disk but expands exponentially once aliases are copied into the tree.
const (
	maxFileSize = 8 << 20
	maxNodes    = 500_000
	maxDepth    = 256
)

// pos is a 1-based line and column in a source file.
type pos struct{ line, col int }

// tree is a decoded document: generic JSON values (map[string]any, []any,
// string, json.Number, bool, nil — the representation jsonschema expects)
// and, for every JSON pointer into it, where that value is written, so that
// later errors (a broken $ref, a schema that does not compile) can name a
// line.
type tree struct {
	root any
	pos  map[string]pos
}

// at returns the position of ptr, or of its nearest ancestor that has one.
func (t *tree) at(ptr string) pos {
	for {
		if p, ok := t.pos[ptr]; ok {
			return p
		}
		i := strings.LastIndexByte(ptr, '/')
		if i < 0 {
			return pos{}
		}
		ptr = ptr[:i]
	}
}

// decodeDocument parses a YAML or JSON file. JSON is decoded with
// encoding/json when the file looks like JSON, because that keeps numbers
// and escapes exact; everything else goes through the YAML 1.2 parser, in
// which `yes`/`no` and timestamps stay strings.
func decodeDocument(name string, data []byte) (*tree, error) {
	if len(data) > maxFileSize {
		return nil, &Error{File: name, Reason: fmt.Sprintf("file is %d bytes; the limit is %d", len(data), maxFileSize), Err: ErrTooLarge}
	}
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if strings.HasSuffix(strings.ToLower(name), ".json") {
		return decodeJSON(name, data)
	}
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		if t, err := decodeJSON(name, data); err == nil {
			return t, nil
		}
		// Not JSON after all: a YAML flow mapping such as {a: 1}.
	}
	return decodeYAML(name, data)
}

// ---- JSON ----

// lineIndex maps byte offsets to line and column.
type lineIndex []int

func newLineIndex(data []byte) lineIndex {
	idx := lineIndex{0}
	for i, b := range data {
		if b == '\n' {
			idx = append(idx, i+1)
		}
	}
	return idx
}

func (li lineIndex) at(off int) pos {
	line := sort.Search(len(li), func(i int) bool { return li[i] > off }) - 1
	if line < 0 {
		line = 0
	}
	return pos{line: line + 1, col: off - li[line] + 1}
}

type jsonDecoder struct {
	name  string
	data  []byte
	dec   *json.Decoder
	lines lineIndex
	pos   map[string]pos
	nodes int
}

func decodeJSON(name string, data []byte) (*tree, error) {
	d := &jsonDecoder{
		name:  name,
		data:  data,
		dec:   json.NewDecoder(bytes.NewReader(data)),
		lines: newLineIndex(data),
		pos:   map[string]pos{},
	}
	d.dec.UseNumber()
	start := d.next(0)
	v, err := d.value("", 0)
	if err != nil {
		return nil, err
	}
	d.pos[""] = d.lines.at(start)
	if _, err := d.dec.Token(); err != io.EOF {
		return nil, d.errAt(int(d.dec.InputOffset()), "unexpected data after the top-level value")
	}
	return &tree{root: v, pos: d.pos}, nil
}

// next returns the offset of the next significant byte at or after off,
// skipping the whitespace and separators encoding/json consumes silently.
func (d *jsonDecoder) next(off int) int {
	for off < len(d.data) {
		switch d.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
		default:
			return off
		}
	}
	return off
}

func (d *jsonDecoder) errAt(off int, reason string) error {
	p := d.lines.at(off)
	return &Error{File: d.name, Line: p.line, Col: p.col, Reason: reason, Err: ErrSyntax}
}

func (d *jsonDecoder) syntax(err error) error {
	off := int(d.dec.InputOffset())
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = int(se.Offset)
	}
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return d.errAt(len(d.data), "unexpected end of JSON")
	}
	return d.errAt(off, err.Error())
}

func (d *jsonDecoder) value(ptr string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, d.errAt(int(d.dec.InputOffset()), fmt.Sprintf("nesting deeper than %d levels", maxDepth))
	}
	d.nodes++
	if d.nodes > maxNodes {
		return nil, &Error{File: d.name, Reason: fmt.Sprintf("more than %d values", maxNodes), Err: ErrTooLarge}
	}
	tok, err := d.dec.Token()
	if err != nil {
		return nil, d.syntax(err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]any{}
			for d.dec.More() {
				keyOff := d.next(int(d.dec.InputOffset()))
				kt, err := d.dec.Token()
				if err != nil {
					return nil, d.syntax(err)
				}
				key, ok := kt.(string)
				if !ok {
					return nil, d.errAt(keyOff, "object key must be a string")
				}
				if _, dup := obj[key]; dup {
					return nil, d.errAt(keyOff, fmt.Sprintf("duplicate key %q", key))
				}
				child := ptr + "/" + jsonpointer.Escape(key)
				d.pos[child] = d.lines.at(keyOff)
				v, err := d.value(child, depth+1)
				if err != nil {
					return nil, err
				}
				obj[key] = v
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, d.syntax(err)
			}
			return obj, nil
		case '[':
			arr := []any{}
			for d.dec.More() {
				off := d.next(int(d.dec.InputOffset()))
				child := ptr + "/" + strconv.Itoa(len(arr))
				d.pos[child] = d.lines.at(off)
				v, err := d.value(child, depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := d.dec.Token(); err != nil {
				return nil, d.syntax(err)
			}
			return arr, nil
		}
		return nil, d.errAt(int(d.dec.InputOffset()), fmt.Sprintf("unexpected %q", t))
	default:
		return t, nil // string, json.Number, bool, nil
	}
}

// ---- YAML ----

type yamlDecoder struct {
	name    string
	pos     map[string]pos
	anchors map[string]ast.Node
	active  map[string]bool // anchors being expanded, to refuse self-reference
	nodes   int
}

func decodeYAML(name string, data []byte) (t *tree, err error) {
	// The YAML parser is third-party code fed untrusted bytes; a panic in it
	// must become a refusal, not take the listener down.
	defer func() {
		if r := recover(); r != nil {
			t, err = nil, &Error{File: name, Reason: fmt.Sprintf("YAML parser failed: %v", r), Err: ErrSyntax}
		}
	}()
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, yamlError(name, err)
	}
	var bodies []ast.Node
	for _, doc := range f.Docs {
		if doc != nil && doc.Body != nil {
			bodies = append(bodies, doc.Body)
		}
	}
	switch len(bodies) {
	case 0:
		return nil, &Error{File: name, Reason: "the file is empty", Err: ErrSyntax}
	case 1:
	default:
		p := nodePos(bodies[1])
		return nil, &Error{File: name, Line: p.line, Col: p.col, Reason: "the file holds several YAML documents; an AsyncAPI document is exactly one", Err: ErrSyntax}
	}
	d := &yamlDecoder{name: name, pos: map[string]pos{"": {1, 1}}, anchors: map[string]ast.Node{}, active: map[string]bool{}}
	v, err := d.value(bodies[0], "", 0)
	if err != nil {
		return nil, err
	}
	return &tree{root: v, pos: d.pos}, nil
}

// yamlError turns a go-yaml error into an *Error with its position.
func yamlError(name string, err error) error {
	var ye yaml.Error
	if errors.As(err, &ye) {
		e := &Error{File: name, Reason: ye.GetMessage(), Err: ErrSyntax}
		if tk := ye.GetToken(); tk != nil && tk.Position != nil {
			e.Line, e.Col = tk.Position.Line, tk.Position.Column
		}
		return e
	}
	return &Error{File: name, Reason: err.Error(), Err: ErrSyntax}
}

func nodePos(n ast.Node) pos {
	if n == nil {
		return pos{}
	}
	if tk := n.GetToken(); tk != nil && tk.Position != nil {
		return pos{tk.Position.Line, tk.Position.Column}
	}
	return pos{}
}

func (d *yamlDecoder) errAt(n ast.Node, reason string) error {
	p := nodePos(n)
	return &Error{File: d.name, Line: p.line, Col: p.col, Reason: reason, Err: ErrSyntax}
}

func (d *yamlDecoder) value(n ast.Node, ptr string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, d.errAt(n, fmt.Sprintf("nesting deeper than %d levels", maxDepth))
	}
	d.nodes++
	if d.nodes > maxNodes {
		return nil, &Error{File: d.name, Reason: fmt.Sprintf("the document expands to more than %d values (aliases?)", maxNodes), Err: ErrTooLarge}
	}
	switch n := n.(type) {
	case nil:
		return nil, nil
	case *ast.NullNode:
		return nil, nil
	case *ast.StringNode:
		return n.Value, nil
	case *ast.LiteralNode:
		if n.Value == nil {
			return "", nil
		}
		return n.Value.Value, nil
	case *ast.BoolNode:
		return n.Value, nil
	case *ast.IntegerNode:
		switch v := n.Value.(type) {
		case int64:
			return json.Number(strconv.FormatInt(v, 10)), nil
		case uint64:
			return json.Number(strconv.FormatUint(v, 10)), nil
		}
		return nil, d.errAt(n, fmt.Sprintf("integer %s out of range", n.Token.Value))
	case *ast.FloatNode:
		return json.Number(strconv.FormatFloat(n.Value, 'g', -1, 64)), nil
	case *ast.InfinityNode, *ast.NanNode:
		return nil, d.errAt(n, "infinity and NaN cannot be represented in JSON")
	case *ast.TagNode:
		// !!str keeps the scalar's text as written (`!!str 123` is "123");
		// other tags (!!timestamp, !!binary, custom ones) do not change the
		// JSON value, which keeps timestamps as strings.
		if n.Start != nil && n.Start.Value == "!!str" {
			if s, ok := n.Value.(ast.ScalarNode); ok && s.GetToken() != nil {
				if lit, ok := n.Value.(*ast.LiteralNode); ok && lit.Value != nil {
					return lit.Value.Value, nil
				}
				if str, ok := n.Value.(*ast.StringNode); ok {
					return str.Value, nil
				}
				return s.GetToken().Value, nil
			}
		}
		return d.value(n.Value, ptr, depth+1)
	case *ast.AnchorNode:
		name := anchorName(n.Name)
		d.anchors[name] = n.Value
		d.active[name] = true
		v, err := d.value(n.Value, ptr, depth+1)
		delete(d.active, name)
		return v, err
	case *ast.AliasNode:
		name := anchorName(n.Value)
		target, ok := d.anchors[name]
		if !ok {
			return nil, d.errAt(n, fmt.Sprintf("alias *%s has no anchor before it", name))
		}
		if d.active[name] {
			return nil, d.errAt(n, fmt.Sprintf("alias *%s refers to the value that contains it", name))
		}
		d.active[name] = true
		v, err := d.value(target, ptr, depth+1)
		delete(d.active, name)
		return v, err
	case *ast.MappingNode:
		return d.mapping(n, n.Values, ptr, depth)
	case *ast.MappingValueNode:
		// go-yaml represents a one-entry mapping as the entry itself.
		return d.mapping(n, []*ast.MappingValueNode{n}, ptr, depth)
	case *ast.SequenceNode:
		arr := make([]any, 0, len(n.Values))
		for i, item := range n.Values {
			child := ptr + "/" + strconv.Itoa(i)
			if p := nodePos(item); p.line > 0 {
				d.pos[child] = p
			}
			v, err := d.value(item, child, depth+1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		return arr, nil
	}
	return nil, d.errAt(n, fmt.Sprintf("unsupported YAML construct %s", n.Type()))
}

func anchorName(n ast.Node) string {
	if s, ok := n.(*ast.StringNode); ok {
		return s.Value
	}
	if n == nil {
		return ""
	}
	return n.String()
}

func (d *yamlDecoder) mapping(n ast.Node, entries []*ast.MappingValueNode, ptr string, depth int) (any, error) {
	obj := make(map[string]any, len(entries))
	var merges []*ast.MappingValueNode
	for _, e := range entries {
		if e == nil {
			continue
		}
		if e.Key != nil && e.Key.IsMergeKey() {
			merges = append(merges, e)
			continue
		}
		key, err := d.key(e.Key)
		if err != nil {
			return nil, err
		}
		if _, dup := obj[key]; dup {
			return nil, d.errAt(e.Key, fmt.Sprintf("duplicate key %q", key))
		}
		child := ptr + "/" + jsonpointer.Escape(key)
		if p := nodePos(e.Key); p.line > 0 {
			d.pos[child] = p
		}
		v, err := d.value(e.Value, child, depth+1)
		if err != nil {
			return nil, err
		}
		obj[key] = v
	}
	// Merge keys (<<: *base) fill in what the mapping does not set itself:
	// explicit keys win wherever they appear.
	for _, e := range merges {
		v, err := d.value(e.Value, ptr, depth+1)
		if err != nil {
			return nil, err
		}
		var srcs []any
		switch v := v.(type) {
		case map[string]any:
			srcs = []any{v}
		case []any:
			srcs = v
		default:
			return nil, d.errAt(e, "a merge key (<<) needs a mapping or a list of mappings")
		}
		for _, s := range srcs {
			m, ok := s.(map[string]any)
			if !ok {
				return nil, d.errAt(e, "a merge key (<<) needs a mapping or a list of mappings")
			}
			for k, mv := range m {
				if _, set := obj[k]; !set {
					obj[k] = mv
					d.pos[ptr+"/"+jsonpointer.Escape(k)] = nodePos(e)
				}
			}
		}
	}
	return obj, nil
}

// key converts a mapping key to the JSON object key: scalars become their
// text; anything else (a mapping used as a key) is refused because JSON has
// no such thing.
func (d *yamlDecoder) key(n ast.Node) (string, error) {
	switch k := n.(type) {
	case *ast.StringNode:
		return k.Value, nil
	case *ast.MappingKeyNode:
		return d.key(k.Value)
	case *ast.TagNode:
		return d.key(k.Value)
	case *ast.AnchorNode:
		return d.key(k.Value)
	case *ast.AliasNode:
		if t, ok := d.anchors[anchorName(k.Value)]; ok && !d.active[anchorName(k.Value)] {
			return d.key(t)
		}
		return "", d.errAt(n, "mapping key is an unknown alias")
	case *ast.LiteralNode:
		if k.Value != nil {
			return k.Value.Value, nil
		}
		return "", nil
	case *ast.NullNode:
		return "null", nil
	case ast.ScalarNode:
		if tk := k.GetToken(); tk != nil {
			return tk.Value, nil
		}
	case nil:
		return "", &Error{File: d.name, Reason: "empty mapping key", Err: ErrSyntax}
	}
	return "", d.errAt(n, "mapping keys must be scalars")
}
