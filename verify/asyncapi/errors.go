package asyncapi

import (
	"errors"
	"fmt"
)

// Sentinel errors, wrapped by *Error so callers can tell refusals apart with
// errors.Is.
var (
	// ErrSyntax means the file is not well-formed YAML or JSON.
	ErrSyntax = errors.New("syntax error")
	// ErrNotAsyncAPI means the file parsed but is not an AsyncAPI 2.x
	// document (no `asyncapi` field, another major version, wrong shapes).
	ErrNotAsyncAPI = errors.New("not an AsyncAPI 2.x document")
	// ErrRefNotFound means a $ref points at something that does not exist.
	ErrRefNotFound = errors.New("broken $ref")
	// ErrRefRefused means a $ref points outside what a spec may read: a URL,
	// an absolute path, or a file that is not a sibling of the document.
	ErrRefRefused = errors.New("$ref refused")
	// ErrSchema means a payload or headers schema does not compile.
	ErrSchema = errors.New("invalid schema")
	// ErrTooLarge means a file, or the tree its aliases expand to, exceeds
	// the loader's limits.
	ErrTooLarge = errors.New("document too large")
)

// Error is a refusal to load a document: the file, the position (1-based;
// zero when unknown) and the reason. It wraps one of the sentinel errors.
type Error struct {
	File   string
	Line   int
	Col    int
	Reason string
	Err    error
}

// Error formats the error as "asyncapi: FILE:LINE:COL: REASON", the form
// editors and terminals recognise as a jump target.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("asyncapi: %s:%d:%d: %s", e.File, e.Line, e.Col, e.Reason)
	}
	return fmt.Sprintf("asyncapi: %s: %s", e.File, e.Reason)
}

// Unwrap returns the sentinel (or underlying) error.
func (e *Error) Unwrap() error { return e.Err }

// Warning is a problem in a document that does not stop it from being used
// for validation, such as a URL field that is not a valid URI.
type Warning struct {
	File    string
	Line    int
	Col     int
	Message string
}

// String formats the warning as "FILE:LINE:COL: MESSAGE".
func (w Warning) String() string {
	if w.Line > 0 {
		return fmt.Sprintf("%s:%d:%d: %s", w.File, w.Line, w.Col, w.Message)
	}
	return fmt.Sprintf("%s: %s", w.File, w.Message)
}
