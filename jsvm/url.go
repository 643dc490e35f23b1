package jsvm

import (
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	whatwg "github.com/nlnwa/whatwg-url/url"
)

// urlParser is the WHATWG URL parser the URL class is built on. The library
// implements the URL Standard's state machine; we keep its defaults, which
// follow the standard (no lax options), except where the standard has moved
// on since: domains go through our own "domain to ASCII" (urlhost.go), and
// the path percent-encode set includes "^" (U+005E).
var urlParser = whatwg.NewParser(
	whatwg.WithPreParseHostFunc(preParseHost),
	whatwg.WithPostParseHostFunc(postParseHost),
	whatwg.WithPathPercentEncodeSet(whatwg.PathPercentEncodeSet.Set('^')),
)

// parseURL parses input against an optional base as `new URL(input, base)`
// does. ok is false where the standard's parser returns failure.
func parseURL(input string, base *string) (*whatwg.Url, bool) {
	var u *whatwg.Url
	var err error
	if base != nil {
		b, berr := urlParser.Parse(*base)
		if berr != nil {
			return nil, false
		}
		u, err = b.Parse(input)
	} else {
		u, err = urlParser.Parse(input)
	}
	if err != nil {
		return nil, false
	}
	return encodeOpaquePathTrailingSpace(u), true
}

// encodeOpaquePathTrailingSpace applies the standard's opaque path rule the
// library predates: a space that ends an opaque path (so one right before
// the "?" or "#", the only way a path can end in one) is written "%20", so
// "sc:a  ?q" is "sc:a %20?q". Clearing the query or fragment later then has
// no trailing spaces to strip, which is why the standard could drop that
// step (the library's setters still do it, but never find a space).
func encodeOpaquePathTrailingSpace(u *whatwg.Url) *whatwg.Url {
	p := u.Pathname()
	if !u.OpaquePath() || !strings.HasSuffix(p, " ") {
		return u
	}
	href := u.Href(false)
	prefix := u.Scheme() + ":"
	if !strings.HasPrefix(href, prefix+p) {
		return u
	}
	fixed, err := urlParser.Parse(prefix + p[:len(p)-1] + "%20" + href[len(prefix)+len(p):])
	if err != nil {
		return u
	}
	return fixed
}

// urlOrigin serializes a URL's origin (URL Standard, "origin").
func urlOrigin(u *whatwg.Url) string {
	switch u.Scheme() {
	case "http", "https", "ws", "wss", "ftp":
		return u.Protocol() + "//" + u.Host()
	case "blob":
		inner, ok := parseURL(u.Pathname(), nil)
		if ok && (inner.Scheme() == "http" || inner.Scheme() == "https") {
			return urlOrigin(inner)
		}
	}
	return "null"
}

// urlComponents returns the array url.js indexes: href, protocol, username,
// password, host, hostname, port, pathname, search, hash, origin.
func urlComponents(u *whatwg.Url) []any {
	return []any{u.Href(false), u.Protocol(), u.Username(), u.Password(), u.Host(), u.Hostname(),
		u.Port(), u.Pathname(), u.Search(), u.Hash(), urlOrigin(u)}
}

// urlArray is the components as a JavaScript array (not a Go slice, whose
// every element read in JS is converted again).
func urlArray(vm *goja.Runtime, c []any) *goja.Object {
	return vm.NewArray(c...)
}

// urlCacheSize bounds an instance's cache of parsed URLs. A handler parses
// the same few URLs over and over (its request's, the ones it fetches), and
// parsing was ~5% of a worker-to-coordinator request's CPU.
const urlCacheSize = 256

func urlOps(vm *goja.Runtime) map[string]any {
	// Parsing is a pure function of (input, base): the cache holds the
	// components array, which URL objects of the same input share: url.js
	// keeps it in a private field and never writes to it (a setter replaces
	// the whole array). Only the instance's loop goroutine uses the cache.
	// It starts empty, not sized for urlCacheSize: most instances parse a
	// handful of URLs, and a coordinator's heap counts a thousand times.
	cache := map[string]*goja.Object{}
	return map[string]any{
		// urlParse(input, base|undefined) returns the components array, or
		// null if input (against base) is no valid URL. A native-call
		// function, not a typed one: goja calls typed Go functions through
		// reflection, which cost more than the cached parse.
		"urlParse": func(call goja.FunctionCall) goja.Value {
			input := call.Argument(0).String()
			var b *string
			key := input
			if base := call.Argument(1); !goja.IsUndefined(base) {
				s := base.String()
				b = &s
				key = input + "\x00" + s
			}
			if c, ok := cache[key]; ok {
				return c
			}
			u, ok := parseURL(input, b)
			if !ok {
				return goja.Null()
			}
			c := urlArray(vm, urlComponents(u))
			if len(cache) >= urlCacheSize {
				clear(cache)
			}
			cache[key] = c
			return c
		},
		// urlSet applies one setter to the URL serialized as href. The
		// standard's setters ignore invalid values rather than throw.
		"urlSet": func(href, name, value string) *goja.Object {
			u, ok := parseURL(href, nil)
			if !ok {
				panic(vm.NewTypeError("Invalid URL: '" + href + "'"))
			}
			switch name {
			case "protocol":
				u.SetProtocol(value)
			case "username":
				u.SetUsername(value)
			case "password":
				u.SetPassword(value)
			case "host":
				u.SetHost(value)
			case "hostname":
				u.SetHostname(value)
			case "port":
				u.SetPort(value)
			case "pathname":
				u.SetPathname(value)
			case "search":
				u.SetSearch(value)
			case "hash":
				u.SetHash(value)
			default:
				panic(vm.NewTypeError("unknown URL component " + name))
			}
			return urlArray(vm, urlComponents(encodeOpaquePathTrailingSpace(u)))
		},
		"formParse":     func(s string) [][]string { return parseURLEncoded(s) },
		"formSerialize": func(pairs [][]string) string { return serializeURLEncoded(pairs) },
	}
}

// parseURLEncoded implements the application/x-www-form-urlencoded parser:
// split on "&", first "=" separates name and value, "+" is a space, and
// percent-decoding never fails (a bad escape stays as written).
func parseURLEncoded(s string) [][]string {
	out := [][]string{}
	for _, seq := range strings.Split(s, "&") {
		if seq == "" {
			continue
		}
		name, value, _ := strings.Cut(seq, "=")
		out = append(out, []string{percentDecodeForm(name), percentDecodeForm(value)})
	}
	return out
}

func percentDecodeForm(s string) string {
	s = strings.ReplaceAll(s, "+", " ")
	if !strings.Contains(s, "%") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	if utf8.Valid(b) {
		return string(b)
	}
	// Each maximal invalid subsequence becomes one U+FFFD, as UTF-8 decode
	// requires ("%FE%FF" is two replacement characters, not one).
	s, _ = newTextDecoder("utf-8", false, true).decode(b, false)
	return s
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// serializeURLEncoded implements the application/x-www-form-urlencoded
// serializer: space becomes "+", and everything outside *-._ and ASCII
// alphanumerics is percent-encoded as UTF-8.
func serializeURLEncoded(pairs [][]string) string {
	var sb strings.Builder
	for i, p := range pairs {
		if i > 0 {
			sb.WriteByte('&')
		}
		encodeForm(&sb, p[0])
		sb.WriteByte('=')
		if len(p) > 1 {
			encodeForm(&sb, p[1])
		}
	}
	return sb.String()
}

func encodeForm(sb *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	for _, c := range []byte(strings.ToValidUTF8(s, "\uFFFD")) {
		switch {
		case c == ' ':
			sb.WriteByte('+')
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '*', c == '-', c == '.', c == '_':
			sb.WriteByte(c)
		default:
			sb.WriteByte('%')
			sb.WriteByte(hexDigits[c>>4])
			sb.WriteByte(hexDigits[c&15])
		}
	}
}
