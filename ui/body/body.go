// Package body turns the bytes of a delivery's body into a document the
// detail view can page through: gzip decoded, JSON/XML/form pretty-printed,
// Dialpad-style JWTs decoded to header and claims, binary shown as a hex
// dump, and every line made terminal-safe (ui/termsafe) before anything
// highlights or lays it out.
//
// Preparing a document is CPU work proportional to the body and is meant to
// run in a tea.Cmd; the result is immutable apart from its highlight cache.
// What is laid out is capped (MaxDisplayBytes, MaxLineBytes) so that a
// 10 MiB single-line body stays quick. The package does no I/O.
package body

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/hookscope/hookscope/store/gzipbody"
	"github.com/hookscope/hookscope/store/jwttoken"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// Display caps.
const (
	// MaxDisplayBytes caps the text a document lays out; the rest is
	// reported as omitted.
	MaxDisplayBytes = 8 << 20
	// MaxLineBytes caps one line; the rest of the line is reported as
	// omitted.
	MaxLineBytes = 64 << 10
	// MaxHexBytes caps the bytes shown as a hex dump.
	MaxHexBytes = 1 << 20
	// MaxDecodedBytes caps a gunzipped body (a guard against zip bombs).
	MaxDecodedBytes = 32 << 20
)

// Kind says how a document was rendered.
type Kind int

// Document kinds.
const (
	Empty Kind = iota
	Text
	JSON
	XML
	Form
	JWT
	Hex
)

// String names the kind as the detail view's Body tab shows it.
func (k Kind) String() string {
	return [...]string{"empty", "text", "JSON", "XML", "form", "JWT", "hex"}[k]
}

// Options says how to prepare a body.
type Options struct {
	ContentType     string
	ContentEncoding string
	// Raw shows the bytes as stored: text as it is (made visible, not
	// obeyed), binary as a hex dump, nothing decoded or re-indented.
	Raw bool
}

// Doc is a prepared body.
type Doc struct {
	Kind Kind
	// Lines are terminal-safe plain text, one per line.
	Lines []string
	// Omitted[i] is the number of bytes of line i that are not shown.
	Omitted map[int]int
	// Headings marks lines that are section titles (JWT header / claims).
	Headings map[int]bool
	// Notes describe what was done ("gzip decoded", "not valid JSON: shown
	// as text", …), for the line above the body.
	Notes []string
	// Size is the number of stored bytes.
	Size int

	hl *hlCache
	// ptrSrc is the JSON (for a JWT, the claims) whose pointers LineOf
	// resolves; its pretty form starts at line ptrLine. pointers is built
	// from it on first use.
	ptrSrc   []byte
	ptrLine  int
	pointers *pointerIndex
}

// Prepare builds the document for body b.
func Prepare(b []byte, opts Options) *Doc {
	d := &Doc{Size: len(b)}
	if len(b) == 0 {
		d.Kind = Empty
		d.Lines = []string{}
		return d
	}
	if opts.Raw {
		if isBinary(b) {
			d.hexDump(b)
		} else {
			d.text(b)
		}
		return d
	}
	if IsGzip(b, opts.ContentEncoding) {
		dec, err := Gunzip(b)
		switch {
		case err != nil:
			d.Notes = append(d.Notes, "gzip: "+termsafe.Line(err.Error()))
		default:
			d.Notes = append(d.Notes, fmt.Sprintf("gzip decoded (%s → %s)", HumanBytes(int64(len(b))), HumanBytes(int64(len(dec)))))
			b = dec
		}
	} else if enc := strings.TrimSpace(opts.ContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		d.Notes = append(d.Notes, "content-encoding "+termsafe.Line(enc)+" not decoded")
	}
	ct := strings.ToLower(opts.ContentType)
	trimmed := bytes.TrimSpace(b)
	tok, _, isJWT := jwttoken.Find(trimmed)
	switch {
	case isJWT:
		if d.jwt(tok) {
			return d
		}
	case strings.Contains(ct, "json") || len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		if json.Valid(b) {
			d.json(b)
			return d
		}
		if strings.Contains(ct, "json") {
			d.Notes = append(d.Notes, "not valid JSON: shown as text")
		}
	case strings.Contains(ct, "x-www-form-urlencoded"):
		d.form(b)
		return d
	case strings.Contains(ct, "xml") || len(trimmed) > 0 && trimmed[0] == '<':
		if d.xml(b) {
			return d
		}
		d.Notes = append(d.Notes, "not well-formed XML: shown as text")
	}
	if isBinary(b) {
		d.hexDump(b)
		return d
	}
	d.text(b)
	return d
}

// text lays out b as sanitised lines.
func (d *Doc) text(b []byte) {
	d.Kind = Text
	d.setText(b)
}

// setText splits b into safe lines, applying the display caps.
func (d *Doc) setText(b []byte) {
	cut := 0 // bytes dropped at the end; they belong to the last line
	if len(b) > MaxDisplayBytes {
		d.Notes = append(d.Notes, fmt.Sprintf("showing the first %s of %s", HumanBytes(MaxDisplayBytes), HumanBytes(int64(len(b)))))
		cut = len(b) - MaxDisplayBytes
		b = b[:MaxDisplayBytes]
	}
	defer func() {
		if cut > 0 {
			if d.Omitted == nil {
				d.Omitted = map[int]int{}
			}
			d.Omitted[len(d.Lines)-1] += cut
		}
	}()
	// One conversion; lines are substrings of it, and termsafe returns a
	// safe line as it is, so a clean body costs no per-line allocation.
	text := string(b)
	d.Lines = make([]string, 0, bytes.Count(b, []byte("\n"))+1)
	for i := 0; ; i++ {
		l, rest, more := strings.Cut(text, "\n")
		if len(l) > MaxLineBytes {
			end := MaxLineBytes
			for end > 0 && !utf8.RuneStart(l[end]) {
				end--
			}
			if d.Omitted == nil {
				d.Omitted = map[int]int{}
			}
			d.Omitted[i] = len(l) - end
			l = l[:end]
		}
		d.Lines = append(d.Lines, termsafe.Line(strings.TrimSuffix(l, "\r")))
		if !more {
			break
		}
		text = rest
	}
}

// IsGzip reports whether a body is gzip-encoded, by its Content-Encoding or
// its magic bytes.
func IsGzip(b []byte, encoding string) bool {
	return strings.Contains(strings.ToLower(encoding), "gzip") || len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b
}

// How a stored body is coded, for masking (CodingOf).
const (
	CodedPlain = iota // no coding: the bytes can be read and masked
	CodedGzip         // one gzip coding: decoded, it can be masked
	CodedOther        // deflate, br, gzip twice…: hookscope cannot read it
)

// CodingOf tells how b is coded by its Content-Encoding, a list of codings
// in the order applied (identity changes nothing), or, without one, by
// gzip's magic bytes. Whatever masks secrets (exports, show) decodes one
// gzip coding and must not show or export a CodedOther body, or a gzip one
// that fails to decode, masked: its compressed bytes could hide any secret.
func CodingOf(b []byte, contentEncoding string) int {
	codings := gzipbody.Codings(contentEncoding)
	switch {
	case len(b) == 0:
		return CodedPlain
	case len(codings) == 0 && IsGzip(b, ""):
		return CodedGzip
	case len(codings) == 0:
		return CodedPlain
	case gzipbody.IsGzip(codings):
		return CodedGzip
	}
	return CodedOther
}

// ForMasking returns b as a masker must read it: decoded when it has one
// gzip coding (decoded reports that the coding is gone), as it is when it
// has none, and ok false when hookscope cannot read it (CodedOther, or a
// gzip body that does not decode): then it must be left out, not shown or
// copied masked.
func ForMasking(b []byte, contentEncoding string) (out []byte, decoded, ok bool) {
	switch CodingOf(b, contentEncoding) {
	case CodedPlain:
		return b, false, true
	case CodedGzip:
		// Decoded, it must be plain: gzip inside gzip (with one coding
		// named, or none) would hide its secrets from the masker again.
		if dec, err := Gunzip(b); err == nil && !IsGzip(dec, "") {
			return dec, true, true
		}
	}
	return nil, false, false
}

// Gunzip decodes a gzip body (store/gzipbody: one or more members, bytes
// after them ignored, as verification reads it), refusing to inflate
// beyond MaxDecodedBytes.
func Gunzip(b []byte) ([]byte, error) {
	out, _, err := gzipbody.Decode(b, MaxDecodedBytes)
	if errors.Is(err, gzipbody.ErrTooLarge) {
		return nil, fmt.Errorf("decoded body exceeds %s", HumanBytes(MaxDecodedBytes))
	}
	return out, err
}

// isBinary reports whether b does not read as text: invalid UTF-8, NUL, or
// many control bytes in its first 8 KiB.
func isBinary(b []byte) bool {
	sample := b
	if len(sample) > 8192 {
		sample = sample[:8192]
		for i := 0; i < utf8.UTFMax-1 && !utf8.Valid(sample); i++ {
			sample = sample[:len(sample)-1] // a rune cut by the sample's end
		}
	}
	if !utf8.Valid(sample) {
		return true
	}
	ctl := 0
	for _, c := range sample {
		if c == 0 {
			return true
		}
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1b {
			ctl++
		}
	}
	return ctl*10 > len(sample)
}

// HumanBytes formats n as B, KiB or MiB.
func HumanBytes(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	const units = "KMGTPE"
	v, u := float64(n)/1024, 0
	for v >= 1023.95 && u < len(units)-1 {
		v /= 1024
		u++
	}
	return fmt.Sprintf("%.1f %ciB", v, units[u])
}
