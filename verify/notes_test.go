package verify

import (
	"strings"
	"testing"
)

func TestFillPlaceholders(t *testing.T) {
	known := map[string]string{"call_id": "c1", "agent_id": "a&b"}
	fill := func(n string) (string, bool) { v, ok := known[n]; return v, ok }
	tests := []struct {
		in, want, left string
	}{
		{`{"c":"{{call_id}}","a":"{{ agent_id }}"}`, `{"c":"c1","a":"a&b"}`, ""},
		{`<x>{{call_id}}{{nope}}{{nope}}{{ other }}</x>`, `<x>c1{{nope}}{{nope}}{{ other }}</x>`, "{{nope}},{{ other }}"},
		{`{{}} {{ }} {call_id} {{call id}}`, `{{}} {{ }} {call_id} {{call id}}`, ""},
		{"no placeholders", "no placeholders", ""},
	}
	for _, tt := range tests {
		got, left := FillPlaceholders([]byte(tt.in), fill)
		if string(got) != tt.want || strings.Join(left, ",") != tt.left {
			t.Errorf("%q: got %q left %q", tt.in, got, left)
		}
	}
}
