package scrapers

import (
	"bytes"
	"fmt"
	"mime"
	"strings"

	"github.com/llmref/llmref/internal/clip"
	"github.com/llmref/llmref/internal/textsafe"
)

// utf8BOM is the byte order mark some servers put before UTF-8 text
// (.NET and IIS APIs, files saved by Windows editors, spreadsheets'
// exports).
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// forParsing is the body a parser reads: the body as received, less a
// leading UTF-8 byte order mark. encoding/json refuses one ("invalid
// character 'ï' looking for beginning of value"), which failed a whole
// source over three bytes that RFC 8259 lets a reader ignore, and
// x/net/html reads it as text before the doctype. The stored raw body
// keeps it: it is what the server sent.
func forParsing(body []byte) []byte {
	return bytes.TrimPrefix(body, utf8BOM)
}

// blank reports a body with nothing in it but white space (and a byte
// order mark): a CDN's or a proxy's 200 with nothing behind it.
func blank(body []byte) bool { return len(bytes.TrimSpace(forParsing(body))) == 0 }

// htmlSniffMax is how much of a body notAsExpected looks through for an
// HTML page's title.
const htmlSniffMax = 64 << 10

// notAsExpected says, for a page its parser refused, what the body was
// when it is recognisably an HTML page, as a challenge, a login wall or an
// error page served in place of an API's JSON or a pricing page is:
// `a text/html page titled "Just a moment..."`. "" when the body is not
// an HTML page. Only a failed page is looked at.
func notAsExpected(r Response) string { return htmlPage(r, false) }

// titledPage is notAsExpected for an error status: only an HTML page with
// a title is worth naming (a challenge's "Just a moment...", a login
// wall's), not every server's untitled error page.
func titledPage(r Response) string { return htmlPage(r, true) }

// htmlPage describes r's body when it is an HTML page (with a title, when
// titled is set); "" otherwise.
func htmlPage(r Response, titled bool) string {
	if blank(r.Body) {
		return ""
	}
	head := forParsing(r.Body)
	head = head[:min(len(head), htmlSniffMax)]
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	isHTML := mediaType == "text/html" || mediaType == "application/xhtml+xml"
	if !isHTML {
		trimmed := bytes.TrimLeft(head, " \t\r\n")
		start := asciiLower(trimmed[:min(len(trimmed), len("<!doctype html"))])
		if !bytes.HasPrefix(start, []byte("<!doctype html")) && !bytes.HasPrefix(start, []byte("<html")) {
			return ""
		}
	}
	title := htmlTitle(head)
	if titled && title == "" {
		return ""
	}
	what := "an HTML page"
	if isHTML {
		what = "a " + mediaType + " page"
	}
	if title != "" {
		what += fmt.Sprintf(" titled %q", textsafe.Line(clip.String(title)))
	}
	return what
}

// asciiLower is b with its ASCII letters in lower case and every other
// byte as it is, so that an offset in it is the same offset in b
// (bytes.ToLower turns an invalid byte into a 3-byte U+FFFD, and a title
// after one was cut at the wrong place).
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// htmlTitle is the text of the first <title> element in head, its white
// space collapsed; "" when there is none.
func htmlTitle(head []byte) string {
	lower := asciiLower(head) // offsets in it are offsets in head
	i := bytes.Index(lower, []byte("<title"))
	if i < 0 {
		return ""
	}
	open := bytes.IndexByte(lower[i:], '>')
	if open < 0 {
		return ""
	}
	start := i + open + 1
	end := bytes.Index(lower[start:], []byte("</title"))
	if end < 0 {
		return ""
	}
	return strings.Join(strings.Fields(string(head[start:start+end])), " ")
}
