package main

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/capture"
	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/verify/simulate"
)

// notifierFlags are the flags of `hookscope send notifier`.
type notifierFlags struct {
	template string
	trigger  string
	to       string
	fills    []string
	asJSON   bool
}

func newSendNotifierCmd(e *env) *cobra.Command {
	f := &notifierFlags{}
	cmd := &cobra.Command{
		Use:   "notifier --template FILE",
		Short: "Fill an HTTP Notifier template from a sample context and send it",
		Long: "notifier checks a Talkdesk HTTP Notifier body template before it is pasted into Talkdesk:\n" +
			"it fills the {{placeholders}} Talkdesk documents from a sample context for --trigger,\n" +
			"reports placeholders it does not know, checks that the result is well-formed JSON or XML\n" +
			"(by the file's extension, else its first character), and sends it (default: the local\n" +
			"listener at /hooks/notifier).\n\n" +
			"A result that is not well-formed is not sent (exit 1). Unknown placeholders are left as\n" +
			"they are, listed on stderr, and the delivery is sent; the exit status is then 1 unless\n" +
			"each has a value from --fill NAME=VALUE (Talkdesk's editor shows more placeholders per\n" +
			"trigger than its documentation names).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runNotifier(cmd, e, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.template, "template", "", "the JSON or XML body template (required)")
	fl.StringVar(&f.trigger, "trigger", "", "the trigger to simulate, as Talkdesk names it (e.g. 'A call is missed'); default: a generic call")
	fl.StringVar(&f.to, "to", "", "target URL (default: the local listener's /hooks/notifier)")
	fl.StringArrayVar(&f.fills, "fill", nil, "a value for a placeholder hookscope does not know: NAME=VALUE (repeatable)")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object for the delivery")
	return cmd
}

func runNotifier(cmd *cobra.Command, e *env, f *notifierFlags) error {
	if f.template == "" {
		return usagef("--template: required: the JSON or XML body template to fill and send")
	}
	trigger := ""
	if f.trigger != "" {
		t, ok := simulate.FindTrigger(f.trigger)
		if !ok {
			return usagef("--trigger: %q is not a documented HTTP Notifier trigger; accepted values:\n  %s",
				termsafe.Line(f.trigger), strings.Join(simulate.NotifierTriggers(), "\n  "))
		}
		trigger = t
	}
	if f.to != "" {
		if _, err := store.ParseTarget(f.to); err != nil {
			return usagef("--to: %v", err)
		}
	}
	ctxVals := simulate.NotifierContext(trigger)
	for _, fv := range f.fills {
		name, val, ok := strings.Cut(fv, "=")
		name = strings.TrimSpace(name)
		if !ok || name == "" {
			return usagef("--fill: %q is not NAME=VALUE (e.g. --fill ivr_name=Support)", fv)
		}
		ctxVals[name] = val
	}
	tmpl, err := os.ReadFile(f.template)
	if err != nil {
		return fmt.Errorf("--template: %w", err)
	}
	format := simulate.TemplateFormat(f.template, tmpl)
	body, left := simulate.FillTemplate(tmpl, format, ctxVals)
	if len(left) > 0 {
		fmt.Fprintf(e.stderr, "hookscope: placeholders hookscope does not know, left as they are: %s\n  known: %s\n  give them values with --fill NAME=VALUE\n",
			termsafe.Line(strings.Join(left, ", ")), strings.Join(slices.Sorted(maps.Keys(ctxVals)), ", "))
	}
	if err := simulate.WellFormed(format, body); err != nil {
		return fmt.Errorf("%s: after filling, the body is not well-formed %s, so it was not sent: %w", f.template, strings.ToUpper(format), err)
	}

	target := f.to
	if target == "" {
		target = e.listenerOrigin() + simulate.NotifierPath
	}
	d := simulate.NotifierDelivery(trigger, format, body)
	d.URL = store.RedactURLPassword(target) // printed only: no password from --to
	sender := capture.NewSender(capture.SenderOptions{Timeout: sendTimeout})
	a := sender.Send(cmd.Context(), store.Event{Method: d.Method, Header: d.Header}, d.Body, capture.Target{URL: target})
	if err := newSendPrinter(e, f.asJSON).print(d, a); err != nil {
		return err
	}
	if a.Status == 0 {
		return sendError(f.to == "", target, a.Error)
	}
	if len(left) > 0 {
		return fmt.Errorf("%d placeholder(s) left unfilled: %s", len(left), termsafe.Line(strings.Join(left, ", ")))
	}
	return nil
}
