package textout

import (
	"encoding/json"
	"testing"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
)

// TestMaskedRecord: the JSON outputs' masking replaces configured secrets
// in the path, raw path, query, header and trailer values and attempt targets and
// errors, leaves everything else (the id included) and the record it was
// given alone, and is off with a nil redactor.
func TestMaskedRecord(t *testing.T) {
	const s = "tk-path-secret-9f8e" // a configured secret a provider also put in the webhook URL
	target := "http://app/hooks/" + s
	in := store.Record{
		Event: store.Event{ID: "33l9t6bsac57e", Method: "POST", Path: "/hooks/" + s + "/a/b", RawPath: "/hooks/" + s + "/a%2Fb",
			Query: "token=" + s, Host: "h", Header: store.Header{{Name: "X-Token", Value: s}, {Name: "Authorization", Value: "Bearer xyz"}},
			Trailer: store.Header{{Name: "X-Sig", Value: "k=" + s}, {Name: "Authorization", Value: "Bearer xyz"}},
			Forward: &store.Attempt{Target: target, Error: "dial " + target}},
		Replays: []store.Attempt{{Seq: 1, Target: target}},
	}
	orig, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	m := redact.Mask
	tests := []struct {
		name string
		red  *redact.Redactor
		want store.Record
	}{
		{"revealed", nil, in},
		{"masked", redact.New([]string{s}), store.Record{
			Event: store.Event{ID: "33l9t6bsac57e", Method: "POST", Path: "/hooks/" + m + "/a/b", RawPath: "/hooks/" + m + "/a%2Fb",
				Query: "token=" + m, Host: "h", Header: store.Header{{Name: "X-Token", Value: m}, {Name: "Authorization", Value: "Bearer xyz"}},
				Trailer: store.Header{{Name: "X-Sig", Value: "k=" + m}, {Name: "Authorization", Value: "Bearer xyz"}},
				Forward: &store.Attempt{Target: "http://app/hooks/" + m, Error: "dial http://app/hooks/" + m}},
			Replays: []store.Attempt{{Seq: 1, Target: "http://app/hooks/" + m}},
		}},
		{"no secret in it", redact.New([]string{"other-secret"}), in},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(maskedRecord(in, tt.red))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(tt.want)
			if string(got) != string(want) {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			if after, _ := json.Marshal(in); string(after) != string(orig) {
				t.Fatalf("maskedRecord changed its input: %s", after)
			}
		})
	}
}
