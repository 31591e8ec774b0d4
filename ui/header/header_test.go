package header

import "testing"

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
