package verify

import (
	"errors"
	"fmt"

	"github.com/hookscope/hookscope/store/gzipbody"
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
	// A list names the codings in the order applied; identity changes
	// nothing, so "gzip, identity" is gzip.
	codings := gzipbody.Codings(encoding)
	switch {
	case len(codings) == 0 || len(body) == 0:
		return contentDecoded{body: body}
	case gzipbody.IsGzip(codings):
	default:
		return contentDecoded{body: body,
			skip: "body is " + truncate(encoding, 32) + "-encoded, which hookscope does not decode",
			note: "body is " + truncate(encoding, 32) + "-encoded: the signature was checked on the bytes as received; the payload, which hookscope does not decode, was not read"}
	}
	plain, after, err := gzipbody.Decode(body, MaxPayloadBytes)
	switch {
	case errors.Is(err, gzipbody.ErrTooLarge):
		return contentDecoded{body: body,
			skip: fmt.Sprintf("body is more than %d MiB once gzip-decoded, more than hookscope decodes", MaxPayloadBytes>>20),
			note: "body is gzip-encoded: the signature was checked on the bytes as received; decoded, it is too large to read"}
	case err != nil:
		return contentDecoded{body: body,
			note: "Content-Encoding says " + truncate(encoding, 32) + ", but the body does not decode as gzip (" + err.Error() + "): it was read as it came"}
	}
	note := fmt.Sprintf("body is gzip-encoded: the signature was checked on the %d bytes as received, the payload on the %d bytes they decode to", len(body), len(plain))
	if after > 0 {
		note += fmt.Sprintf("; %s after the gzip data were ignored", byteCount(after))
	}
	return contentDecoded{body: plain, note: note}
}
