package store

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/hookscope/hookscope/store/gzipbody"
	"github.com/hookscope/hookscope/store/jwttoken"
)

// Filter is a parsed filter expression, the language shared by the TUI's `/`,
// `replay` and `export`:
//
//	app.installed               free text: path, event type or body contains it (any case)
//	provider:talkdesk-events    type:app.*   sig:invalid   schema:unmatched
//	status:200  status:5xx      method:post  dup:yes       pinned:yes   path:/hooks/*
//	-sig:valid                  a leading '-' negates a term
//	"two words"  type:"a b"     quotes keep spaces
//
// Terms with the same key are alternatives (sig:invalid sig:unverifiable);
// different keys and free-text terms must all hold.
type Filter struct {
	groups map[string][]term // key -> alternatives
	text   []term
}

type term struct {
	key, value string
	neg        bool
	status     func(int) bool // for status: terms, parsed once
}

// FilterKeys lists the keys the filter language accepts.
var FilterKeys = []string{"provider", "type", "sig", "schema", "status", "method", "dup", "pinned", "path", "id"}

// Providers are the provider names analysis gives deliveries, which a
// provider: filter may name: verify's Provider constants, kept in step by
// a test there (store cannot import verify, which imports store).
var Providers = []string{"talkdesk-events", "talkdesk-trigger", "talkdesk-dce", "talkdesk-notifier", "talkifai", "dialpad", "hmac", "unknown"}

var filterValues = map[string][]string{
	"sig":    {SigValid, SigInvalid, SigUnverifiable, SigUnsigned, SigPending},
	"schema": {SchemaValid, SchemaInvalid, SchemaUnmatched, SchemaSkipped, "none"},
	"dup":    {"yes", "no"},
	"pinned": {"yes", "no"},
}

// ParseFilter parses s. An unknown key or value is an error that names what
// is accepted.
func ParseFilter(s string) (*Filter, error) {
	f := &Filter{groups: map[string][]term{}}
	toks, err := splitTerms(s)
	if err != nil {
		return nil, err
	}
	for _, tok := range toks {
		t := term{}
		if strings.HasPrefix(tok, "-") && len(tok) > 1 {
			t.neg = true
			tok = tok[1:]
		}
		key, value, ok := strings.Cut(tok, ":")
		if !ok || !isKey(key) {
			t.value = strings.ToLower(unquote(tok))
			f.text = append(f.text, t)
			continue
		}
		key = strings.ToLower(key)
		value = unquote(value)
		if !slices.Contains(FilterKeys, key) {
			return nil, fmt.Errorf("filter: unknown key %q in %q (accepted: %s)", key, tok, strings.Join(FilterKeys, ", "))
		}
		if value == "" {
			return nil, fmt.Errorf("filter: %s: needs a value", key)
		}
		if allowed, ok := filterValues[key]; ok && !slices.Contains(allowed, strings.ToLower(value)) {
			return nil, fmt.Errorf("filter: %s:%s: accepted values are %s", key, value, strings.Join(allowed, ", "))
		}
		if key == "provider" && !strings.ContainsAny(value, "*?[") && !slices.Contains(Providers, strings.ToLower(value)) {
			return nil, fmt.Errorf("filter: provider:%s: accepted values are %s, or a pattern (talkdesk-*)", value, strings.Join(Providers, ", "))
		}
		if key == "status" {
			if t.status, err = statusMatcher(value); err != nil {
				return nil, err
			}
		}
		t.key, t.value = key, value
		f.groups[key] = append(f.groups[key], t)
	}
	return f, nil
}

// Empty reports whether the filter matches everything.
func (f *Filter) Empty() bool { return f == nil || len(f.groups) == 0 && len(f.text) == 0 }

// Match reports whether r matches. body is called only when free text must
// be searched in the body.
func (f *Filter) Match(r Record, body func() []byte) bool {
	return f.matchSummary(summaryOf(r), r.ID, func() bool { return r.Pinned }, body)
}

// matchSummary is Match on the compact summary a scan reads.
func (f *Filter) matchSummary(s summary, id string, pinned func() bool, body func() []byte) bool {
	if f.Empty() {
		return true
	}
	// Every key must hold, so the order they are tried in does not matter.
	for _, group := range f.groups {
		// Positive alternatives: at least one must hold; negated terms:
		// none may hold.
		anyPos, posOK := false, false
		for _, t := range group {
			m := matchTerm(t, s, id, pinned)
			if t.neg {
				if m {
					return false
				}
				continue
			}
			anyPos = true
			posOK = posOK || m
		}
		if anyPos && !posOK {
			return false
		}
	}
	for _, t := range f.text {
		m := containsFold(s.Path, t.value) || containsFold(s.EventType, t.value) ||
			body != nil && bodyContainsFold(body(), t.value)
		if m == t.neg {
			return false
		}
	}
	return true
}

func matchTerm(t term, s summary, id string, pinned func() bool) bool {
	v := strings.ToLower(t.value)
	switch t.key {
	case "provider":
		return s.HasAnalysis && glob(v, strings.ToLower(s.Provider))
	case "type":
		return s.HasAnalysis && glob(v, strings.ToLower(s.EventType))
	case "sig":
		if !s.HasAnalysis {
			return v == SigPending
		}
		return strings.EqualFold(s.Sig, v)
	case "schema":
		if s.Schema == "" {
			return v == "none"
		}
		return strings.EqualFold(s.Schema, v)
	case "status":
		return t.status(s.Status)
	case "method":
		return strings.EqualFold(s.Method, v)
	case "dup":
		return s.Dup == (v == "yes")
	case "pinned":
		return pinned() == (v == "yes")
	case "path":
		return pathGlob(t.value, s.Path) || strings.HasPrefix(s.Path, t.value)
	case "id":
		return strings.HasPrefix(id, v)
	}
	return false
}

// statusMatcher accepts 200, 2xx (any case) and ranges like 400-499.
func statusMatcher(v string) (func(int) bool, error) {
	v = strings.ToLower(v)
	if len(v) == 3 && strings.HasSuffix(v, "xx") && v[0] >= '1' && v[0] <= '5' {
		c := int(v[0]-'0') * 100
		return func(s int) bool { return s >= c && s < c+100 }, nil
	}
	// Codes are those a delivery can have: 0 (a forward still waiting for
	// the app, an import without an answer) or 100 to 999 (net/http
	// relays an app's 799 as it is); a range goes up. status:499-400 or
	// status:-5 would match nothing, a mistake better said than shown as
	// an empty list.
	code := func(s string) (int, bool) {
		n, err := strconv.Atoi(s)
		return n, err == nil && (n == 0 || n >= 100 && n <= 999)
	}
	if lo, hi, ok := strings.Cut(v, "-"); ok && lo != "" {
		l, ok1 := code(lo)
		h, ok2 := code(hi)
		if ok1 && ok2 && l <= h {
			return func(s int) bool { return s >= l && s <= h }, nil
		}
	} else if n, ok := code(v); ok {
		return func(s int) bool { return s == n }, nil
	}
	return nil, fmt.Errorf("filter: status:%s: accepted values are a code (404), a class (5xx) or a range (400-499), codes 0 or 100 to 999", v)
}

func glob(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?[") {
		return pattern == s
	}
	ok, err := path.Match(pattern, s)
	return err == nil && ok
}

// pathGlob matches a path pattern in which * and ? also match '/':
// path:/hooks/* means everything under /hooks/, as a user reading the
// filter expects, not only one segment. Otherwise the syntax is
// path.Match's: ? and a class ([a-z], [^/]) are one character (a path is
// stored decoded, so /café is 5 characters), and \ makes the next character
// literal. A malformed pattern matches nothing, as in glob.
func pathGlob(pattern, s string) bool {
	// Iterative wildcard match: on a mismatch, let the last * take one more
	// character.
	p, i, star, mark := 0, 0, -1, 0
	for i < len(s) {
		if p < len(pattern) && pattern[p] == '*' {
			star, mark = p, i
			p++
			continue
		}
		if p < len(pattern) {
			pw, sw := globOne(pattern[p:], s[i:])
			if pw < 0 {
				return false // malformed
			}
			if pw > 0 {
				p += pw
				i += sw
				continue
			}
		}
		if star < 0 {
			return false
		}
		p = star + 1
		_, n := utf8.DecodeRuneInString(s[mark:])
		mark += n
		i = mark
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// globOne matches the pattern item at the start of pattern (not a *)
// against the start of s, which is not empty. It returns the widths the
// item and what it matched take, 0, 0 when it does not match, and -1 when
// the item is malformed (a class without its ']', a \ at the end).
func globOne(pattern, s string) (pw, sw int) {
	switch pattern[0] {
	case '?':
		_, n := utf8.DecodeRuneInString(s)
		return 1, n
	case '[':
		j := 1
		if j < len(pattern) && pattern[j] == '^' {
			j++
		}
		for first := true; ; first = false {
			if j >= len(pattern) {
				return -1, 0
			}
			if pattern[j] == ']' && !first {
				break
			}
			if pattern[j] == '\\' {
				j++
			}
			j++
		}
		r, n := utf8.DecodeRuneInString(s)
		ok, err := path.Match(pattern[:j+1], string(r))
		switch {
		case err != nil:
			return -1, 0
		case ok:
			return j + 1, n
		}
		return 0, 0
	case '\\':
		if len(pattern) < 2 {
			return -1, 0
		}
		if pattern[1] == s[0] {
			return 2, 1
		}
		return 0, 0
	}
	if pattern[0] == s[0] {
		return 1, 1
	}
	return 0, 0
}

func isKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return true
}

// splitTerms splits on spaces outside double quotes.
func splitTerms(s string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote := false
	for _, r := range s {
		switch {
		case r == '"':
			inQuote = !inQuote
			cur.WriteRune(r)
		case unicode.IsSpace(r) && !inQuote:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if inQuote {
		return nil, fmt.Errorf("filter: unterminated quote in %q", s)
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out, nil
}

func unquote(s string) string { return strings.ReplaceAll(s, `"`, "") }

// bodyContainsFold searches a body for lower-case needle as containsFold
// does and, when the body is a compact JWT (a Dialpad delivery), its
// decoded claims too: what show and the Body tab display of it.
func bodyContainsFold(b []byte, needle string) bool {
	if containsFoldBytes(b, needle) {
		return true
	}
	// A gzip body (by its magic bytes: the summary a scan reads has no
	// Content-Encoding) is searched decoded too, as the views show it.
	if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
		if dec, _, err := gzipbody.Decode(b, maxSearchDecoded); err == nil && containsFoldBytes(dec, needle) {
			return true
		}
	}
	tok, _, ok := jwttoken.Find(b)
	if !ok {
		return false
	}
	_, rest, _ := bytes.Cut(tok, []byte("."))
	claims, _, _ := bytes.Cut(rest, []byte("."))
	return claimsContainFold(claims, needle)
}

// maxSearchDecoded bounds how much of a gzip body a free-text search
// decodes: a search runs over every stored body, and a small gzip body can
// inflate to gigabytes.
const maxSearchDecoded = 16 << 20

// claimsContainFold reports whether the claims part of a JWT, decoded as
// jwttoken.Segment decodes it, contain needle. It decodes them a window at
// a time into a buffer on the stack: a body can be 10 MiB, and the filter
// runs over every stored body.
func claimsContainFold(part []byte, needle string) bool {
	part = bytes.TrimRight(part, "=")
	if len(part)%4 == 1 || bytes.IndexByte(part, '=') >= 0 {
		// Segment refuses it; Looks let through only base64url bytes,
		// so no window below fails to decode.
		return false
	}
	const step = 1024 // characters decoded at a time, a multiple of 4
	// A window's decoded bytes, and room for the end of the one before
	// for needles up to 256 bytes.
	var stack [step/4*3 + 256]byte
	keep := max(len(needle)-1, 0) // the end of a window the next starts with
	buf := stack[:]
	if keep+step/4*3 > len(buf) {
		buf = make([]byte, keep+step/4*3)
	}
	n := 0
	for len(part) > 0 {
		in := part[:min(len(part), step)]
		part = part[len(in):]
		m, err := base64.RawURLEncoding.Decode(buf[n:], in)
		if err != nil {
			return false
		}
		n += m
		if containsFoldBytes(buf[:n], needle) {
			return true
		}
		if n > keep {
			n = copy(buf, buf[n-keep:n])
		}
	}
	return false
}

// containsFold reports whether s contains lower-case needle, ignoring ASCII case.
func containsFold(s, needle string) bool {
	return containsFoldBytes([]byte(s), needle)
}

// containsFoldBytes searches without allocating: bodies can be large and a
// filter runs over every stored body.
func containsFoldBytes(hay []byte, needle string) bool {
	n := len(needle)
	if n == 0 {
		return true
	}
	first := needle[0]
	for i := 0; i+n <= len(hay); i++ {
		if lower(hay[i]) != first {
			continue
		}
		j := 1
		for j < n && lower(hay[i+j]) == needle[j] {
			j++
		}
		if j == n {
			return true
		}
	}
	return false
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
