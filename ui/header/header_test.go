package header

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
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
		{5, 1, "x", "5 deliveries · 1 match"},
		{5, 2, "x", "5 deliveries · 2 matches"},
		// Counted for the filter before: no number that is not this one's.
		{5, -1, "x", "5 deliveries · — match"},
	}
	for _, tt := range tests {
		m := New(Styles{})
		m.SetSize(120)
		m.SetInfo(Info{Total: tt.total, Matched: tt.matched, CountsKnown: true, Filter: tt.filter, MatchedStale: tt.matched < 0})
		if v := m.View(); !strings.Contains(v, tt.want+" ") && !strings.Contains(v, tt.want+"\n") && !strings.HasSuffix(v, tt.want) {
			t.Errorf("%d/%d: header %q lacks %q", tt.total, tt.matched, v, tt.want)
		}
	}
}

// TestForwardTarget: the target the listener forwards to is on the first
// line beside the listening URL, made terminal-safe, and cut to fit a
// narrow terminal, where the database path gives way first.
func TestForwardTarget(t *testing.T) {
	const listen, fwd = "http://127.0.0.1:8080", "http://127.0.0.1:18129/app"
	tests := []struct {
		name    string
		width   int
		info    Info
		want    []string // on the first line
		wantNot []string
	}{
		{name: "wide", width: 160, info: Info{ListenURL: listen, ForwardTo: fwd, DBPath: "/tmp/h/hookscope.db"},
			want: []string{"● " + listen + " → app " + fwd + "   db /tmp/h/hookscope.db"}},
		{name: "80 columns: the path gives way", width: 80, info: Info{ListenURL: listen, ForwardTo: fwd, DBPath: "/home/ada/.local/share/hookscope/hookscope.db"},
			want: []string{"→ app " + fwd}, wantNot: []string{"db"}},
		{name: "a long target is cut", width: 100, info: Info{ListenURL: listen, ForwardTo: "https://my-app.example.com/webhooks/talkdesk/inbound/with/a/long/path", DBPath: "/tmp/h.db"},
			want: []string{"→ app https://my-app.example.com/webhooks/talkdesk/inbound/wit…"}, wantNot: []string{"db "}},
		{name: "narrow", width: 50, info: Info{ListenURL: listen, ForwardTo: fwd, DBPath: "/tmp/h.db"},
			want: []string{"→ app http:/…"}},
		{name: "control characters shown", width: 120, info: Info{ListenURL: listen, ForwardTo: "http://h/\x1b[31mred"},
			want: []string{"→ app http://h/␛[31mred"}},
		{name: "none", width: 120, info: Info{ListenURL: listen}, wantNot: []string{"→"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := New(Styles{})
			m.SetSize(tt.width)
			m.SetInfo(tt.info)
			l1, _, _ := strings.Cut(m.View(), "\n")
			if w := ansi.StringWidth(l1); w != tt.width {
				t.Errorf("first line is %d cells, want %d: %q", w, tt.width, l1)
			}
			for _, s := range tt.want {
				if !strings.Contains(l1, s) {
					t.Errorf("first line %q lacks %q", l1, s)
				}
			}
			for _, s := range tt.wantNot {
				if strings.Contains(l1, s) {
					t.Errorf("first line %q has %q", l1, s)
				}
			}
		})
	}
}
