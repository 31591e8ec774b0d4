package detail

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/internal/cellfit"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/verdict"
)

// labelWidth is the width of the label column of key/value tabs.
const labelWidth = 11

// kv appends label and value, the value wrapped under itself.
func (m Model) kv(out []string, label, value string) []string {
	w := max(10, m.textWidth()-labelWidth)
	lab := m.styles.Label.Render(cellfit.PadRight(label, labelWidth))
	blank := strings.Repeat(" ", labelWidth)
	for i, l := range strings.Split(ansi.Wrap(value, w, ""), "\n") {
		if i == 0 {
			out = append(out, lab+l)
		} else {
			out = append(out, blank+l)
		}
	}
	return out
}

// wrapIndent wraps styled text at the view width, continuation rows indented.
func (m Model) wrapIndent(out []string, s string, indent int) []string {
	w := max(10, m.textWidth()-indent)
	pre := strings.Repeat(" ", indent)
	for i, l := range strings.Split(ansi.Wrap(s, w, ""), "\n") {
		if i == 0 {
			out = append(out, l)
		} else {
			out = append(out, pre+l)
		}
	}
	return out
}

func safe(s string) string { return termsafe.Line(s) }

func (m Model) dim(s string) string { return m.styles.Dim.Render(s) }

func (m Model) missing(why string) string {
	return m.dim(verdict.Missing + "  " + why)
}

// maskedTarget is a delivery's path and query as shown: configured secrets
// and the query's secret fields masked unless revealed.
func (m Model) maskedTarget(e store.Event) string {
	red := m.redactor
	if m.reveal {
		red = nil
	}
	return red.PathQuery(e.Path, e.Query)
}

// maskedAttempt is a replay or forward attempt as shown: its target and
// error carry the delivery's path, so configured secrets are masked there
// unless revealed.
func (m Model) maskedAttempt(a store.Attempt) store.Attempt {
	if m.reveal {
		return a
	}
	a, _ = m.redactor.Attempt(a)
	return a
}

func (m Model) overview() []string {
	r := m.rec
	var out []string
	out = m.wrapIndent(out, m.styles.Value.Render(safe(r.Method)+" "+safe(m.maskedTarget(r.Event))+" "+m.dim(safe(r.Proto))), 2)
	out = append(out, "")
	out = m.kv(out, "Received", r.ReceivedAt.In(m.loc).Format("2006-01-02 15:04:05.000 MST"))
	out = m.kv(out, "ID", safe(r.ID))
	out = m.kv(out, "From", safe(r.RemoteAddr))
	out = m.kv(out, "Host", safe(r.Host))
	out = m.kv(out, "Response", m.statusText(r.Response.Status, r.Response.DurationMS, ""))
	if r.Refused != "" {
		out = m.kv(out, "Refused", m.styles.Error.Render("by the HTTP server, before hookscope's handler: "+safe(r.Refused)))
	}
	if r.Forward != nil {
		f := m.maskedAttempt(*r.Forward)
		out = m.kv(out, "App", m.statusText(f.Status, f.DurationMS, f.Error)+m.dim(" from "+safe(f.Target)))
	}
	size := body.HumanBytes(r.Size)
	if r.ContentType != "" {
		size += " · " + safe(r.ContentType)
	}
	if enc := r.ContentEncoding; enc != "" {
		if !m.reveal && m.redactor != nil {
			enc, _ = m.redactor.String(enc) // a header's value, as sent
		}
		size += " · " + safe(enc)
	}
	switch r.TruncatedBy() {
	case store.CutWithHead:
		size += " · " + m.styles.Error.Render("only what arrived with the refused head")
	case store.CutInTransit:
		size += " · " + m.styles.Error.Render("did not arrive whole")
	case store.CutBySizeLimit:
		size += " · " + m.styles.Error.Render("truncated at the size limit")
	}
	out = m.kv(out, "Body", size)
	if r.Pinned {
		out = m.kv(out, "Pinned", "yes"+m.dim(" · pruning keeps it; p unpins"))
	}
	if r.Imported {
		out = m.kv(out, "Imported", "yes"+m.dim(" · not captured by this listener"))
	}
	a := m.analysis()
	if a == nil {
		out = m.kv(out, "Provider", m.missing("analysis pending"))
		out = m.kv(out, "Event", m.dim(verdict.Missing))
	} else {
		out = m.kv(out, "Provider", orMissing(m, safe(a.Provider)))
		out = m.kv(out, "Event", orMissing(m, safe(a.EventType)))
	}
	out = m.kv(out, "Signature", m.signatureWords())
	out = m.kv(out, "Schema", m.schemaWords())
	if a != nil && a.DuplicateOf != "" {
		out = m.kv(out, "Duplicate", m.styles.Error.Render("of "+safe(a.DuplicateOf)))
	}
	if a != nil {
		for i, n := range a.Notes {
			label := ""
			if i == 0 {
				label = "Notes"
			}
			out = m.kv(out, label, "• "+safe(n))
		}
	}
	if n := len(r.Replays); n > 0 {
		last := m.maskedAttempt(r.Replays[n-1])
		out = m.kv(out, "Replays", fmt.Sprintf("%s, last %s", pluralize(n, "attempt"), m.statusText(last.Status, last.DurationMS, last.Error)))
	}
	return out
}

func orMissing(m Model, s string) string {
	if s == "" {
		return m.dim(verdict.Missing)
	}
	return s
}

func (m Model) statusText(code int, ms float64, errText string) string {
	s := m.dim(verdict.Missing)
	if code > 0 {
		s = m.verdict.Style(verdict.HTTPStatus(code)).Render(strconv.Itoa(code))
	}
	if ms > 0 {
		s += m.dim(fmt.Sprintf(" · %.1f ms", ms))
	}
	if errText != "" {
		s += " · " + m.styles.Error.Render(safe(errText))
	}
	return s
}

func (m Model) signatureWords() string {
	b := verdict.Signature(m.rec)
	s := m.verdict.Render(b, false)
	a := m.analysis()
	if a == nil {
		return s + m.dim(" — verification has not run yet")
	}
	var parts []string
	if a.Signature.Algorithm != "" {
		parts = append(parts, safe(a.Signature.Algorithm))
	}
	if a.Signature.KeyID != "" {
		parts = append(parts, "key "+safe(a.Signature.KeyID))
	}
	if a.Signature.Reason != "" {
		parts = append(parts, safe(a.Signature.Reason))
	}
	if len(parts) > 0 {
		s += " — " + strings.Join(parts, ", ")
	}
	return s
}

func (m Model) schemaWords() string {
	b := verdict.Schema(m.rec)
	if b.Level == verdict.Unknown {
		return m.missing("no schema result yet")
	}
	sc := m.analysis().Schema
	s := m.verdict.Render(b, false)
	if sc.Message != "" {
		s += " — " + safe(sc.Message)
		if sc.BestGuess {
			s += m.dim(" (best guess)")
		}
	}
	if n := len(sc.Errors); n > 0 {
		s += ", " + pluralize(n, "error")
	}
	if sc.Reason != "" {
		s += m.dim(" — " + safe(sc.Reason))
	}
	return s
}

// headers returns the Headers tab's lines and where each header starts:
// the headers, then the trailers of a chunked request under a heading of
// their own when it had any (starts covers the headers only).
func (m Model) headers() (out []string, starts []int) {
	if len(m.rec.Header) == 0 {
		out = []string{m.dim("No headers.")}
	} else {
		out, starts = m.headerLines(nil, m.rec.Header)
	}
	if len(m.rec.Trailer) > 0 {
		out = append(out, "", m.styles.Heading.Render("Trailers"))
		out, _ = m.headerLines(out, m.rec.Trailer)
	}
	return out, starts
}

// headerLines appends h to out, one wrapped header per entry, secret values
// masked (and styled as such) unless revealed, and says where each header
// starts.
func (m Model) headerLines(out []string, h store.Header) (_ []string, starts []int) {
	if !m.reveal {
		h, _ = m.redactor.Header(h)
	}
	for _, f := range h {
		starts = append(starts, len(out))
		name := m.styles.HeaderKey.Render(safe(f.Name) + ":")
		val := safe(f.Value)
		if !m.reveal && m.redactor.IsSecretHeader(f.Name) && f.Value != "" {
			val = m.styles.Masked.Render(val)
		}
		out = m.wrapIndent(out, name+" "+val, 4)
	}
	return out, starts
}

// maskedHeaderCount counts the masked values of the headers and trailers.
func (m Model) maskedHeaderCount() int {
	_, n := m.redactor.Header(m.rec.Header)
	_, t := m.redactor.Header(m.rec.Trailer)
	return n + t
}

func (m Model) signature() []string {
	var out []string
	a := m.analysis()
	out = m.kv(out, "Status", m.verdict.Render(verdict.Signature(m.rec), false))
	if a == nil {
		out = append(out, "", m.dim("Verification has not run yet for this delivery."), m.dim("The verdict appears here as soon as it is known; v re-verifies."))
		return out
	}
	sig := a.Signature
	out = m.kv(out, "Scheme", orMissing(m, safe(sig.Scheme)))
	out = m.kv(out, "Key ID", orMissing(m, safe(sig.KeyID)))
	out = m.kv(out, "Algorithm", orMissing(m, safe(sig.Algorithm)))
	out = m.kv(out, "Reason", orMissing(m, safe(sig.Reason)))
	out = m.kv(out, "Provider", orMissing(m, safe(a.Provider)))
	if !a.AnalyzedAt.IsZero() {
		out = m.kv(out, "Checked", a.AnalyzedAt.In(m.loc).Format("2006-01-02 15:04:05 MST"))
	}
	for i, n := range a.Notes {
		label := ""
		if i == 0 {
			label = "Notes"
		}
		out = m.kv(out, label, "• "+safe(n))
	}
	return out
}

// schemaHeaderLines returns the lines above the error list of the Schema
// tab; schema returns all lines and where each error starts.
func (m Model) schemaHeaderLines() int {
	_, starts := m.schema()
	if len(starts) == 0 {
		return 0
	}
	return starts[0]
}

func (m Model) schema() (out []string, starts []int) {
	a := m.analysis()
	if a == nil || a.Schema == nil {
		out = m.kv(out, "Status", m.dim(verdict.Missing))
		out = append(out, "", m.dim("No schema result yet for this delivery."))
		return out, nil
	}
	sc := a.Schema
	out = m.kv(out, "Status", m.verdict.Render(verdict.Schema(m.rec), false))
	msg := orMissing(m, safe(sc.Message))
	if sc.BestGuess {
		msg += m.dim(" (best guess)")
	}
	out = m.kv(out, "Message", msg)
	out = m.kv(out, "Channel", orMissing(m, safe(sc.Channel)))
	if sc.Reason != "" {
		out = m.kv(out, "Reason", safe(sc.Reason))
	}
	if len(sc.Errors) == 0 {
		return out, nil
	}
	out = m.kv(out, "Errors", fmt.Sprintf("%d %s", len(sc.Errors), m.dim("↑/↓ select · enter shows the line")))
	out = append(out, "")
	for i, e := range sc.Errors {
		starts = append(starts, len(out))
		sel := i == m.schemaSel
		ptr := safe(e.Path)
		if ptr == "" {
			ptr = "(root)"
		}
		head := "  " + ptr + "  " + m.dim("["+safe(e.Keyword)+"]")
		if sel {
			head = m.styles.Selected.Render("▸ " + ptr + "  [" + safe(e.Keyword) + "]")
		}
		out = append(out, head)
		out = m.wrapIndent(out, "    "+m.styles.Error.Render(safe(e.Message)), 4)
	}
	return out, starts
}

func pluralize(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
