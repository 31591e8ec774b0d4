package verify

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
)

// contentDecoded is a body as its Content-Encoding says to read it: the
// payload (schema, event type, provider) is read from body, while
// signatures stay checked over the bytes as received, which is what the
// provider signed.
type contentDecoded struct {
	body []byte
	// skip, when set, is why the payload is not read at all: an encoding
	// hookscope does not decode, or a gzip body too large once decoded.
	skip string
	note string
}

// decodeContent applies a gzip Content-Encoding (the one webhook senders
// use) to body, bounded by MaxPayloadBytes decoded. A body that says gzip
// but is not gzip is read as it came, and the note says so: senders and
// proxies do mislabel bodies, and the user should learn which happened.
func decodeContent(body []byte, encoding string) contentDecoded {
	enc := strings.ToLower(strings.TrimSpace(encoding))
	switch enc {
	case "", "identity":
		return contentDecoded{body: body}
	case "gzip", "x-gzip":
	default:
		return contentDecoded{body: body,
			skip: "body is " + truncate(encoding, 32) + "-encoded, which hookscope does not decode",
			note: "body is " + truncate(encoding, 32) + "-encoded: the signature was checked on the bytes as received; the payload, which hookscope does not decode, was not read"}
	}
	plain, err := gunzip(body)
	switch {
	case err == errTooLarge:
		return contentDecoded{body: body,
			skip: fmt.Sprintf("body is more than %d MiB once gzip-decoded, more than hookscope decodes", MaxPayloadBytes>>20),
			note: "body is gzip-encoded: the signature was checked on the bytes as received; decoded, it is too large to read"}
	case err != nil:
		return contentDecoded{body: body,
			note: "Content-Encoding says " + truncate(encoding, 32) + ", but the body does not decode as gzip (" + err.Error() + "): it was read as it came"}
	}
	return contentDecoded{body: plain,
		note: fmt.Sprintf("body is gzip-encoded: the signature was checked on the %d bytes as received, the payload on the %d bytes they decode to", len(body), len(plain))}
}

// errTooLarge is gunzip's answer for a body that decodes to more than
// MaxPayloadBytes.
var errTooLarge = fmt.Errorf("decoded body exceeds %d MiB", MaxPayloadBytes>>20)

// gunzip decodes a gzip body (several members, as gzip allows), reading
// at most MaxPayloadBytes+1 decoded bytes: a small body can inflate to
// gigabytes.
func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, MaxPayloadBytes+1))
	if len(out) > MaxPayloadBytes {
		return nil, errTooLarge
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}
