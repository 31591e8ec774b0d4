package export

import (
	"bufio"
	"bytes"
	"encoding/json"
)

// A JSONL line is the `show --json` object of a delivery with these fields
// added, so that a file round-trips exactly:
//
//	raw_headers     [{"name","value"}…]: every header line in received order,
//	                names in their original case ("headers" groups values
//	                under canonical names and so loses both)
//	body            the body as a string, when it is valid UTF-8
//	body_base64     otherwise, the body in standard base64
//	secrets_masked  true when masking changed a header or the body, so the
//	                line is not the delivery as received
//	body_withheld   true when masking left the body out: it is compressed
//	                in a way hookscope cannot decode to mask it
//
// On import raw_headers wins over headers when both are present; verdicts
// (signature, schema, duplicate_of) in the file are not trusted and are
// computed again.
type jsonlExtra struct {
	RawHeaders    []harNV `json:"raw_headers"`
	Body          *string `json:"body,omitempty"`
	BodyBase64    *string `json:"body_base64,omitempty"`
	SecretsMasked bool    `json:"secrets_masked,omitempty"`
	BodyWithheld  bool    `json:"body_withheld,omitempty"`
}

type jsonlEncoder struct {
	w *bufio.Writer
}

func (e *jsonlEncoder) begin() error { return nil }
func (e *jsonlEncoder) end() error   { return nil }

func (e *jsonlEncoder) entry(d delivery) error {
	obj, err := json.Marshal(d.rec)
	if err != nil {
		return err
	}
	extra := jsonlExtra{RawHeaders: headerNV(d.rec.Header), SecretsMasked: d.masked, BodyWithheld: d.withheld}
	if text, enc := bodyText(d.body); enc == "" {
		extra.Body = &text
	} else {
		extra.BodyBase64 = &text
	}
	more, err := marshalNoEscape(extra)
	if err != nil {
		return err
	}
	// Splice the extra fields into the record's object: the line stays the
	// exact `show --json` object plus fields, whatever that object holds.
	obj = bytes.TrimSuffix(bytes.TrimSpace(obj), []byte("}"))
	more = bytes.TrimPrefix(more, []byte("{"))
	e.w.Write(obj)
	if len(obj) > 1 { // not an empty object: the extra fields follow a comma
		e.w.WriteByte(',')
	}
	e.w.Write(more)
	return e.w.WriteByte('\n')
}
