package body

import (
	"strconv"
	"strings"

	"github.com/hookscope/hookscope/store/jsonpointer"
	"github.com/hookscope/hookscope/ui/internal/jsonscan"
)

// json lays out a valid JSON document pretty-printed, recording where each
// value starts.
func (d *Doc) json(b []byte) {
	d.Kind = JSON
	out, _, truncated := prettyJSON(b, MaxDisplayBytes, 0, false)
	d.ptrSrc, d.ptrLine = b, 0
	if truncated {
		d.Notes = append(d.Notes, "pretty-printed output cut at "+HumanBytes(MaxDisplayBytes))
	}
	d.setText(out)
}

// pointerIndex maps the JSON pointers of a document's values to their
// lines. A value is held as its parent's node and its own reference token,
// not as its whole pointer: the index grows with the document, where whole
// pointers grow with the sum of every path's length (gigabytes for a few
// megabytes nested deep under long keys).
type pointerIndex struct {
	child map[pointerStep]int // node of the value one step below another
	line  []int               // line of each node; node 0 is the root value
}

// pointerStep is one reference token (escaped, as in a pointer) below the
// value at node parent.
type pointerStep struct {
	parent int
	token  string
}

// prettyJSON re-indents a valid JSON document with two spaces, keeping each
// token's original bytes, and indexes every value's JSON pointer by its line
// (offset by firstLine) when track is set. Output stops after limit bytes.
func prettyJSON(b []byte, limit, firstLine int, track bool) (out []byte, ptrs *pointerIndex, truncated bool) {
	type frame struct {
		object bool
		index  int
		node   int // the container's node in ptrs
	}
	out = make([]byte, 0, len(b)+len(b)/2)
	if track {
		ptrs = &pointerIndex{child: map[pointerStep]int{}}
	}
	line := firstLine
	var stack []frame
	s := jsonscan.New(b)
	newline := func(depth int) {
		out = append(out, '\n')
		line++
		for i := 0; i < depth; i++ {
			out = append(out, ' ', ' ')
		}
	}
	// valueAt indexes the value about to be written at the current line
	// and returns its node (a repeated key keeps its node: the later value
	// has the line, as in a decoded object).
	key := ""
	valueAt := func() int {
		if !track {
			return 0
		}
		if len(stack) == 0 {
			ptrs.line = append(ptrs.line[:0], line)
			return 0
		}
		f := &stack[len(stack)-1]
		step := pointerStep{parent: f.node}
		if f.object {
			step.token = jsonpointer.Escape(key)
		} else {
			step.token = strconv.Itoa(f.index)
			f.index++
		}
		n, ok := ptrs.child[step]
		if !ok {
			n = len(ptrs.line)
			ptrs.line = append(ptrs.line, 0)
			ptrs.child[step] = n
		}
		ptrs.line[n] = line
		return n
	}
	for {
		if len(out) > limit {
			return out, ptrs, true
		}
		t := s.Next()
		switch t.Kind {
		case jsonscan.Invalid:
			return out, ptrs, false
		case jsonscan.BeginObject, jsonscan.BeginArray:
			n := valueAt()
			out = append(out, b[t.Start])
			if n := s.Peek(); n.Kind == jsonscan.EndObject || n.Kind == jsonscan.EndArray {
				s.Next()
				out = append(out, b[n.Start])
				continue
			}
			stack = append(stack, frame{object: t.Kind == jsonscan.BeginObject, node: n})
			newline(len(stack))
		case jsonscan.EndObject, jsonscan.EndArray:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			newline(len(stack))
			out = append(out, b[t.Start])
		case jsonscan.Comma:
			out = append(out, ',')
			newline(len(stack))
		case jsonscan.Colon:
			out = append(out, ':', ' ')
		case jsonscan.String:
			if len(stack) > 0 && stack[len(stack)-1].object {
				if n := s.Peek(); n.Kind == jsonscan.Colon {
					if track {
						key = jsonscan.Unquote(b[t.Start:t.End])
					}
					out = append(out, b[t.Start:t.End]...)
					continue
				}
			}
			valueAt()
			out = append(out, b[t.Start:t.End]...)
		default:
			valueAt()
			out = append(out, b[t.Start:t.End]...)
		}
	}
}

// LineOf returns the line where the value at JSON pointer p starts, falling
// back to its nearest ancestor that has a line (a missing property's error
// points at the object that lacks it). ok is false when the document has no
// pointers. The map is built on first use.
func (d *Doc) LineOf(p string) (line int, ok bool) {
	if d.ptrSrc == nil {
		return 0, false
	}
	if d.pointers == nil {
		_, d.pointers, _ = prettyJSON(d.ptrSrc, MaxDisplayBytes, d.ptrLine, true)
	}
	if len(d.pointers.line) == 0 || p != "" && p[0] != '/' {
		return 0, false
	}
	node := 0
	for len(p) > 0 {
		p = p[1:] // the '/' before a token
		i := strings.IndexByte(p, '/')
		if i < 0 {
			i = len(p)
		}
		next, found := d.pointers.child[pointerStep{node, p[:i]}]
		if !found {
			break
		}
		node, p = next, p[i:]
	}
	return d.pointers.line[node], true
}
