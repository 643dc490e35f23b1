package jsvm

import (
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/dop251/goja"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// encodingOps back TextEncoder and TextDecoder (WHATWG Encoding Standard).
//
// Every encoding of the standard decodes. UTF-8 and UTF-16 are decoded here;
// the legacy encodings use golang.org/x/text (which carries the WHATWG
// indexes): single-byte encodings through a 256-entry table built from
// x/text, the multi-byte ones through the standard's own decoder state
// machines (so errors are recovered exactly as the standard says, e.g. an
// ASCII trail byte after an unmapped lead is decoded again), with x/text
// looking up complete byte sequences, and ISO-2022-JP through x/text's
// stateful decoder as is.
func encodingOps(vm *goja.Runtime) map[string]any {
	return map[string]any{
		// A JS string converts to a Go string with lone surrogates replaced
		// by U+FFFD, which is exactly the USVString conversion encode needs.
		"utf8Encode": func(s string) goja.ArrayBuffer {
			return vm.NewArrayBuffer([]byte(s))
		},
		// utf8EncodeInto writes as much of s as fits into dest (the bytes of
		// a Uint8Array) without splitting a character, and returns
		// [read (UTF-16 code units), written (bytes)].
		"utf8EncodeInto": func(s string, dest goja.Value) []int {
			buf, ok := bufferSourceBytes(vm, dest)
			if !ok {
				panic(vm.NewTypeError("TextEncoder.encodeInto: the destination must be a Uint8Array"))
			}
			read, written := 0, 0
			for _, r := range s {
				n := utf8.RuneLen(r)
				if written+n > len(buf) {
					break
				}
				utf8.EncodeRune(buf[written:], r)
				written += n
				read++
				if r >= 0x10000 {
					read++
				}
			}
			return []int{read, written}
		},
		// encodingName returns the name of the encoding a label denotes
		// ("windows-1252" for "latin1"), "replacement" for the labels of the
		// replacement encoding, or "" for an unknown label.
		"encodingName": func(label string) string {
			return encodingName(label)
		},
		// utf8Decode(bytes) decodes as a new TextDecoder() does: UTF-8, a
		// leading BOM dropped, invalid sequences replaced by U+FFFD. Body
		// text() uses it: one host call, with no decoder options to read.
		"utf8Decode": func(call goja.FunctionCall) goja.Value {
			b, ok := bufferSourceBytes(vm, call.Argument(0))
			if !ok {
				panic(vm.NewTypeError("utf8Decode: the input must be an ArrayBuffer or a view of one"))
			}
			if !utf8.Valid(b) {
				s, _ := newTextDecoder("utf-8", false, false).decode(b, false)
				return vm.ToValue(s)
			}
			return vm.ToValue(strings.TrimPrefix(string(b), "\uFEFF"))
		},
		// newTextDecoder returns the decode(bytes|null, stream) function of
		// one TextDecoder, which keeps its state between streaming calls.
		// The decode function is a native-call one: goja calls typed Go
		// functions through reflection, and every Body.text() decodes.
		"newTextDecoder": func(name string, fatal, ignoreBOM bool) func(goja.FunctionCall) goja.Value {
			d := newTextDecoder(name, fatal, ignoreBOM)
			return func(call goja.FunctionCall) goja.Value {
				input, stream := call.Argument(0), call.Argument(1).ToBoolean()
				var b []byte
				if input != nil && !goja.IsNull(input) && !goja.IsUndefined(input) {
					var ok bool
					if b, ok = bufferSourceBytes(vm, input); !ok {
						panic(vm.NewTypeError("TextDecoder.decode: the input must be an ArrayBuffer, a SharedArrayBuffer or a view of one"))
					}
				}
				s, ok := d.decode(b, stream)
				if !ok {
					panic(vm.NewTypeError("TextDecoder.decode: the data is not valid " + d.name +
						" (the decoder was created with fatal: true; without it, invalid data decodes to U+FFFD)"))
				}
				return vm.ToValue(s)
			}
		},
	}
}

// bufferSourceBytes returns the bytes of an ArrayBuffer, typed array or
// DataView without copying them; a detached buffer has none.
func bufferSourceBytes(vm *goja.Runtime, v goja.Value) ([]byte, bool) {
	obj, ok := v.(*goja.Object)
	if !ok {
		return nil, false
	}
	// Only the type first: exporting a view of a detached buffer would
	// slice memory the buffer no longer has.
	if obj.ExportType() == arrayBufferType {
		ab := obj.Export().(goja.ArrayBuffer)
		if ab.Detached() {
			return nil, true
		}
		return ab.Bytes(), true
	}
	if ab, ok := obj.Get("buffer").Export().(goja.ArrayBuffer); !ok {
		return nil, false
	} else if ab.Detached() {
		return nil, true
	}
	if obj.ExportType() == bytesType {
		return obj.Export().([]byte), true // a Uint8Array (or clamped): its bytes, as ExportTo gives them
	}
	var b []byte
	if err := vm.ExportTo(v, &b); err != nil {
		return nil, false
	}
	return b, true
}

// bytesType is what a Uint8Array exports as (arrayBufferType is in
// structured_clone.go).
var bytesType = reflect.TypeOf([]byte(nil))

// encodingName resolves a label as the standard's "get an encoding": ASCII
// whitespace trimmed, ASCII case folded, nothing else.
func encodingName(label string) string {
	label = strings.Trim(label, "\t\n\f\r ")
	for i := 0; i < len(label); i++ {
		if label[i] >= utf8.RuneSelf || label[i] == 0 || label[i] == '\v' {
			return "" // every label is ASCII; x/text would trim Unicode spaces
		}
	}
	enc, err := htmlindex.Get(strings.ToLower(label))
	if err != nil {
		return ""
	}
	name, err := htmlindex.Name(enc)
	if err != nil {
		return ""
	}
	return name
}

// decodeOutput collects a decode call's code points; in fatal mode the
// first error stops it.
type decodeOutput struct {
	sb     strings.Builder
	fatal  bool
	failed bool
}

func (o *decodeOutput) emit(r rune) { o.sb.WriteRune(r) }

func (o *decodeOutput) error() {
	if o.fatal {
		o.failed = true
		return
	}
	o.sb.WriteRune(utf8.RuneError)
}

// byteDecoder is one of the standard's decoders: it handles a byte at a
// time and returns the bytes it gives back to the front of the input (the
// standard's "prepend"), and is told about the end of the input.
type byteDecoder interface {
	handle(b byte, o *decodeOutput) (prepend []byte)
	eof(o *decodeOutput)
}

// textDecoder is the state of one TextDecoder.
type textDecoder struct {
	name      string
	fatal     bool
	ignoreBOM bool
	unicode   bool // UTF-8 or UTF-16: the BOM is stripped
	newDec    func() byteDecoder
	dec       byteDecoder
	// ISO-2022-JP: x/text's stateful decoder and the bytes it has not
	// consumed yet.
	tr      transform.Transformer
	pending []byte

	doNotFlush bool
	bomSeen    bool
}

func newTextDecoder(name string, fatal, ignoreBOM bool) *textDecoder {
	d := &textDecoder{name: name, fatal: fatal, ignoreBOM: ignoreBOM}
	switch name {
	case "utf-8":
		d.unicode, d.newDec = true, func() byteDecoder { return &utf8Decoder{lower: 0x80, upper: 0xBF} }
	case "utf-16le", "utf-16be":
		be := name == "utf-16be"
		d.unicode, d.newDec = true, func() byteDecoder { return &utf16Decoder{be: be, lead: -1, surrogate: -1} }
	case "big5":
		d.newDec = func() byteDecoder { return &big5Decoder{} }
	case "euc-kr":
		d.newDec = func() byteDecoder { return &eucKRDecoder{} }
	case "shift_jis":
		d.newDec = func() byteDecoder { return &shiftJISDecoder{} }
	case "euc-jp":
		d.newDec = func() byteDecoder { return &eucJPDecoder{} }
	case "gbk", "gb18030":
		d.newDec = func() byteDecoder { return &gb18030Decoder{} }
	case "iso-2022-jp":
		enc, _ := htmlindex.Get(name)
		d.tr = enc.NewDecoder()
	default:
		table := singleByteTable(name)
		d.newDec = func() byteDecoder { return table }
	}
	d.reset()
	return d
}

func (d *textDecoder) reset() {
	d.bomSeen = false
	d.pending = nil
	if d.tr != nil {
		d.tr.Reset()
	} else {
		d.dec = d.newDec()
	}
}

// decode is TextDecoder.decode: ok is false for invalid data in fatal mode.
func (d *textDecoder) decode(input []byte, stream bool) (string, bool) {
	if !d.doNotFlush {
		d.reset()
	}
	d.doNotFlush = stream
	o := &decodeOutput{fatal: d.fatal}
	switch {
	case d.tr != nil:
		d.transform(input, !stream, o)
	default:
		if u, ok := d.dec.(*utf8Decoder); ok && u.needed == 0 && utf8.Valid(input) {
			o.sb.Write(input) // the common case: whole, valid UTF-8
		} else {
			runDecoder(d.dec, input, o)
		}
		if !stream && !o.failed {
			d.dec.eof(o)
		}
	}
	if o.failed {
		return "", false
	}
	s := o.sb.String()
	if d.unicode && !d.ignoreBOM && !d.bomSeen && s != "" {
		s = strings.TrimPrefix(s, "\uFEFF")
		d.bomSeen = true
	}
	return s, true
}

func runDecoder(dec byteDecoder, input []byte, o *decodeOutput) {
	for i := 0; i < len(input) && !o.failed; i++ {
		again := dec.handle(input[i], o)
		for len(again) > 0 && !o.failed {
			b := again[0]
			more := dec.handle(b, o)
			again = append(more, again[1:]...)
		}
	}
}

// transform runs x/text's decoder (ISO-2022-JP), keeping an incomplete
// sequence for the next streaming call. x/text writes U+FFFD for invalid
// data, which is how fatal mode sees an error.
func (d *textDecoder) transform(input []byte, atEOF bool, o *decodeOutput) {
	src := append(d.pending, input...)
	d.pending = nil
	dst := make([]byte, 4*len(src)+16)
	for {
		nDst, nSrc, err := d.tr.Transform(dst, src, atEOF)
		chunk := dst[:nDst]
		if d.fatal && strings.ContainsRune(string(chunk), utf8.RuneError) {
			o.failed = true
			return
		}
		o.sb.Write(chunk)
		src = src[nSrc:]
		switch err {
		case transform.ErrShortDst:
			if nDst == 0 && nSrc == 0 {
				dst = make([]byte, 2*len(dst))
			}
			continue
		case transform.ErrShortSrc:
			d.pending = append([]byte(nil), src...)
		case nil:
		default:
			o.error()
		}
		return
	}
}

// utf8Decoder is the standard's UTF-8 decoder.
type utf8Decoder struct {
	cp           rune
	needed, seen int
	lower, upper byte
}

func (u *utf8Decoder) handle(b byte, o *decodeOutput) []byte {
	if u.needed == 0 {
		switch {
		case b < 0x80:
			o.emit(rune(b))
		case b >= 0xC2 && b <= 0xDF:
			u.needed, u.cp = 1, rune(b&0x1F)
		case b >= 0xE0 && b <= 0xEF:
			if b == 0xE0 {
				u.lower = 0xA0
			} else if b == 0xED {
				u.upper = 0x9F
			}
			u.needed, u.cp = 2, rune(b&0x0F)
		case b >= 0xF0 && b <= 0xF4:
			if b == 0xF0 {
				u.lower = 0x90
			} else if b == 0xF4 {
				u.upper = 0x8F
			}
			u.needed, u.cp = 3, rune(b&0x07)
		default:
			o.error()
		}
		return nil
	}
	if b < u.lower || b > u.upper {
		*u = utf8Decoder{lower: 0x80, upper: 0xBF}
		o.error()
		return []byte{b}
	}
	u.lower, u.upper = 0x80, 0xBF
	u.cp = u.cp<<6 | rune(b&0x3F)
	u.seen++
	if u.seen == u.needed {
		o.emit(u.cp)
		*u = utf8Decoder{lower: 0x80, upper: 0xBF}
	}
	return nil
}

func (u *utf8Decoder) eof(o *decodeOutput) {
	if u.needed != 0 {
		*u = utf8Decoder{lower: 0x80, upper: 0xBF}
		o.error()
	}
}

// utf16Decoder is the standard's shared UTF-16 decoder; lead and surrogate
// are -1 when unset.
type utf16Decoder struct {
	be              bool
	lead, surrogate int
}

func (u *utf16Decoder) handle(b byte, o *decodeOutput) []byte {
	if u.lead < 0 {
		u.lead = int(b)
		return nil
	}
	unit := int(b)<<8 | u.lead
	if u.be {
		unit = u.lead<<8 | int(b)
	}
	u.lead = -1
	if u.surrogate >= 0 {
		lead := u.surrogate
		u.surrogate = -1
		if unit >= 0xDC00 && unit <= 0xDFFF {
			o.emit(rune(0x10000 + (lead-0xD800)<<10 + (unit - 0xDC00)))
			return nil
		}
		o.error()
		// The unit is decoded again on its own (the standard prepends its
		// two bytes).
	}
	switch {
	case unit >= 0xD800 && unit <= 0xDBFF:
		u.surrogate = unit
	case unit >= 0xDC00 && unit <= 0xDFFF:
		o.error()
	default:
		o.emit(rune(unit))
	}
	return nil
}

func (u *utf16Decoder) eof(o *decodeOutput) {
	if u.lead >= 0 || u.surrogate >= 0 {
		u.lead, u.surrogate = -1, -1
		o.error()
	}
}

// singleByteDecoder maps each byte through a table; utf8.RuneError marks a
// byte the encoding's index lacks.
type singleByteDecoder [256]rune

var (
	singleByteMu     sync.Mutex
	singleByteTables = map[string]*singleByteDecoder{}
)

// singleByteTable builds (once) the table of a single-byte encoding from
// x/text's decoder, corrected where x/text differs from the standard.
func singleByteTable(name string) *singleByteDecoder {
	singleByteMu.Lock()
	defer singleByteMu.Unlock()
	if t, ok := singleByteTables[name]; ok {
		return t
	}
	enc, err := htmlindex.Get(name)
	if err != nil {
		enc = charmap.Windows1252 // unreachable: names come from encodingName
	}
	t := new(singleByteDecoder)
	dec := enc.NewDecoder()
	for i := range t {
		s, _, err := transform.Bytes(dec, []byte{byte(i)})
		r, n := utf8.DecodeRune(s)
		if err != nil || n != len(s) {
			r = utf8.RuneError
		}
		if r == utf8.RuneError && i >= 0x80 && i <= 0x9F {
			// x/text leaves these unmapped in the ISO-8859 and some windows
			// encodings; the standard's indexes map them to the C1 controls.
			r = rune(i)
		}
		t[i] = r
	}
	singleByteTables[name] = t
	return t
}

func (t *singleByteDecoder) handle(b byte, o *decodeOutput) []byte {
	if r := t[b]; r != utf8.RuneError {
		o.emit(r)
	} else {
		o.error()
	}
	return nil
}

func (*singleByteDecoder) eof(*decodeOutput) {}

// lookup decodes one complete byte sequence of a legacy encoding with
// x/text; ok is false when the encoding's index has no code point for it.
func lookup(dec transform.Transformer, seq ...byte) (string, bool) {
	var dst [16]byte
	dec.Reset()
	n, nSrc, err := dec.Transform(dst[:], seq, true)
	s := string(dst[:n])
	if err != nil || nSrc != len(seq) || s == "" || strings.ContainsRune(s, utf8.RuneError) {
		return "", false
	}
	if r, size := utf8.DecodeRuneInString(s); size == len(s) && r < 0x80 && len(seq) > 1 {
		return "", false // x/text decoded a byte on its own: not a pair
	}
	return s, true
}

func emitString(o *decodeOutput, s string) {
	o.sb.WriteString(s)
}

var (
	big5Index    = lazyDecoder("big5")
	eucKRIndex   = lazyDecoder("euc-kr")
	shiftJISIdx  = lazyDecoder("shift_jis")
	eucJPIndex   = lazyDecoder("euc-jp")
	gb18030Index = func() transform.Transformer { return simplifiedchinese.GB18030.NewDecoder() }
)

func lazyDecoder(name string) func() transform.Transformer {
	return func() transform.Transformer {
		enc, err := htmlindex.Get(name)
		if err != nil {
			return encoding.Nop.NewDecoder()
		}
		return enc.NewDecoder()
	}
}

// big5Decoder is the standard's Big5 decoder.
type big5Decoder struct {
	lead byte
	idx  transform.Transformer
}

func (d *big5Decoder) handle(b byte, o *decodeOutput) []byte {
	if d.lead != 0 {
		lead := d.lead
		d.lead = 0
		if b >= 0x40 && b <= 0x7E || b >= 0xA1 && b <= 0xFE {
			if d.idx == nil {
				d.idx = big5Index()
			}
			if s, ok := lookup(d.idx, lead, b); ok {
				emitString(o, s)
				return nil
			}
		}
		o.error()
		if b < 0x80 {
			return []byte{b}
		}
		return nil
	}
	switch {
	case b < 0x80:
		o.emit(rune(b))
	case b >= 0x81 && b <= 0xFE:
		d.lead = b
	default:
		o.error()
	}
	return nil
}

func (d *big5Decoder) eof(o *decodeOutput) {
	if d.lead != 0 {
		d.lead = 0
		o.error()
	}
}

// eucKRDecoder is the standard's EUC-KR decoder.
type eucKRDecoder struct {
	lead byte
	idx  transform.Transformer
}

func (d *eucKRDecoder) handle(b byte, o *decodeOutput) []byte {
	if d.lead != 0 {
		lead := d.lead
		d.lead = 0
		if b >= 0x41 && b <= 0xFE {
			if d.idx == nil {
				d.idx = eucKRIndex()
			}
			if s, ok := lookup(d.idx, lead, b); ok {
				emitString(o, s)
				return nil
			}
		}
		o.error()
		if b < 0x80 {
			return []byte{b}
		}
		return nil
	}
	switch {
	case b < 0x80:
		o.emit(rune(b))
	case b >= 0x81 && b <= 0xFE:
		d.lead = b
	default:
		o.error()
	}
	return nil
}

func (d *eucKRDecoder) eof(o *decodeOutput) {
	if d.lead != 0 {
		d.lead = 0
		o.error()
	}
}

// shiftJISDecoder is the standard's Shift_JIS decoder.
type shiftJISDecoder struct {
	lead byte
	idx  transform.Transformer
}

func (d *shiftJISDecoder) handle(b byte, o *decodeOutput) []byte {
	if d.lead != 0 {
		lead := d.lead
		d.lead = 0
		if b >= 0x40 && b <= 0x7E || b >= 0x80 && b <= 0xFC {
			offset, leadOffset := 0x41, 0xC1
			if b < 0x7F {
				offset = 0x40
			}
			if lead < 0xA0 {
				leadOffset = 0x81
			}
			pointer := (int(lead)-leadOffset)*188 + int(b) - offset
			if pointer >= 8836 && pointer <= 10715 {
				o.emit(rune(0xE000 - 8836 + pointer)) // the private use area
				return nil
			}
			if d.idx == nil {
				d.idx = shiftJISIdx()
			}
			if s, ok := lookup(d.idx, lead, b); ok {
				emitString(o, s)
				return nil
			}
		}
		o.error()
		if b < 0x80 {
			return []byte{b}
		}
		return nil
	}
	switch {
	case b <= 0x80:
		o.emit(rune(b))
	case b >= 0xA1 && b <= 0xDF:
		o.emit(rune(0xFF61 - 0xA1 + int(b)))
	case b >= 0x81 && b <= 0x9F, b >= 0xE0 && b <= 0xFC:
		d.lead = b
	default:
		o.error()
	}
	return nil
}

func (d *shiftJISDecoder) eof(o *decodeOutput) {
	if d.lead != 0 {
		d.lead = 0
		o.error()
	}
}

// eucJPDecoder is the standard's EUC-JP decoder.
type eucJPDecoder struct {
	lead    byte
	jis0212 bool
	idx     transform.Transformer
}

func (d *eucJPDecoder) handle(b byte, o *decodeOutput) []byte {
	switch {
	case d.lead == 0x8E && b >= 0xA1 && b <= 0xDF:
		d.lead = 0
		o.emit(rune(0xFF61 - 0xA1 + int(b)))
		return nil
	case d.lead == 0x8F && b >= 0xA1 && b <= 0xFE:
		d.jis0212, d.lead = true, b
		return nil
	case d.lead != 0:
		lead, jis0212 := d.lead, d.jis0212
		d.lead, d.jis0212 = 0, false
		if lead >= 0xA1 && lead <= 0xFE && b >= 0xA1 && b <= 0xFE {
			if d.idx == nil {
				d.idx = eucJPIndex()
			}
			seq := []byte{lead, b}
			if jis0212 {
				seq = []byte{0x8F, lead, b}
			}
			if s, ok := lookup(d.idx, seq...); ok {
				emitString(o, s)
				return nil
			}
		}
		o.error()
		if b < 0x80 {
			return []byte{b}
		}
		return nil
	}
	switch {
	case b < 0x80:
		o.emit(rune(b))
	case b == 0x8E, b == 0x8F, b >= 0xA1 && b <= 0xFE:
		d.lead = b
	default:
		o.error()
	}
	return nil
}

func (d *eucJPDecoder) eof(o *decodeOutput) {
	if d.lead != 0 {
		d.lead, d.jis0212 = 0, false
		o.error()
	}
}

// gb18030Decoder is the standard's gb18030 decoder (also GBK's).
type gb18030Decoder struct {
	first, second, third byte
	idx                  transform.Transformer
}

func (d *gb18030Decoder) index() transform.Transformer {
	if d.idx == nil {
		d.idx = gb18030Index()
	}
	return d.idx
}

func (d *gb18030Decoder) handle(b byte, o *decodeOutput) []byte {
	switch {
	case d.third != 0:
		first, second, third := d.first, d.second, d.third
		d.first, d.second, d.third = 0, 0, 0
		if b < 0x30 || b > 0x39 {
			o.error()
			return []byte{second, third, b}
		}
		if first == 0x84 && second == 0x31 && third == 0xA4 && b == 0x37 {
			o.emit(utf8.RuneError) // U+FFFD itself, which lookup cannot tell from an error
			return nil
		}
		if s, ok := lookup(d.index(), first, second, third, b); ok {
			emitString(o, s)
		} else {
			o.error()
		}
		return nil
	case d.second != 0:
		if b >= 0x81 && b <= 0xFE {
			d.third = b
			return nil
		}
		second := d.second
		d.first, d.second = 0, 0
		o.error()
		return []byte{second, b}
	case d.first != 0:
		if b >= 0x30 && b <= 0x39 {
			d.second = b
			return nil
		}
		lead := d.first
		d.first = 0
		if b >= 0x40 && b <= 0x7E || b >= 0x80 && b <= 0xFE {
			if s, ok := lookup(d.index(), lead, b); ok {
				emitString(o, s)
				return nil
			}
		}
		o.error()
		if b < 0x80 {
			return []byte{b}
		}
		return nil
	}
	switch {
	case b < 0x80:
		o.emit(rune(b))
	case b == 0x80:
		o.emit('\u20AC')
	case b <= 0xFE:
		d.first = b
	default:
		o.error()
	}
	return nil
}

func (d *gb18030Decoder) eof(o *decodeOutput) {
	if d.first != 0 || d.second != 0 || d.third != 0 {
		d.first, d.second, d.third = 0, 0, 0
		o.error()
	}
}
