package jsvm

// URLPattern (WHATWG URL Pattern Standard, https://urlpattern.spec.whatwg.org/).
//
// The compile side lives here in Go: the tokenizer, the pattern parser, the
// part list -> regular expression / pattern string generators, the
// constructor-string parser, URLPatternInit processing and the per-component
// canonicalization through the WHATWG URL parser. urlpattern.js keeps the JS
// object model and does the matching with RegExp objects, so user-written
// regexp groups keep ECMAScript semantics. The one place the compile side
// needs a RegExp ("does the protocol component match a special scheme?") is a
// callback into JS.

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/dop251/goja"
	whatwg "github.com/nlnwa/whatwg-url/url"
)

// ---------------------------------------------------------------------------
// Tokenizer

type upTokenType int

const (
	upTokOpen upTokenType = iota
	upTokClose
	upTokRegexp
	upTokName
	upTokChar
	upTokEscapedChar
	upTokOtherModifier
	upTokAsterisk
	upTokEnd
	upTokInvalidChar
)

type upToken struct {
	typ   upTokenType
	index int // code point offset of the token in the pattern
	value string
}

// upError is a pattern or input problem; the JS side turns it into a TypeError.
type upError struct{ msg string }

func (e *upError) Error() string { return e.msg }

func upErrorf(format string, args ...any) error { return &upError{fmt.Sprintf(format, args...)} }

// upTokenize splits a pattern string into tokens. With lenient set, problems
// become invalid-char tokens (the constructor-string parser wants that);
// otherwise the first problem is returned as an error.
func upTokenize(input string, lenient bool) ([]upToken, error) {
	in := []rune(input)
	n := len(in)
	var toks []upToken
	pos := 0
	emit := func(typ upTokenType, next, valueStart, valueEnd int) {
		toks = append(toks, upToken{typ: typ, index: pos, value: string(in[valueStart:valueEnd])})
		pos = next
	}
	// problem records a tokenizing error covering in[valueStart:next].
	problem := func(next, valueStart int, why string) error {
		if !lenient {
			return upErrorf("%s at position %d", why, pos)
		}
		emit(upTokInvalidChar, next, valueStart, next)
		return nil
	}
	for pos < n {
		c := in[pos]
		switch c {
		case '*':
			emit(upTokAsterisk, pos+1, pos, pos+1)
			continue
		case '+', '?':
			emit(upTokOtherModifier, pos+1, pos, pos+1)
			continue
		case '\\':
			if pos == n-1 {
				if err := problem(pos+1, pos, "trailing backslash"); err != nil {
					return nil, err
				}
				continue
			}
			emit(upTokEscapedChar, pos+2, pos+1, pos+2)
			continue
		case '{':
			emit(upTokOpen, pos+1, pos, pos+1)
			continue
		case '}':
			emit(upTokClose, pos+1, pos, pos+1)
			continue
		case ':':
			start := pos + 1
			end := start
			for end < n && upIsNameCodePoint(in[end], end == start) {
				end++
			}
			if end == start {
				if err := problem(start, pos, "missing or invalid group name after ':'"); err != nil {
					return nil, err
				}
				continue
			}
			emit(upTokName, end, start, end)
			continue
		case '(':
			if err := upTokenizeRegexp(in, pos, lenient, emit, problem); err != nil {
				return nil, err
			}
			continue
		}
		emit(upTokChar, pos+1, pos, pos+1)
	}
	toks = append(toks, upToken{typ: upTokEnd, index: n})
	return toks, nil
}

// upTokenizeRegexp scans the "(...)" regexp group starting at in[open].
func upTokenizeRegexp(in []rune, open int, lenient bool,
	emit func(typ upTokenType, next, valueStart, valueEnd int),
	problem func(next, valueStart int, why string) error) error {
	n := len(in)
	start := open + 1
	depth := 1
	p := start
	why := ""
scan:
	for p < n {
		c := in[p]
		switch {
		case c > 0x7F:
			why = "non-ASCII character in regexp group"
			break scan
		case p == start && c == '?':
			why = "regexp group must not start with '?'"
			break scan
		case c == '\\':
			if p == n-1 {
				why = "unterminated escape in regexp group"
				break scan
			}
			if in[p+1] > 0x7F {
				why = "non-ASCII character in regexp group"
				break scan
			}
			p += 2
			continue
		case c == ')':
			depth--
			if depth == 0 {
				p++
				break scan
			}
		case c == '(':
			depth++
			if p == n-1 {
				why = "unterminated regexp group"
				break scan
			}
			if in[p+1] != '?' {
				why = "capturing groups are not allowed inside a regexp group (use '(?:...)')"
				break scan
			}
		}
		p++
	}
	if why == "" && depth != 0 {
		why = "unterminated regexp group"
	}
	if why == "" && p-start-1 == 0 {
		why = "empty regexp group"
	}
	if why != "" {
		return problem(start, open, why)
	}
	emit(upTokRegexp, p, start, p-1)
	return nil
}

// upIsNameCodePoint reports whether r may appear in a ":name" group name:
// ECMAScript IdentifierStart for the first code point, IdentifierPart after.
func upIsNameCodePoint(r rune, first bool) bool {
	if r == '$' || r == '_' {
		return true
	}
	if !first && (r == '\u200C' || r == '\u200D') {
		return true
	}
	if unicode.Is(unicode.Pattern_Syntax, r) || unicode.Is(unicode.Pattern_White_Space, r) {
		return false
	}
	if unicode.IsLetter(r) || unicode.Is(unicode.Nl, r) || unicode.Is(unicode.Other_ID_Start, r) {
		return true
	}
	if first {
		return false
	}
	return unicode.In(r, unicode.Mn, unicode.Mc, unicode.Nd, unicode.Pc, unicode.Other_ID_Continue)
}

// ---------------------------------------------------------------------------
// Parts and the pattern parser

type upPartType int

const (
	upPartFixed upPartType = iota
	upPartRegexp
	upPartSegment
	upPartFull
)

type upModifier int

const (
	upModNone upModifier = iota
	upModOptional
	upModZeroOrMore
	upModOneOrMore
)

func (m upModifier) String() string {
	switch m {
	case upModOptional:
		return "?"
	case upModZeroOrMore:
		return "*"
	case upModOneOrMore:
		return "+"
	}
	return ""
}

type upPart struct {
	typ                  upPartType
	value                string
	modifier             upModifier
	name, prefix, suffix string
}

type upOptions struct {
	delimiter, prefix string // one ASCII code point or ""
	ignoreCase        bool
}

var (
	upDefaultOptions  = upOptions{}
	upHostnameOptions = upOptions{delimiter: "."}
	upPathnameOptions = upOptions{delimiter: "/", prefix: "/"}
)

const upFullWildcard = ".*"

func upSegmentWildcard(o upOptions) string {
	return "[^" + upEscapeRegexp(o.delimiter) + "]+?"
}

type upEncoder func(string) (string, error)

type upParser struct {
	toks        []upToken
	encode      upEncoder
	segment     string
	parts       []upPart
	pending     string
	i           int
	nextNumeric int
}

func (p *upParser) try(typ upTokenType) *upToken {
	if p.toks[p.i].typ != typ {
		return nil
	}
	t := &p.toks[p.i]
	p.i++
	return t
}

func (p *upParser) tryModifier() *upToken {
	if t := p.try(upTokOtherModifier); t != nil {
		return t
	}
	return p.try(upTokAsterisk)
}

func (p *upParser) tryRegexpOrWildcard(name *upToken) *upToken {
	t := p.try(upTokRegexp)
	if name == nil && t == nil {
		t = p.try(upTokAsterisk)
	}
	return t
}

func (p *upParser) require(typ upTokenType) error {
	if p.try(typ) != nil {
		return nil
	}
	t := p.toks[p.i]
	want := "'}'"
	if typ == upTokEnd {
		want = "end of pattern"
	}
	if t.typ == upTokEnd {
		return upErrorf("unexpected end of pattern, expected %s", want)
	}
	return upErrorf("unexpected '%s' at position %d, expected %s", t.value, t.index, want)
}

func (p *upParser) text() string {
	var sb strings.Builder
	for {
		t := p.try(upTokChar)
		if t == nil {
			t = p.try(upTokEscapedChar)
		}
		if t == nil {
			return sb.String()
		}
		sb.WriteString(t.value)
	}
}

func (p *upParser) flushPending() error {
	if p.pending == "" {
		return nil
	}
	v, err := p.encode(p.pending)
	if err != nil {
		return err
	}
	p.pending = ""
	p.parts = append(p.parts, upPart{typ: upPartFixed, value: v})
	return nil
}

func (p *upParser) addPart(prefix string, name, re *upToken, suffix string, mod *upToken) error {
	modifier := upModNone
	if mod != nil {
		switch mod.value {
		case "?":
			modifier = upModOptional
		case "*":
			modifier = upModZeroOrMore
		case "+":
			modifier = upModOneOrMore
		}
	}
	if name == nil && re == nil && modifier == upModNone {
		p.pending += prefix
		return nil
	}
	if err := p.flushPending(); err != nil {
		return err
	}
	if name == nil && re == nil {
		if prefix == "" {
			return nil
		}
		v, err := p.encode(prefix)
		if err != nil {
			return err
		}
		p.parts = append(p.parts, upPart{typ: upPartFixed, value: v, modifier: modifier})
		return nil
	}
	value := p.segment
	if re != nil {
		if re.typ == upTokAsterisk {
			value = upFullWildcard
		} else {
			value = re.value
		}
	}
	typ := upPartRegexp
	switch value {
	case p.segment:
		typ, value = upPartSegment, ""
	case upFullWildcard:
		typ, value = upPartFull, ""
	}
	partName := ""
	if name != nil {
		partName = name.value
	} else {
		partName = strconv.Itoa(p.nextNumeric)
		p.nextNumeric++
	}
	for _, q := range p.parts {
		if q.name == partName {
			return upErrorf("duplicate group name '%s'", partName)
		}
	}
	encPrefix, err := p.encode(prefix)
	if err != nil {
		return err
	}
	encSuffix, err := p.encode(suffix)
	if err != nil {
		return err
	}
	p.parts = append(p.parts, upPart{typ: typ, value: value, modifier: modifier, name: partName, prefix: encPrefix, suffix: encSuffix})
	return nil
}

// upParsePattern parses a pattern string into a part list.
func upParsePattern(input string, opts upOptions, encode upEncoder) ([]upPart, error) {
	toks, err := upTokenize(input, false)
	if err != nil {
		return nil, err
	}
	p := &upParser{toks: toks, encode: encode, segment: upSegmentWildcard(opts)}
	for p.i < len(p.toks) {
		char := p.try(upTokChar)
		name := p.try(upTokName)
		re := p.tryRegexpOrWildcard(name)
		if name != nil || re != nil {
			prefix := ""
			if char != nil {
				prefix = char.value
			}
			if prefix != "" && prefix != opts.prefix {
				p.pending += prefix
				prefix = ""
			}
			if err := p.flushPending(); err != nil {
				return nil, err
			}
			mod := p.tryModifier()
			if err := p.addPart(prefix, name, re, "", mod); err != nil {
				return nil, err
			}
			continue
		}
		fixed := char
		if fixed == nil {
			fixed = p.try(upTokEscapedChar)
		}
		if fixed != nil {
			p.pending += fixed.value
			continue
		}
		if p.try(upTokOpen) != nil {
			prefix := p.text()
			name = p.try(upTokName)
			re = p.tryRegexpOrWildcard(name)
			suffix := p.text()
			if err := p.require(upTokClose); err != nil {
				return nil, err
			}
			mod := p.tryModifier()
			if err := p.addPart(prefix, name, re, suffix, mod); err != nil {
				return nil, err
			}
			continue
		}
		if err := p.flushPending(); err != nil {
			return nil, err
		}
		if err := p.require(upTokEnd); err != nil {
			return nil, err
		}
	}
	return p.parts, nil
}

// ---------------------------------------------------------------------------
// Part list -> regular expression and -> pattern string

func upEscapeRegexp(s string) string {
	var sb strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`.+*?^${}()[]|/\`, c) {
			sb.WriteByte('\\')
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

func upEscapePattern(s string) string {
	var sb strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`+*?:{}()\`, c) {
			sb.WriteByte('\\')
		}
		sb.WriteRune(c)
	}
	return sb.String()
}

// upCountCaptures counts the capturing groups a (user-written) regexp source
// opens, so the generated groups can be found in the exec() result even when
// a regexp group contains named groups of its own.
func upCountCaptures(src string) int {
	count := 0
	inClass := false
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '[':
			inClass = true
		case ']':
			inClass = false
		case '(':
			if inClass {
				continue
			}
			if i+1 < len(src) && src[i+1] == '?' {
				if i+2 < len(src) && src[i+2] == '<' && i+3 < len(src) && src[i+3] != '=' && src[i+3] != '!' {
					count++
				}
				continue
			}
			count++
		}
	}
	return count
}

// upGenerateRegexp returns the regular expression source for a part list,
// the group names, for each name the index of its group in exec(), and
// whether the group is a bare optional one, "(...)?".
//
// ECMAScript never lets a "?"-quantified group match the empty string (the
// RepeatMatcher empty check), so such a group that matched nothing is
// undefined; goja's engines report "" instead, and the JS side maps that back.
func upGenerateRegexp(parts []upPart, opts upOptions) (string, []string, []int, []bool, error) {
	var sb strings.Builder
	sb.WriteByte('^')
	var names []string
	var index []int
	var bareOptional []bool
	groups := 0
	for _, part := range parts {
		if part.typ == upPartFixed {
			if part.modifier == upModNone {
				sb.WriteString(upEscapeRegexp(part.value))
			} else {
				sb.WriteString("(?:" + upEscapeRegexp(part.value) + ")" + part.modifier.String())
			}
			continue
		}
		names = append(names, part.name)
		index = append(index, groups+1)
		bareOptional = append(bareOptional, part.prefix == "" && part.suffix == "" && part.modifier == upModOptional)
		value := part.value
		inner := 0
		switch part.typ {
		case upPartSegment:
			value = upSegmentWildcard(opts)
		case upPartFull:
			value = upFullWildcard
		default:
			translated, err := upTranslateRegexp(value)
			if err != nil {
				return "", nil, nil, nil, err
			}
			value = translated
			inner = upCountCaptures(value)
		}
		prefix, suffix := upEscapeRegexp(part.prefix), upEscapeRegexp(part.suffix)
		mod := part.modifier.String()
		switch {
		case part.prefix == "" && part.suffix == "":
			if part.modifier == upModNone || part.modifier == upModOptional {
				sb.WriteString("(" + value + ")" + mod)
			} else {
				sb.WriteString("((?:" + value + ")" + mod + ")")
			}
			groups += 1 + inner
		case part.modifier == upModNone || part.modifier == upModOptional:
			sb.WriteString("(?:" + prefix + "(" + value + ")" + suffix + ")" + mod)
			groups += 1 + inner
		default:
			sb.WriteString("(?:" + prefix + "((?:" + value + ")(?:" + suffix + prefix + "(?:" + value + "))*)" + suffix + ")")
			if part.modifier == upModZeroOrMore {
				sb.WriteByte('?')
			}
			groups += 1 + 2*inner
		}
	}
	sb.WriteByte('$')
	return sb.String(), names, index, bareOptional, nil
}

func upFirstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return -1
}

func upLastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return -1
	}
	return r[len(r)-1]
}

func upIsASCIIDigit(r rune) bool { return '0' <= r && r <= '9' }

// upGeneratePattern serializes a part list back into a normalized pattern string.
func upGeneratePattern(parts []upPart, opts upOptions) string {
	var sb strings.Builder
	for i, part := range parts {
		var prev, next *upPart
		if i > 0 {
			prev = &parts[i-1]
		}
		if i < len(parts)-1 {
			next = &parts[i+1]
		}
		if part.typ == upPartFixed {
			if part.modifier == upModNone {
				sb.WriteString(upEscapePattern(part.value))
			} else {
				sb.WriteString("{" + upEscapePattern(part.value) + "}" + part.modifier.String())
			}
			continue
		}
		customName := !upIsASCIIDigit(upFirstRune(part.name))
		needsGrouping := part.suffix != "" || (part.prefix != "" && part.prefix != opts.prefix)
		if !needsGrouping && customName && part.typ == upPartSegment && part.modifier == upModNone &&
			next != nil && next.prefix == "" && next.suffix == "" {
			if next.typ == upPartFixed {
				needsGrouping = upIsNameCodePoint(upFirstRune(next.value), false)
			} else {
				needsGrouping = upIsASCIIDigit(upFirstRune(next.name))
			}
		}
		if !needsGrouping && part.prefix == "" && prev != nil && prev.typ == upPartFixed &&
			opts.prefix != "" && upLastRune(prev.value) == upFirstRune(opts.prefix) {
			needsGrouping = true
		}
		if needsGrouping {
			sb.WriteByte('{')
		}
		sb.WriteString(upEscapePattern(part.prefix))
		if customName {
			sb.WriteString(":" + part.name)
		}
		switch part.typ {
		case upPartRegexp:
			sb.WriteString("(" + part.value + ")")
		case upPartSegment:
			if !customName {
				sb.WriteString("(" + upSegmentWildcard(opts) + ")")
			}
		case upPartFull:
			if !customName && (prev == nil || prev.typ == upPartFixed || prev.modifier != upModNone ||
				needsGrouping || part.prefix != "") {
				sb.WriteByte('*')
			} else {
				sb.WriteString("(" + upFullWildcard + ")")
			}
		}
		if part.typ == upPartSegment && customName && part.suffix != "" &&
			upIsNameCodePoint(upFirstRune(part.suffix), false) {
			sb.WriteByte('\\')
		}
		sb.WriteString(upEscapePattern(part.suffix))
		if needsGrouping {
			sb.WriteByte('}')
		}
		sb.WriteString(part.modifier.String())
	}
	return sb.String()
}

// ---------------------------------------------------------------------------
// Canonicalization (encoding callbacks)

const upDummyInput = "https://dummy.invalid/"

func upDummyURL() *whatwg.Url {
	u, err := urlParser.Parse(upDummyInput)
	if err != nil {
		panic("urlpattern: dummy URL does not parse: " + err.Error())
	}
	return u
}

var upSpecialSchemes = []string{"ftp", "file", "http", "https", "ws", "wss"}

func upIsSpecialScheme(s string) bool {
	for _, x := range upSpecialSchemes {
		if x == s {
			return true
		}
	}
	return false
}

func upDefaultPort(scheme string) string {
	switch scheme {
	case "http", "ws":
		return "80"
	case "https", "wss":
		return "443"
	case "ftp":
		return "21"
	}
	return ""
}

func upCanonProtocol(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u, err := urlParser.Parse(v + "://dummy.invalid/")
	if err != nil {
		return "", upErrorf("invalid protocol '%s'", v)
	}
	return u.Scheme(), nil
}

func upCanonUsername(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := upDummyURL()
	u.SetUsername(v)
	return u.Username(), nil
}

func upCanonPassword(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := upDummyURL()
	u.SetPassword(v)
	return u.Password(), nil
}

func upCanonHostname(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	// The URL parser's hostname state fails on a ':' outside brackets
	// (current URL Standard); the Go parser returns without setting the host,
	// so look for it here, before the first code point that ends the host.
	bracket := false
scan:
	for _, c := range v {
		switch c {
		case '[':
			bracket = true
		case ']':
			bracket = false
		case '/', '?', '#', '\\':
			break scan
		case ':':
			if !bracket {
				return "", upErrorf("invalid hostname '%s'", v)
			}
		}
	}
	u := upDummyURL()
	if _, err := urlParser.BasicParser(v, nil, u, whatwg.StateHostname); err != nil {
		return "", upErrorf("invalid hostname '%s'", v)
	}
	return u.Hostname(), nil
}

func upCanonIPv6Hostname(v string) (string, error) {
	var sb strings.Builder
	for _, c := range v {
		if !isHex(byte(c)) && c != '[' && c != ']' && c != ':' || c > 0x7F {
			return "", upErrorf("invalid IPv6 hostname '%s'", v)
		}
		sb.WriteRune(unicode.ToLower(c))
	}
	return sb.String(), nil
}

// upCanonPort canonicalizes a port; with a protocol, the protocol's default
// port canonicalizes to the empty string.
func upCanonPort(v string, protocol *string) (string, error) {
	if v == "" {
		return v, nil
	}
	dummy := "x-urlpattern://dummy.invalid/"
	if protocol != nil && upDefaultPort(*protocol) != "" {
		dummy = *protocol + "://dummy.invalid/"
	}
	u, err := urlParser.Parse(dummy)
	if err != nil {
		return "", upErrorf("invalid port '%s'", v)
	}
	if _, err := urlParser.BasicParser(v, nil, u, whatwg.StatePort); err != nil {
		return "", upErrorf("invalid port '%s'", v)
	}
	return u.Port(), nil
}

func upCanonPathname(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	leadingSlash := strings.HasPrefix(v, "/")
	modified := v
	if !leadingSlash {
		modified = "/-" + v
	}
	u := upDummyURL()
	u.SetPathname(modified)
	out := u.Pathname()
	if !leadingSlash {
		out = string([]rune(out)[2:])
	}
	return out, nil
}

func upCanonOpaquePathname(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := upDummyURL()
	if _, err := urlParser.BasicParser(v, nil, u, whatwg.StateOpaquePath); err != nil {
		return "", upErrorf("invalid pathname '%s'", v)
	}
	return u.Pathname(), nil
}

func upCanonSearch(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := upDummyURL()
	u.SetSearch("?" + v)
	return u.Query(), nil
}

func upCanonHash(v string) (string, error) {
	if v == "" {
		return v, nil
	}
	u := upDummyURL()
	u.SetHash("#" + v)
	return u.Fragment(), nil
}

// ---------------------------------------------------------------------------
// URLPatternInit processing

// The URL components, in the order URLPattern reports them.
var upComponents = [8]string{"protocol", "username", "password", "hostname", "port", "pathname", "search", "hash"}

// upInit is a URLPatternInit: a member is present when its key is in the map.
type upInit map[string]string

func (m upInit) has(keys ...string) bool {
	for _, k := range keys {
		if _, ok := m[k]; ok {
			return true
		}
	}
	return false
}

func upIsAbsolutePathname(v string, isPattern bool) bool {
	if v == "" {
		return false
	}
	if v[0] == '/' {
		return true
	}
	if !isPattern || len(v) < 2 {
		return false
	}
	return (v[0] == '\\' || v[0] == '{') && v[1] == '/'
}

// upProcessInit implements "process a URLPatternInit". With isPattern the
// values are pattern strings (left uncanonicalized); otherwise they are URL
// components and are canonicalized. result holds the starting values.
func upProcessInit(init upInit, isPattern bool, result upInit) (upInit, error) {
	baseString := func(s string) string {
		if isPattern {
			return upEscapePattern(s)
		}
		return s
	}
	var base *whatwg.Url
	if b, ok := init["baseURL"]; ok {
		u, err := urlParser.Parse(b)
		if err != nil {
			return nil, upErrorf("Invalid baseURL '%s'", b)
		}
		base = u
		if !init.has("protocol") {
			result["protocol"] = baseString(u.Scheme())
		}
		if !isPattern && !init.has("protocol", "hostname", "port", "username") {
			result["username"] = baseString(u.Username())
		}
		if !isPattern && !init.has("protocol", "hostname", "port", "username", "password") {
			result["password"] = baseString(u.Password())
		}
		if !init.has("protocol", "hostname") {
			result["hostname"] = baseString(u.Hostname())
		}
		if !init.has("protocol", "hostname", "port") {
			result["port"] = u.Port()
		}
		if !init.has("protocol", "hostname", "port", "pathname") {
			result["pathname"] = baseString(u.Pathname())
		}
		if !init.has("protocol", "hostname", "port", "pathname", "search") {
			result["search"] = baseString(u.Query())
		}
		if !init.has("protocol", "hostname", "port", "pathname", "search", "hash") {
			result["hash"] = baseString(u.Fragment())
		}
	}
	if v, ok := init["protocol"]; ok {
		v = strings.TrimSuffix(v, ":")
		if !isPattern {
			c, err := upCanonProtocol(v)
			if err != nil {
				return nil, err
			}
			v = c
		}
		result["protocol"] = v
	}
	for _, k := range []string{"username", "password", "hostname"} {
		v, ok := init[k]
		if !ok {
			continue
		}
		if !isPattern {
			var err error
			switch k {
			case "username":
				v, err = upCanonUsername(v)
			case "password":
				v, err = upCanonPassword(v)
			default:
				v, err = upCanonHostname(v)
			}
			if err != nil {
				return nil, err
			}
		}
		result[k] = v
	}
	protocol := result["protocol"]
	if v, ok := init["port"]; ok {
		if !isPattern {
			c, err := upCanonPort(v, &protocol)
			if err != nil {
				return nil, err
			}
			v = c
		}
		result["port"] = v
	}
	if v, ok := init["pathname"]; ok {
		if base != nil && !base.OpaquePath() && !upIsAbsolutePathname(v, isPattern) {
			basePath := baseString(base.Pathname())
			if slash := strings.LastIndexByte(basePath, '/'); slash >= 0 {
				v = basePath[:slash+1] + v
			}
		}
		if !isPattern {
			var err error
			if protocol == "" || upIsSpecialScheme(protocol) {
				v, err = upCanonPathname(v)
			} else {
				v, err = upCanonOpaquePathname(v)
			}
			if err != nil {
				return nil, err
			}
		}
		result["pathname"] = v
	}
	if v, ok := init["search"]; ok {
		v = strings.TrimPrefix(v, "?")
		if !isPattern {
			v, _ = upCanonSearch(v)
		}
		result["search"] = v
	}
	if v, ok := init["hash"]; ok {
		v = strings.TrimPrefix(v, "#")
		if !isPattern {
			v, _ = upCanonHash(v)
		}
		result["hash"] = v
	}
	return result, nil
}

// ---------------------------------------------------------------------------
// Components

// upComponent is one compiled component; the JS side builds the RegExp.
type upComponent struct {
	pattern   string
	regexp    string
	names     []string
	index     []int
	optional  []bool
	hasRegexp bool
	ignore    bool
}

// upSpecialTest answers whether a protocol regexp source matches any special
// scheme (a callback into JS, so the RegExp has ECMAScript semantics).
type upSpecialTest func(source string) (bool, error)

func upCompile(input string, encode upEncoder, opts upOptions) (*upComponent, error) {
	parts, err := upParsePattern(input, opts, encode)
	if err != nil {
		return nil, err
	}
	re, names, index, optional, err := upGenerateRegexp(parts, opts)
	if err != nil {
		return nil, err
	}
	c := &upComponent{pattern: upGeneratePattern(parts, opts), regexp: re, names: names, index: index, optional: optional,
		ignore: opts.ignoreCase}
	for _, p := range parts {
		if p.typ == upPartRegexp {
			c.hasRegexp = true
		}
	}
	return c, nil
}

// componentError names the component a problem was found in.
func upComponentError(name, value string, err error) error {
	return upErrorf("Invalid %s pattern '%s': %s", name, value, err.Error())
}

func upCompileProtocol(v string) (*upComponent, error) {
	c, err := upCompile(v, upCanonProtocol, upDefaultOptions)
	if err != nil {
		return nil, upComponentError("protocol", v, err)
	}
	return c, nil
}

// ---------------------------------------------------------------------------
// Constructor string parser

type upStringState int

const (
	upStInit upStringState = iota
	upStProtocol
	upStAuthority
	upStUsername
	upStPassword
	upStHostname
	upStPort
	upStPathname
	upStSearch
	upStHash
	upStDone
)

var upStateKey = map[upStringState]string{
	upStProtocol: "protocol", upStUsername: "username", upStPassword: "password", upStHostname: "hostname",
	upStPort: "port", upStPathname: "pathname", upStSearch: "search", upStHash: "hash",
}

type upStringParser struct {
	input          []rune
	toks           []upToken
	result         upInit
	componentStart int
	i              int
	inc            int
	groupDepth     int
	ipv6Depth      int
	special        bool
	state          upStringState
	isSpecial      upSpecialTest
}

func (p *upStringParser) safe(i int) upToken {
	if i < len(p.toks) {
		return p.toks[i]
	}
	return p.toks[len(p.toks)-1]
}

func (p *upStringParser) isChar(i int, v string) bool {
	t := p.safe(i)
	if t.value != v {
		return false
	}
	return t.typ == upTokChar || t.typ == upTokEscapedChar || t.typ == upTokInvalidChar
}

func (p *upStringParser) isSearchPrefix() bool {
	if p.isChar(p.i, "?") {
		return true
	}
	if p.toks[p.i].value != "?" {
		return false
	}
	if p.i-1 < 0 {
		return true
	}
	switch p.safe(p.i - 1).typ {
	case upTokName, upTokRegexp, upTokClose, upTokAsterisk:
		return false
	}
	return true
}

func (p *upStringParser) componentString() string {
	t := p.toks[p.i]
	start := p.safe(p.componentStart).index
	return string(p.input[start:t.index])
}

func (p *upStringParser) rewind() {
	p.i = p.componentStart
	p.inc = 0
}

func (p *upStringParser) rewindTo(s upStringState) {
	p.rewind()
	p.state = s
}

func (p *upStringParser) change(s upStringState, skip int) {
	cur := p.state
	if key, ok := upStateKey[cur]; ok {
		p.result[key] = p.componentString()
	}
	if cur != upStInit && s != upStDone {
		if (cur == upStProtocol || cur == upStAuthority || cur == upStUsername || cur == upStPassword) &&
			(s == upStPort || s == upStPathname || s == upStSearch || s == upStHash) && !p.result.has("hostname") {
			p.result["hostname"] = ""
		}
		if (cur >= upStProtocol && cur <= upStPort) && (s == upStSearch || s == upStHash) && !p.result.has("pathname") {
			if p.special {
				p.result["pathname"] = "/"
			} else {
				p.result["pathname"] = ""
			}
		}
		if (cur >= upStProtocol && cur <= upStPathname) && s == upStHash && !p.result.has("search") {
			p.result["search"] = ""
		}
	}
	p.state = s
	p.i += skip
	p.componentStart = p.i
	p.inc = 0
}

func upParseConstructorString(input string, isSpecial upSpecialTest) (upInit, error) {
	toks, _ := upTokenize(input, true)
	p := &upStringParser{input: []rune(input), toks: toks, result: upInit{}, isSpecial: isSpecial}
	for p.i < len(p.toks) {
		p.inc = 1
		if p.toks[p.i].typ == upTokEnd {
			if p.state == upStInit {
				p.rewind()
				switch {
				case p.isChar(p.i, "#"):
					p.change(upStHash, 1)
				case p.isSearchPrefix():
					p.change(upStSearch, 1)
				default:
					p.change(upStPathname, 0)
				}
				p.i += p.inc
				continue
			}
			if p.state == upStAuthority {
				p.rewindTo(upStHostname)
				p.i += p.inc
				continue
			}
			p.change(upStDone, 0)
			break
		}
		if p.toks[p.i].typ == upTokOpen {
			p.groupDepth++
			p.i += p.inc
			continue
		}
		if p.groupDepth > 0 {
			if p.toks[p.i].typ == upTokClose {
				p.groupDepth--
			} else {
				p.i += p.inc
				continue
			}
		}
		switch p.state {
		case upStInit:
			if p.isChar(p.i, ":") {
				p.rewindTo(upStProtocol)
			}
		case upStProtocol:
			if p.isChar(p.i, ":") {
				c, err := upCompileProtocol(p.componentString())
				if err != nil {
					return nil, err
				}
				special, err := p.isSpecial(c.regexp)
				if err != nil {
					return nil, err
				}
				p.special = special
				next, skip := upStPathname, 1
				if p.isChar(p.i+1, "/") && p.isChar(p.i+2, "/") {
					next, skip = upStAuthority, 3
				} else if p.special {
					next = upStAuthority
				}
				p.change(next, skip)
			}
		case upStAuthority:
			if p.isChar(p.i, "@") {
				p.rewindTo(upStUsername)
			} else if p.isChar(p.i, "/") || p.isSearchPrefix() || p.isChar(p.i, "#") {
				p.rewindTo(upStHostname)
			}
		case upStUsername:
			if p.isChar(p.i, ":") {
				p.change(upStPassword, 1)
			} else if p.isChar(p.i, "@") {
				p.change(upStHostname, 1)
			}
		case upStPassword:
			if p.isChar(p.i, "@") {
				p.change(upStHostname, 1)
			}
		case upStHostname:
			switch {
			case p.isChar(p.i, "["):
				p.ipv6Depth++
			case p.isChar(p.i, "]"):
				p.ipv6Depth--
			case p.isChar(p.i, ":") && p.ipv6Depth == 0:
				p.change(upStPort, 1)
			case p.isChar(p.i, "/"):
				p.change(upStPathname, 0)
			case p.isSearchPrefix():
				p.change(upStSearch, 1)
			case p.isChar(p.i, "#"):
				p.change(upStHash, 1)
			}
		case upStPort:
			switch {
			case p.isChar(p.i, "/"):
				p.change(upStPathname, 0)
			case p.isSearchPrefix():
				p.change(upStSearch, 1)
			case p.isChar(p.i, "#"):
				p.change(upStHash, 1)
			}
		case upStPathname:
			if p.isSearchPrefix() {
				p.change(upStSearch, 1)
			} else if p.isChar(p.i, "#") {
				p.change(upStHash, 1)
			}
		case upStSearch:
			if p.isChar(p.i, "#") {
				p.change(upStHash, 1)
			}
		}
		p.i += p.inc
	}
	if p.result.has("hostname") && !p.result.has("port") {
		p.result["port"] = ""
	}
	return p.result, nil
}

// ---------------------------------------------------------------------------
// create

func upHostnameIsIPv6(v string) bool {
	r := []rune(v)
	if len(r) < 2 {
		return false
	}
	return r[0] == '[' || (r[0] == '{' || r[0] == '\\') && r[1] == '['
}

// upCreate implements "create a URL pattern". input is a constructor string
// (str set) or a URLPatternInit.
func upCreate(str *string, init upInit, baseURL *string, ignoreCase bool, isSpecial upSpecialTest) ([8]*upComponent, error) {
	var out [8]*upComponent
	if str != nil {
		parsed, err := upParseConstructorString(*str, isSpecial)
		if err != nil {
			return out, err
		}
		if baseURL == nil && !parsed.has("protocol") {
			return out, upErrorf("Relative constructor string '%s' needs a baseURL", *str)
		}
		if baseURL != nil {
			parsed["baseURL"] = *baseURL
		}
		init = parsed
	} else if baseURL != nil {
		return out, upErrorf("A baseURL argument is only allowed with a constructor string; put baseURL in the URLPatternInit instead")
	}
	processed, err := upProcessInit(init, true, upInit{})
	if err != nil {
		return out, err
	}
	for _, k := range upComponents {
		if !processed.has(k) {
			processed[k] = "*"
		}
	}
	if proto := processed["protocol"]; upIsSpecialScheme(proto) && processed["port"] == upDefaultPort(proto) {
		processed["port"] = ""
	}
	compile := func(name string, encode upEncoder, opts upOptions) (*upComponent, error) {
		c, err := upCompile(processed[name], encode, opts)
		if err != nil {
			return nil, upComponentError(name, processed[name], err)
		}
		return c, nil
	}
	portEncoder := func(v string) (string, error) { return upCanonPort(v, nil) }
	hostEncoder := upCanonHostname
	if upHostnameIsIPv6(processed["hostname"]) {
		hostEncoder = upCanonIPv6Hostname
	}
	steps := []struct {
		name   string
		encode upEncoder
		opts   upOptions
	}{
		{"protocol", upCanonProtocol, upDefaultOptions},
		{"username", upCanonUsername, upDefaultOptions},
		{"password", upCanonPassword, upDefaultOptions},
		{"hostname", hostEncoder, upHostnameOptions},
		{"port", portEncoder, upDefaultOptions},
	}
	for i, s := range steps {
		c, err := compile(s.name, s.encode, s.opts)
		if err != nil {
			return out, err
		}
		out[i] = c
	}
	special, err := isSpecial(out[0].regexp)
	if err != nil {
		return out, err
	}
	opts := upOptions{ignoreCase: ignoreCase}
	if special {
		pathOpts := upPathnameOptions
		pathOpts.ignoreCase = ignoreCase
		out[5], err = compile("pathname", upCanonPathname, pathOpts)
	} else {
		out[5], err = compile("pathname", upCanonOpaquePathname, opts)
	}
	if err != nil {
		return out, err
	}
	if out[6], err = compile("search", upCanonSearch, opts); err != nil {
		return out, err
	}
	if out[7], err = compile("hash", upCanonHash, opts); err != nil {
		return out, err
	}
	return out, nil
}

// upMatchInput turns a match() input into the eight component strings, or
// ok=false where the standard's match returns null.
func upMatchInput(str *string, init upInit, baseURL *string) ([8]string, bool, error) {
	var out [8]string
	if str == nil {
		if baseURL != nil {
			return out, false, upErrorf("A baseURL argument is only allowed with a URL string; put baseURL in the URLPatternInit instead")
		}
		start := upInit{}
		for _, k := range upComponents {
			start[k] = ""
		}
		res, err := upProcessInit(init, false, start)
		if err != nil {
			return out, false, nil
		}
		for i, k := range upComponents {
			out[i] = res[k]
		}
		return out, true, nil
	}
	u, ok := parseURL(*str, baseURL)
	if !ok {
		return out, false, nil
	}
	out = [8]string{u.Scheme(), u.Username(), u.Password(), u.Hostname(), u.Port(), u.Pathname(), u.Query(), u.Fragment()}
	return out, true, nil
}

// ---------------------------------------------------------------------------
// Host operations

// upInput reads a converted URLPatternInput: a string, or an object whose
// present members are strings.
func upInput(v goja.Value, vm *goja.Runtime) (*string, upInit) {
	if s, ok := v.Export().(string); ok {
		return &s, nil
	}
	obj := v.ToObject(vm)
	init := upInit{}
	for _, k := range append(upComponents[:], "baseURL") {
		if m := obj.Get(k); m != nil && !goja.IsUndefined(m) {
			init[k] = m.String()
		}
	}
	return nil, init
}

func upOptString(v goja.Value) *string {
	if v == nil || goja.IsUndefined(v) || goja.IsNull(v) {
		return nil
	}
	s := v.String()
	return &s
}

func urlPatternOps(vm *goja.Runtime) map[string]any {
	throw := func(err error) {
		panic(vm.NewTypeError(err.Error()))
	}
	return map[string]any{
		// urlPatternCompile(input, baseURL, ignoreCase, isSpecial) returns eight
		// [pattern, regexpSource, flags, names, groupIndexes, bareOptional, hasRegExpGroups].
		"urlPatternCompile": func(input, baseURL goja.Value, ignoreCase bool, isSpecialFn goja.Callable) goja.Value {
			isSpecial := func(src string) (bool, error) {
				r, err := isSpecialFn(goja.Undefined(), vm.ToValue(src))
				if err != nil {
					return false, err
				}
				return r.ToBoolean(), nil
			}
			str, init := upInput(input, vm)
			comps, err := upCreate(str, init, upOptString(baseURL), ignoreCase, isSpecial)
			if err != nil {
				if ex, ok := err.(*goja.Exception); ok {
					panic(ex.Value())
				}
				throw(err)
			}
			out := make([]any, 8)
			for i, c := range comps {
				flags := "u"
				if c.ignore {
					flags = "ui"
				}
				names := make([]any, len(c.names))
				for j, n := range c.names {
					names[j] = n
				}
				index := make([]any, len(c.index))
				for j, n := range c.index {
					index[j] = n
				}
				optional := make([]any, len(c.optional))
				for j, o := range c.optional {
					optional[j] = o
				}
				out[i] = []any{c.pattern, c.regexp, flags, names, index, optional, c.hasRegexp}
			}
			return vm.ToValue(out)
		},
		// urlPatternInput(input, baseURL) returns the eight component strings
		// to match, or null where the input cannot match at all.
		"urlPatternInput": func(input, baseURL goja.Value) goja.Value {
			str, init := upInput(input, vm)
			comps, ok, err := upMatchInput(str, init, upOptString(baseURL))
			if err != nil {
				throw(err)
			}
			if !ok {
				return goja.Null()
			}
			out := make([]any, 8)
			for i, c := range comps {
				out[i] = c
			}
			return vm.ToValue(out)
		},
	}
}

// ---------------------------------------------------------------------------
// Regexp groups: checks and translation for goja
//
// The standard compiles component regexps with the "v" flag; goja's RegExp
// has "u" but not "v", and accepts some escapes "u" mode forbids. A regexp
// group is therefore checked here (invalid escapes are errors, as in the
// standard) and v-mode class set operations ([A--B], [A&&B], nested classes)
// are rewritten into lookaheads goja can run. Constructs goja cannot run
// (\p{...}, \q{...}) are reported as errors naming them.

type upRegexpReader struct {
	src string
	i   int
}

func (r *upRegexpReader) errorf(format string, args ...any) error {
	return upErrorf("regexp group '%s': "+format, append([]any{r.src}, args...)...)
}

// escape reads the escape sequence at r.i (which is a backslash) and returns
// it verbatim after checking it is valid in u/v mode.
func (r *upRegexpReader) escape(inClass bool) (string, error) {
	start := r.i
	if r.i+1 >= len(r.src) {
		return "", r.errorf("trailing backslash")
	}
	c := r.src[r.i+1]
	r.i += 2
	hexRun := func(n int) bool {
		for k := 0; k < n; k++ {
			if r.i >= len(r.src) || !isHex(r.src[r.i]) {
				return false
			}
			r.i++
		}
		return true
	}
	switch {
	case strings.IndexByte(`^$\.*+?()[]{}|/`, c) >= 0:
	case strings.IndexByte("dDwWsSfnrtv", c) >= 0:
	case c == 'b':
	case c == 'B' || c == 'k':
		if inClass {
			return "", r.errorf("invalid escape '\\%c' in a character class", c)
		}
		if c == 'k' {
			end := strings.IndexByte(r.src[r.i:], '>')
			if r.i >= len(r.src) || r.src[r.i] != '<' || end < 0 {
				return "", r.errorf("invalid named backreference")
			}
			r.i += end + 1
		}
	case c == '-':
		if !inClass {
			return "", r.errorf("invalid escape '\\-'")
		}
	case c == 'c':
		if r.i >= len(r.src) || !('a' <= r.src[r.i]|0x20 && r.src[r.i]|0x20 <= 'z') {
			return "", r.errorf("invalid control escape")
		}
		r.i++
	case c == '0':
		if r.i < len(r.src) && upIsASCIIDigit(rune(r.src[r.i])) {
			return "", r.errorf("invalid escape '\\0%c'", r.src[r.i])
		}
	case '1' <= c && c <= '9':
		if inClass {
			return "", r.errorf("invalid escape '\\%c' in a character class", c)
		}
		for r.i < len(r.src) && upIsASCIIDigit(rune(r.src[r.i])) {
			r.i++
		}
	case c == 'x':
		if !hexRun(2) {
			return "", r.errorf("invalid hexadecimal escape")
		}
	case c == 'u':
		if r.i < len(r.src) && r.src[r.i] == '{' {
			end := strings.IndexByte(r.src[r.i:], '}')
			if end < 2 {
				return "", r.errorf("invalid unicode escape")
			}
			for _, h := range []byte(r.src[r.i+1 : r.i+end]) {
				if !isHex(h) {
					return "", r.errorf("invalid unicode escape")
				}
			}
			r.i += end + 1
		} else if !hexRun(4) {
			return "", r.errorf("invalid unicode escape")
		}
	case c == 'p' || c == 'P':
		return "", r.errorf("Unicode property escapes ('\\%c{...}') are not supported by this runtime", c)
	case c == 'q' && inClass:
		return "", r.errorf("class string disjunctions ('\\q{...}') are not supported by this runtime")
	default:
		return "", r.errorf("invalid escape '\\%c'", c)
	}
	return r.src[start:r.i], nil
}

// class reads the character class starting at r.i ('[') and returns an
// equivalent u-mode expression matching one code point.
func (r *upRegexpReader) class() (string, error) {
	r.i++ // '['
	negated := false
	if r.i < len(r.src) && r.src[r.i] == '^' {
		negated = true
		r.i++
	}
	var flat strings.Builder // plain members, kept as a u-mode class body
	var nested []string      // nested classes (v mode)
	var operands []string    // operands of an && or -- expression
	op := ""
	// operand turns the most recent single member into a one-code-point expression.
	for {
		if r.i >= len(r.src) {
			return "", r.errorf("unterminated character class")
		}
		c := r.src[r.i]
		if c == ']' {
			r.i++
			break
		}
		if (c == '-' || c == '&') && r.i+1 < len(r.src) && r.src[r.i+1] == c {
			this := "--"
			if c == '&' {
				this = "&&"
			}
			if op != "" && op != this {
				return "", r.errorf("mixed '--' and '&&' in one character class")
			}
			op = this
			operands = append(operands, upUnion(flat.String(), nested))
			flat.Reset()
			nested = nil
			r.i += 2
			continue
		}
		switch c {
		case '[':
			inner, err := r.class()
			if err != nil {
				return "", err
			}
			nested = append(nested, inner)
		case '\\':
			esc, err := r.escape(true)
			if err != nil {
				return "", err
			}
			flat.WriteString(esc)
		default:
			_, size := utf8.DecodeRuneInString(r.src[r.i:])
			flat.WriteString(r.src[r.i : r.i+size])
			r.i += size
		}
	}
	var expr string
	if op == "" {
		if len(nested) == 0 {
			if negated {
				return "[^" + flat.String() + "]", nil
			}
			return "[" + flat.String() + "]", nil
		}
		expr = upUnion(flat.String(), nested)
	} else {
		operands = append(operands, upUnion(flat.String(), nested))
		var sb strings.Builder
		sb.WriteString("(?:")
		look := "(?="
		if op == "--" {
			look = "(?!"
		}
		for _, o := range operands[1:] {
			sb.WriteString(look + o + ")")
		}
		sb.WriteString(operands[0] + ")")
		expr = sb.String()
	}
	if negated {
		return "(?:(?!" + expr + ")[\\s\\S])", nil
	}
	return expr, nil
}

// upUnion builds a one-code-point expression from plain class members and
// already-translated nested classes.
func upUnion(flat string, nested []string) string {
	alts := nested
	if flat != "" || len(nested) == 0 {
		alts = append([]string{"[" + flat + "]"}, nested...)
	}
	if len(alts) == 1 {
		return alts[0]
	}
	return "(?:" + strings.Join(alts, "|") + ")"
}

// upTranslateRegexp checks a regexp group and rewrites it for goja.
func upTranslateRegexp(src string) (string, error) {
	r := &upRegexpReader{src: src}
	var sb strings.Builder
	for r.i < len(src) {
		switch src[r.i] {
		case '\\':
			esc, err := r.escape(false)
			if err != nil {
				return "", err
			}
			sb.WriteString(esc)
		case '[':
			cls, err := r.class()
			if err != nil {
				return "", err
			}
			sb.WriteString(cls)
		default:
			sb.WriteByte(src[r.i])
			r.i++
		}
	}
	return sb.String(), nil
}
