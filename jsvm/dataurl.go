package jsvm

import (
	"strings"
)

// data: URLs for fetch(), per the Fetch Standard's data: URL processor
// (https://fetch.spec.whatwg.org/#data-url-processor) and the MIME Sniffing
// Standard's MIME type parser and serializer. fetch() answers them itself,
// without the Fetcher: they name no host.

// parseDataURL runs the data: URL processor on a serialized URL whose scheme
// is "data". It returns the serialized MIME type and the body, or ok false
// if the URL is not a valid data: URL.
func parseDataURL(url string) (mimeType string, body []byte, ok bool) {
	// 1-3. The URL without its fragment and without "data:".
	input, found := strings.CutPrefix(url, "data:")
	if !found {
		return "", nil, false
	}
	if i := strings.IndexByte(input, '#'); i >= 0 {
		input = input[:i]
	}
	// 4-8. The MIME type is everything up to the first ",", which must exist.
	comma := strings.IndexByte(input, ',')
	if comma < 0 {
		return "", nil, false
	}
	mt := trimASCIIWhitespace(input[:comma])
	// 9-10. The body is the rest, percent-decoded.
	body = percentDecodeBytes(input[comma+1:])
	// 11. A MIME type ending in ";base64" (spaces allowed before "base64")
	// means a base64 body.
	if rest, isBase64 := cutBase64Suffix(mt); isBase64 {
		mt = rest
		decoded, ok := forgivingBase64Decode(string(body)) // body bytes are code points (isomorphic decode)
		if !ok {
			return "", nil, false
		}
		body = decoded
	}
	// 12. A MIME type that starts with ";" is text/plain with parameters.
	if strings.HasPrefix(mt, ";") {
		mt = "text/plain" + mt
	}
	// 13-14. An unparsable MIME type is text/plain;charset=US-ASCII.
	if parsed, ok := parseMIMEType(mt); ok {
		return parsed.String(), body, true
	}
	return "text/plain;charset=US-ASCII", body, true
}

// cutBase64Suffix removes ";" + spaces + "base64" (ASCII case-insensitive)
// from the end of mt.
func cutBase64Suffix(mt string) (string, bool) {
	if len(mt) < 6 || !strings.EqualFold(mt[len(mt)-6:], "base64") {
		return mt, false
	}
	rest := strings.TrimRight(mt[:len(mt)-6], " ")
	if !strings.HasSuffix(rest, ";") {
		return mt, false
	}
	return rest[:len(rest)-1], true
}

// trimASCIIWhitespace strips ASCII whitespace (tab, LF, FF, CR, space).
func trimASCIIWhitespace(s string) string {
	return strings.Trim(s, "\t\n\f\r ")
}

// mimeType is a parsed MIME type: lower-case type and subtype, parameters in
// order with lower-case names.
type mimeType struct {
	typ, subtype string
	params       [][2]string
}

// String is the MIME type serializer.
func (m mimeType) String() string {
	var sb strings.Builder
	sb.WriteString(m.typ)
	sb.WriteByte('/')
	sb.WriteString(m.subtype)
	for _, p := range m.params {
		sb.WriteByte(';')
		sb.WriteString(p[0])
		sb.WriteByte('=')
		v := p[1]
		if v != "" && isHTTPToken(v) {
			sb.WriteString(v)
			continue
		}
		sb.WriteByte('"')
		for i := 0; i < len(v); i++ {
			if v[i] == '"' || v[i] == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteByte(v[i])
		}
		sb.WriteByte('"')
	}
	return sb.String()
}

const httpWhitespace = "\t\n\r "

// parseMIMEType is the MIME Sniffing Standard's "parse a MIME type". The
// input is treated as code points one byte each, which a serialized URL
// (ASCII) satisfies.
func parseMIMEType(s string) (mimeType, bool) {
	s = strings.Trim(s, httpWhitespace)
	slash := strings.IndexByte(s, '/')
	if slash < 0 {
		return mimeType{}, false
	}
	typ := s[:slash]
	if typ == "" || !isHTTPToken(typ) {
		return mimeType{}, false
	}
	pos := slash + 1
	end := strings.IndexByte(s[pos:], ';')
	if end < 0 {
		end = len(s)
	} else {
		end += pos
	}
	subtype := strings.TrimRight(s[pos:end], httpWhitespace)
	if subtype == "" || !isHTTPToken(subtype) {
		return mimeType{}, false
	}
	m := mimeType{typ: strings.ToLower(typ), subtype: strings.ToLower(subtype)}
	pos = end
	for pos < len(s) {
		pos++ // the ";"
		for pos < len(s) && strings.IndexByte(httpWhitespace, s[pos]) >= 0 {
			pos++
		}
		start := pos
		for pos < len(s) && s[pos] != ';' && s[pos] != '=' {
			pos++
		}
		name := strings.ToLower(s[start:pos])
		if pos < len(s) {
			if s[pos] == ';' {
				continue
			}
			pos++ // the "="
		}
		if pos >= len(s) {
			break
		}
		var value string
		if s[pos] == '"' {
			value, pos = collectQuotedString(s, pos)
			for pos < len(s) && s[pos] != ';' {
				pos++
			}
		} else {
			start := pos
			for pos < len(s) && s[pos] != ';' {
				pos++
			}
			value = strings.TrimRight(s[start:pos], httpWhitespace)
			if value == "" {
				continue
			}
		}
		if name != "" && isHTTPToken(name) && isQuotedStringTokens(value) && !m.hasParam(name) {
			m.params = append(m.params, [2]string{name, value})
		}
	}
	return m, true
}

func (m mimeType) hasParam(name string) bool {
	for _, p := range m.params {
		if p[0] == name {
			return true
		}
	}
	return false
}

// collectQuotedString is the Fetch Standard's "collect an HTTP quoted
// string" with extract-value set; s[pos] is the opening quote. It returns
// the value and the position after it.
func collectQuotedString(s string, pos int) (string, int) {
	var sb strings.Builder
	pos++
	for {
		start := pos
		for pos < len(s) && s[pos] != '"' && s[pos] != '\\' {
			pos++
		}
		sb.WriteString(s[start:pos])
		if pos >= len(s) {
			break
		}
		c := s[pos]
		pos++
		if c == '\\' {
			if pos >= len(s) {
				sb.WriteByte('\\')
				break
			}
			sb.WriteByte(s[pos])
			pos++
			continue
		}
		break // the closing quote
	}
	return sb.String(), pos
}

// isHTTPToken reports whether s is made of HTTP token code points.
func isHTTPToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			continue
		}
		if strings.IndexByte("!#$%&'*+-.^_`|~", c) < 0 {
			return false
		}
	}
	return true
}

// isQuotedStringTokens reports whether s is made of HTTP quoted-string token
// code points (tab, space to "~", and 0x80 to 0xFF).
func isQuotedStringTokens(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\t' && (c < 0x20 || c == 0x7f) {
			return false
		}
	}
	return true
}
