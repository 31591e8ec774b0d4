package ui

import (
	"context"
	"time"

	"github.com/hookscope/hookscope/store"
)

// Options configure the TUI.
type Options struct {
	// Source is where deliveries are read. Required.
	Source Source
	// Notices tells the TUI that deliveries changed; nil when nothing
	// changes while the TUI runs. The sender must never block on it (send
	// without waiting, drop when full): the TUI re-reads what it shows, so
	// a dropped notice only delays a repaint.
	Notices <-chan store.Notice
	// ListenURL is where hookscope listens, e.g. "http://127.0.0.1:8080";
	// "" when browsing a database (hookscope ui). Copy-as-curl targets it.
	ListenURL string
	// ForwardTo is where the listener forwards each delivery (listen
	// --forward-to), "" when it does not. The header shows it with a
	// password and configured secrets masked, as attempt targets are.
	ForwardTo string
	// Listener, when set, asks the running listener the view is attached
	// to (hookscope ui) where it listens and forwards now. The view asks
	// while it knows no listening URL (it started before the listener
	// bound its port) and again when the listener's notices end (it
	// stopped; a restarted one may listen elsewhere), retrying with
	// backoff (ListenerRetryFirst, doubling up to ListenerRetryMax, at
	// most ListenerRetries times) until the answer holds a URL. An error
	// means nobody answers: the header says "not listening".
	Listener func(ctx context.Context) (ListenerInfo, error)
	// DBPath is the database file shown in the header.
	DBPath string
	// PublicURL, when set, returns the public URL of a tunnel to the
	// listener (the local ngrok agent's API). It is polled every
	// PublicURLInterval with a short timeout; an error hides the URL.
	PublicURL func(ctx context.Context) (string, error)
	// Secrets are configured secret strings masked wherever they appear.
	Secrets []string
	// NoColor renders without colour. It is also on when the NO_COLOR
	// environment variable is set and not empty.
	NoColor bool

	// Now and Location are the clock and the time zone shown; tests fix
	// them. Defaults: time.Now and time.Local.
	Now      func() time.Time
	Location *time.Location
}

// ListenerInfo is what a running listener says of itself (Options.Listener).
type ListenerInfo struct {
	// URL is where it captures deliveries, "" until its port is bound.
	URL string
	// ForwardTo is where it forwards each delivery, "" when it does not.
	ForwardTo string
}

// Tunables.
const (
	// RepaintInterval bounds how often live updates re-read the window
	// (at most about 15 times a second).
	RepaintInterval = 66 * time.Millisecond
	// CountInterval bounds how often the counts are re-read under load.
	CountInterval = time.Second
	// PublicURLInterval is how often the tunnel URL is polled.
	PublicURLInterval = 10 * time.Second
	// ListenerRetryFirst, ListenerRetryMax and ListenerRetries pace the
	// questions to an attached listener that has no URL to give yet
	// (Options.Listener): about half a minute in all.
	ListenerRetryFirst = 50 * time.Millisecond
	ListenerRetryMax   = 5 * time.Second
	ListenerRetries    = 12
	// SourceTimeout bounds each call to the Source.
	SourceTimeout = 5 * time.Second
	// StatusTTL is how long a status-bar message stays.
	StatusTTL = 4 * time.Second
	// SummaryTTL is how long the summary of a bulk replay stays.
	SummaryTTL = 15 * time.Second
	// SplitMinWidth is the width from which the detail opens beside the
	// list rather than over it.
	SplitMinWidth = 140
)
