package textout

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/verify/asyncapi"
)

// Channels writes the `spec ls` table: one line per message of each
// channel, columns aligned with spaces. Text from documents is made safe
// for a terminal first, since a user's spec is untrusted input.
func Channels(w io.Writer, chans []asyncapi.ChannelInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tCHANNEL\tMESSAGE\tTITLE\tEVENT TYPE")
	for _, ch := range chans {
		if len(ch.Messages) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\n", cell(ch.Provider), cell(ch.Channel))
			continue
		}
		for _, m := range ch.Messages {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", cell(m.Provider), cell(ch.Channel), cell(m.Name), cell(m.Title), cell(m.EventType))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("spec ls: %w", err)
	}
	return nil
}

// Messages writes the `send --list` table: one line per message, with its
// provider, event type and title, made safe like Channels.
func Messages(w io.Writer, msgs []*asyncapi.Message) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROVIDER\tMESSAGE\tEVENT TYPE\tTITLE")
	for _, m := range msgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", cell(m.Provider()), cell(m.Name()), cell(m.EventType()), cell(m.Title()))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("send --list: %w", err)
	}
	return nil
}

// cell is one cell of those tables: terminal-safe and on one line (Line
// also turns a tab, which would break the columns, into spaces), and "-"
// when empty.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return termsafe.Line(s)
}
