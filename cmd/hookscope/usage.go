package main

import (
	"errors"
	"strings"

	"github.com/spf13/cobra"
)

// flagError turns pflag's parse errors into usage errors that name the flag
// and say what it accepts.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if name := flagNameIn(msg); name != "" {
		if f := cmd.Flags().Lookup(name); f != nil {
			return usagef("%s (--%s accepts %s; see `%s --help`)", msg, name, accepts(f.Value.Type(), f.Usage), cmd.CommandPath())
		}
	}
	return usagef("%s (see `%s --help`)", msg, cmd.CommandPath())
}

// flagNameIn finds the flag named in a pflag error message
// (`invalid argument "x" for "--limit" flag`, `flag needs an argument: --db`).
func flagNameIn(msg string) string {
	if i := strings.Index(msg, `"--`); i >= 0 {
		rest := msg[i+3:]
		if j := strings.IndexByte(rest, '"'); j >= 0 {
			return rest[:j]
		}
	}
	if i := strings.Index(msg, "--"); i >= 0 {
		rest := msg[i+2:]
		if j := strings.IndexAny(rest, " =:"); j >= 0 {
			rest = rest[:j]
		}
		return rest
	}
	return ""
}

func accepts(typ, usage string) string {
	switch typ {
	case "int", "int64", "uint":
		return "a whole number"
	case "duration":
		return "a duration such as 500ms, 2s or 1m"
	case "bool":
		return "true or false"
	case "stringArray", "stringSlice":
		return "a value, and may be repeated"
	}
	return "a value: " + usage
}

// isCobraUsage recognises cobra's own command-line errors (unknown command,
// wrong number of arguments), which are not typed.
func isCobraUsage(err error) bool {
	var ue *usageError
	if errors.As(err, &ue) {
		return true
	}
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "requires exactly", "flag needs an argument", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}
