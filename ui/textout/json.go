package textout

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/hookscope/hookscope/ui/termsafe"
)

// WriteJSON writes v to w as one line of JSON, the form of every JSON
// object hookscope prints to stdout. Payload text in it is untrusted and
// stdout is often a terminal: encoding/json escapes C0 controls but writes
// C1 controls, bidi controls and invisible format characters as they are,
// so termsafe.JSON escapes those too. The value a reader decodes is the
// same, and so are the field names.
func WriteJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode JSON: %w", err)
	}
	if _, err := w.Write(append(termsafe.JSON(b), '\n')); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}
