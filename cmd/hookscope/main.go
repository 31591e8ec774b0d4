// Command hookscope captures, verifies, validates, shows and replays webhook
// deliveries. This package only parses flags and wires the packages
// together; the work is done in capture, store, verify and ui.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/ui/termsafe"
)

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, shutdownSignals()...)
	go func() {
		<-sigs
		cancel()
		// A second signal is someone who will not wait for the clean
		// stop (a listener's grace, a replay's attempts in flight):
		// acknowledged deliveries are in the fsynced log already.
		<-sigs
		fmt.Fprintln(os.Stderr, "hookscope: stopped at once (second interrupt)")
		os.Exit(exitInterrupted)
	}()
	code := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	signal.Stop(sigs)
	os.Exit(code)
}

// shutdownSignals are the signals that stop hookscope cleanly: in-flight
// deliveries answered, analyses finished, the database closed. SIGHUP is
// one because closing the terminal the live view runs in sends it, and by
// default it would kill the process on the spot (stale socket, unapplied
// log) — unless it is ignored already (nohup): handling it would undo that.
func shutdownSignals() []os.Signal {
	sigs := []os.Signal{os.Interrupt, syscall.SIGTERM}
	if !signal.Ignored(syscall.SIGHUP) {
		sigs = append(sigs, syscall.SIGHUP)
	}
	return sigs
}

// Exit codes.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
	// exitInterrupted is the shell's code for a process stopped by SIGINT
	// (128+2): a second interrupt stops hookscope without its clean stop.
	exitInterrupted = 130
)

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

// env carries the process's streams and environment to the commands, so
// tests can run them in-process.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// environ lists the environment (os.Environ); nil in tests that fake
	// getenv, where only the variables getenv knows are read.
	environ func() []string

	// The config file, read once by loadConfig.
	cfg     *config
	cfgErr  error
	cfgRead bool
}

// Run executes the hookscope command line args and returns the exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, environ: os.Environ}
	root := newRoot(e)
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	// Errors can quote what they failed on (a spec file's $ref, a template,
	// a file's line): shown, never obeyed.
	fmt.Fprintf(stderr, "hookscope: %s\n", termsafe.Text(err.Error()))
	var ue *usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitRuntime
}

func newRoot(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "hookscope",
		Short: "Capture, verify, validate, inspect and replay webhook deliveries",
		Long: "hookscope records every HTTP delivery on a local listener into a bbolt file,\n" +
			"verifies provider signatures (Talkdesk, TalkifAI, Dialpad, generic HMAC),\n" +
			"validates payloads against AsyncAPI messages, and replays them.\n\n" +
			"With no subcommand, hookscope runs `hookscope listen`.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.CompletionOptions.DisableDefaultCmd = true
	// A mistake in the config file stops every command, not only those that
	// verify: the rest take their --db and the secrets they mask from it,
	// and passing over the file would read another database and print
	// those secrets. Help still shows.
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if cmd.Name() == "help" {
			return nil
		}
		// An empty --db (an unset variable in a script) would otherwise
		// read as "no database at " with nothing after it.
		if f := cmd.Flags().Lookup("db"); f != nil && f.Changed && strings.TrimSpace(f.Value.String()) == "" {
			return usagef("--db: needs the path of a database file")
		}
		cfg, err := e.loadConfig()
		if err != nil {
			return err
		}
		return e.checkConfigValues(cfg)
	}
	// Subcommands inherit it: cobra asks the parent when a command has none.
	root.SetFlagErrorFunc(flagError)
	listen := newListenCmd(e)
	root.AddCommand(listen, newLsCmd(e), newShowCmd(e), newReplayCmd(e), newSendCmd(e), newVerifyCmd(e),
		newSpecCmd(e), newKeysCmd(e), newExportCmd(e), newImportCmd(e), newPinCmd(e, true), newPinCmd(e, false),
		newPruneCmd(e), newStatsCmd(e), newUICmd(e))
	// `hookscope` alone is `hookscope listen`, flags included.
	root.Flags().AddFlagSet(listen.Flags())
	root.RunE = listen.RunE
	root.Args = cobra.NoArgs
	typeArgErrors(root)
	return root
}
