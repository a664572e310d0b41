// Package canonjson writes JSON in llmref's canonical form: object keys
// sorted bytewise, two-space indentation (or none, in the compact form), no
// HTML escaping, numbers exactly as their types wrote them and a final
// newline, so that the same value always gives the same bytes. The export
// tree and the comparison records are written in it.
package canonjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"unicode/utf8"

	"github.com/llmref/llmref/internal/jsonstr"
)

// canonicalize rewrites compact JSON (as json.Marshal writes it) in the
// canonical form: object keys sorted bytewise (the last of duplicate keys
// kept), two-space indentation, no HTML escaping, numbers exactly as
// written, and a final newline. Its output is byte for byte what decoding
// into interface values (with UseNumber) and encoding them again with
// SetEscapeHTML(false) and SetIndent("", "  ") gives, in one pass over the
// input and without reflection.
func canonicalize(src []byte) ([]byte, error) { return canonicalForm(src, true) }

// Marshal encodes v as JSON with sorted keys, two-space indentation, no
// HTML escaping and numbers exactly as their types wrote them, ending in a
// newline: the same value always gives the same bytes.
func Marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return canonicalize(raw) // one pass
}

// Compact encodes v as Marshal does, without the indentation and the final
// newline: sorted keys, no HTML escaping, numbers as their types wrote
// them, no insignificant space. Bulk files (one comparison record per
// model pair) use it: at 499,500 records indentation alone is gigabytes.
func Compact(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return canonicalForm(raw, false)
}

// AppendIndented appends v's canonical form to dst as Marshal writes it,
// without the final newline, as a value nested depth levels deep: every
// line after its first indented by depth more levels. A document too large
// to hold encoded whole is written this way a part at a time (an array's
// elements one by one at depth 2, between its brackets), in the same bytes
// Marshal gives the whole.
func AppendIndented(dst []byte, v any, depth int) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return canonicalInto(dst, raw, true, depth)
}

func canonicalForm(src []byte, indent bool) ([]byte, error) {
	out, err := canonicalInto(make([]byte, 0, len(src)+len(src)/2), src, indent, 0)
	if err != nil {
		return nil, err
	}
	if indent {
		out = append(out, '\n')
	}
	return out, nil
}

// canonicalInto appends src's canonical form to dst, at depth.
func canonicalInto(dst, src []byte, indent bool, depth int) ([]byte, error) {
	c := canonPool.Get().(*canonState)
	defer canonPool.Put(c)
	c.src, c.pos, c.pretty = src, 0, indent
	c.out = dst
	defer func() { c.src, c.out = nil, nil }()
	c.nodes, c.kids = c.nodes[:0], c.kids[:0]
	root, err := c.parse()
	if err != nil {
		return nil, err
	}
	c.skipSpace()
	if c.pos != len(c.src) {
		return nil, errSyntax
	}
	if err := c.emit(root, depth); err != nil {
		return nil, err
	}
	return c.out, nil
}

var errSyntax = errors.New("canonical json: invalid input")

// cnode is one value: a scalar's raw bytes, or an object's or array's
// children (kids[first:first+n]); an object member also has its raw key.
type cnode struct {
	kind     byte // '{', '[' or 0 for a scalar
	s, e     int  // raw value (scalars)
	ks, ke   int  // raw key with its quotes (object members)
	first, n int
}

type canonState struct {
	src   []byte
	pos   int
	out   []byte
	nodes []cnode
	kids  []int
	stack []int
	// pretty indents by two spaces, puts a space after colons and ends
	// the document with a newline; otherwise the form is compact.
	pretty bool
}

var canonPool = sync.Pool{New: func() any { return new(canonState) }}

func (c *canonState) skipSpace() {
	for c.pos < len(c.src) {
		switch c.src[c.pos] {
		case ' ', '\t', '\n', '\r':
			c.pos++
		default:
			return
		}
	}
}

// parse reads one value and returns its node index.
func (c *canonState) parse() (int, error) {
	c.skipSpace()
	if c.pos >= len(c.src) {
		return 0, errSyntax
	}
	switch c.src[c.pos] {
	case '{', '[':
		open := c.src[c.pos]
		close := byte('}')
		if open == '[' {
			close = ']'
		}
		c.pos++
		idx := len(c.nodes)
		c.nodes = append(c.nodes, cnode{kind: open})
		base := len(c.stack)
		c.skipSpace()
		if c.pos < len(c.src) && c.src[c.pos] == close {
			c.pos++
		} else {
			for {
				ks, ke := 0, 0
				if open == '{' {
					c.skipSpace()
					ks = c.pos
					if err := c.skipString(); err != nil {
						return 0, err
					}
					ke = c.pos
					c.skipSpace()
					if c.pos >= len(c.src) || c.src[c.pos] != ':' {
						return 0, errSyntax
					}
					c.pos++
				}
				child, err := c.parse()
				if err != nil {
					return 0, err
				}
				c.nodes[child].ks, c.nodes[child].ke = ks, ke
				c.stack = append(c.stack, child)
				c.skipSpace()
				if c.pos >= len(c.src) {
					return 0, errSyntax
				}
				if c.src[c.pos] == ',' {
					c.pos++
					continue
				}
				if c.src[c.pos] != close {
					return 0, errSyntax
				}
				c.pos++
				break
			}
		}
		kids := c.stack[base:]
		if open == '{' {
			c.sortMembers(kids)
		}
		c.nodes[idx].first, c.nodes[idx].n = len(c.kids), len(kids)
		c.kids = append(c.kids, kids...)
		c.stack = c.stack[:base]
		return idx, nil
	case '"':
		s := c.pos
		if err := c.skipString(); err != nil {
			return 0, err
		}
		c.nodes = append(c.nodes, cnode{s: s, e: c.pos})
		return len(c.nodes) - 1, nil
	default:
		s := c.pos
		for c.pos < len(c.src) {
			b := c.src[c.pos]
			if b == ',' || b == '}' || b == ']' || b == ' ' || b == '\n' || b == '\t' || b == '\r' {
				break
			}
			c.pos++
		}
		if c.pos == s || !validScalar(c.src[s:c.pos]) {
			return 0, errSyntax
		}
		c.nodes = append(c.nodes, cnode{s: s, e: c.pos})
		return len(c.nodes) - 1, nil
	}
}

func validScalar(b []byte) bool {
	switch string(b) {
	case "true", "false", "null":
		return true
	}
	return json.Valid(b)
}

func (c *canonState) skipString() error {
	if c.pos >= len(c.src) || c.src[c.pos] != '"' {
		return errSyntax
	}
	for i := c.pos + 1; i < len(c.src); i++ {
		switch c.src[i] {
		case '\\':
			i++
		case '"':
			c.pos = i + 1
			return nil
		}
	}
	return errSyntax
}

// key is a member's key as decoded, for sorting; without escapes it is the
// raw bytes between the quotes.
func (c *canonState) key(n int) []byte {
	raw := c.src[c.nodes[n].ks:c.nodes[n].ke]
	if plain(raw) {
		return raw[1 : len(raw)-1]
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return raw
	}
	return []byte(s)
}

// sortMembers orders an object's members by key and drops all but the
// last of duplicate keys, as decoding into a map does.
func (c *canonState) sortMembers(kids []int) {
	sorted := true
	for i := 1; i < len(kids); i++ {
		if bytes.Compare(c.key(kids[i-1]), c.key(kids[i])) >= 0 {
			sorted = false
			break
		}
	}
	if sorted {
		return
	}
	// Stable, so that among duplicates the last written stays last.
	slices.SortStableFunc(kids, func(x, y int) int { return bytes.Compare(c.key(x), c.key(y)) })
	out := kids[:0]
	for i, k := range kids {
		if i+1 < len(kids) && bytes.Equal(c.key(kids[i+1]), c.key(k)) {
			continue
		}
		out = append(out, k)
	}
	for i := len(out); i < len(kids); i++ {
		kids[i] = -1
	}
}

func (c *canonState) indent(depth int) {
	if !c.pretty {
		return
	}
	c.out = append(c.out, '\n')
	for range depth {
		c.out = append(c.out, ' ', ' ')
	}
}

func (c *canonState) emit(n, depth int) error {
	nd := c.nodes[n]
	switch nd.kind {
	case '{', '[':
		close := byte('}')
		if nd.kind == '[' {
			close = ']'
		}
		kids := c.kids[nd.first : nd.first+nd.n]
		count := 0
		c.out = append(c.out, nd.kind)
		for _, k := range kids {
			if k < 0 {
				continue
			}
			if count > 0 {
				c.out = append(c.out, ',')
			}
			count++
			c.indent(depth + 1)
			if nd.kind == '{' {
				if err := c.emitString(c.nodes[k].ks, c.nodes[k].ke); err != nil {
					return err
				}
				c.out = append(c.out, ':')
				if c.pretty {
					c.out = append(c.out, ' ')
				}
			}
			if err := c.emit(k, depth+1); err != nil {
				return err
			}
		}
		if count > 0 {
			c.indent(depth)
		}
		c.out = append(c.out, close)
		return nil
	}
	if c.src[nd.s] == '"' {
		return c.emitString(nd.s, nd.e)
	}
	c.out = append(c.out, c.src[nd.s:nd.e]...)
	return nil
}

// plain reports whether a raw string encodes to itself: no escapes, valid
// UTF-8, no U+2028 or U+2029 (which the encoder escapes).
func plain(raw []byte) bool {
	ascii := true
	for _, b := range raw {
		if b == '\\' {
			return false
		}
		if b >= 0x80 {
			ascii = false
		}
	}
	return ascii || utf8.Valid(raw) && !bytes.Contains(raw, []byte("\u2028")) && !bytes.Contains(raw, []byte("\u2029"))
}

// emitString writes a string as the encoder would after decoding it: a
// string without escapes is the same; one with escapes is decoded and
// written again (undoing json.Marshal's HTML escapes, among others).
func (c *canonState) emitString(s, e int) error {
	raw := c.src[s:e]
	if plain(raw) {
		c.out = append(c.out, raw...)
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	c.out = jsonstr.Append(c.out, v)
	return nil
}
