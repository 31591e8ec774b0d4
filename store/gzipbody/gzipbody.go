// Package gzipbody decodes a gzip-encoded delivery body the one way the
// views (ui/body, the exports) and verification (verify, which reads the
// payload from it) both use: two rules would let a body be shown decoded
// while its schema check called it undecodable, or the reverse.
package gzipbody

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"strings"
)

// Codings splits a Content-Encoding list (every line joined with ", ")
// into the codings it names, in the order applied, lower-cased, without
// identity, which changes nothing: "gzip, identity" is gzip.
func Codings(contentEncoding string) []string {
	var out []string
	for c := range strings.SplitSeq(strings.ToLower(contentEncoding), ",") {
		if c = strings.TrimSpace(c); c != "" && c != "identity" {
			out = append(out, c)
		}
	}
	return out
}

// IsGzip reports whether codings (Codings' result) is one gzip coding,
// the only one hookscope decodes.
func IsGzip(codings []string) bool {
	return len(codings) == 1 && (codings[0] == "gzip" || codings[0] == "x-gzip")
}

// ErrTooLarge is Decode's answer for a body that decodes to more than its
// limit.
var ErrTooLarge = errors.New("gzipbody: decoded body is over the limit")

// Decode decodes a gzip body of one or more members, as gzip allows,
// reading at most limit+1 decoded bytes: a small body can inflate to
// gigabytes. Bytes after the last member that do not start another (a
// newline, padding) are no error, as most decoders skip them: after says
// how many there were.
func Decode(b []byte, limit int) (plain []byte, after int, err error) {
	r := bytes.NewReader(b) // a ByteReader: gzip reads no further than each member
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, 0, err
	}
	var out bytes.Buffer
	for {
		zr.Multistream(false)
		_, err := io.Copy(&out, io.LimitReader(zr, int64(limit+1-out.Len())))
		if out.Len() > limit {
			return nil, 0, ErrTooLarge
		}
		if err != nil {
			return nil, 0, err
		}
		rest := b[len(b)-r.Len():]
		if len(rest) < 2 || rest[0] != 0x1f || rest[1] != 0x8b {
			return out.Bytes(), len(rest), nil
		}
		if err := zr.Reset(r); err != nil {
			return nil, 0, err
		}
	}
}
