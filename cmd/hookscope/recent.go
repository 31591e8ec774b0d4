package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/hookscope/hookscope/store"
	"github.com/hookscope/hookscope/ui"
)

// recentTargetsPath is the file of recent replay targets, in the config
// folder beside the dev keys.
func recentTargetsPath(e *env) string { return filepath.Join(e.configDir(), "replay-targets") }

// recentTargets is the file of replay targets used lately, one URL a line,
// newest first, mode 0600 (a target URL may carry a token in its query).
type recentTargets struct {
	mu   sync.Mutex // adds from concurrent commands are serialised
	path string
}

// load returns the remembered targets; a missing file is an empty list.
func (r *recentTargets) load() ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.read()
}

func (r *recentTargets) read() ([]string, error) {
	b, err := os.ReadFile(r.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("recent targets: %w", err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() && len(out) < ui.MaxRecentTargets {
		if t := strings.TrimSpace(sc.Text()); t != "" {
			out = append(out, t)
		}
	}
	return out, nil
}

// add puts target first, without duplicates, keeping ui.MaxRecentTargets. The
// file is replaced by a rename so a reader never sees half of it.
func (r *recentTargets) add(target string) error {
	if strings.ContainsAny(target, "\r\n") {
		return fmt.Errorf("recent targets: %q is not one line", store.RedactURLPassword(target))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	old, err := r.read()
	if err != nil {
		return err
	}
	list := ui.PushRecent(old, target)
	if err := os.MkdirAll(filepath.Dir(r.path), 0o700); err != nil {
		return fmt.Errorf("recent targets: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(r.path), ".replay-targets-*")
	if err != nil {
		return fmt.Errorf("recent targets: %w", err)
	}
	defer os.Remove(f.Name()) // after a successful rename there is nothing to remove
	if _, err := f.WriteString(strings.Join(list, "\n") + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("recent targets: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("recent targets: %w", err)
	}
	// CreateTemp makes the file 0600 already; say so explicitly.
	if err := os.Chmod(f.Name(), 0o600); err != nil {
		return fmt.Errorf("recent targets: %w", err)
	}
	if err := os.Rename(f.Name(), r.path); err != nil {
		return fmt.Errorf("recent targets: %w", err)
	}
	return nil
}
