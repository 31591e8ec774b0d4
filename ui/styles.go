package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"

	"github.com/hookscope/hookscope/ui/detail"
	"github.com/hookscope/hookscope/ui/header"
	"github.com/hookscope/hookscope/ui/input"
	"github.com/hookscope/hookscope/ui/list"
	"github.com/hookscope/hookscope/ui/verdict"
)

// Styles is the whole theme: every component's styles, built in one place
// from one palette. Components get their part; none holds a colour of its
// own.
type Styles struct {
	Header  header.Styles
	List    list.Styles
	Detail  detail.Styles
	Verdict verdict.Styles
	Status  StatusStyles
	Help    help.Styles
	Input   input.Styles
	// Chroma is the chroma style used to highlight bodies; "" for none.
	Chroma string
}

// StatusStyles style the status line.
type StatusStyles struct {
	Info, Warn, Error lipgloss.Style
	Prompt, Position  lipgloss.Style
	Following, Paused lipgloss.Style
	// Bar and BarEmpty colour the bulk replay progress bar (foreground
	// only); Warning is the edit warning above the status line.
	Bar, BarEmpty lipgloss.Style
	Warning       lipgloss.Style
}

// NewStyles returns the theme for a dark or light terminal background.
func NewStyles(isDark bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) lipgloss.Style {
		return lipgloss.NewStyle().Foreground(ld(lipgloss.Color(light), lipgloss.Color(dark)))
	}
	var (
		dim     = c("#8A8A8A", "#6C6C6C")
		text    = c("#1C1C1C", "#E4E4E4")
		accent  = c("#5F3DC4", "#B197FC")
		good    = c("#2B8A3E", "#69DB7C")
		bad     = c("#C92A2A", "#FF8787")
		warn    = c("#B35C00", "#FFD43B")
		neutral = c("#5C677D", "#A5B4CB")
		url     = c("#1864AB", "#74C0FC")
		selBg   = ld(lipgloss.Color("#E5DBFF"), lipgloss.Color("#3B2F63"))
		label   = c("#6A6A6A", "#9A9A9A")
	)
	chroma := "github"
	if isDark {
		chroma = "github-dark"
	}
	s := Styles{
		Header: header.Styles{
			Brand: accent.Bold(true), Label: label, Value: text.Bold(true), URL: url,
			Live: good, Spark: accent, Filter: warn.Bold(true), Dim: dim,
		},
		List: list.Styles{
			Title: label.Bold(true), Selected: text.Background(selBg).Bold(true),
			Inactive: text.Background(ld(lipgloss.Color("#EEEEEE"), lipgloss.Color("#303030"))),
			Dim:      dim, Method: accent, Duplicate: warn, Empty: label, Mark: warn.Bold(true),
		},
		Detail: detail.Styles{
			Tab: label.Padding(0, 1), ActiveTab: accent.Bold(true).Underline(true).Padding(0, 1),
			Title: text.Bold(true), Label: label, Value: text, Dim: dim, Heading: accent.Bold(true),
			Gutter: dim, Mark: bad.Bold(true), Note: label, Masked: warn, HeaderKey: accent,
			Selected: text.Background(selBg).Bold(true), Error: bad, Border: dim,
		},
		Verdict: verdict.Styles{Unknown: dim, Good: good, Bad: bad.Bold(true), Warn: warn, Neutral: neutral, Pending: dim.Italic(true)},
		Status: StatusStyles{
			Info: good, Warn: warn, Error: bad.Bold(true), Prompt: accent.Bold(true),
			Position: label, Following: good, Paused: warn,
			Bar: accent, BarEmpty: dim, Warning: warn.Bold(true),
		},
		Help:   help.DefaultStyles(isDark),
		Input:  input.Styles{Prompt: accent.Bold(true), Text: text, Placeholder: dim, Cursor: lipgloss.NewStyle().Reverse(true)},
		Chroma: chroma,
	}
	return s
}

// PlainStyles returns the theme without colour, for NO_COLOR: emphasis by
// weight, underline and reverse video only, and no highlighting.
func PlainStyles() Styles {
	n := lipgloss.NewStyle
	return Styles{
		Header: header.Styles{Brand: n().Bold(true), Value: n().Bold(true), Filter: n().Bold(true)},
		List: list.Styles{
			Title: n().Bold(true), Selected: n().Reverse(true), Inactive: n().Underline(true),
			Mark: n().Bold(true),
		},
		Detail: detail.Styles{
			ActiveTab: n().Bold(true).Underline(true).Padding(0, 1), Tab: n().Padding(0, 1),
			Title: n().Bold(true), Heading: n().Bold(true), Mark: n().Bold(true),
			Selected: n().Reverse(true), HeaderKey: n().Bold(true),
		},
		Verdict: verdict.Styles{Bad: n().Bold(true)},
		Status:  StatusStyles{Error: n().Bold(true), Prompt: n().Bold(true), Warning: n().Bold(true)},
		Help:    help.Styles{},
		Input:   input.Styles{Prompt: n().Bold(true), Cursor: n().Reverse(true)},
	}
}
