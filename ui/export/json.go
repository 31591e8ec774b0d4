package export

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// marshalNoEscape is json.Marshal without HTML escaping (bodies stay
// readable: `<` rather than `\u003c`) and without the trailing newline.
func marshalNoEscape(v any) ([]byte, error) { return marshalIndentNoEscape(v, "", "") }

// marshalIndentNoEscape is json.MarshalIndent without HTML escaping; with
// no prefix and no indent it does not indent.
func marshalIndentNoEscape(v any, prefix, indent string) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent(prefix, indent)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
