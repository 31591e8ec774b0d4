package simulate

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
)

// TestBuildSets: a Set lands in the body and may break the schema (the
// delivery is still made, with SchemaErrors); one whose path cannot be
// followed is a *SetError.
func TestBuildSets(t *testing.T) {
	m := embeddedMessage(t, "app.installed")
	build := func(sets ...string) (*Delivery, error) {
		b := &Builder{Message: m, Now: time.Now}
		for _, s := range sets {
			sf, err := ParseSet(s)
			if err != nil {
				t.Fatal(err)
			}
			b.Sets = append(b.Sets, sf)
		}
		return b.Build("")
	}
	d, err := build("data.account_id=acc-1", "event_id=custom-1")
	if err != nil || len(d.SchemaErrors) != 0 || d.EventID != "custom-1" {
		t.Fatalf("valid sets: %v, schema errors %q, event id %q", err, d.SchemaErrors, d.EventID)
	}
	var body map[string]any
	if err := json.Unmarshal(d.Body, &body); err != nil || body["data"].(map[string]any)["account_id"] != "acc-1" {
		t.Fatalf("set not applied: %s %v", d.Body, err)
	}
	if d, err = build("event_id=7"); err != nil || len(d.SchemaErrors) == 0 || !strings.Contains(strings.Join(d.SchemaErrors, " "), "/event_id") {
		t.Fatalf("schema-breaking set: %v, schema errors %q", err, d.SchemaErrors)
	}
	_, err = build("/id/x=1")
	var se *SetError
	if !errors.As(err, &se) || se.Path != "/id/x" {
		t.Fatalf("set through a string: %v, want a *SetError for /id/x", err)
	}
	if _, err := ParseSet("novalue"); err == nil {
		t.Fatal("ParseSet accepted a value without =")
	}
}

// TestBuildTalkifAIEnvelope: a TalkifAI body carries a new evt_ id and the
// time it was built, not the documented example's, and stays valid.
func TestBuildTalkifAIEnvelope(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	b := &Builder{Message: embeddedMessage(t, "call.ended"), Now: func() time.Time { return now }}
	d, err := b.Build("")
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		ID, Type, Created string
		Data              map[string]any
	}
	if err := json.Unmarshal(d.Body, &body); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(body.ID, "evt_") || d.EventID != body.ID || body.Type != "call.ended" ||
		body.Created != "2026-11-23T12:00:00Z" || body.Data == nil {
		t.Fatalf("body %s, event id %q", d.Body, d.EventID)
	}
	if errs := revalidate(b.Message, mustDecode(t, d.Body)); len(errs) != 0 {
		t.Fatalf("built body is invalid: %q", errs)
	}
	// A Set still wins over the shape.
	sf, _ := ParseSet("created=2020-01-01T00:00:00Z")
	b.Sets = []Set{sf}
	if d, err = b.Build(""); err != nil || !strings.Contains(string(d.Body), `"created":"2020-01-01T00:00:00Z"`) {
		t.Fatalf("set created: %s %v", d.Body, err)
	}
}

func mustDecode(t *testing.T, b []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestBuildEventIDFields: the event id reported is the one the listener's
// duplicate detection reads with the config's event_id_fields; a provider
// configured with none has none.
func TestBuildEventIDFields(t *testing.T) {
	m := embeddedMessage(t, "app.installed")
	p := m.Provider()
	for _, tc := range []struct {
		name   string
		fields map[string][]string
		want   string
	}{
		{"default", nil, "ev-1"},
		{"other field", map[string][]string{p: {"data.account_id"}}, "acc-1"},
		{"none", map[string][]string{p: {}}, ""},
		{"null", map[string][]string{p: nil}, ""},
	} {
		b := &Builder{Message: m, Now: time.Now, IDFields: tc.fields, Sets: []Set{{Path: "data.account_id", Value: "acc-1"}}}
		d, err := b.Build("ev-1")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if d.EventID != tc.want {
			t.Errorf("%s: event id %q, want %q", tc.name, d.EventID, tc.want)
		}
	}
}
