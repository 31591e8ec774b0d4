package textout

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// TableWriter writes the `hookscope ls` listing a page of records at a
// time: the columns are aligned over every row, so it keeps each row's text
// (not the records) until Flush.
type TableWriter struct {
	tw  *tabwriter.Writer
	red *redact.Redactor
}

// NewTable starts a listing on w with its heading.
func NewTable(w io.Writer, red *redact.Redactor) *TableWriter {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTIME\tMETHOD\tPATH\tSIZE\tSTATUS\tPROVIDER\tTYPE\tSIG\tSCHEMA\tDUP")
	return &TableWriter{tw: tw, red: red}
}

// Rows adds one row per record.
func (t *TableWriter) Rows(recs []store.Record) {
	tw, red := t.tw, t.red
	for _, r := range recs {
		provider, typ, schema, dup := "—", "—", "—", ""
		if a, _ := red.Analysis(r.Analysis); a != nil {
			provider, typ = orDash(a.Provider), orDash(a.EventType)
			if a.Schema != nil {
				schema = a.Schema.Status
			}
			if a.DuplicateOf != "" {
				dup = "dup"
			}
		}
		status := fmt.Sprint(r.Response.Status)
		if r.Forward != nil {
			status += "→" + forwardStatus(r.Forward)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n",
			termsafe.Line(r.ID), TimeString(r.ReceivedAt), termsafe.Line(r.Method), termsafe.Line(clip(target(r.Event, red), 60)),
			Size(r.Size, r.Truncated), status, termsafe.Line(provider), termsafe.Line(clip(typ, 40)),
			termsafe.Line(r.SignatureOrPending().Status), termsafe.Line(schema), dup)
	}
}

// Flush writes the aligned listing.
func (t *TableWriter) Flush() error { return t.tw.Flush() }

// clip shortens s to n runes with an ellipsis.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
