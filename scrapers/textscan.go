package scrapers

import (
	"bytes"

	"golang.org/x/net/html"
)

// scanTextLines is TextLines over a scanner that splits the page into the
// tokens golang.org/x/net/html's tokenizer gives — text, tags, comments,
// doctypes, raw text — byte for byte as it does, and reads of each tag
// only its name (and, for a tag that may close itself, whether it has an
// attribute). ok is false for the constructs it leaves to the tokenizer
// (see TextLines); the page is then read again by tokenizeTextLines.
//
// Each step below follows the tokenizer's function of the same job
// (Tokenizer.Next, readTag, readComment, readMarkupDeclaration,
// readRawOrRCDATA); FuzzTextLinesScanner compares the two on any bytes.
func scanTextLines(b []byte) (lines []string, ok bool) {
	// A line for every ~70-140 bytes of page (the recorded OpenAI page:
	// 87 lines in 6.3 KB; the benchmark site's: 239 in 33 KB): sized
	// once, not grown from nothing.
	lb := lineBuilder{lines: make([]string, 0, min(16+len(b)/128, 1<<12))}
	var name []byte // the current tag's name, lower-cased
	n := len(b)
	i := 0
	rawTag := "" // the element whose raw text comes next ("script", "title"...)
	for {
		if rawTag != "" {
			end, ok := rawTextEnd(b, i, rawTag)
			if !ok {
				return nil, false
			}
			if end > i && lb.shows() {
				lb.inline = append(lb.inline, rawText(b[i:end], rawTag)...)
			}
			i, rawTag = end, ""
		}
		p := tokenStart(b, i)
		if p < 0 { // text to the end
			lb.text(b[i:])
			return lb.finish(), true
		}
		lb.text(b[i:p])
		switch c := b[p+1]; {
		case isASCIILetter(c): // a start tag
			t, ok := scanTag(b, p+1)
			if !ok { // cut off by the end of the page, which ends there
				return lb.finish(), true
			}
			name = tagName(b[p:t.end], name)
			rawTag = rawTextTag(name)
			k := kindOf(name)
			tt := html.StartTagToken
			if b[t.end-2] == '/' {
				if t.keyed && (k == headTag || k == bodyTag || k == skipTag) {
					// Whether it closes itself turns on which of its
					// attributes the tokenizer keeps: leave it to it.
					return nil, false
				}
				if !t.keyed {
					tt = html.SelfClosingTagToken
				}
			}
			lb.tag(tt, k)
			i = t.end
		case c == '/':
			switch {
			case p+2 >= n: // "</" at the end is text
				lb.text(b[p:])
				return lb.finish(), true
			case b[p+2] == '>': // "</>" is nothing
				i = p + 3
			case isASCIILetter(b[p+2]):
				t, ok := scanTag(b, p+2)
				if !ok {
					return lb.finish(), true
				}
				name = tagName(b[p:t.end], name)
				lb.tag(html.EndTagToken, kindOf(name))
				i = t.end
			default: // a bogus comment
				i = closeAngle(b, p+2)
			}
		case c == '!':
			i = markupEnd(b, p+2)
		default: // '?': a bogus comment
			i = closeAngle(b, p+1)
		}
	}
}

// text reads a run of text between tokens: unescaped, as the tokenizer's
// Text gives it (its newline conversion is left out: CleanText makes the
// same line either way).
func (lb *lineBuilder) text(t []byte) {
	if len(t) == 0 || !lb.shows() {
		return
	}
	if bytes.IndexByte(t, '&') < 0 {
		lb.inline = append(lb.inline, t...)
		return
	}
	lb.inline = append(lb.inline, html.UnescapeString(string(t))...)
}

// rawText is an element's raw text as the tokenizer's Text gives it: NUL
// bytes replaced, and a title's or textarea's character references
// unescaped.
func rawText(t []byte, rawTag string) []byte {
	if bytes.IndexByte(t, 0) >= 0 {
		t = bytes.ReplaceAll(t, []byte{0}, []byte("\ufffd"))
	}
	if rawTag == "title" || rawTag == "textarea" {
		return []byte(html.UnescapeString(string(t)))
	}
	return t
}

// tokenStart is the index of the next '<' at or after i that starts a
// token (a letter, '/', '!' or '?' follows it), or -1: any other '<' is
// text, as is one that ends the page.
func tokenStart(b []byte, i int) int {
	for {
		k := bytes.IndexByte(b[i:], '<')
		if k < 0 {
			return -1
		}
		p := i + k
		if p+1 >= len(b) {
			return -1
		}
		if c := b[p+1]; isASCIILetter(c) || c == '/' || c == '!' || c == '?' {
			return p
		}
		i = p + 1
	}
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isTagSpace(c byte) bool { return tagByte[c]&tagSpace != 0 }

// tagByte classes the bytes a tag's name and attributes end at.
var tagByte = func() (t [256]uint8) {
	for _, c := range []byte(" \n\r\t\f") {
		t[c] |= tagSpace | nameEnd
	}
	t['/'] |= nameEnd
	t['>'] |= nameEnd
	return t
}()

const (
	tagSpace = 1 << iota // white space between a tag's parts
	nameEnd              // ends a tag's name: white space, '/' or '>'
)

// scannedTag is the index just past a tag's '>', and whether the tag has
// an attribute with a name (one the tokenizer keeps).
type scannedTag struct {
	end   int
	keyed bool
}

// scanTag reads a tag whose name starts at i, as the tokenizer's readTag
// does: the name, then attribute names and values (quoted values may hold
// '>'), up to the '>' that ends it. ok is false when the page ends first.
func scanTag(b []byte, i int) (t scannedTag, ok bool) {
	n := len(b)
	// The name: up to white space (read), '/' or '>' (not read).
	p := i
	for ; p < n; p++ {
		c := b[p]
		if tagByte[c]&nameEnd == 0 {
			continue
		}
		if isTagSpace(c) {
			p++
		}
		break
	}
	if p >= n {
		return t, false
	}
	p = skipTagSpace(b, p)
	for {
		if p >= n {
			return t, false
		}
		if b[p] == '>' {
			t.end = p + 1
			return t, true
		}
		// An attribute's name: a leading '=' is part of it; it ends
		// before white space, '/', '>' or '='.
		k := p
		for ; p < n; p++ {
			c := b[p]
			if c == '=' && p == k {
				continue
			}
			if tagByte[c]&nameEnd != 0 || c == '=' {
				break
			}
		}
		if p > k {
			t.keyed = true
		}
		p = scanAttrValue(b, p)
		p = skipTagSpace(b, p)
	}
}

// scanAttrValue reads what follows an attribute's name from p, as the
// tokenizer's readTagAttrVal does: a '/' is read and ends it; "=" and a
// value (quoted, or up to white space or '>') is read; anything else is
// left. It returns where reading stopped (n when the page ended).
func scanAttrValue(b []byte, p int) int {
	n := len(b)
	p = skipTagSpace(b, p)
	if p >= n {
		return n
	}
	switch b[p] {
	case '/':
		return p + 1
	case '=':
	default:
		return p
	}
	p = skipTagSpace(b, p+1)
	if p >= n {
		return n
	}
	switch q := b[p]; q {
	case '>':
		return p
	case '\'', '"':
		k := bytes.IndexByte(b[p+1:], q)
		if k < 0 {
			return n
		}
		return p + 1 + k + 1
	default:
		for p++; p < n; p++ {
			if isTagSpace(b[p]) {
				return p + 1
			}
			if b[p] == '>' {
				return p
			}
		}
		return n
	}
}

// skipTagSpace is the index of the first byte from p that is not white
// space.
func skipTagSpace(b []byte, p int) int {
	for p < len(b) && isTagSpace(b[p]) {
		p++
	}
	return p
}

// closeAngle is the index just past the first '>' from p, or the page's
// end: how far a bogus comment or a doctype reaches.
func closeAngle(b []byte, p int) int {
	if k := bytes.IndexByte(b[p:], '>'); k >= 0 {
		return p + k + 1
	}
	return len(b)
}

// markupEnd is where a token that starts with "<!" ends, p being just past
// the "!": a comment ("<!--"), or a doctype or bogus comment, which end at
// the first '>'.
func markupEnd(b []byte, p int) int {
	if p+2 > len(b) {
		return len(b)
	}
	if b[p] == '-' && b[p+1] == '-' {
		return commentEnd(b, p+2)
	}
	return closeAngle(b, p)
}

// commentEnd is where a comment ends, p being just past its "<!--", as the
// tokenizer's readComment reads it: at "-->", "--!>", or a '>' before any
// other byte but dashes ("<!-->", "<!--->").
func commentEnd(b []byte, p int) int {
	n := len(b)
	dashes := 0
	beginning := true
	for p < n {
		c := b[p]
		p++
		switch c {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return p
			}
		case '!':
			if dashes >= 2 {
				if p >= n {
					return n
				}
				c = b[p]
				p++
				if c == '>' {
					return p
				}
				if c == '-' {
					dashes = 1
					beginning = false
					continue
				}
			}
		}
		dashes = 0
		beginning = false
	}
	return n
}

// rawTextTag is the raw text element a lower-cased tag name names, or "":
// the elements whose content the tokenizer reads as raw text, up to their
// end tag (plaintext: to the page's end).
func rawTextTag(name []byte) string {
	switch string(name) {
	case "iframe":
		return "iframe"
	case "noembed":
		return "noembed"
	case "noframes":
		return "noframes"
	case "noscript":
		return "noscript"
	case "plaintext":
		return "plaintext"
	case "script":
		return "script"
	case "style":
		return "style"
	case "textarea":
		return "textarea"
	case "title":
		return "title"
	case "xmp":
		return "xmp"
	}
	return ""
}

// rawTextEnd is where the raw text of rawTag starting at i ends: at its end
// tag ("</script" and white space, '/' or '>', in any case), else at the
// page's end. ok is false for a script that holds "<!--" before it: the
// tokenizer's escaped script states then decide, and it is left to them.
func rawTextEnd(b []byte, i int, rawTag string) (end int, ok bool) {
	n := len(b)
	end = n
	if rawTag != "plaintext" {
		for p := i; ; {
			k := bytes.Index(b[p:], []byte("</"))
			if k < 0 {
				break
			}
			p += k
			if endTagAt(b, p+2, rawTag) {
				end = p
				break
			}
			p += 2
		}
	}
	if rawTag == "script" && bytes.Contains(b[i:end], []byte("<!--")) {
		return 0, false
	}
	return end, true
}

// endTagAt reports whether b holds, from p, the name rawTag in any case
// followed by white space, '/' or '>'.
func endTagAt(b []byte, p int, rawTag string) bool {
	if p+len(rawTag) >= len(b) {
		return false
	}
	for j := 0; j < len(rawTag); j++ {
		if c := b[p+j]; c != rawTag[j] && c != rawTag[j]-('a'-'A') {
			return false
		}
	}
	c := b[p+len(rawTag)]
	return tagByte[c]&nameEnd != 0
}
