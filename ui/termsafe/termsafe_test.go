package termsafe

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	tests := []struct {
		name, in, text, line string
	}{
		{"plain", "hello", "hello", "hello"},
		{"newline", "a\nb", "a\nb", "a␤b"},
		{"crlf", "a\r\nb", "a\nb", "a␍␤b"},
		{"lone cr", "a\rb", "a␍b", "a␍b"},
		{"tab", "a\tb", "a    b", "a    b"},
		{"esc sgr", "\x1b[31mred", "␛[31mred", "␛[31mred"},
		{"osc8", "\x1b]8;;http://x\x07l", "␛]8;;http://x␇l", "␛]8;;http://x␇l"},
		{"nul", "a\x00b", "a␀b", "a␀b"},
		{"del", "a\x7fb", "a␡b", "a␡b"},
		{"c1 csi", "a\u009b31mb", "a\ufffd31mb", "a\ufffd31mb"},
		{"bidi", "a\u202eb\u2066c", "a\ufffdb\ufffdc", "a\ufffdb\ufffdc"},
		{"bidi marks", "a\u200eb\u200fc\u061cd", "a\ufffdb\ufffdc\ufffdd", "a\ufffdb\ufffdc\ufffdd"},
		{"invisible", "a\u200bb\ufeffc\u2028d\u2060e", "a\ufffdb\ufffdc\ufffdd\ufffde", "a\ufffdb\ufffdc\ufffdd\ufffde"},
		{"joiners kept", "👩\u200d💻 \u200c ✌\ufe0f", "👩\u200d💻 \u200c ✌\ufe0f", "👩\u200d💻 \u200c ✌\ufe0f"},
		{"invalid utf8", "a\xffb", "a\ufffdb", "a\ufffdb"},
		{"raw c1 byte", "a\x9bb", "a\ufffdb", "a\ufffdb"},
		{"unicode kept", "café ✓", "café ✓", "café ✓"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.text {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.text)
			}
			if got := Line(tt.in); got != tt.line {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.line)
			}
		})
	}
}

func TestUnsafe(t *testing.T) {
	tests := []struct {
		r    rune
		want bool
	}{
		{'a', false}, {' ', false}, {'\n', true}, {'\t', true}, {0x1b, true}, {0x7f, true},
		{0x80, true}, {0x85, true}, {0x9f, true}, {0xa0, false}, {'é', false},
		{0x061c, true}, {0x180e, true}, {0x200b, true}, {0x200c, false}, {0x200d, false},
		{0x200e, true}, {0x200f, true}, {0x2027, false}, {0x2028, true}, {0x2029, true},
		{0x202a, true}, {0x202e, true}, {0x202f, false}, {0x2060, true}, {0x2066, true},
		{0x2069, true}, {0x206f, true}, {0x2070, false}, {0xfe0f, false}, {0xfeff, true},
		{0xfff9, true}, {0xfffb, true}, {0xfffd, false}, {0x1f600, false},
		{0xac, false}, {0xad, true}, {0xae, false}, {0x115e, false}, {0x115f, true}, {0x1160, true},
		{0x1161, false}, {0x3164, true}, {0xffa0, true}, {0xdfff, false}, {0xe0000, true},
		{0xe0041, true}, {0xe007f, true}, {0xe0080, false}, {0xe0100, false}, {0x1f3f4, false},
	}
	for _, tt := range tests {
		if got := Unsafe(tt.r); got != tt.want {
			t.Errorf("Unsafe(%U) = %v, want %v", tt.r, got, tt.want)
		}
	}
}

// FuzzText: Text and Line leave no control rune, return what IsSafe calls
// safe (Line without a newline), and leave text IsSafe accepts as it is.
func FuzzText(f *testing.F) {
	for _, s := range []string{"\x1b[2J", "\x9b1m", "ok", "\u202e", "\xc2\x9b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if IsSafe(s) && Text(s) != s {
			t.Fatalf("IsSafe(%q) but Text changed it to %q", s, Text(s))
		}
		if strings.Contains(Line(s), "\n") {
			t.Fatalf("Line(%q) = %q keeps a newline", s, Line(s))
		}
		for _, out := range []string{Text(s), Line(s)} {
			if strings.ContainsAny(out, "\x1b\x07\x7f\r\x00") {
				t.Fatalf("control byte survived in %q", out)
			}
			for _, r := range out {
				if r < 0x20 && r != '\n' || r >= 0x80 && r <= 0x9f {
					t.Fatalf("control rune %U survived in %q", r, out)
				}
			}
			if !IsSafe(out) {
				t.Fatalf("output not safe: %q", out)
			}
		}
	})
}
