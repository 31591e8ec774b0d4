package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync/atomic"

	"github.com/spf13/cobra"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/store/remote"
	"github.com/hookscope/hookscope/ui/export"
	"github.com/hookscope/hookscope/ui/termsafe"
	"github.com/hookscope/hookscope/ui/textout"
)

func newImportCmd(e *env) *cobra.Command {
	var db string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Store the deliveries of a HAR file or a hookscope JSONL export",
		Long: "import reads a HAR file (saved from ngrok's inspector, a browser or `hookscope\n" +
			"export --format har`) or a hookscope JSONL export (\"-\" reads stdin) and stores\n" +
			"every request in it as an imported delivery, keeping its original time. The\n" +
			"whole file is checked first: a malformed one is refused with the line (JSONL) or\n" +
			"entry (HAR) at fault, and nothing is imported. Verdicts in the file are not\n" +
			"trusted: imported deliveries are verified again, like live ones. A JSONL export\n" +
			"also brings back each delivery's pin, replays and live forward (a HAR file, the\n" +
			"pin only). The database is created when it does not exist.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			name := args[0]
			var in io.Reader = e.stdin
			var size int64
			if name != "-" {
				f, err := os.Open(name)
				if err != nil {
					// The *PathError would name the file a second time.
					return fmt.Errorf("import %s: %w", name, bareErr(err))
				}
				defer f.Close()
				if fi, err := f.Stat(); err == nil {
					if fi.IsDir() {
						return fmt.Errorf("import %s: is a folder; name a HAR or JSONL file", name)
					}
					size = fi.Size()
				}
				in = f
			}
			bar := textout.NewCountBar(e.stderr, isTerminal(e.stderr), "reading", size)
			cr := &countingReader{r: in, progress: bar.Set}
			batch, err := export.Decode(cr)
			bar.Done()
			if err != nil {
				return fmt.Errorf("import %s: %w; nothing was imported", name, err)
			}
			s, err := e.openStoreCreating(db)
			if err != nil {
				return err
			}
			defer s.Close()
			if bar.On() {
				fmt.Fprintf(e.stderr, "storing %d deliveries…", len(batch.Events))
			}
			err = s.ImportAll(cmd.Context(), batch.Events, batch.Bodies, batch.States)
			if bar.On() {
				fmt.Fprint(e.stderr, "\r\x1b[2K")
			}
			if err != nil {
				return fmt.Errorf("import %s: %w; nothing was imported", name, err)
			}
			// Verifying can take longer than storing (a signature check
			// and a schema validation per delivery): it has its own bar.
			vbar := textout.NewCountBar(e.stderr, bar.On(), "verifying", int64(len(batch.Events)))
			err = e.verifyImported(cmd.Context(), s, batch.Events, func(n int) { vbar.Set(int64(n)) })
			vbar.Done()
			if err != nil {
				// The error can quote the imported file's content.
				fmt.Fprintf(e.stderr, "hookscope: imported, but verification failed: %s (run hookscope verify --all)\n", termsafe.Line(err.Error()))
			}
			first, last := batch.Events[0].ID, batch.Events[0].ID
			for _, ev := range batch.Events {
				first, last = min(first, ev.ID), max(last, ev.ID)
			}
			noun := "deliveries"
			if len(batch.Events) == 1 {
				noun = "delivery"
			}
			_, err = fmt.Fprintf(e.stdout, "imported %d %s from %s (%s) into %s: ids %s … %s\n",
				// File names are shown, never obeyed; a listener's path comes
				// from its socket.
				len(batch.Events), noun, termsafe.Line(name), batch.Format, termsafe.Line(s.Path()), first, last)
			if err == nil && batch.Masked > 0 {
				fmt.Fprintln(e.stderr, maskedImportNote(batch.Masked))
			}
			return err
		},
	}
	cmd.Flags().StringVar(&db, "db", e.defaultDB(), "database file ($HOOKSCOPE_DB)")
	return cmd
}

// maskedImportNote warns that n imported deliveries were exported masked:
// their verdicts are about masked bytes, so an invalid signature there says
// nothing about the sender.
func maskedImportNote(n int) string {
	were, they := "were", "they are"
	if n == 1 {
		were, they = "was", "it is"
	}
	return fmt.Sprintf("hookscope: %d of them %s exported with secrets masked, so %s not the bytes received: "+
		"a signature over a masked part fails verification; export with --reveal-secrets to move exact copies", n, were, they)
}

// openStoreCreating is openStore for commands that may start a database:
// importing onto a fresh machine is how history moves there.
func (e *env) openStoreCreating(path string) (store.Store, error) {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && !isAnswering(store.SocketPath(path)) {
		db, err := store.Open(path, store.Options{LockTimeout: lockTimeout})
		if err != nil {
			return nil, err
		}
		e.openWarnings(db.Warnings())
		return db, nil
	}
	return e.openStore(path)
}

// countingReader reports how many bytes were read, for the progress bar.
type countingReader struct {
	r        io.Reader
	n        atomic.Int64
	progress func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.progress(c.n.Add(int64(n)))
	return n, err
}

// verifyImported verifies and validates imported deliveries like live ones:
// by the running listener (which holds the keys, secrets and specs) when
// one holds the database, else here with the environment and config file.
// progress, when not nil, hears how many are done after each.
func (e *env) verifyImported(ctx context.Context, s store.Store, evs []*store.Event, progress func(done int)) error {
	var analyse func(ctx context.Context, id string) error
	if c, ok := s.(*remote.Client); ok {
		analyse = c.Reverify
	} else {
		cfg, err := e.loadConfig()
		if err != nil {
			return err
		}
		chk, err := (&verifyFlags{}).build(e, cfg, s)
		if err != nil {
			return err
		}
		analyse = chk.pipeline(s).Analyze
	}
	for i, ev := range evs {
		if err := analyse(ctx, ev.ID); err != nil {
			return err
		}
		if progress != nil {
			progress(i + 1)
		}
	}
	return nil
}
