package gzipbody

import (
	"bytes"
	"compress/gzip"
	"errors"
	"slices"
	"testing"
)

func gz(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

// TestDecode: one member, several, bytes after the data, the limit, and
// bodies that are not gzip.
func TestDecode(t *testing.T) {
	doc := []byte(`{"event_type":"app.installed"}`)
	for _, tt := range []struct {
		name      string
		body      []byte
		limit     int
		want      []byte
		after     int
		err       error // nil: none; errAny: some error
		wantLarge bool
	}{
		{"one member", gz(doc), 100, doc, 0, nil, false},
		{"two members", append(gz(doc[:10]), gz(doc[10:])...), 100, doc, 0, nil, false},
		{"a newline after", append(gz(doc), '\n'), 100, doc, 1, nil, false},
		{"padding after", append(gz(doc), 0, 0, 0, 0), 100, doc, 4, nil, false},
		{"exactly the limit", gz(doc), len(doc), doc, 0, nil, false},
		{"one byte over", gz(doc), len(doc) - 1, nil, 0, ErrTooLarge, true},
		{"over across members", append(gz(doc), gz(doc)...), len(doc) + 5, nil, 0, ErrTooLarge, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, after, err := Decode(tt.body, tt.limit)
			if !errors.Is(err, tt.err) || !bytes.Equal(got, tt.want) || after != tt.after {
				t.Errorf("Decode = %q, %d, %v; want %q, %d, %v", got, after, err, tt.want, tt.after, tt.err)
			}
		})
	}
	for _, bad := range [][]byte{doc, {0x1f, 0x8b}, gz(doc)[:12]} {
		if _, _, err := Decode(bad, 100); err == nil {
			t.Errorf("Decode(%q) gave no error", bad)
		}
	}
}

// TestCodings: a Content-Encoding list in the order applied, without
// identity; only one gzip coding counts as gzip.
func TestCodings(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		gzip bool
	}{
		{"", nil, false},
		{"identity", nil, false},
		{" GZIP ", []string{"gzip"}, true},
		{"x-gzip", []string{"x-gzip"}, true},
		{"gzip, identity", []string{"gzip"}, true},
		{"identity, deflate", []string{"deflate"}, false},
		{"gzip, gzip", []string{"gzip", "gzip"}, false},
		{"gzip, br", []string{"gzip", "br"}, false},
	} {
		got := Codings(tt.in)
		if !slices.Equal(got, tt.want) || IsGzip(got) != tt.gzip {
			t.Errorf("Codings(%q) = %q (gzip %v), want %q (%v)", tt.in, got, IsGzip(got), tt.want, tt.gzip)
		}
	}
}
