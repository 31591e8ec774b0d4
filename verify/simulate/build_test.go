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
