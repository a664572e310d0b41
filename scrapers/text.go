package scrapers

import (
	"bytes"
	"fmt"
	"io"
	"strings"
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
	var b strings.Builder
	b.Grow(len(s))
	gap := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if isTextSpace(r) {
			gap = b.Len() > 0
		} else {
			if gap {
				b.WriteByte(' ')
				gap = false
			}
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
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

// tagKinds gives the elements that are not inline; one lookup a tag.
var tagKinds = func() map[string]tagKind {
	m := map[string]tagKind{"head": headTag, "body": bodyTag}
	for _, t := range []string{"address", "article", "aside", "blockquote", "button", "caption", "dd", "details",
		"div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
		"header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td",
		"tfoot", "th", "thead", "tr", "ul", "br"} {
		m[t] = blockTag
	}
	for _, t := range []string{"script", "style", "noscript", "template", "svg"} {
		m[t] = skipTag
	}
	return m
}()

// TextLines reads an HTML document as the lines a reader sees: the text of
// every block that holds no other block, in document order, white space
// cleaned, empty lines dropped. Parsers of pages without stable class names
// match these lines.
//
// It reads the token stream, not a tree: a block element's start or end
// ends a line, the text of script, style, head and the like is skipped.
// Building the HTML5 tree would cost twice as much and give the same lines
// for any page a browser shows as lines.
func TextLines(body []byte) ([]string, error) {
	z := html.NewTokenizer(bytes.NewReader(body))
	var lines []string
	var inline strings.Builder
	flush := func() {
		if inline.Len() == 0 {
			return
		}
		if t := CleanText(inline.String()); t != "" {
			lines = append(lines, t)
		}
		inline.Reset()
	}
	skip := 0       // depth inside skipped elements (script, style, svg...)
	inHead := false // inside <head>, which ends at </head> or <body>
	var name []byte // the current tag's name, lower-cased (see tagName)
	for {
		switch z.Next() {
		case html.ErrorToken:
			if err := z.Err(); err != io.EOF {
				return nil, fmt.Errorf("parse html: %w", err)
			}
			flush()
			return lines, nil
		case html.TextToken:
			if skip == 0 && !inHead {
				inline.Write(z.Text())
			}
		case html.StartTagToken:
			name = tagName(z.Raw(), name)
			switch tagKinds[string(name)] {
			case headTag:
				inHead = true
			case bodyTag:
				inHead = false
			case skipTag:
				skip++
			case blockTag:
				flush()
			}
		case html.EndTagToken:
			name = tagName(z.Raw(), name)
			switch tagKinds[string(name)] {
			case headTag:
				inHead = false
			case skipTag:
				if skip > 0 {
					skip--
				}
			case blockTag, bodyTag:
				flush()
			}
		case html.SelfClosingTagToken:
			name = tagName(z.Raw(), name)
			if k := tagKinds[string(name)]; k == blockTag || k == bodyTag {
				flush()
			}
		}
	}
}

// Document parses an HTML body for goquery.
func Document(body []byte) (*goquery.Document, error) {
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("parse html: %w", err)
	}
	return doc, nil
}
