package export

import (
	"bufio"
	"bytes"
	"encoding/json"

	"github.com/hookscope/hookscope/store"
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
//	attempt_answers [{"seq","headers","body"|"body_base64"}…]: the full
//	                answers of the live forward (seq 0) and of the replays
//	                (their seq), which "forward" and "replays" summarise;
//	                left out when there are none
//
// On import raw_headers wins over headers when both are present; verdicts
// (signature, schema, duplicate_of) in the file are not trusted and are
// computed again; pinned, forward, replays and attempt_answers are restored
// as they are.
type jsonlExtra struct {
	RawHeaders     []harNV       `json:"raw_headers"`
	Body           *string       `json:"body,omitempty"`
	BodyBase64     *string       `json:"body_base64,omitempty"`
	SecretsMasked  bool          `json:"secrets_masked,omitempty"`
	BodyWithheld   bool          `json:"body_withheld,omitempty"`
	AttemptAnswers []jsonlAnswer `json:"attempt_answers,omitempty"`
}

// jsonlAnswer is the full answer to one attempt: its response header lines
// in order, names as received, and its (capped) body.
type jsonlAnswer struct {
	Seq        int     `json:"seq"`
	Headers    []harNV `json:"headers"`
	Body       *string `json:"body,omitempty"`
	BodyBase64 *string `json:"body_base64,omitempty"`
}

// answerOf is a's answer in JSONL. An attempt that got no answer (nil
// body, as against an empty one) has neither body field.
func answerOf(a *store.Attempt) jsonlAnswer {
	out := jsonlAnswer{Seq: a.Seq, Headers: headerNV(a.RespHeader)}
	if a.RespBody != nil {
		out.Body, out.BodyBase64 = bodyFields(a.RespBody)
	}
	return out
}

// bodyFields is a body as JSONL carries it: text when valid UTF-8, else
// base64.
func bodyFields(b []byte) (text, b64 *string) {
	s, enc := bodyText(b)
	if enc == "" {
		return &s, nil
	}
	return nil, &s
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
	extra.Body, extra.BodyBase64 = bodyFields(d.body)
	if d.forward != nil {
		// The forward's answer is stored under attempt number 0,
		// whatever its Seq says.
		a := answerOf(d.forward)
		a.Seq = 0
		extra.AttemptAnswers = append(extra.AttemptAnswers, a)
	}
	for i := range d.replays {
		extra.AttemptAnswers = append(extra.AttemptAnswers, answerOf(&d.replays[i]))
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
