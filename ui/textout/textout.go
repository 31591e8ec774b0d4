// Package textout renders hookscope's command-line output: the headless
// listener's lines (Follow), `ls`, `show`, `stats`, `send` and `replay`,
// their JSON objects (WriteJSON) and the progress bar. Every piece of
// network text goes through termsafe first, so output is safe on a
// terminal. It opens nothing itself: it writes to the writer it is given
// and reads deliveries only through the interface it is given (Feed).
package textout

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/body"
	"github.com/hookscope/hookscope/ui/redact"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// Line is the headless listener's one-line summary of a delivery. red
// masks configured secrets in the path and query; nil shows them as stored.
func Line(r store.Record, red *redact.Redactor) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %s  %-6s %s  %d  %s",
		r.ReceivedAt.Local().Format("15:04:05.000"), termsafe.Line(r.ID), termsafe.Line(r.Method),
		termsafe.Line(target(r.Event, red)), r.Response.Status, Size(r.Size, r.Truncated))
	if r.Forward != nil {
		fmt.Fprintf(&b, "  app:%s", forwardStatus(r.Forward))
	}
	if a, _ := red.Analysis(r.Analysis); a != nil {
		fmt.Fprintf(&b, "  %s", termsafe.Line(orDash(a.Provider)))
		if a.EventType != "" {
			fmt.Fprintf(&b, " %s", termsafe.Line(a.EventType))
		}
		fmt.Fprintf(&b, "  sig:%s", termsafe.Line(a.Signature.Status))
		if a.Schema != nil {
			fmt.Fprintf(&b, "  schema:%s", termsafe.Line(a.Schema.Status))
		}
		if a.DuplicateOf != "" {
			fmt.Fprintf(&b, "  dup-of:%s", termsafe.Line(a.DuplicateOf))
		}
	} else {
		b.WriteString("  sig:pending")
	}
	return b.String()
}

func forwardStatus(a *store.Attempt) string {
	if a.Status == 0 {
		return "error"
	}
	return fmt.Sprint(a.Status)
}

// Size renders a byte count for people: 512B, 1.2KiB, 3.4MiB.
func Size(n int64, truncated bool) string {
	// The detail view's units, without the space: ls columns stay narrow.
	s := strings.Replace(body.HumanBytes(n), " ", "", 1)
	if truncated {
		s += "+"
	}
	return s
}

// pathQuery is the request target as sent: escaped path, then the query.
func pathQuery(e store.Event) string { return withQuery(e.EscapedPath(), e.Query) }

// withQuery is p followed by "?" and raw query q, or p alone when q is
// empty.
func withQuery(p, q string) string {
	if q == "" {
		return p
	}
	return p + "?" + q
}

// target is the request target as the text outputs show it: as sent
// (escaped path, raw query), masked by red.RequestTarget when red is not
// nil (configured secrets, percent-encoded ones and one spanning the "?"
// included, and the query's secret fields). Should the path as sent still
// hold a secret once decoded (red.String missed it), the decoded path is
// shown, masked (red.PathQuery): it is not the target as sent anyway.
func target(e store.Event, red *redact.Redactor) string {
	t := pathQuery(e)
	if red == nil {
		return t
	}
	masked, _ := red.RequestTarget(t)
	p, _, _ := strings.Cut(masked, "?")
	if dec, err := url.PathUnescape(p); err == nil {
		if _, n := red.String(dec); n == 0 {
			return masked
		}
	}
	return red.PathQuery(e.Path, e.Query)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// TimeString renders a timestamp the way listings show it.
func TimeString(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05.000") }
