package jsvm

import (
	"encoding/hex"
	"strings"
	"unicode/utf8"

	whatwg "github.com/nlnwa/whatwg-url/url"
	"golang.org/x/net/idna"
)

// Host parsing for special URLs (URL Standard, "host parser" for a
// non-opaque host, and "domain to ASCII" with beStrict false).
//
// nlnwa/whatwg-url's own domain handling differs from the current standard
// in three ways, so the parser's pre/post host hooks take it over:
//   - it runs IDNA over ASCII input too, rejecting hosts such as "xn--a",
//     "xn--" or "a.b.c.xn--pokxncvks" that the standard lowercases and keeps;
//   - it sets UseSTD3ASCIIRules, rejecting "≠" and "=\u0338" (the standard
//     leaves the ASCII check to the forbidden domain code points);
//   - golang.org/x/net/idna (which it and we use) has UTS #46 tables for
//     Unicode 15.0, before 15.1 and 16.0 changed how e.g. "ẞ", "Ӏ" or "Ↄ"
//     map and made U+180E and U+206B ignored. idnaOverlay patches that.
//
// The pre-parse hook computes the final host itself and hands the library a
// stand-in it passes through untouched (a hex-encoded label behind
// hostStandInPrefix); the post-parse hook swaps the real host back. A host
// that ends in a number is handed over as is, since the library's IPv4
// parser is right, and a failure is handed over as a host the library also
// rejects.

// hostStandInPrefix starts the stand-in label: letters, so the label is
// never a number, and nothing IDNA or the library would change.
const hostStandInPrefix = "edgehost"

// hostFailure is what the pre-parse hook returns for a host the standard
// rejects: "%" is a forbidden domain code point, so the library fails too.
const hostFailure = "%"

// idnaProfile is UTS #46 ToASCII with the URL Standard's parameters:
// CheckHyphens=false, CheckBidi=true, CheckJoiners=true,
// UseSTD3ASCIIRules=false, Transitional_Processing=false,
// VerifyDnsLength=false; invalid Punycode is an error. (MapForLookup turns
// on StrictDomainName, so StrictDomainName(false) must come after it.)
var idnaProfile = idna.New(
	idna.MapForLookup(),
	idna.BidiRule(),
	idna.CheckJoiners(true),
	idna.CheckHyphens(false),
	idna.StrictDomainName(false),
	idna.Transitional(false),
	idna.VerifyDNSLength(false),
)

// preParseHost is the parser's pre-parse host hook. IPv6 literals and the
// opaque hosts of non-special URLs are left to the library.
func preParseHost(u *whatwg.Url, input string) string {
	if input == "" || input[0] == '[' || !u.IsSpecialScheme() {
		return input
	}
	// The standard UTF-8 decodes without failing (bad bytes become U+FFFD,
	// which IDNA then rejects), so invalid UTF-8 is a failure either way.
	domain := percentDecodeBytes(input)
	if !utf8.Valid(domain) {
		return hostFailure
	}
	ascii, ok := domainToASCII(string(domain))
	if !ok || strings.ContainsFunc(ascii, isForbiddenDomainCodePoint) {
		return hostFailure
	}
	if hostEndsInANumber(ascii) {
		return ascii // the library's IPv4 parser takes it from here
	}
	return hostStandInPrefix + hex.EncodeToString([]byte(ascii))
}

// postParseHost is the parser's post-parse host hook: it undoes the
// stand-in preParseHost made.
func postParseHost(_ *whatwg.Url, host string) string {
	if rest, ok := strings.CutPrefix(host, hostStandInPrefix); ok {
		if b, err := hex.DecodeString(rest); err == nil {
			return string(b)
		}
	}
	return host
}

// domainToASCII is the URL Standard's "domain to ASCII" with beStrict
// false. An ASCII domain is only lowercased: no IDNA validation, so labels
// like "xn--a" (bad Punycode), "xn--1ug" (a lone joiner) or "-x" are kept.
// Anything else goes through UTS #46 ToASCII.
func domainToASCII(domain string) (string, bool) {
	if isASCII(domain) {
		return strings.ToLower(domain), true
	}
	var sb strings.Builder
	for _, r := range domain {
		if m, ok := idnaOverlay[r]; ok {
			sb.WriteString(m)
		} else {
			sb.WriteRune(r)
		}
	}
	out, err := idnaProfile.ToASCII(sb.String())
	if err != nil || out == "" {
		return "", false
	}
	return out, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isForbiddenDomainCodePoint: the forbidden host code points, C0 controls,
// "%" and U+007F.
func isForbiddenDomainCodePoint(r rune) bool {
	if r <= 0x1f || r == '%' || r == 0x7f {
		return true
	}
	return strings.ContainsRune(" #/:<>?@[\\]^|", r)
}

// hostEndsInANumber is the standard's "ends in a number" checker: the last
// label (ignoring one trailing empty label) is all ASCII digits, or parses
// as an IPv4 number ("0x" hex, including a bare "0x").
func hostEndsInANumber(s string) bool {
	parts := strings.Split(s, ".")
	if parts[len(parts)-1] == "" {
		if len(parts) == 1 {
			return false
		}
		parts = parts[:len(parts)-1]
	}
	last := parts[len(parts)-1]
	if last != "" && strings.Trim(last, "0123456789") == "" {
		return true
	}
	if len(last) >= 2 && last[0] == '0' && (last[1] == 'x' || last[1] == 'X') {
		return strings.Trim(last[2:], "0123456789abcdefABCDEF") == ""
	}
	return false
}

// percentDecodeBytes is the standard's percent-decode of a string's UTF-8
// bytes: "%XX" becomes the byte, anything else is kept as written.
func percentDecodeBytes(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, s[i])
	}
	return b
}

// idnaOverlay holds the UTS #46 mapping table entries (IdnaMappingTable,
// Unicode 17.0.0; nontransitional, without the STD3 rules) that differ from
// what golang.org/x/net/idna's Unicode 15.0.0 tables do: code points now
// mapped ("" = ignored) that the older tables disallow or map elsewhere.
// Applying them before x/net's own mapping gives the newer result wherever
// the mapped-to characters are known to the older tables. (Characters first
// assigned in Unicode 16 or 17 remain unknown to x/net, so hosts using them
// are still rejected.) Generated by comparing the two tables code point by
// code point.
var idnaOverlay = map[rune]string{
	0x04C0: "\u04CF", 0x10A0: "\u2D00", 0x10A1: "\u2D01", 0x10A2: "\u2D02", 0x10A3: "\u2D03",
	0x10A4: "\u2D04", 0x10A5: "\u2D05", 0x10A6: "\u2D06", 0x10A7: "\u2D07", 0x10A8: "\u2D08",
	0x10A9: "\u2D09", 0x10AA: "\u2D0A", 0x10AB: "\u2D0B", 0x10AC: "\u2D0C", 0x10AD: "\u2D0D",
	0x10AE: "\u2D0E", 0x10AF: "\u2D0F", 0x10B0: "\u2D10", 0x10B1: "\u2D11", 0x10B2: "\u2D12",
	0x10B3: "\u2D13", 0x10B4: "\u2D14", 0x10B5: "\u2D15", 0x10B6: "\u2D16", 0x10B7: "\u2D17",
	0x10B8: "\u2D18", 0x10B9: "\u2D19", 0x10BA: "\u2D1A", 0x10BB: "\u2D1B", 0x10BC: "\u2D1C",
	0x10BD: "\u2D1D", 0x10BE: "\u2D1E", 0x10BF: "\u2D1F", 0x10C0: "\u2D20", 0x10C1: "\u2D21",
	0x10C2: "\u2D22", 0x10C3: "\u2D23", 0x10C4: "\u2D24", 0x10C5: "\u2D25", 0x115F: "", 0x1160: "",
	0x17B4: "", 0x17B5: "", 0x180E: "", 0x1C89: "\u1C8A", 0x1E9E: "\u00DF", 0x2061: "", 0x2062: "",
	0x2063: "", 0x206A: "", 0x206B: "", 0x206C: "", 0x206D: "", 0x206E: "", 0x206F: "",
	0x2132: "\u214E", 0x2183: "\u2184", 0x3164: "", 0xA7CB: "\u0264", 0xA7CC: "\uA7CD",
	0xA7CE: "\uA7CF", 0xA7D2: "\uA7D3", 0xA7D4: "\uA7D5", 0xA7DA: "\uA7DB", 0xA7DC: "\u019B",
	0xA7F1: "\u0073", 0xFFA0: "", 0x10D50: "\U00010D70", 0x10D51: "\U00010D71", 0x10D52: "\U00010D72",
	0x10D53: "\U00010D73", 0x10D54: "\U00010D74", 0x10D55: "\U00010D75", 0x10D56: "\U00010D76",
	0x10D57: "\U00010D77", 0x10D58: "\U00010D78", 0x10D59: "\U00010D79", 0x10D5A: "\U00010D7A",
	0x10D5B: "\U00010D7B", 0x10D5C: "\U00010D7C", 0x10D5D: "\U00010D7D", 0x10D5E: "\U00010D7E",
	0x10D5F: "\U00010D7F", 0x10D60: "\U00010D80", 0x10D61: "\U00010D81", 0x10D62: "\U00010D82",
	0x10D63: "\U00010D83", 0x10D64: "\U00010D84", 0x10D65: "\U00010D85", 0x16EA0: "\U00016EBB",
	0x16EA1: "\U00016EBC", 0x16EA2: "\U00016EBD", 0x16EA3: "\U00016EBE", 0x16EA4: "\U00016EBF",
	0x16EA5: "\U00016EC0", 0x16EA6: "\U00016EC1", 0x16EA7: "\U00016EC2", 0x16EA8: "\U00016EC3",
	0x16EA9: "\U00016EC4", 0x16EAA: "\U00016EC5", 0x16EAB: "\U00016EC6", 0x16EAC: "\U00016EC7",
	0x16EAD: "\U00016EC8", 0x16EAE: "\U00016EC9", 0x16EAF: "\U00016ECA", 0x16EB0: "\U00016ECB",
	0x16EB1: "\U00016ECC", 0x16EB2: "\U00016ECD", 0x16EB3: "\U00016ECE", 0x16EB4: "\U00016ECF",
	0x16EB5: "\U00016ED0", 0x16EB6: "\U00016ED1", 0x16EB7: "\U00016ED2", 0x16EB8: "\U00016ED3",
	0x1CCD6: "\u0061", 0x1CCD7: "\u0062", 0x1CCD8: "\u0063", 0x1CCD9: "\u0064", 0x1CCDA: "\u0065",
	0x1CCDB: "\u0066", 0x1CCDC: "\u0067", 0x1CCDD: "\u0068", 0x1CCDE: "\u0069", 0x1CCDF: "\u006A",
	0x1CCE0: "\u006B", 0x1CCE1: "\u006C", 0x1CCE2: "\u006D", 0x1CCE3: "\u006E", 0x1CCE4: "\u006F",
	0x1CCE5: "\u0070", 0x1CCE6: "\u0071", 0x1CCE7: "\u0072", 0x1CCE8: "\u0073", 0x1CCE9: "\u0074",
	0x1CCEA: "\u0075", 0x1CCEB: "\u0076", 0x1CCEC: "\u0077", 0x1CCED: "\u0078", 0x1CCEE: "\u0079",
	0x1CCEF: "\u007A", 0x1CCF0: "\u0030", 0x1CCF1: "\u0031", 0x1CCF2: "\u0032", 0x1CCF3: "\u0033",
	0x1CCF4: "\u0034", 0x1CCF5: "\u0035", 0x1CCF6: "\u0036", 0x1CCF7: "\u0037", 0x1CCF8: "\u0038",
	0x1CCF9: "\u0039", 0x1D173: "", 0x1D174: "", 0x1D175: "", 0x1D176: "", 0x1D177: "", 0x1D178: "",
	0x1D179: "", 0x1D17A: "", 0x2F868: "\u36FC", 0x2F874: "\u5F53", 0x2F91F: "\U000243AB",
	0x2F95F: "\u7AEE", 0x2F9BF: "\u45D7",
}
