package body

import (
	"bytes"
	"encoding/json"

	"github.com/hookscope/hookscope/store/jwttoken"
)

// jwt lays out a compact JWT as its decoded header and claims; pointers
// refer to the claims. It reports false when the parts do not decode to
// JSON, leaving d untouched. tok is the token jwttoken.Find found.
func (d *Doc) jwt(tok []byte) bool {
	parts := bytes.Split(tok, []byte("."))
	header, err1 := jwttoken.Segment(parts[0])
	claims, err2 := jwttoken.Segment(parts[1])
	if err1 != nil || err2 != nil || !json.Valid(header) || !json.Valid(claims) {
		return false
	}
	d.Kind = JWT
	d.Headings = map[int]bool{}
	var out []byte
	line := 0
	add := func(heading string) {
		d.Headings[line] = true
		out = append(out, heading...)
		out = append(out, '\n')
		line++
	}
	add("JWT header")
	h, _, _ := prettyJSON(header, MaxDisplayBytes, line, false)
	out = append(out, h...)
	out = append(out, '\n')
	line += bytes.Count(h, []byte("\n")) + 1
	add("JWT claims")
	d.ptrSrc, d.ptrLine = claims, line
	c, _, _ := prettyJSON(claims, MaxDisplayBytes, line, false)
	out = append(out, c...)
	out = append(out, '\n')
	line += bytes.Count(c, []byte("\n")) + 1
	add("JWT signature (checked on the Signature tab)")
	out = append(out, parts[2]...)
	d.Notes = append(d.Notes, "JWT decoded")
	d.setText(out)
	return true
}
