package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/verify/devkeys"
)

// devKeys is the folder of development signing keys.
func (e *env) devKeys() devkeys.Dir { return devkeys.Dir{Path: filepath.Join(e.configDir(), "keys")} }

func newKeysCmd(e *env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "keys",
		Short: "Development ECDSA keys that stand in for Talkdesk's signing keys",
		Long: "hookscope signs simulated Talkdesk deliveries (hookscope send) with development keys\n" +
			"kept in the config folder (mode 0600). A running listener serves their public halves at\n" +
			"GET /events/signature-keys/{id}, in Talkdesk's response shape, so a partner app can be\n" +
			"pointed at hookscope instead of the Talkdesk API.",
		Args: cobra.NoArgs,
	}
	var curve string
	newCmd := &cobra.Command{
		Use:   "new",
		Short: "Create a key",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if _, ok := devkeys.Curves[strings.ToLower(curve)]; !ok {
				return usagef("--curve: %q is not accepted; accepted values are %s", curve, curveNames())
			}
			k, err := e.devKeys().New(curve, time.Now())
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s\n", k.ID)
			fmt.Fprintf(e.stderr, "hookscope: created %s key %s in %s\n", k.Curve, k.ID, termsafe.Line(e.devKeys().Path))
			return nil
		},
	}
	newCmd.Flags().StringVar(&curve, "curve", "p256", "curve: "+curveNames())
	lsCmd := &cobra.Command{
		Use:   "ls",
		Short: "List keys",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			keys, err := e.devKeys().List()
			if err != nil {
				return err
			}
			if len(keys) == 0 {
				fmt.Fprintln(e.stderr, "hookscope: no keys yet (hookscope keys new, or hookscope send creates one)")
				return nil
			}
			tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "KEY ID\tCURVE\tCREATED\tEXPIRES")
			for _, k := range keys {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.ID, k.Curve, k.CreatedAt.Format(time.RFC3339), k.ExpiresAt.Format(time.RFC3339))
			}
			return tw.Flush()
		},
	}
	exportCmd := &cobra.Command{
		Use:   "export ID",
		Short: "Print a key's public half in Talkdesk's key endpoint response shape",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := e.devKeys().Get(args[0])
			if err != nil {
				return fmt.Errorf("no dev key %q (hookscope keys ls lists them)", args[0])
			}
			pub, err := k.Public()
			if err != nil {
				return err
			}
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(pub)
		},
	}
	cmd.AddCommand(newCmd, lsCmd, exportCmd)
	return cmd
}

func curveNames() string { return strings.Join(slices.Sorted(maps.Keys(devkeys.Curves)), ", ") }
