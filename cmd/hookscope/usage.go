package main

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spf13/cobra"
)

// flagError turns pflag's parse errors into usage errors that name the flag
// and say what it accepts.
func flagError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	if m := invalidArgRE.FindStringSubmatch(msg); m != nil {
		// pflag's `invalid argument "x" for "--limit" flag: <reason>`.
		// A hookscope flag's own reason already says what it accepts; a
		// standard one's reason is Go's parser talking, so say what the
		// flag takes instead.
		val, name, reason := m[1], m[2], m[3]
		if f := cmd.Flags().Lookup(name); f != nil {
			if _, std := stdFlagTypes[f.Value.Type()]; std {
				reason = fmt.Sprintf("%q is not %s", val, accepts(f.Value.Type(), f.Usage))
			}
			return usagef("--%s: %s (see `%s --help`)", name, reason, cmd.CommandPath())
		}
	}
	if name := flagNameIn(msg); name != "" {
		if f := cmd.Flags().Lookup(name); f != nil {
			return usagef("%s (--%s accepts %s; see `%s --help`)", msg, name, accepts(f.Value.Type(), f.Usage), cmd.CommandPath())
		}
	}
	if strings.HasPrefix(msg, "unknown shorthand flag") && strings.Contains(cmd.Use, "FILTER") {
		// `hookscope ls -sig:valid`: a negated filter term reads as flags.
		return usagef("%s (a filter term that starts with - goes after `--`, flags before it: `%s -- '-sig:valid'`; see `%s --help`)", msg, cmd.CommandPath(), cmd.CommandPath())
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

// invalidArgRE matches pflag's error for a value a flag's Set refused.
var invalidArgRE = regexp.MustCompile(`^invalid argument "(.*)" for "(?:-[^,]*, )?--([^"]+)" flag: (.*)$`)

// stdFlagTypes are the pflag value types whose Set errors are Go's parser
// messages (strconv, time.ParseDuration) rather than hookscope's own words.
var stdFlagTypes = map[string]struct{}{"int": {}, "int64": {}, "uint": {}, "duration": {}, "bool": {}, "float64": {}}

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

// typeArgErrors makes the argument checks of c and its subcommands return
// usage errors, so exit code 2 follows from the error's type rather than
// from matching cobra's wording (which a runtime error could share). A group
// such as `keys` gets a RunE that shows its help, so that its argument check
// runs too: cobra skips it for a command that cannot run, and `hookscope keys
// bogus` would otherwise print the help and succeed.
func typeArgErrors(c *cobra.Command) {
	if !c.Runnable() && c.HasSubCommands() {
		c.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	}
	if check := c.Args; check != nil {
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				// cobra says only how many arguments were wrong; the use
				// line says which ones the command takes.
				if cmd.HasSubCommands() {
					return &usageError{fmt.Sprintf("%s (see `%s --help`)", err.Error(), cmd.CommandPath())}
				}
				return &usageError{fmt.Sprintf("%s (usage: %s)", err.Error(), cmd.UseLine())}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		typeArgErrors(sub)
	}
}
