package ui

import "charm.land/bubbles/v2/key"

// KeyMap is every key the TUI answers to, declared once. Which bindings
// apply depends on focus; help shows the ones that do.
type KeyMap struct {
	Up, Down, Top, Bottom, PageUp, PageDown key.Binding
	Open, Back                              key.Binding
	NextTab, PrevTab                        key.Binding
	NextDelivery, PrevDelivery              key.Binding
	Filter, ClearFilter                     key.Binding
	Reverify, CopyCurl, CopyBody            key.Binding
	// Pin pins or unpins the selected delivery (pruning keeps pinned ones).
	Pin         key.Binding
	Reveal, Raw key.Binding
	Help, Quit  key.Binding
	// Replay: r one delivery, space marks, R the marked ones, e an edited
	// copy; esc stops a bulk replay.
	Replay, Mark, ReplayMarked, Edit, StopBulk key.Binding
	// Filter input.
	Apply, Cancel key.Binding
	// Replay target prompt.
	Send, RecentPrev, RecentNext, CancelPrompt key.Binding
	// The warning before an edited copy is sent.
	Resign, NoResign, SendAnyway key.Binding
}

// DefaultKeyMap returns the standard bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return KeyMap{
		Up:           b([]string{"up", "k"}, "↑/k", "up"),
		Down:         b([]string{"down", "j"}, "↓/j", "down"),
		Top:          b([]string{"g", "home"}, "g", "newest"),
		Bottom:       b([]string{"G", "end"}, "G", "oldest"),
		PageUp:       b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown:     b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Open:         b([]string{"enter"}, "enter", "open"),
		Back:         b([]string{"esc"}, "esc", "back"),
		NextTab:      b([]string{"tab"}, "tab", "next tab"),
		PrevTab:      b([]string{"shift+tab"}, "shift+tab", "prev tab"),
		NextDelivery: b([]string{"]"}, "]", "older one"),
		PrevDelivery: b([]string{"["}, "[", "newer one"),
		Filter:       b([]string{"/"}, "/", "filter"),
		ClearFilter:  b([]string{"esc"}, "esc", "no filter"),
		Reverify:     b([]string{"v"}, "v", "re-verify"),
		Pin:          b([]string{"p"}, "p", "pin/unpin"),
		CopyCurl:     b([]string{"y"}, "y", "copy curl"),
		CopyBody:     b([]string{"Y"}, "Y", "copy body"),
		Reveal:       b([]string{"s"}, "s", "secrets"),
		Raw:          b([]string{"x"}, "x", "raw/pretty"),
		Help:         b([]string{"?"}, "?", "help"),
		Quit:         b([]string{"q", "ctrl+c"}, "q", "quit"),
		Replay:       b([]string{"r"}, "r", "replay"),
		Mark:         b([]string{"space"}, "space", "mark"),
		ReplayMarked: b([]string{"R"}, "R", "replay marked"),
		Edit:         b([]string{"e"}, "e", "edit & replay"),
		StopBulk:     b([]string{"esc", "ctrl+c"}, "esc", "stop replaying"),
		Apply:        b([]string{"enter"}, "enter", "apply filter"),
		Cancel:       b([]string{"esc"}, "esc", "clear filter"),
		Send:         b([]string{"enter"}, "enter", "send"),
		RecentPrev:   b([]string{"up"}, "↑", "older target"),
		RecentNext:   b([]string{"down"}, "↓", "newer target"),
		CancelPrompt: b([]string{"esc"}, "esc", "cancel"),
		Resign:       b([]string{"y"}, "y", "sign again and send"),
		NoResign:     b([]string{"n"}, "n", "send as edited"),
		SendAnyway:   b([]string{"enter"}, "enter", "send anyway"),
	}
}

// contextKeys adapts a KeyMap to bubbles/help for the current focus.
type contextKeys struct {
	k      KeyMap
	focus  focus
	filter bool // a filter is active
	bulk   bool // a bulk replay is running
	resign bool // the edit warning offers to re-sign
}

// ShortHelp returns the one-line help.
func (c contextKeys) ShortHelp() []key.Binding {
	k := c.k
	var bs []key.Binding
	if c.bulk {
		bs = append(bs, k.StopBulk)
	}
	// ? comes first: help cuts the line at the terminal's width, and ? is
	// what shows the rest.
	bs = append(bs, k.Help)
	switch c.focus {
	case focusFilter:
		return []key.Binding{k.Apply, k.Cancel}
	case focusPrompt:
		return []key.Binding{k.Send, k.RecentPrev, k.RecentNext, k.CancelPrompt}
	case focusConfirm:
		if c.resign {
			return []key.Binding{k.Resign, k.NoResign, k.CancelPrompt}
		}
		return []key.Binding{k.SendAnyway, k.CancelPrompt}
	case focusDetail:
		return append(bs, k.NextTab, k.Up, k.Down, k.Back, k.Replay, k.Edit, k.Raw, k.Reveal, k.CopyCurl, k.Quit)
	}
	bs = append(bs, k.Up, k.Down, k.Open, k.Filter)
	if c.filter {
		bs = append(bs, k.ClearFilter)
	}
	return append(bs, k.Replay, k.Mark, k.ReplayMarked, k.Edit, k.CopyCurl, k.Reverify, k.Quit)
}

// FullHelp returns the help shown on ?: the keys that act where the focus
// is. The list has no tabs, no body to show raw and no neighbour to step
// to; in the detail, space marks nothing, esc goes back rather than
// clearing the filter, and g/G go to the top and bottom of the tab.
func (c contextKeys) FullHelp() [][]key.Binding {
	k := c.k
	// esc stops a bulk replay only while one runs; otherwise it does
	// something else (back, no filter), listed where it applies.
	var stop []key.Binding
	if c.bulk {
		stop = []key.Binding{k.StopBulk}
	}
	switch c.focus {
	case focusFilter:
		return [][]key.Binding{{k.Apply, k.Cancel}}
	case focusPrompt, focusConfirm:
		return [][]key.Binding{c.ShortHelp()}
	case focusDetail:
		top, bottom := k.Top, k.Bottom
		top.SetHelp(k.Top.Help().Key, "top")
		bottom.SetHelp(k.Bottom.Help().Key, "bottom")
		return [][]key.Binding{
			{k.Up, k.Down, k.PageUp, k.PageDown, top, bottom},
			{k.Open, k.Back, k.NextTab, k.PrevTab, k.PrevDelivery, k.NextDelivery},
			{k.Raw, k.Reveal, k.CopyCurl, k.CopyBody, k.Filter, k.Reverify, k.Pin},
			append(append([]key.Binding{k.Replay, k.ReplayMarked, k.Edit}, stop...), k.Help, k.Quit),
		}
	}
	// Four columns: help drops the columns that do not fit, and a fifth
	// did not fit 80 cells.
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Filter, k.ClearFilter, k.Reverify, k.Pin, k.Reveal},
		{k.CopyCurl, k.CopyBody, k.Replay, k.Mark, k.ReplayMarked, k.Edit},
		append(stop, k.Help, k.Quit),
	}
}
