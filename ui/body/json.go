package body

import (
	"strconv"
	"strings"

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

// prettyJSON re-indents a valid JSON document with two spaces, keeping each
// token's original bytes, and maps every value's JSON pointer to its line
// (offset by firstLine) when track is set. Output stops after limit bytes.
func prettyJSON(b []byte, limit, firstLine int, track bool) (out []byte, ptrs map[string]int, truncated bool) {
	type frame struct {
		object bool
		index  int
		base   string // pointer of the container
	}
	out = make([]byte, 0, len(b)+len(b)/2)
	if track {
		ptrs = map[string]int{}
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
	// valuePointer returns the pointer of the value about to be written.
	key := ""
	valuePointer := func() string {
		if !track {
			return ""
		}
		if len(stack) == 0 {
			return ""
		}
		f := &stack[len(stack)-1]
		if f.object {
			return f.base + "/" + escapePointer(key)
		}
		p := f.base + "/" + strconv.Itoa(f.index)
		f.index++
		return p
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
			p := valuePointer()
			if track {
				ptrs[p] = line
			}
			out = append(out, b[t.Start])
			if n := s.Peek(); n.Kind == jsonscan.EndObject || n.Kind == jsonscan.EndArray {
				s.Next()
				out = append(out, b[n.Start])
				continue
			}
			stack = append(stack, frame{object: t.Kind == jsonscan.BeginObject, base: p})
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
			if track {
				ptrs[valuePointer()] = line
			}
			out = append(out, b[t.Start:t.End]...)
		default:
			if track {
				ptrs[valuePointer()] = line
			}
			out = append(out, b[t.Start:t.End]...)
		}
	}
}

// escapePointer escapes a key as a JSON pointer reference token (RFC 6901).
func escapePointer(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
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
	for {
		if l, found := d.pointers[p]; found {
			return l, true
		}
		i := strings.LastIndexByte(p, '/')
		if i < 0 {
			return 0, false
		}
		p = p[:i]
	}
}
