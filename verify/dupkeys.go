package verify

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hookscope/hookscope/store/jsonpointer"
)

// maxDuplicateKeys bounds the repeated keys a note lists.
const maxDuplicateKeys = 3

// duplicateKeys returns the JSON pointers of object members whose key the
// same object already had (at most maxDuplicateKeys), for a body that
// decodes as JSON. encoding/json keeps the last value of a repeated key,
// as most parsers do, but not all: the app behind hookscope may read the
// first, so {"type":"a","type":"b"} can be two different events to two
// readers, and the schema check saw only one of them. Keys are compared
// decoded ("\u0074ype" is "type"), as encoding/json reads them. The body
// is scanned byte by byte: decodePayload has parsed it already, and
// json.Decoder's tokens cost about half a second per MiB.
func duplicateKeys(b []byte) []string {
	// Keys are slices of b (decoded copies only when escaped or not
	// UTF-8), and frames are reused: the scan allocates little. An 8 MiB
	// body of small objects takes tens of milliseconds; one whose every
	// key is escaped a few hundred, about half of what decoding it took.
	var stack []jsonFrame
	var out []string
	pointer := func() string {
		var sb strings.Builder
		for _, f := range stack {
			sb.WriteByte('/')
			if f.object {
				sb.WriteString(jsonpointer.Escape(string(f.key)))
			} else {
				sb.WriteString(strconv.Itoa(f.index))
			}
		}
		return sb.String()
	}
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '{', '[':
			if len(stack) < cap(stack) {
				stack = stack[:len(stack)+1]
				keys := stack[len(stack)-1].keys[:0]
				stack[len(stack)-1] = jsonFrame{object: c == '{', want: c == '{', keys: keys}
			} else {
				stack = append(stack, jsonFrame{object: c == '{', want: c == '{'})
			}
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ',':
			if len(stack) > 0 {
				f := &stack[len(stack)-1]
				f.want = f.object
				f.index++
			}
		case '"':
			j, escaped := i+1, false
			for ; j < len(b) && b[j] != '"'; j++ {
				if b[j] == '\\' {
					escaped = true
					j++
				}
			}
			if len(stack) == 0 || !stack[len(stack)-1].want {
				i = j
				continue
			}
			f := &stack[len(stack)-1]
			key := b[i+1 : min(j, len(b))]
			// encoding/json decodes escapes and turns each byte of invalid
			// UTF-8 into U+FFFD, so "\xff" and "\xfe" are one key to it:
			// such keys are compared as it reads them.
			if escaped || !utf8.Valid(key) {
				var k string
				if json.Unmarshal(b[i:min(j+1, len(b))], &k) == nil {
					key = []byte(k)
				}
			}
			f.key, f.want = key, false
			i = j
			if f.seen(key) {
				if out = append(out, pointer()); len(out) == maxDuplicateKeys {
					return out
				}
			}
		}
	}
	return out
}

// shortPointer bounds a pointer for a note to about 80 bytes, keeping its
// last token (the repeated key, itself cut to 40 bytes) and cutting the
// middle of the path to it.
func shortPointer(p string) string {
	const most = 80
	if len(p) <= most {
		return p
	}
	cut := func(s string, n int) string { // s's first n bytes at most, whole runes
		if len(s) <= n {
			return s
		}
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return s[:n] + "…"
	}
	i := strings.LastIndexByte(p, '/')
	last := cut(p[i:], most/2)
	if i == 0 {
		return last
	}
	return cut(p[:i], most-len(last)) + last
}

// jsonFrame is an object or array duplicateKeys is reading.
type jsonFrame struct {
	object bool
	want   bool   // an object's next string is a key
	key    []byte // the member being read
	index  int    // the array element being read
	keys   [][]byte
	set    map[string]bool // keys, once an object has many
}

// manyKeys is where seen moves from a list to a set.
const manyKeys = 32

// seen reports whether an object had key already, and notes it.
func (f *jsonFrame) seen(key []byte) bool {
	if f.set != nil {
		if f.set[string(key)] {
			return true
		}
		f.set[string(key)] = true
		return false
	}
	for _, k := range f.keys {
		if bytes.Equal(k, key) {
			return true
		}
	}
	f.keys = append(f.keys, key)
	if len(f.keys) > manyKeys {
		f.set = make(map[string]bool, 2*manyKeys)
		for _, k := range f.keys {
			f.set[string(k)] = true
		}
	}
	return false
}

// duplicateKeysNote is the note for a body with repeated keys, "" when none.
func duplicateKeysNote(b []byte) string {
	dups := duplicateKeys(b)
	if len(dups) == 0 {
		return ""
	}
	for i, d := range dups {
		dups[i] = strconv.Quote(shortPointer(d))
	}
	more := ""
	if len(dups) == maxDuplicateKeys {
		more = " (and maybe more)"
	}
	return "the body repeats a key in one object at " + strings.Join(dups, ", ") + more +
		": hookscope read the last value, as most JSON parsers do; one that keeps the first would read another payload"
}
