package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
	"github.com/hookscope/hookscope/verify/asyncapi"
)

// specFlags are --spec and --no-default-specs, shared by listen, spec and send.
type specFlags struct {
	files      []string
	noDefaults bool
	// more and moreNoDefaults come from the listener whose socket the
	// command goes through (verifyFlags.adopt): its spec files that exist
	// here, and whether it left the embedded documents out.
	more           []string
	moreNoDefaults bool
}

// all is every spec file to load: the flags', the config file's and the
// listener's, each once.
func (s *specFlags) all(cfg *config) []string {
	files := append(slices.Clone(s.files), cfg.Specs...)
	have := absPaths(files) // the listener's are absolute
	for _, m := range s.more {
		if !slices.Contains(have, m) {
			files, have = append(files, m), append(have, m)
		}
	}
	return files
}

// noDefaultsWith reports whether the embedded documents are left out.
func (s *specFlags) noDefaultsWith(cfg *config) bool {
	return s.noDefaults || cfg.NoDefaultSpecs || s.moreNoDefaults
}

func (s *specFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&s.files, "spec", nil, "an AsyncAPI 2.x document (YAML or JSON) to validate against, besides the embedded ones (repeatable)")
	cmd.Flags().BoolVar(&s.noDefaults, "no-default-specs", false, "do not load the embedded Talkdesk, Dialpad and TalkifAI documents")
}

// registry loads the specs named by flags and the config file.
func (s *specFlags) registry(e *env, cfg *config) (*asyncapi.Registry, []asyncapi.Warning, error) {
	// A file that is not there is a mistake in the flag or the config key
	// that named it (exit 2, naming it); what a file holds is the loader's
	// to judge.
	for _, f := range s.files {
		if _, err := os.Stat(f); err != nil {
			return nil, nil, usagef("--spec: %s", termsafe.Line(err.Error()))
		}
	}
	for _, f := range cfg.Specs {
		if _, err := os.Stat(f); err != nil {
			return nil, nil, e.configUsage("specs", "%s", termsafe.Line(err.Error()))
		}
	}
	return asyncapi.Load(s.all(cfg), !s.noDefaultsWith(cfg))
}

func newSpecCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "spec",
		Short: "AsyncAPI documents hookscope validates against",
		Args:  cobra.NoArgs,
	}
	sf := &specFlags{}
	ls := &cobra.Command{
		Use:   "ls",
		Short: "List each channel with its messages (name, title, provider)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := e.loadConfig()
			if err != nil {
				return err
			}
			reg, warns, err := sf.registry(e, cfg)
			if err != nil {
				return err
			}
			printWarnings(e, userWarnings(warns))
			return textout.Channels(e.stdout, reg.Channels())
		},
	}
	sf.register(ls)
	check := &cobra.Command{
		Use:   "check FILE",
		Short: "Load and compile an AsyncAPI document and report its problems",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			warns, err := asyncapi.Check(args[0])
			printWarnings(e, warns)
			if err != nil {
				return err
			}
			word := "warnings"
			if len(warns) == 1 {
				word = "warning"
			}
			fmt.Fprintf(e.stdout, "%s: ok (%d %s)\n", termsafe.Line(args[0]), len(warns), word)
			return nil
		},
	}
	cmd.AddCommand(ls, check)
	return cmd
}

func printWarnings(e *env, warns []asyncapi.Warning) {
	for _, w := range warns {
		fmt.Fprintf(e.stderr, "warning: %s\n", termsafe.Line(w.String()))
	}
}

// userWarnings drops warnings about the embedded documents: the user cannot
// act on them (spec check shows them for a file the user names).
func userWarnings(warns []asyncapi.Warning) []asyncapi.Warning {
	var out []asyncapi.Warning
	for _, w := range warns {
		if !strings.HasPrefix(w.File, "embedded:") {
			out = append(out, w)
		}
	}
	return out
}
