package asyncapi

import (
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hookscope/hookscope/store/jsonpointer"
)

// uriFields are the document fields the AsyncAPI 2.6 meta-schema declares
// with format "uri". Only these are checked: server URLs legitimately hold
// {variables}.
var uriFields = map[string]bool{
	"termsOfService":   true,
	"tokenUrl":         true,
	"authorizationUrl": true,
	"refreshUrl":       true,
	"openIdConnectUrl": true,
}

// uriParents are the objects whose `url` field must be a URI.
var uriParents = map[string]bool{"contact": true, "license": true, "externalDocs": true}

// lintDocument reports problems that do not stop validation. The seed
// Talkdesk document's `tokenUrl: https://{region}.talkdeskid.com/...` is the
// model case: invalid under the meta-schema, harmless for payloads, so a
// warning rather than a refusal.
func lintDocument(d *document) []Warning {
	var out []Warning
	var walk func(loc location, v any, key, parent string, depth int)
	walk = func(loc location, v any, key, parent string, depth int) {
		if depth > maxDepth {
			return
		}
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				if key != "properties" && (dataKeys[k] || k == "payload" || k == "headers" || k == "schemas") {
					// Schemas and examples hold user data, where a
					// property called "url" is not a document URL.
					continue
				}
				walk(loc.child(k), v[k], k, key, depth+1)
			}
		case []any:
			for i, item := range v {
				walk(loc.child(strconv.Itoa(i)), item, key, parent, depth+1)
			}
		case string:
			if uriFields[key] || key == "url" && uriParents[parent] {
				if why := notURI(v); why != "" {
					out = append(out, loc.warnf("%s: %q is not a valid URI as AsyncAPI 2.6 requires (%s); loading continues, payload validation is unaffected", loc.ptr, v, why))
				}
			}
		}
	}
	walk(location{d, ""}, d.root, "", "", 0)
	return out
}

// notURI says why s is not an absolute RFC 3986 URI, or "" when it is.
func notURI(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-._~:/?#[]@!$&'()*+,;=", c) >= 0:
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "'%' not followed by two hex digits"
			}
		default:
			return fmt.Sprintf("%q is not allowed", string(rune(c)))
		}
	}
	u, err := url.Parse(s)
	if err != nil {
		return err.Error()
	}
	if u.Scheme == "" {
		return "it has no scheme"
	}
	return ""
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// lintRegistry reports what is ambiguous across documents: two messages
// with one name (lookups take the first) and two channels with one address
// (path matching takes the first).
func (b *builder) lintRegistry() []Warning {
	var out []Warning
	names := map[string]*Message{}
	for _, m := range b.reg.messages {
		if first, ok := names[m.name]; ok && first.loc.doc != m.loc.doc {
			out = append(out, m.loc.warnf("message name %q is also used in %s; lookups by name find that one first", m.name, first.loc.doc.name))
			continue
		}
		if _, ok := names[m.name]; !ok {
			names[m.name] = m
		}
	}
	addrs := map[string]*channel{}
	for _, ch := range b.reg.channels {
		if first, ok := addrs[ch.address]; ok {
			out = append(out, location{ch.doc, "/channels/" + jsonpointer.Escape(ch.name)}.warnf("channel %q is also declared in %s; paths ending in it match that one first", ch.name, first.doc.name))
			continue
		}
		addrs[ch.address] = ch
	}
	return out
}
