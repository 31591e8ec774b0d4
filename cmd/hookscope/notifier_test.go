package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSendNotifierTemplates(t *testing.T) {
	sendEnv(t)
	l := startListen(t)
	dir := t.TempDir()
	to := l.url + "/hooks/notifier"
	tests := []struct {
		name, file, body string
		extra            []string
		code             int
		stderrHas        string
		stored           string // the body the listener must have, "" when nothing is sent
	}{
		{"json known", "a.json", `{"data":{"call_id":"{{call_id}}","duration":{{duration}},"phone":"{{ customer_phone_number }}"}}`,
			[]string{"--trigger", "A call is missed"}, 0, "",
			`{"data":{"call_id":"8f2a61c3d0b94e7fa5c1e2d3b4a59687","duration":0,"phone":"+14155550123"}}`},
		{"xml known", "a.xml", `<call><id>{{call_id}}</id><hours>{{in_business_hours}}</hours></call>`,
			[]string{"--trigger", "an-inbound-call-ends"}, 0, "",
			`<call><id>8f2a61c3d0b94e7fa5c1e2d3b4a59687</id><hours>true</hours></call>`},
		{"unknown reported and sent", "b.json", `{"c":"{{call_id}}","x":"{{ivr_name}}"}`,
			nil, 1, "{{ivr_name}}",
			`{"c":"8f2a61c3d0b94e7fa5c1e2d3b4a59687","x":"{{ivr_name}}"}`},
		{"--fill supplies unknown, escaped", "c.json", `{"x":"{{ivr_name}}"}`,
			[]string{"--fill", `ivr_name=Sales "EU" & <Support>`}, 0, "",
			`{"x":"Sales \"EU\" & <Support>"}`},
		{"--fill escaped in XML", "c.xml", `<x>{{ivr_name}}</x>`,
			[]string{"--fill", `ivr_name=A & <B>`}, 0, "",
			`<x>A &amp; &lt;B&gt;</x>`},
		// Talkdesk's own sample body lacks its outer braces.
		{"malformed JSON not sent", "d.json", "\"data\": {\n\"call_id\": \"{{call_id}}\"\n}",
			nil, 1, "not well-formed JSON", ""},
		{"malformed XML not sent", "e.xml", `<a>{{call_id}}</b>`, nil, 1, "not well-formed XML", ""},
		{"two XML roots not sent", "f.xml", `<a/><b/>`, nil, 1, "one root element", ""},
		{"sniffed XML", "g.txt", ` <a>{{agent_id}}</a>`, nil, 0, "", ` <a>6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d</a>`},
	}
	want := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"send", "notifier", "--template", writeFile(t, filepath.Join(dir, tt.file), tt.body), "--to", to}, tt.extra...)
			code, out, errs := run(t, args...)
			if code != tt.code || !strings.Contains(errs, tt.stderrHas) {
				t.Fatalf("exit %d (want %d), stderr %q (want %q)\n%s", code, tt.code, errs, tt.stderrHas, out)
			}
			if tt.stored == "" {
				return
			}
			want++
			got := storedDeliveries(t, l.db)
			if len(got) != want {
				t.Fatalf("listener has %d deliveries, want %d", len(got), want)
			}
			d := got[len(got)-1]
			if string(d.body) != tt.stored {
				t.Fatalf("stored %s\nwant   %s", d.body, tt.stored)
			}
			ct := "application/json"
			if strings.HasPrefix(strings.TrimSpace(tt.stored), "<") {
				ct = "application/xml"
			}
			if d.header.Get("Content-Type") != ct || d.path != "/hooks/notifier" {
				t.Fatalf("content type %q path %q", d.header.Get("Content-Type"), d.path)
			}
		})
	}
}

// TestSendNotifierHidesPasswordInTarget: a password in --to is sent but
// never printed: not in the request line, --json's target, nor the error.
func TestSendNotifierHidesPasswordInTarget(t *testing.T) {
	sendEnv(t)
	tmpl := filepath.Join(t.TempDir(), "a.json")
	if err := os.WriteFile(tmpl, []byte(`{"c":"{{call_id}}"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing answers: the send fails after printing the request
	to := "http://u:pw-s3cret@" + addr + "/x"
	for _, tt := range []struct {
		json bool
		want string
	}{
		{false, "POST http://u:xxxxx@" + addr + "/x"},
		{true, `"target":"http://u:xxxxx@` + addr + `/x"`},
	} {
		args := []string{"send", "notifier", "--template", tmpl, "--to", to}
		if tt.json {
			args = append(args, "--json")
		}
		code, out, errs := run(t, args...)
		if code != 1 || strings.Contains(out+errs, "pw-s3cret") || !strings.Contains(out, tt.want) {
			t.Fatalf("--json %v: exit %d, stdout %q, stderr %q; want %q and no password", tt.json, code, out, errs, tt.want)
		}
	}
}
