// Package jsonread reads JSON texts by hand, in one pass, for the readers
// of large, regular documents that keep a few fields of each record (an
// endpoints response, the stored page records): encoding/json checks a
// whole text, then decodes it by reflection, skipping most of it.
//
// A Reader checks RFC 8259 syntax as encoding/json does, and gives up
// (OK false) at the first thing it does not accept: bad syntax, or what
// its caller leaves to encoding/json. A caller that sees OK false decodes
// the text again with encoding/json, which decides; its tests hold the
// two to the same result on any bytes.
package jsonread

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// Reader reads a JSON text in one pass, checking its syntax as
// encoding/json does (RFC 8259, nesting up to encoding/json's 10,000
// levels). OK goes false at the first thing it does not accept: bad
// syntax, or anything its caller leaves to encoding/json (an escaped key,
// a value of an unexpected type: the caller calls Fail). A caller that
// sees OK false decodes the document again with encoding/json, which
// decides.
type Reader struct {
	b     []byte
	i     int
	depth int
	// OK is false once the reader has given up.
	OK bool
}

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

// New reads b.
func New(b []byte) *Reader { return &Reader{b: b, OK: true} }

// Fail gives up: the caller leaves the text to encoding/json.
func (r *Reader) Fail() {
	r.OK = false
	r.i = len(r.b)
}

// Peek skips white space and returns the next byte (0 at the end).
func (r *Reader) Peek() byte {
	for r.i < len(r.b) {
		switch c := r.b[r.i]; c {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return c
		}
	}
	return 0
}

// End reports whether nothing but white space is left (what must follow a
// document's value).
func (r *Reader) End() bool {
	r.Peek()
	return r.OK && r.i == len(r.b)
}

// Str reads a string token at r.i and returns what is between its quotes,
// and whether that holds an escape.
func (r *Reader) Str() (s []byte, escaped bool) {
	start := r.i + 1
	for j := start; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			r.i = j + 1
			return r.b[start:j], escaped
		case c == '\\':
			escaped = true
			j++
			if j >= len(r.b) {
				r.Fail()
				return nil, false
			}
			switch r.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(r.b) || !isHex4(r.b[j+1:j+5]) {
					r.Fail()
					return nil, false
				}
				j += 4
			default:
				r.Fail()
				return nil, false
			}
		case c < 0x20:
			r.Fail()
			return nil, false
		}
	}
	r.Fail()
	return nil, false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// String reads a string and returns its value as encoding/json gives it:
// a plain one (no escape, valid UTF-8) as it is, any other through
// encoding/json itself (escapes undone, invalid UTF-8 replaced), which
// costs a little more and is rare. Anything but a string fails.
func (r *Reader) String() string {
	return string(r.StringBytes())
}

// StringBytes reads a string and returns its value's bytes, as String
// does, without a copy for a plain one: those bytes are the text's own,
// valid as long as it is and never to be changed (for a lookup, a
// comparison, or a copy the caller makes).
func (r *Reader) StringBytes() []byte {
	if r.Peek() != '"' {
		r.Fail()
		return nil
	}
	start := r.i
	s, escaped := r.Str()
	if !r.OK {
		return nil
	}
	if !escaped && utf8.Valid(s) {
		return s
	}
	var v string
	if err := json.Unmarshal(r.b[start:r.i], &v); err != nil {
		r.Fail() // not reached: the token is valid
		return nil
	}
	return []byte(v)
}

// Number reads a number token and returns its text.
func (r *Reader) Number() []byte {
	start := r.i
	j := start
	for j < len(r.b) {
		c := r.b[j]
		if '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E' {
			j++
			continue
		}
		break
	}
	if !NumberLiteral(r.b[start:j]) {
		r.Fail()
		return nil
	}
	r.i = j
	return r.b[start:j]
}

// literal reads true, false or null.
func (r *Reader) literal(word string) {
	if !bytes.HasPrefix(r.b[r.i:], []byte(word)) {
		r.Fail()
		return
	}
	r.i += len(word)
}

// Null reads a null if one comes next, and reports whether it did.
func (r *Reader) Null() bool {
	if r.Peek() != 'n' {
		return false
	}
	r.literal("null")
	return r.OK
}

// Skip reads any value, checking it.
func (r *Reader) Skip() {
	switch c := r.Peek(); {
	case c == '{':
		r.Object(func([]byte) { r.Skip() })
	case c == '[':
		r.Array(r.Skip)
	case c == '"':
		r.Str()
	case c == 't':
		r.literal("true")
	case c == 'f':
		r.literal("false")
	case c == 'n':
		r.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		r.Number()
	default:
		r.Fail()
	}
}

// Object reads an object, calling member with each key (which must read
// the value). A key holding an escape or a byte outside ASCII fails:
// encoding/json matches keys to fields by a case folding that reaches
// beyond ASCII, and the hand readers leave such keys to it.
func (r *Reader) Object(member func(key []byte)) {
	if r.Peek() != '{' || !r.nest() {
		r.Fail()
		return
	}
	r.i++
	if r.Peek() == '}' {
		r.i++
		r.depth--
		return
	}
	for r.OK {
		if r.Peek() != '"' {
			r.Fail()
			return
		}
		key, escaped := r.Str()
		if escaped || !isASCII(key) {
			r.Fail()
			return
		}
		if r.Peek() != ':' {
			r.Fail()
			return
		}
		r.i++
		member(key)
		switch r.Peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			r.depth--
			return
		default:
			r.Fail()
		}
	}
}

// Array reads an array, calling elem for each element (which must read
// it).
func (r *Reader) Array(elem func()) {
	if r.Peek() != '[' || !r.nest() {
		r.Fail()
		return
	}
	r.i++
	if r.Peek() == ']' {
		r.i++
		r.depth--
		return
	}
	for r.OK {
		elem()
		switch r.Peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			r.depth--
			return
		default:
			r.Fail()
		}
	}
}

// nest enters one more level of nesting, if encoding/json would.
func (r *Reader) nest() bool {
	r.depth++
	return r.depth <= maxDepth
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Fields are the field names a struct decodes from an object's keys (at
// most 64), for Match.
type Fields struct {
	Names []string
	seen  uint64
}

// Match matches a key to the fields as encoding/json would: exactly, or
// it fails for a key that differs only in case (which encoding/json would
// take) or a field named twice (which it would merge). It returns the
// field's index, or -1 for a key to skip.
func (f *Fields) Match(r *Reader, key []byte) int {
	for i, n := range f.Names {
		if !bytes.EqualFold(key, []byte(n)) {
			continue
		}
		if string(key) != n || f.seen&(1<<i) != 0 {
			r.Fail()
			return -1
		}
		f.seen |= 1 << i
		return i
	}
	return -1
}

// Value reads any value, checking it, and returns its bytes as they are
// in the text (what encoding/json's RawMessage holds), or nil once the
// reader has given up.
func (r *Reader) Value() []byte {
	r.Peek()
	start := r.i
	r.Skip()
	if !r.OK {
		return nil
	}
	return r.b[start:r.i:r.i]
}

// StringField reads a string into *dst as encoding/json does for a string
// field: a null leaves it as it is; another type fails.
func (r *Reader) StringField(dst *string) {
	if !r.Null() {
		*dst = r.String()
	}
}

// BoolField reads a bool into *dst as encoding/json does for a bool
// field: a null leaves it as it is; another type fails.
func (r *Reader) BoolField(dst *bool) {
	switch r.Peek() {
	case 't', 'f':
		*dst = string(r.Value()) == "true"
	default:
		if !r.Null() {
			r.Fail()
		}
	}
}

// Strings reads an array of strings as encoding/json does into a
// []string field: null is a nil slice, [] an empty one, a null element "";
// another type fails.
func (r *Reader) Strings() []string {
	if r.Null() {
		return nil
	}
	out := []string{}
	r.Array(func() {
		var s string
		r.StringField(&s)
		out = append(out, s)
	})
	return out
}

// IntField reads an integer into *dst as encoding/json does for an
// integer field: a null leaves it as it is; a number it would refuse (a
// fraction, an exponent, out of range) or another type fails.
func IntField[T int | int64](r *Reader, dst *T) {
	if r.Null() {
		return
	}
	if c := r.Peek(); c != '-' && (c < '0' || c > '9') {
		r.Fail()
		return
	}
	n, err := strconv.ParseInt(string(r.Number()), 10, 64)
	if err != nil || int64(T(n)) != n {
		r.Fail()
		return
	}
	*dst = T(n)
}
