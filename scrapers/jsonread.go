package scrapers

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// jsonReader reads a JSON text in one pass, checking its syntax as
// encoding/json does (RFC 8259, nesting up to encoding/json's 10,000
// levels), for the hand readers of large, regular documents (see
// fastOREndpoints). ok goes false at the first thing it does not accept:
// bad syntax, or anything its caller leaves to encoding/json (an escaped
// key, a value of an unexpected type). A caller that sees ok false decodes
// the document again with encoding/json, which decides.
type jsonReader struct {
	b     []byte
	i     int
	depth int
	ok    bool
}

// maxJSONDepth is encoding/json's nesting limit.
const maxJSONDepth = 10000

func newJSONReader(b []byte) *jsonReader { return &jsonReader{b: b, ok: true} }

// fail stops the reader.
func (r *jsonReader) fail() {
	r.ok = false
	r.i = len(r.b)
}

// peek skips white space and returns the next byte (0 at the end).
func (r *jsonReader) peek() byte {
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

// end reports whether nothing but white space is left (what must follow a
// document's value).
func (r *jsonReader) end() bool {
	r.peek()
	return r.ok && r.i == len(r.b)
}

// str reads a string token at r.i and returns what is between its quotes,
// and whether that holds an escape.
func (r *jsonReader) str() (s []byte, escaped bool) {
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
				r.fail()
				return nil, false
			}
			switch r.b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if j+4 >= len(r.b) || !isHex4(r.b[j+1:j+5]) {
					r.fail()
					return nil, false
				}
				j += 4
			default:
				r.fail()
				return nil, false
			}
		case c < 0x20:
			r.fail()
			return nil, false
		}
	}
	r.fail()
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

// plainStr reads a string whose content is taken as it is: no escape and
// valid UTF-8 (encoding/json would rewrite either); anything else fails.
func (r *jsonReader) plainStr() []byte {
	if r.peek() != '"' {
		r.fail()
		return nil
	}
	s, escaped := r.str()
	if escaped || !utf8.Valid(s) {
		r.fail()
		return nil
	}
	return s
}

// number reads a number token and returns its text.
func (r *jsonReader) number() []byte {
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
	if !numberLiteral(r.b[start:j]) {
		r.fail()
		return nil
	}
	r.i = j
	return r.b[start:j]
}

// literal reads true, false or null.
func (r *jsonReader) literal(word string) {
	if !bytes.HasPrefix(r.b[r.i:], []byte(word)) {
		r.fail()
		return
	}
	r.i += len(word)
}

// null reads a null if one comes next, and reports whether it did.
func (r *jsonReader) null() bool {
	if r.peek() != 'n' {
		return false
	}
	r.literal("null")
	return r.ok
}

// skip reads any value, checking it.
func (r *jsonReader) skip() {
	switch c := r.peek(); {
	case c == '{':
		r.object(func([]byte) { r.skip() })
	case c == '[':
		r.array(r.skip)
	case c == '"':
		r.str()
	case c == 't':
		r.literal("true")
	case c == 'f':
		r.literal("false")
	case c == 'n':
		r.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		r.number()
	default:
		r.fail()
	}
}

// object reads an object, calling member with each key (which must read
// the value). A key holding an escape or a byte outside ASCII fails:
// encoding/json matches keys to fields by a case folding that reaches
// beyond ASCII, and the hand readers leave such keys to it.
func (r *jsonReader) object(member func(key []byte)) {
	if r.peek() != '{' || !r.nest() {
		r.fail()
		return
	}
	r.i++
	if r.peek() == '}' {
		r.i++
		r.depth--
		return
	}
	for r.ok {
		if r.peek() != '"' {
			r.fail()
			return
		}
		key, escaped := r.str()
		if escaped || !isASCII(key) {
			r.fail()
			return
		}
		if r.peek() != ':' {
			r.fail()
			return
		}
		r.i++
		member(key)
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			r.depth--
			return
		default:
			r.fail()
		}
	}
}

// array reads an array, calling elem for each element (which must read
// it).
func (r *jsonReader) array(elem func()) {
	if r.peek() != '[' || !r.nest() {
		r.fail()
		return
	}
	r.i++
	if r.peek() == ']' {
		r.i++
		r.depth--
		return
	}
	for r.ok {
		elem()
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			r.depth--
			return
		default:
			r.fail()
		}
	}
}

// nest enters one more level of nesting, if encoding/json would.
func (r *jsonReader) nest() bool {
	r.depth++
	return r.depth <= maxJSONDepth
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// fields matches an object's keys to the field names a struct decodes, as
// encoding/json would: exactly, or it fails for a key that differs only in
// case (which encoding/json would take) or a field named twice (which it
// would merge). It returns the field's index, or -1 for a key to skip.
type fields struct {
	names []string
	seen  uint64
}

func (f *fields) match(r *jsonReader, key []byte) int {
	for i, n := range f.names {
		if !bytes.EqualFold(key, []byte(n)) {
			continue
		}
		if string(key) != n || f.seen&(1<<i) != 0 {
			r.fail()
			return -1
		}
		f.seen |= 1 << i
		return i
	}
	return -1
}

// fastOREndpoints reads an endpoints response into what
// json.Unmarshal(body, &doc) gives, in one pass over the body and keeping
// only the fields orEndpointsDoc holds; ok is false when it leaves the
// body to encoding/json (see jsonReader). FuzzFastOREndpoints holds the
// two equal.
func fastOREndpoints(body []byte) (doc orEndpointsDoc, ok bool) {
	r := newJSONReader(body)
	top := fields{names: []string{"data"}}
	r.object(func(key []byte) {
		if top.match(r, key) != 0 {
			r.skip()
			return
		}
		if r.null() {
			doc.Data = nil
			return
		}
		doc.Data = r.orEndpointsData()
	})
	if !r.end() {
		return orEndpointsDoc{}, false
	}
	return doc, true
}

func (r *jsonReader) orEndpointsData() *orEndpointsData {
	d := &orEndpointsData{}
	f := fields{names: []string{"id", "name", "endpoints"}}
	r.object(func(key []byte) {
		switch f.match(r, key) {
		case 0:
			r.stringField(&d.ID)
		case 1:
			r.stringField(&d.Name)
		case 2:
			if r.null() {
				d.Endpoints = nil
				return
			}
			eps := make([]orEndpoint, 0, 8)
			r.array(func() {
				if r.peek() != '{' { // a null element, or another type: encoding/json's to decide
					r.fail()
					return
				}
				eps = append(eps, r.orEndpoint())
			})
			d.Endpoints = &eps
		default:
			r.skip()
		}
	})
	return d
}

func (r *jsonReader) orEndpoint() orEndpoint {
	var e orEndpoint
	f := fields{names: []string{"name", "provider_name", "tag", "context_length", "max_completion_tokens", "quantization", "status", "pricing"}}
	r.object(func(key []byte) {
		switch f.match(r, key) {
		case 0:
			r.stringField(&e.Name)
		case 1:
			r.stringField(&e.ProviderName)
		case 2:
			r.stringField(&e.Tag)
		case 3:
			e.ContextLength = r.intField()
		case 4:
			e.MaxCompletionTokens = r.intField()
		case 5:
			e.Quantization = nil
			if !r.null() {
				s := string(r.plainStr())
				e.Quantization = &s
			}
		case 6:
			e.Status = nil
			if !r.null() {
				if c := r.peek(); c != '-' && (c < '0' || c > '9') {
					r.fail()
					return
				}
				n := json.Number(r.number())
				e.Status = &n
			}
		case 7:
			e.Pricing = r.rawMap()
		default:
			r.skip()
		}
	})
	return e
}

// stringField reads a string into *dst; a null leaves it as it is.
func (r *jsonReader) stringField(dst *string) {
	if !r.null() {
		*dst = string(r.plainStr())
	}
}

// intField reads an integer that fits an int64, or null (nil); a number
// encoding/json would refuse for an int64 (a fraction, an exponent, out
// of range) fails.
func (r *jsonReader) intField() *int64 {
	if r.null() {
		return nil
	}
	if c := r.peek(); c != '-' && (c < '0' || c > '9') {
		r.fail()
		return nil
	}
	n, err := strconv.ParseInt(string(r.number()), 10, 64)
	if err != nil {
		r.fail()
		return nil
	}
	return &n
}

// rawMap reads an object of raw values (a nil map for null); each value
// is the body's own bytes, as encoding/json's RawMessage holds them.
func (r *jsonReader) rawMap() map[string]json.RawMessage {
	if r.null() {
		return nil
	}
	m := map[string]json.RawMessage{}
	r.object(func(key []byte) {
		r.peek()
		start := r.i
		r.skip()
		m[string(key)] = json.RawMessage(r.b[start:r.i:r.i])
	})
	return m
}
