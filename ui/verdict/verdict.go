// Package verdict turns a delivery's analysis into the words, symbols and
// styles the list and the detail view show: the signature badge (valid,
// invalid, unverifiable, unsigned, pending) and the schema badge (valid,
// invalid, unmatched, skipped). Where a result is not known yet it says so
// ("—" or pending), never a guess.
package verdict

import (
	"charm.land/lipgloss/v2"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
)

// Level is how good a verdict is; it picks the style.
type Level int

// Levels.
const (
	Unknown Level = iota // no result yet: "—"
	Good
	Bad
	Warn
	Neutral
	Pending
)

// Styles are the styles of each level.
type Styles struct {
	Unknown, Good, Bad, Warn, Neutral, Pending lipgloss.Style
}

// Style returns the style of level l.
func (s Styles) Style(l Level) lipgloss.Style {
	switch l {
	case Good:
		return s.Good
	case Bad:
		return s.Bad
	case Warn:
		return s.Warn
	case Neutral:
		return s.Neutral
	case Pending:
		return s.Pending
	}
	return s.Unknown
}

// Badge is a verdict ready to render: a symbol, a word and a level.
type Badge struct {
	Symbol string
	Word   string
	Level  Level
}

// Missing is what is shown where a result is not available.
const Missing = "—"

// Text returns the badge as "symbol word", or just the symbol when short.
func (b Badge) Text(short bool) string {
	if short || b.Word == "" {
		return b.Symbol
	}
	return b.Symbol + " " + b.Word
}

// Render styles the badge.
func (s Styles) Render(b Badge, short bool) string {
	return s.Style(b.Level).Render(b.Text(short))
}

// Signature returns the signature badge of r; pending while no analysis
// exists.
func Signature(r store.Record) Badge {
	if r.Analysis == nil {
		return Badge{"…", "pending", Pending}
	}
	switch st := r.Analysis.Signature.Status; st {
	case store.SigValid:
		return Badge{"✓", "valid", Good}
	case store.SigInvalid:
		return Badge{"✗", "invalid", Bad}
	case store.SigUnverifiable:
		return Badge{"?", "unverifiable", Warn}
	case store.SigUnsigned:
		return Badge{"–", "unsigned", Neutral}
	case store.SigPending, "":
		return Badge{"…", "pending", Pending}
	default:
		return Badge{"?", termsafe.Line(st), Warn}
	}
}

// Schema returns the schema badge of r; Missing while no schema result
// exists.
func Schema(r store.Record) Badge {
	if r.Analysis == nil || r.Analysis.Schema == nil {
		return Badge{Missing, "", Unknown}
	}
	switch st := r.Analysis.Schema.Status; st {
	case store.SchemaValid:
		return Badge{"✓", "valid", Good}
	case store.SchemaInvalid:
		return Badge{"✗", "invalid", Bad}
	case store.SchemaUnmatched:
		return Badge{"?", "unmatched", Warn}
	case store.SchemaSkipped:
		return Badge{"–", "skipped", Neutral}
	default:
		return Badge{"?", termsafe.Line(st), Warn}
	}
}

// HTTPStatus returns the level of an HTTP status code (0: no response).
func HTTPStatus(code int) Level {
	switch {
	case code == 0:
		return Unknown
	case code < 300:
		return Good
	case code < 400:
		return Neutral
	case code < 500:
		return Warn
	}
	return Bad
}
