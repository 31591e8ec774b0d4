package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// sendState is what `send` remembers between runs, in the config folder:
// the last event id sent per message name, for --duplicate. (A redelivery
// repeats one event, and an event has one message type.)
type sendState struct {
	LastEventID map[string]string `json:"last_event_id"`
}

// sendStatePath is $XDG_CONFIG_HOME/hookscope/send-state.json.
func (e *env) sendStatePath() string { return filepath.Join(e.configDir(), "send-state.json") }

// loadSendState reads the state file; a missing file is an empty state. A
// damaged one is an error naming it, so the user can delete it.
func loadSendState(path string) (*sendState, error) {
	s := &sendState{LastEventID: map[string]string{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("send state: %w", err)
	}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("send state %s is damaged (delete it to start afresh): %w", path, err)
	}
	if s.LastEventID == nil {
		s.LastEventID = map[string]string{}
	}
	return s, nil
}

// save writes the state with mode 0600 through a rename, so a crash never
// leaves half a file.
func (s *sendState) save(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("send state: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("send state: %w", err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("send state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("send state: %w", err)
	}
	return nil
}
