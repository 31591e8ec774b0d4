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
	Reveal, Raw                             key.Binding
	Help, Quit                              key.Binding
	// Filter input.
	Apply, Cancel key.Binding
}

// DefaultKeyMap returns the standard bindings. r, space, R and e are left
// free for replay.
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
		CopyCurl:     b([]string{"y"}, "y", "copy curl"),
		CopyBody:     b([]string{"Y"}, "Y", "copy body"),
		Reveal:       b([]string{"s"}, "s", "secrets"),
		Raw:          b([]string{"x"}, "x", "raw/pretty"),
		Help:         b([]string{"?"}, "?", "help"),
		Quit:         b([]string{"q", "ctrl+c"}, "q", "quit"),
		Apply:        b([]string{"enter"}, "enter", "apply filter"),
		Cancel:       b([]string{"esc"}, "esc", "clear filter"),
	}
}

// contextKeys adapts a KeyMap to bubbles/help for the current focus.
type contextKeys struct {
	k      KeyMap
	focus  focus
	filter bool // a filter is active
}

// ShortHelp returns the one-line help.
func (c contextKeys) ShortHelp() []key.Binding {
	k := c.k
	switch c.focus {
	case focusFilter:
		return []key.Binding{k.Apply, k.Cancel}
	case focusDetail:
		return []key.Binding{k.NextTab, k.Up, k.Down, k.Back, k.Raw, k.Reveal, k.CopyCurl, k.Help, k.Quit}
	}
	bs := []key.Binding{k.Up, k.Down, k.Open, k.Filter}
	if c.filter {
		bs = append(bs, k.ClearFilter)
	}
	return append(bs, k.CopyCurl, k.Reverify, k.Help, k.Quit)
}

// FullHelp returns the help shown on ?.
func (c contextKeys) FullHelp() [][]key.Binding {
	k := c.k
	if c.focus == focusFilter {
		return [][]key.Binding{{k.Apply, k.Cancel}}
	}
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Open, k.Back, k.NextTab, k.PrevTab, k.PrevDelivery, k.NextDelivery},
		{k.Filter, k.ClearFilter, k.Reverify, k.Raw, k.Reveal},
		{k.CopyCurl, k.CopyBody, k.Help, k.Quit},
	}
}
