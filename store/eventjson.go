package store

import (
	"encoding/json"
	"math"
	"strconv"
	"unicode/utf8"
)

// encodeEvent returns the stored form of ev: exactly what json.Marshal
// gives, written without reflection because every captured delivery pays for
// it on the capture path. Events it does not handle itself (a forward
// attempt, a refused request, a time or duration encoding/json would
// refuse) go to json.Marshal. TestEncodeEventMatchesJSON holds the two together.
func encodeEvent(ev *Event) ([]byte, error) {
	y := ev.ReceivedAt.Year()
	d := ev.Response.DurationMS
	if ev.Forward != nil || ev.Refused != "" || y < 0 || y > 9999 || math.IsNaN(d) || math.IsInf(d, 0) {
		return json.Marshal(ev)
	}
	b := make([]byte, 0, 512+len(ev.Path)+len(ev.RawPath)+len(ev.Query)+64*(len(ev.Header)+len(ev.Trailer)))
	b = append(b, `{"ID":`...)
	b = appendJSONString(b, ev.ID)
	b = append(b, `,"ReceivedAt":"`...)
	b = ev.ReceivedAt.AppendFormat(b, "2006-01-02T15:04:05.999999999Z07:00")
	b = append(b, `","Method":`...)
	b = appendJSONString(b, ev.Method)
	b = append(b, `,"Path":`...)
	b = appendJSONString(b, ev.Path)
	b = append(b, `,"RawPath":`...)
	b = appendJSONString(b, ev.RawPath)
	b = append(b, `,"Query":`...)
	b = appendJSONString(b, ev.Query)
	b = append(b, `,"Host":`...)
	b = appendJSONString(b, ev.Host)
	b = append(b, `,"RemoteAddr":`...)
	b = appendJSONString(b, ev.RemoteAddr)
	b = append(b, `,"Proto":`...)
	b = appendJSONString(b, ev.Proto)
	b = append(b, `,"Header":`...)
	if ev.Header == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONFields(b, ev.Header)
	}
	if len(ev.Trailer) > 0 { // omitempty: left out when nil or empty
		b = append(b, `,"Trailer":`...)
		b = appendJSONFields(b, ev.Trailer)
	}
	b = append(b, `,"Size":`...)
	b = strconv.AppendInt(b, ev.Size, 10)
	b = append(b, `,"Truncated":`...)
	b = strconv.AppendBool(b, ev.Truncated)
	b = append(b, `,"ContentType":`...)
	b = appendJSONString(b, ev.ContentType)
	b = append(b, `,"ContentEncoding":`...)
	b = appendJSONString(b, ev.ContentEncoding)
	b = append(b, `,"Response":{"status":`...)
	b = strconv.AppendInt(b, int64(ev.Response.Status), 10)
	b = append(b, `,"duration_ms":`...)
	b = appendJSONFloat(b, d)
	b = append(b, `},"Imported":`...)
	b = strconv.AppendBool(b, ev.Imported)
	b = append(b, `,"Forward":null}`...)
	return b, nil
}

// appendJSONFields appends a non-nil h as encoding/json writes a Header:
// an array of {"Name","Value"} objects.
func appendJSONFields(b []byte, h Header) []byte {
	b = append(b, '[')
	for i, f := range h {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"Name":`...)
		b = appendJSONString(b, f.Name)
		b = append(b, `,"Value":`...)
		b = appendJSONString(b, f.Value)
		b = append(b, '}')
	}
	return append(b, ']')
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as encoding/json writes it: HTML-safe escapes
// for <, > and &, \u escapes for other control characters, U+FFFD for
// invalid UTF-8, and escaped U+2028/U+2029.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendJSONFloat appends a finite f as encoding/json writes a float64.
func appendJSONFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 becomes e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
