package scrapers

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/net/html"
)

// CleanText collapses runs of white space (including no-break spaces) into
// one space and trims the ends, as goquery's Text() does not.
func CleanText(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == '\u00a0' || r == '\u202f' || r == '\u2009'
	}), " ")
}

// blockTags are the elements whose text reads as a line of its own.
var blockTags = map[string]bool{
	"address": true, "article": true, "aside": true, "blockquote": true, "body": true, "button": true,
	"caption": true, "dd": true, "details": true, "div": true, "dl": true, "dt": true, "fieldset": true,
	"figcaption": true, "figure": true, "footer": true, "form": true, "h1": true, "h2": true, "h3": true,
	"h4": true, "h5": true, "h6": true, "header": true, "hr": true, "li": true, "main": true, "nav": true,
	"ol": true, "p": true, "pre": true, "section": true, "summary": true, "table": true, "tbody": true,
	"td": true, "tfoot": true, "th": true, "thead": true, "tr": true, "ul": true, "br": true,
}

var skipTags = map[string]bool{"script": true, "style": true, "noscript": true, "template": true, "svg": true, "head": true}

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
			name, _ := z.TagName()
			tag := string(name)
			switch {
			case tag == "head":
				inHead = true
			case tag == "body":
				inHead = false
			case skipTags[tag]:
				skip++
			case blockTags[tag]:
				flush()
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			switch {
			case tag == "head":
				inHead = false
			case skipTags[tag]:
				if skip > 0 {
					skip--
				}
			case blockTags[tag]:
				flush()
			}
		case html.SelfClosingTagToken:
			name, _ := z.TagName()
			if blockTags[string(name)] {
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
