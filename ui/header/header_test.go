package header

import (
	"strings"
	"testing"
)

func TestSparkline(t *testing.T) {
	tests := []struct {
		counts []int
		width  int
		want   string
	}{
		{[]int{0, 0, 0}, 3, "▁▁▁"},
		{[]int{0, 1, 2, 8}, 4, "▁▂▃█"},
		{[]int{1, 0, 0, 5, 0, 0}, 3, "▃█▁"},
		{nil, 5, ""},
	}
	for _, tt := range tests {
		if got := Sparkline(tt.counts, tt.width); got != tt.want {
			t.Errorf("Sparkline(%v, %d) = %q, want %q", tt.counts, tt.width, got, tt.want)
		}
	}
}

func TestCommas(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567"} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q", n, got)
		}
	}
}

func TestCountsAgreeInNumber(t *testing.T) {
	tests := []struct {
		total, matched int
		filter, want   string
	}{
		{1, 0, "", "1 delivery"},
		{2, 0, "", "2 deliveries"},
		{0, 0, "", "0 deliveries"},
		{5, 1, "x", "5 deliveries · 1 matches"},
		{5, 2, "x", "5 deliveries · 2 match"},
	}
	for _, tt := range tests {
		m := New(Styles{})
		m.SetSize(120)
		m.SetInfo(Info{Total: tt.total, Matched: tt.matched, CountsKnown: true, Filter: tt.filter})
		if v := m.View(); !strings.Contains(v, tt.want+" ") && !strings.Contains(v, tt.want+"\n") && !strings.HasSuffix(v, tt.want) {
			t.Errorf("%d/%d: header %q lacks %q", tt.total, tt.matched, v, tt.want)
		}
	}
}
