package textout

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// MaxShownBody bounds the body bytes the readable view lays out; the rest
// is summarised (use `show --body` for every byte).
const MaxShownBody = 1 << 20

// ShowOptions tune Show.
type ShowOptions struct {
	// Redactor masks secret headers, fields and configured secrets; nil
	// shows everything as stored.
	Redactor *redact.Redactor
}

// Show writes the readable view of one delivery: request line, facts,
// verdicts, headers and body.
func Show(w io.Writer, r store.Record, data []byte, opts ShowOptions) error {
	var b strings.Builder
	if red := opts.Redactor; red != nil {
		// Verification's text quotes the body and headers (event type,
		// notes, schema errors), and the encoding is a header's value.
		r.Analysis, _ = red.Analysis(r.Analysis)
		r.ContentEncoding, _ = red.String(r.ContentEncoding)
	}
	tgt := target(r.Event, opts.Redactor)
	fmt.Fprintf(&b, "%s %s %s\n\n", termsafe.Line(r.Method), termsafe.Line(tgt), termsafe.Line(r.Proto))
	field := func(k, v string) { fmt.Fprintf(&b, "%-12s %s\n", k, v) }
	field("id", termsafe.Line(r.ID))
	field("received", r.ReceivedAt.UTC().Format(store.TimeFormat))
	field("from", termsafe.Line(r.RemoteAddr))
	size := fmt.Sprintf("%d bytes", r.Size)
	switch r.TruncatedBy() {
	case store.CutWithHead:
		size += " (truncated: only what arrived with the refused head)"
	case store.CutInTransit:
		size += " (truncated: the body did not arrive whole; stored as far as it came)"
	case store.CutBySizeLimit:
		size += " (truncated: the sender sent more than the size limit)"
	}
	if r.ContentEncoding != "" {
		size += ", " + termsafe.Line(r.ContentEncoding) + "-encoded as received"
	}
	field("size", size)
	field("response", fmt.Sprintf("%d in %.2fms", r.Response.Status, r.Response.DurationMS))
	if r.Refused != "" {
		field("refused", "by the HTTP server before hookscope's handler: "+termsafe.Line(r.Refused))
	}
	if r.Forward != nil {
		field("app", attemptLine(*r.Forward, opts.Redactor))
	}
	if r.Imported {
		field("imported", "yes")
	}
	if r.Pinned {
		field("pinned", "yes")
	}
	writeAnalysis(&b, r, field)
	if len(r.Replays) > 0 {
		b.WriteString("\nReplays\n")
		for _, a := range r.Replays {
			fmt.Fprintf(&b, "  #%d %s  %s\n", a.Seq, a.At.UTC().Format(store.TimeFormat), attemptLine(a, opts.Redactor))
		}
	}
	b.WriteString("\nHeaders\n")
	hdr := r.Header
	if opts.Redactor != nil {
		hdr, _ = opts.Redactor.Header(hdr)
	}
	writeFields(&b, hdr)
	if tr := r.Trailer; len(tr) > 0 {
		b.WriteString("\nTrailers\n")
		if opts.Redactor != nil {
			tr, _ = opts.Redactor.Header(tr)
		}
		writeFields(&b, tr)
	}
	fmt.Fprintf(&b, "\nBody (%s, %d bytes)\n", termsafe.Line(orDash(r.ContentType)), len(data))
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	enc := r.ContentEncoding
	if opts.Redactor != nil {
		// Secrets inside a gzip body are only visible decoded: decode
		// all of it first (a JSON document cut short is not JSON, and its
		// secret fields could not be found), then mask. BodyText decodes
		// with the same function, so a body that fails here is shown
		// compressed there, never decoded and unmasked.
		dec, decoded, ok := body.ForMasking(data, r.Codings())
		if !ok {
			// Compressed bytes the masker cannot read could hold any
			// secret, even in a hex dump: as the live view and the
			// exports, show them only when asked.
			_, err := io.WriteString(w, "  (not shown: compressed in a way hookscope cannot decode, so its secrets could not be masked; --reveal-secrets shows it, --body writes it)\n")
			return err
		}
		if decoded {
			data, enc = dec, ""
			io.WriteString(w, "  (gzip decoded for display)\n")
		}
		var n int
		if data, n = opts.Redactor.Body(data, r.ContentType); n > 0 {
			fmt.Fprintf(w, "  (%d secret values masked; --reveal-secrets shows them)\n", n)
		}
	}
	text := BodyText(r.ContentType, enc, data)
	if opts.Redactor != nil {
		// Laying a body out decodes what masking the bytes could not see
		// (an XML character reference, a secret split over two CDATA
		// sections): the text shown is masked once more.
		text, _ = opts.Redactor.String(text)
	}
	_, err := io.WriteString(w, indent(text)+"\n")
	return err
}

// writeFields writes header (or trailer) lines, indented, terminal-safe.
func writeFields(b *strings.Builder, h store.Header) {
	for _, f := range h {
		fmt.Fprintf(b, "  %s: %s\n", termsafe.Line(f.Name), termsafe.Line(f.Value))
	}
}

func writeAnalysis(b *strings.Builder, r store.Record, field func(k, v string)) {
	a := r.Analysis
	if a == nil {
		field("provider", "— (not analysed yet)")
		field("signature", "pending")
		return
	}
	p := orDash(a.Provider)
	if a.EventType != "" {
		p += "  " + a.EventType
	}
	field("provider", termsafe.Line(p))
	sig := a.Signature.Status
	var extra []string
	for _, s := range []string{a.Signature.Algorithm, a.Signature.Scheme} {
		if s != "" {
			extra = append(extra, s)
		}
	}
	if a.Signature.KeyID != "" {
		extra = append(extra, "key "+a.Signature.KeyID)
	}
	if len(extra) > 0 {
		sig += " (" + strings.Join(extra, ", ") + ")"
	}
	field("signature", termsafe.Line(sig))
	if a.Signature.Reason != "" {
		field("", termsafe.Line(a.Signature.Reason))
	}
	if s := a.Schema; s != nil {
		line := s.Status
		if s.Message != "" {
			line += "  " + s.Message
			if s.Channel != "" {
				line += " (" + s.Channel + ")"
			}
		}
		if s.BestGuess {
			line += "  [best guess]"
		}
		field("schema", termsafe.Line(line))
		if s.Reason != "" {
			field("", termsafe.Line(s.Reason))
		}
		for _, e := range s.Errors {
			msg := e.Message
			if !strings.HasPrefix(msg, orRoot(e.Path)) {
				msg = orRoot(e.Path) + ": " + msg
			}
			field("", termsafe.Line(fmt.Sprintf("%s  (%s)", msg, e.Keyword)))
		}
	} else {
		field("schema", "—")
	}
	if a.DuplicateOf != "" {
		field("duplicate", termsafe.Line("of "+a.DuplicateOf+" (same provider event id "+a.ProviderEventID+")"))
	}
	for _, n := range a.Notes {
		field("note", termsafe.Line(n))
	}
}

func orRoot(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// attemptLine is one forward or replay attempt; red masks configured
// secrets in its target and error, which carry the delivery's path.
func attemptLine(a store.Attempt, red *redact.Redactor) string {
	if red != nil {
		a, _ = red.Attempt(a)
	}
	s := fmt.Sprintf("%s → ", termsafe.Line(a.Target))
	if a.Status != 0 {
		s += fmt.Sprintf("%d", a.Status)
	} else {
		s += "no response"
	}
	s += fmt.Sprintf(" in %.1fms", a.DurationMS)
	if a.Error != "" {
		s += "  " + termsafe.Line(a.Error)
	}
	if a.Edited {
		s += "  (edited body)"
	}
	return s
}

// maxShownHex bounds the bytes of a binary body shown as a hex dump.
const maxShownHex = 4096

// BodyText renders a body for reading the way the TUI's Body tab lays it
// out (ui/body): gzip decoded, JSON, XML and forms pretty-printed, JWTs
// decoded, binary as a hex dump, every line terminal-safe. Only the first
// MaxShownBody decoded bytes are laid out (as they are, since a cut
// document no longer parses), and of binary only the first maxShownHex.
func BodyText(contentType, contentEncoding string, data []byte) string {
	if len(data) == 0 {
		return "(empty)"
	}
	var notes []string
	opts := body.Options{ContentType: contentType, ContentEncoding: contentEncoding}
	if body.IsGzip(data, contentEncoding) {
		opts.ContentEncoding = ""
		if dec, err := body.Gunzip(data); err == nil {
			data = dec
			notes = append(notes, "gzip decoded for display")
		} else {
			notes = append(notes, "gzip body could not be decoded: "+termsafe.Line(err.Error()))
			opts.Raw = true
		}
	}
	more := 0
	if len(data) > MaxShownBody {
		more = len(data) - MaxShownBody
		data = data[:MaxShownBody]
		opts.Raw = true
	}
	d := body.Prepare(data, opts)
	lines := d.Lines
	if d.Kind == body.Hex && len(data) > maxShownHex {
		lines = lines[:maxShownHex/16]
		more += len(data) - maxShownHex
	}
	var b strings.Builder
	for _, n := range append(notes, d.Notes...) {
		b.WriteString("(" + n + ")\n")
	}
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(l)
		if n := d.Omitted[i]; n > 0 {
			fmt.Fprintf(&b, " … %d more bytes on this line", n)
		}
	}
	if more > 0 {
		fmt.Fprintf(&b, "\n… %d more bytes (hookscope show --body ID for every byte)", more)
	}
	return b.String()
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}

// sentTarget is the request target as it was sent: the raw path when it
// is one (store.RawPathFor) with no byte re-encoded, where replay and the
// exports escape the bytes net/url refuses ({, |, "…) to send them again.
func sentTarget(e store.Event) string {
	p := store.RawPathFor(e.Path, e.RawPath)
	if p == "" {
		p = e.EscapedPath()
	}
	return withQuery(p, e.Query)
}

// Raw writes the delivery as HTTP/1.1 text: request line, header lines as
// received, a blank line, the body bytes. Nothing is sanitised: this is for
// files and pipes. A body that came chunked is stored de-chunked; it is
// written chunked again (chunkedBody), as one chunk, followed by the stored
// trailers, so that the text is the request as HTTP/1.1 reads it; a body
// stored cut gets no last chunk and no trailers.
func Raw(w io.Writer, r store.Record, body []byte) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\n", r.Method, sentTarget(r.Event))
	for _, f := range r.Header {
		fmt.Fprintf(&b, "%s: %s\r\n", f.Name, f.Value)
	}
	b.WriteString("\r\n")
	if chunkedBody(r.Event) {
		if len(body) > 0 {
			fmt.Fprintf(&b, "%x\r\n", len(body))
			b.Write(body)
			b.WriteString("\r\n")
		}
		// A body stored cut (over --max-body, or not received whole)
		// has no last chunk: the text stops where the stored body does,
		// as one with a Content-Length does, instead of reading as a
		// complete, shorter request.
		if !r.Truncated {
			b.WriteString("0\r\n")
			for _, f := range r.Trailer {
				fmt.Fprintf(&b, "%s: %s\r\n", f.Name, f.Value)
			}
			b.WriteString("\r\n")
		}
	} else {
		b.Write(body)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// chunkedBody reports whether Raw frames e's body as chunks: the last
// coding of its Transfer-Encoding is chunked, and the body is stored
// de-chunked. The listener de-chunks every chunked body it handles. A
// request net/http refused is stored from the bytes that came (capture's
// refused requests): de-chunked only when its Transfer-Encoding is chunked
// alone and the chunks parsed (it is then not cut short), else as it came,
// chunk lines included, which must not be framed twice.
func chunkedBody(e store.Event) bool {
	te := e.Header.Values("Transfer-Encoding")
	if len(te) == 0 {
		return false
	}
	if e.Refused != "" {
		// Exactly when capture's refusedBody de-chunked it: the first
		// Transfer-Encoding value is chunked alone, and the chunks parsed.
		return !e.Truncated && strings.EqualFold(strings.TrimSpace(te[0]), "chunked")
	}
	var last string
	for _, v := range te {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.Trim(c, " \t"); c != "" {
				last = c
			}
		}
	}
	return strings.EqualFold(last, "chunked")
}
