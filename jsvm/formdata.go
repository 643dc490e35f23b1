package jsvm

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/dop251/goja"
)

// maxPartHeaderBytes bounds the header block of one multipart part. Browsers
// send a few hundred bytes; anything near this is not a form.
const maxPartHeaderBytes = 16 << 10

// Number of ints per part in multipartParse's result.
const multipartPartFields = 8

// formDataOps holds the Go side of FormData: boundary generation and the
// byte-level scan of multipart/form-data bodies (decoding strings is left to
// JS, which owns the UTF-8 decoder).
func formDataOps(vm *goja.Runtime) map[string]any {
	return map[string]any{
		"multipartBoundary": newMultipartBoundary,
		// multipartParse scans the n bytes of ab starting at off. It returns,
		// per part, 8 offsets relative to off: name start/end, filename
		// start/end, Content-Type value start/end (-1/-1 when absent), and
		// body start/end. Malformed input throws a TypeError.
		"multipartParse": func(ab goja.ArrayBuffer, off, n int, boundary string) []int {
			data := ab.Bytes()
			if off < 0 || n < 0 || off > len(data) || n > len(data)-off {
				panic(vm.NewTypeError("multipartParse: range out of bounds"))
			}
			parts, err := parseMultipart(data[off:off+n], boundary)
			if err != nil {
				panic(vm.NewTypeError("Could not parse content as FormData: " + err.Error()))
			}
			out := make([]int, 0, len(parts)*multipartPartFields)
			for _, p := range parts {
				out = append(out, p.name[0], p.name[1], p.filename[0], p.filename[1],
					p.contentType[0], p.contentType[1], p.body[0], p.body[1])
			}
			return out
		},
	}
}

const boundaryAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newMultipartBoundary returns "----edgeFormBoundary" and 24 random
// alphanumerics (about 142 bits), well within RFC 2046's 70 characters.
func newMultipartBoundary() string {
	var r [24]byte
	if _, err := rand.Read(r[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	b := []byte("----edgeFormBoundary")
	for _, c := range r {
		b = append(b, boundaryAlphabet[int(c)%len(boundaryAlphabet)])
	}
	return string(b)
}

// span is a half-open byte range; {-1, -1} means absent.
type span [2]int

var noSpan = span{-1, -1}

type multipartPart struct {
	name, filename, contentType, body span
}

var crlf = []byte("\r\n")

// parseMultipart splits a multipart/form-data body (RFC 7578, RFC 2046) into
// parts. Every scan moves forward through data, so the work is linear in
// len(data) whatever the input. A preamble before the first delimiter and an
// epilogue after the last are ignored. Names and filenames are returned as
// written (browsers escape `"`, CR and LF as %22, %0D, %0A and no parser
// undoes that).
func parseMultipart(data []byte, boundary string) ([]multipartPart, error) {
	if boundary == "" {
		return nil, errors.New("the multipart boundary is empty")
	}
	delim := []byte("--" + boundary)
	crlfDelim := []byte("\r\n--" + boundary)
	var pos int
	if bytes.HasPrefix(data, delim) {
		pos = 0
	} else if i := bytes.Index(data, crlfDelim); i >= 0 {
		pos = i + 2
	} else if len(data) == 0 {
		return nil, errors.New("the body is empty; a multipart/form-data body has at least the closing boundary")
	} else {
		return nil, fmt.Errorf("the boundary %q from the Content-Type does not occur in the body", boundary)
	}
	var parts []multipartPart
	for {
		// pos is at a delimiter.
		pos += len(delim)
		if bytes.HasPrefix(data[pos:], []byte("--")) {
			return parts, nil
		}
		pos = skipLWSP(data, pos)
		if pos >= len(data) {
			return nil, errors.New("the body ends after a boundary; the closing boundary (--boundary--) is missing")
		}
		if !bytes.HasPrefix(data[pos:], crlf) {
			return nil, errors.New("a boundary is not followed by a line break")
		}
		pos += 2
		p, next, err := parsePartHeaders(data, pos)
		if err != nil {
			return nil, err
		}
		pos = next
		// The body runs to the next CRLF--boundary that is followed by "--"
		// or by optional whitespace and CRLF; other occurrences are content.
		search := pos
		for {
			i := bytes.Index(data[search:], crlfDelim)
			if i < 0 {
				return nil, errors.New("the body ends inside a part; the closing boundary (--boundary--) is missing")
			}
			at := search + i
			after := at + len(crlfDelim)
			if bytes.HasPrefix(data[after:], []byte("--")) {
				p.body = span{pos, at}
				pos = at + 2
				break
			}
			if j := skipLWSP(data, after); bytes.HasPrefix(data[j:], crlf) {
				p.body = span{pos, at}
				pos = at + 2
				break
			}
			search = at + 1
		}
		parts = append(parts, p)
	}
}

func skipLWSP(data []byte, pos int) int {
	for pos < len(data) && (data[pos] == ' ' || data[pos] == '\t') {
		pos++
	}
	return pos
}

// parsePartHeaders reads header lines from pos up to and including the empty
// line, and returns the part (without body) and the offset of its body.
func parsePartHeaders(data []byte, pos int) (multipartPart, int, error) {
	p := multipartPart{name: noSpan, filename: noSpan, contentType: noSpan, body: noSpan}
	limit := min(len(data), pos+maxPartHeaderBytes)
	sawDisposition := false
	for {
		i := bytes.Index(data[pos:limit], crlf)
		if i < 0 {
			if limit < len(data) {
				return p, 0, fmt.Errorf("a part's headers are longer than %d bytes", maxPartHeaderBytes)
			}
			return p, 0, errors.New("the body ends inside a part's headers")
		}
		lineStart, lineEnd := pos, pos+i
		pos = lineEnd + 2
		if lineStart == lineEnd {
			break
		}
		colon := bytes.IndexByte(data[lineStart:lineEnd], ':')
		if colon <= 0 {
			return p, 0, fmt.Errorf("malformed part header line %q", truncateForError(data[lineStart:lineEnd]))
		}
		name := bytes.TrimRight(data[lineStart:lineStart+colon], " \t")
		vStart, vEnd := trimSpan(data, lineStart+colon+1, lineEnd)
		switch {
		case asciiEqualFold(name, "content-disposition"):
			if sawDisposition {
				return p, 0, errors.New("a part has two Content-Disposition headers")
			}
			sawDisposition = true
			if err := parseContentDisposition(data, vStart, vEnd, &p); err != nil {
				return p, 0, err
			}
		case asciiEqualFold(name, "content-type"):
			p.contentType = span{vStart, vEnd}
		}
	}
	if !sawDisposition {
		return p, 0, errors.New("a part has no Content-Disposition header")
	}
	if p.name[0] < 0 {
		return p, 0, errors.New("a part's Content-Disposition has no name parameter")
	}
	return p, pos, nil
}

// parseContentDisposition parses `form-data; name="x"; filename="y"` in
// data[start:end]. A quoted value ends at the next `"` (serializers escape
// quotes as %22, not with backslashes); unknown parameters are ignored.
func parseContentDisposition(data []byte, start, end int, p *multipartPart) error {
	const formData = "form-data"
	v := data[start:end]
	if len(v) < len(formData) || !asciiEqualFold(v[:len(formData)], formData) ||
		len(v) > len(formData) && v[len(formData)] != ';' && v[len(formData)] != ' ' && v[len(formData)] != '\t' {
		return fmt.Errorf("a part's Content-Disposition is %q, not form-data", truncateForError(v))
	}
	pos := start + len(formData)
	for {
		pos = skipLWSP(data[:end], pos)
		if pos >= end {
			return nil
		}
		if data[pos] != ';' {
			return fmt.Errorf("malformed Content-Disposition %q", truncateForError(v))
		}
		pos = skipLWSP(data[:end], pos+1)
		keyStart := pos
		for pos < end && data[pos] != '=' && data[pos] != ';' {
			pos++
		}
		key := bytes.TrimRight(data[keyStart:pos], " \t")
		if pos >= end || data[pos] == ';' {
			continue // a parameter without a value
		}
		pos = skipLWSP(data[:end], pos+1)
		var val span
		if pos < end && data[pos] == '"' {
			q := bytes.IndexByte(data[pos+1:end], '"')
			if q < 0 {
				return fmt.Errorf("unterminated quoted string in Content-Disposition %q", truncateForError(v))
			}
			val = span{pos + 1, pos + 1 + q}
			pos += q + 2
		} else {
			vs := pos
			for pos < end && data[pos] != ';' {
				pos++
			}
			val = span(trimSpanArr(data, vs, pos))
		}
		switch {
		case asciiEqualFold(key, "name"):
			if p.name[0] < 0 {
				p.name = val
			}
		case asciiEqualFold(key, "filename"):
			if p.filename[0] < 0 {
				p.filename = val
			}
		}
	}
}

func trimSpan(data []byte, start, end int) (int, int) {
	for start < end && (data[start] == ' ' || data[start] == '\t') {
		start++
	}
	for end > start && (data[end-1] == ' ' || data[end-1] == '\t') {
		end--
	}
	return start, end
}

func trimSpanArr(data []byte, start, end int) [2]int {
	s, e := trimSpan(data, start, end)
	return [2]int{s, e}
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// truncateForError keeps error messages short whatever the input.
func truncateForError(b []byte) string {
	const max = 64
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}
