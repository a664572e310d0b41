package config

import (
	"fmt"
	"strings"
)

// Limits on the CSS selectors of declarative tables (sources.custom). goquery
// and cascadia take no deadline: a selector runs to the end however long
// the page makes it. The costly shapes are recognisable in the text, so they
// are refused when the file loads:
//
//   - a descendant (space) or ~ combinator makes a match look at every
//     ancestor (or earlier sibling) again, and each one more multiplies that
//     work: at most maxSelectorSearch of them in one chain, of which at most
//     maxSelectorSiblings ~ combinators (a page is at most 512 elements deep,
//     but may hold a million siblings);
//   - a chain of compound selectors: at most maxSelectorChain;
//   - :not(), :has() and :haschild() inside one another: at most
//     maxSelectorNesting deep (:has searches a whole subtree per element);
//   - the text: at most maxSelectorBytes.
//
// A table's selectors are short (Bitdeer's rows selector, the longest
// shipped, is 3 compound selectors with 2 descendant combinators, 61 bytes).
//
// The table walker checks the source's deadline between two elements a
// selector is tried on, never inside one try, so these caps bound the
// longest step nothing can interrupt. Measured (scrapers'
// BenchmarkSelectorStep) on the hostile suite's worst page, cells 506
// elements deep, with a selector whose left side never matches: one try
// took 0.34 ms with 2 descendant combinators, 0.12-0.16 s with 3 and
// 12.6-20.7 s with 4; among its 20,000 rows, 0.2 ms with one ~ combinator
// and 1.3 s with two (growing with the square of the rows). So at most 3
// and one ~: a step stays far inside any source deadline (the default is
// 7.5 minutes; an operator may set seconds).
const (
	maxSelectorBytes    = 256
	maxSelectorChain    = 8
	maxSelectorSearch   = 3
	maxSelectorSiblings = 1
	maxSelectorNesting  = 2
)

// checkSelectorLength refuses a selector longer than maxSelectorBytes; it
// runs before the selector is compiled.
func checkSelectorLength(sel string) error {
	if len(sel) > maxSelectorBytes {
		return fmt.Errorf("selector %s is %d bytes long; the limit is %d", quoteSelector(sel), len(sel), maxSelectorBytes)
	}
	return nil
}

// checkSelectorShape refuses a selector over the other limits. It reads a
// selector cascadia has compiled.
func checkSelectorShape(sel string) error {
	s := measureSelector(sel)
	switch {
	case s.search > maxSelectorSearch:
		return fmt.Errorf("selector %s has %d descendant (space) or ~ combinators in one chain; the limit is %d, as each one multiplies the work of a match", quoteSelector(sel), s.search, maxSelectorSearch)
	case s.siblings > maxSelectorSiblings:
		return fmt.Errorf("selector %s has %d ~ combinators in one chain; the limit is %d, as each one multiplies the work of a match by the number of siblings", quoteSelector(sel), s.siblings, maxSelectorSiblings)
	case s.chain > maxSelectorChain:
		return fmt.Errorf("selector %s chains %d compound selectors; the limit is %d", quoteSelector(sel), s.chain, maxSelectorChain)
	case s.nesting > maxSelectorNesting:
		return fmt.Errorf("selector %s nests :not/:has/:haschild %d deep; the limit is %d", quoteSelector(sel), s.nesting, maxSelectorNesting)
	}
	return nil
}

// quoteSelector quotes a selector for a message, cut short when long.
func quoteSelector(sel string) string {
	if r := []rune(sel); len(r) > 60 {
		return fmt.Sprintf("%q…", string(r[:60]))
	}
	return fmt.Sprintf("%q", sel)
}

// selectorShape is the costliest part of a selector: the longest chain of
// compound selectors, the most searching combinators in one chain, and
// the deepest nesting of selector arguments; siblings is the most ~
// combinators in one chain (counted in search too).
type selectorShape struct {
	chain, search, nesting, siblings int
}

// measureSelector reads a selector's structure as cascadia parses it
// (strings, escapes, attribute values, regular expressions and the
// arguments of :nth-child, :contains, :lang and :matches are skipped) and
// returns its shape. It never fails: on text cascadia would refuse it
// still ends, with some shape.
func measureSelector(s string) selectorShape {
	m := &selScanner{s: s}
	for m.i < len(m.s) {
		m.group(0)
		m.i++ // a stray ')' at the top: read on
	}
	return m.max
}

type selScanner struct {
	s   string
	i   int
	max selectorShape
}

func (m *selScanner) note(chain, search, siblings, nesting int) {
	m.max.chain = max(m.max.chain, chain)
	m.max.search = max(m.max.search, search)
	m.max.siblings = max(m.max.siblings, siblings)
	m.max.nesting = max(m.max.nesting, nesting)
}

// group reads selectors separated by commas, up to an unmatched ')' (left
// for the caller) or the end.
func (m *selScanner) group(depth int) {
	chain, search, siblings := 0, 0, 0
	space, combinator := false, true // at the start, as after a combinator
	for m.i < len(m.s) {
		switch c := m.s[m.i]; {
		case isSpace(c):
			space = true
			m.i++
		case strings.HasPrefix(m.s[m.i:], "/*"):
			end := strings.Index(m.s[m.i+2:], "*/")
			if end < 0 {
				m.i = len(m.s)
			} else {
				m.i += 2 + end + 2
			}
			space = true
		case c == ',':
			m.note(chain, search, siblings, depth)
			chain, search, siblings, space, combinator = 0, 0, 0, false, true
			m.i++
		case c == ')':
			m.note(chain, search, siblings, depth)
			return
		case c == '>' || c == '+' || c == '~':
			if c == '~' {
				search++
				siblings++
			}
			space, combinator = false, true
			m.i++
		default:
			if space && !combinator {
				search++ // a descendant combinator
			}
			chain++
			space, combinator = false, false
			m.compound(depth)
		}
	}
	m.note(chain, search, siblings, depth)
}

// compound reads one compound selector (tag, #id, .class, [attr],
// :pseudo...).
func (m *selScanner) compound(depth int) {
	for m.i < len(m.s) {
		switch c := m.s[m.i]; {
		case isSpace(c) || c == ',' || c == ')' || c == '>' || c == '+' || c == '~' || strings.HasPrefix(m.s[m.i:], "/*"):
			return
		case c == '\\':
			m.escape()
		case c == '"' || c == '\'':
			m.str()
		case c == '[':
			m.attribute()
		case c == ':':
			m.pseudo(depth)
		default:
			m.i++
		}
	}
}

// escape skips a backslash escape: up to six hex digits and one space, or
// one character.
func (m *selScanner) escape() {
	m.i++
	hex := 0
	for m.i < len(m.s) && hex < 6 && isHex(m.s[m.i]) {
		m.i++
		hex++
	}
	switch {
	case hex > 0 && m.i < len(m.s) && isSpace(m.s[m.i]):
		m.i++
	case hex == 0 && m.i < len(m.s):
		m.i++
	}
}

// str skips a quoted string.
func (m *selScanner) str() {
	q := m.s[m.i]
	m.i++
	for m.i < len(m.s) {
		switch m.s[m.i] {
		case '\\':
			m.i += 2
			continue
		case q:
			m.i++
			return
		}
		m.i++
	}
	m.i = len(m.s)
}

// attribute skips [name op value i], whose value may be a string or, for
// #=, a regular expression.
func (m *selScanner) attribute() {
	m.i++
	for m.i < len(m.s) {
		switch c := m.s[m.i]; {
		case c == ']':
			m.i++
			return
		case c == '\\':
			m.escape()
		case c == '"' || c == '\'':
			m.str()
		case strings.HasPrefix(m.s[m.i:], "#="):
			m.i += 2
			for m.i < len(m.s) && isSpace(m.s[m.i]) {
				m.i++
			}
			m.regex()
		default:
			m.i++
		}
	}
}

// regex skips a regular expression as cascadia delimits it: up to the
// first ')' or ']' that closes nothing opened inside it.
func (m *selScanner) regex() {
	open := 0
	for ; m.i < len(m.s); m.i++ {
		switch m.s[m.i] {
		case '(', '[':
			open++
		case ')', ']':
			if open--; open < 0 {
				return
			}
		}
	}
}

// pseudo reads :name or :name(argument); the arguments of :not, :has and
// :haschild are selectors, read one level deeper.
func (m *selScanner) pseudo(depth int) {
	m.i++
	if m.i < len(m.s) && m.s[m.i] == ':' {
		m.i++
	}
	start := m.i
	for m.i < len(m.s) && (isNameChar(m.s[m.i]) || m.s[m.i] == '\\') {
		if m.s[m.i] == '\\' {
			m.escape()
			continue
		}
		m.i++
	}
	name := strings.ToLower(m.s[start:m.i])
	if m.i >= len(m.s) || m.s[m.i] != '(' {
		return
	}
	m.i++
	switch {
	case name == "not" || name == "has" || name == "haschild" || strings.Contains(name, `\`):
		// an escaped name is read as a selector argument: the
		// costlier reading
		m.group(depth + 1)
	case name == "matches" || name == "matchesown":
		for m.i < len(m.s) && isSpace(m.s[m.i]) {
			m.i++
		}
		m.regex()
	default:
		for m.i < len(m.s) && m.s[m.i] != ')' {
			if c := m.s[m.i]; c == '"' || c == '\'' {
				m.str()
				continue
			}
			if m.s[m.i] == '\\' {
				m.escape()
				continue
			}
			m.i++
		}
	}
	if m.i < len(m.s) && m.s[m.i] == ')' {
		m.i++
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func isNameChar(c byte) bool {
	return c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}
