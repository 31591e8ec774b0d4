package simulate

import (
	"testing"

	"github.com/hookscope/hookscope/verify/asyncapi"
)

// embeddedMessage is the message called name in the embedded specs, which
// are what `send` plays without a --spec.
func embeddedMessage(t *testing.T, name string) *asyncapi.Message {
	t.Helper()
	reg, _, err := asyncapi.Load(nil, true)
	if err != nil {
		t.Fatal(err)
	}
	m, ok := reg.Message(name)
	if !ok {
		t.Fatalf("no message %s in the embedded specs", name)
	}
	return m
}
