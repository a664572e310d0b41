package scrapers

import (
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// CleanText collapses runs of white space (including no-break spaces) into
// one space and trims the ends, as goquery's Text() does not. Other bytes,
// invalid UTF-8 included, are kept as they are. Text that is clean already
// is returned without a copy.
func CleanText(s string) string {
	if isClean(s) {
		return s
	}
	return string(appendClean(make([]byte, 0, len(s)), []byte(s)))
}

// appendClean appends b to dst cleaned as CleanText cleans it: a run of
// other characters at a time, the white space between two runs as one
// space.
func appendClean(dst, b []byte) []byte {
	start := len(dst)
	for i := 0; i < len(b); {
		j := textRun(b, i, false)
		if j > i {
			if len(dst) > start {
				dst = append(dst, ' ')
			}
			dst = append(dst, b[i:j]...)
		}
		i = textRun(b, j, true)
	}
	return dst
}

// textRun is the end of the run from i of white space (space true) or of
// other characters.
func textRun(b []byte, i int, space bool) int {
	for i < len(b) {
		r, size := rune(b[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[i:])
		}
		if isTextSpace(r) != space {
			return i
		}
		i += size
	}
	return i
}

// isTextSpace is the white space CleanText collapses.
func isTextSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == '\u00a0' || r == '\u202f' || r == '\u2009'
}

// isClean reports text CleanText would return as it is: no space but
// single ' ' between other characters.
func isClean(s string) bool {
	prevSpace := true // no leading space
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case isTextSpace(r):
			return false
		default:
			prevSpace = false
		}
		i += size
	}
	return !prevSpace || s == ""
}

// tagName reads a tag token's name from its raw bytes ("<div class=x>",
// "</P>", "<br/>"), lower-cased into buf, where the tokenizer's own
// TagName copies every name it returns (to replace NUL bytes, which no name
// TextLines knows contains). The name ends where the tokenizer ends it: at
// white space, '/' or '>'. FuzzTagName holds the two equal.
func tagName(raw, buf []byte) []byte {
	i := 1
	if len(raw) > 1 && raw[1] == '/' {
		i = 2
	}
	buf = buf[:0]
	for ; i < len(raw); i++ {
		c := raw[i]
		switch c {
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			return buf
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	return buf
}

// tagKind is what an element means to TextLines.
type tagKind uint8

const (
	inlineTag tagKind = iota // its text runs on in the line around it
	blockTag                 // its text reads as a line of its own
	skipTag                  // its text is not shown (script, style...)
	headTag                  // <head>: skipped until </head> or <body>
	bodyTag                  // <body>: ends the head; a block
)

// kindOf is what a lower-cased element name means to TextLines; the
// elements not named here are inline.
func kindOf(name []byte) tagKind {
	switch string(name) {
	case "head":
		return headTag
	case "body":
		return bodyTag
	case "script", "style", "noscript", "template", "svg":
		return skipTag
	case "address", "article", "aside", "blockquote", "button", "caption", "dd", "details",
		"div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
		"header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
		"tfoot", "th", "thead", "tr", "ul", "br":
		return blockTag
	}
	return inlineTag
}

// TextLines reads an HTML document as the lines a reader sees: the text of
// every block that holds no other block, in document order, white space
// cleaned, empty lines dropped. Parsers of pages without stable class names
// match these lines.
//
// It reads the token stream, not a tree: a block element's start or end
// ends a line, the text of script, style, head and the like is skipped.
// Building the HTML5 tree would cost twice as much and give the same lines
// for any page a browser shows as lines.
//
// The tokens are read by scanTextLines (textscan.go), which splits a page
// exactly as golang.org/x/net/html's tokenizer does but keeps nothing of a
// tag beyond its name — the tokenizer's work on attributes was most of
// what reading a model page cost. The few constructs the scanner leaves to
// the tokenizer (a script hiding "<!--", a self-closing head, body or
// skipped element with attributes) send the page through it instead;
// FuzzTextLinesScanner holds the two to the same lines.
func TextLines(body []byte) ([]string, error) {
	if lines, ok := scanTextLines(body); ok {
		return lines, nil
	}
	return tokenizeTextLines(body)
}

// tokenizeTextLines is TextLines read through x/net/html's tokenizer.
func tokenizeTextLines(body []byte) ([]string, error) {
	z := html.NewTokenizer(bytes.NewReader(body))
	var lb lineBuilder
	var name []byte // the current tag's name, lower-cased (see tagName)
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return nil, fmt.Errorf("parse html: %w", err)
			}
			return lb.finish(), nil
		case html.TextToken:
			if lb.shows() {
				lb.inline = append(lb.inline, z.Text()...)
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name = tagName(z.Raw(), name)
			lb.tag(tt, kindOf(name))
		}
	}
}

// lineBuilder makes TextLines' lines from a page's tokens in order: text,
// and tags by their kind.
type lineBuilder struct {
	lines  []string
	inline []byte // the line being read, as it is
	clean  []byte // the line cleaned (its buffer kept from line to line)
	skip   int    // depth inside skipped elements (script, style, svg...)
	inHead bool   // inside <head>, which ends at </head> or <body>
}

// shows reports whether text read now is shown (not in a skipped element
// or the head).
func (lb *lineBuilder) shows() bool { return lb.skip == 0 && !lb.inHead }

// flush ends the line being read.
func (lb *lineBuilder) flush() {
	if len(lb.inline) == 0 {
		return
	}
	lb.clean = appendClean(lb.clean[:0], lb.inline)
	if len(lb.clean) > 0 {
		lb.lines = append(lb.lines, string(lb.clean))
	}
	lb.inline = lb.inline[:0]
}

// tag reads a start, end or self-closing tag of kind k.
func (lb *lineBuilder) tag(tt html.TokenType, k tagKind) {
	switch tt {
	case html.StartTagToken:
		switch k {
		case headTag:
			lb.inHead = true
		case bodyTag:
			lb.inHead = false
		case skipTag:
			lb.skip++
		case blockTag:
			lb.flush()
		}
	case html.EndTagToken:
		switch k {
		case headTag:
			lb.inHead = false
		case skipTag:
			if lb.skip > 0 {
				lb.skip--
			}
		case blockTag, bodyTag:
			lb.flush()
		}
	case html.SelfClosingTagToken:
		if k == blockTag || k == bodyTag {
			lb.flush()
		}
	}
}

// finish ends the last line and returns the lines.
func (lb *lineBuilder) finish() []string {
	lb.flush()
	return lb.lines
}

// Document parses an HTML body for goquery.
func Document(body []byte) (*goquery.Document, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", err)
	}
	return doc, nil
}
