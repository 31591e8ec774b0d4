package cellfit

import (
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestFit(t *testing.T) {
	tests := []struct {
		name, s string
		w       int
		tail    string
		want    string
	}{
		{"pads plain text", "abc", 5, "…", "abc  "},
		{"exact width unchanged", "abcde", 5, "…", "abcde"},
		{"cuts with an ellipsis", "abcdefgh", 5, "…", "abcd…"},
		{"hard cut", "abcdefgh", 5, "", "abcde"},
		{"wide character at the cut is padded", "ab界界", 5, "", "ab界 "},
		{"zero width", "abc", 0, "…", ""},
		{"negative width", "abc", -3, "…", ""},
		{"closed style is left alone", "\x1b[1mab\x1b[m", 4, "…", "\x1b[1mab\x1b[m  "},
		{"style cut before its reset is closed", "\x1b[1mabcdef\x1b[m", 3, "", "\x1b[1mabc\x1b[m"},
		{"one line of a block styled across lines", "\x1b[1mfirst line", 12, "", "\x1b[1mfirst line\x1b[m  "},
		{"explicit 0 reset counts as closed", "\x1b[1ma\x1b[0m", 2, "", "\x1b[1ma\x1b[0m "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Fit(tt.s, tt.w, tt.tail)
			if got != tt.want {
				t.Fatalf("Fit(%q, %d, %q) = %q, want %q", tt.s, tt.w, tt.tail, got, tt.want)
			}
			if tt.w > 0 && ansi.StringWidth(got) != tt.w {
				t.Fatalf("width %d, want %d", ansi.StringWidth(got), tt.w)
			}
		})
	}
}

func TestPad(t *testing.T) {
	tests := []struct {
		s           string
		w           int
		right, left string
	}{
		{"ab", 4, "ab  ", "  ab"},
		{"abcdef", 4, "abcdef", "abcdef"}, // never truncates
		{"界", 3, "界 ", " 界"},
		{"\x1b[1mab\x1b[m", 3, "\x1b[1mab\x1b[m ", " \x1b[1mab\x1b[m"},
	}
	for _, tt := range tests {
		if got := PadRight(tt.s, tt.w); got != tt.right {
			t.Errorf("PadRight(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.right)
		}
		if got := PadLeft(tt.s, tt.w); got != tt.left {
			t.Errorf("PadLeft(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.left)
		}
	}
}
