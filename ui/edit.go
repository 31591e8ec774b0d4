package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/hookscope/hookscope/store"
)

// The edit flow (e): read the editable body and write it to a temporary
// file (a command), hand the terminal to $EDITOR (tea.ExecProcess), read the
// file back and remove it (a command), then ask for the target and, for a
// signed delivery, warn before sending.

// editReadyMsg says the body to edit is in a temporary file.
type editReadyMsg struct {
	rec    store.Record
	path   string
	editor *exec.Cmd // edits path
	orig   []byte
	err    error
}

// editorDoneMsg says the editor exited.
type editorDoneMsg struct {
	rec  store.Record
	path string
	orig []byte
	err  error
}

// editedMsg carries the edited body; the temporary file is gone.
type editedMsg struct {
	rec        store.Record
	body, orig []byte
	err        error
}

// editorCmd returns the command that edits path: $EDITOR (which may carry
// arguments, as in "code -w"), else vi. exec.Command searches PATH, so it
// is called from a tea.Cmd, never from Update.
func editorCmd(path string) *exec.Cmd {
	argv := strings.Fields(os.Getenv("EDITOR"))
	if len(argv) == 0 {
		argv = []string{"vi"}
	}
	return exec.Command(argv[0], append(argv[1:], path)...)
}

// prepareEdit reads the editable body of rec and writes it to a file only
// the user can read (the body may hold secrets; os.CreateTemp makes it
// 0600).
func (m Model) prepareEdit(rec store.Record) tea.Cmd {
	ctx, src := m.ctx, m.src
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, SourceTimeout)
		defer cancel()
		b, err := src.EditableBody(ctx, rec.ID)
		if err != nil {
			return editReadyMsg{rec: rec, err: err}
		}
		// The extension lets the editor pick its syntax mode.
		ext := ".txt"
		if json.Valid(b) {
			ext = ".json"
		}
		f, err := os.CreateTemp("", "hookscope-edit-*"+ext)
		if err != nil {
			return editReadyMsg{rec: rec, err: err}
		}
		_, werr := f.Write(b)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			os.Remove(f.Name())
			return editReadyMsg{rec: rec, err: werr}
		}
		return editReadyMsg{rec: rec, path: f.Name(), editor: editorCmd(f.Name()), orig: b}
	}
}

func (m Model) handleEditReady(msg editReadyMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setSourceError("edit", msg.err)
		return m, nil
	}
	return m, m.exec(msg.editor, func(err error) tea.Msg {
		return editorDoneMsg{rec: msg.rec, path: msg.path, orig: msg.orig, err: err}
	})
}

// readEdited reads the edited file back and removes it, whatever the
// editor said.
func readEdited(msg editorDoneMsg) tea.Cmd {
	return func() tea.Msg {
		defer os.Remove(msg.path)
		if msg.err != nil {
			return editedMsg{rec: msg.rec, err: fmt.Errorf("the editor failed: %w", msg.err)}
		}
		b, err := os.ReadFile(msg.path)
		return editedMsg{rec: msg.rec, body: b, orig: msg.orig, err: err}
	}
}

func (m Model) handleEdited(msg editedMsg) (Model, tea.Cmd) {
	m.status = status{} // "Opening the body in the editor…" is over
	switch {
	case msg.err != nil:
		m.setSourceError("edit", msg.err)
		return m, nil
	case bytes.Equal(msg.body, msg.orig):
		m.setStatus(levelInfo, "The body is unchanged: nothing sent (r replays the delivery as it is)")
		return m, nil
	}
	return m.openPrompt(replayPrompt{mode: promptEdited, ids: []string{msg.rec.ID}, rec: msg.rec, edited: msg.body})
}
