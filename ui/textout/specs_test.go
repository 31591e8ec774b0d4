package textout

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/hookscope/hookscope/verify/asyncapi"
)

func TestChannels(t *testing.T) {
	reg, err := asyncapi.Default()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := Channels(&b, reg.Channels()); err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, b.Bytes())
}

func TestChannelsUntrustedText(t *testing.T) {
	chans := []asyncapi.ChannelInfo{
		{Channel: "evil\x1b]0;pwned\x07", Provider: "", Messages: []asyncapi.MessageInfo{{Name: "a\tb", Title: "line\nbreak", EventType: "\u202etxt"}}},
		{Channel: "empty"},
	}
	var b bytes.Buffer
	if err := Channels(&b, chans); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.ContainsAny(out, "\x1b\x07\u202e") || strings.Count(out, "\n") != 3 {
		t.Fatalf("unsafe or misaligned output:\n%q", out)
	}
}
