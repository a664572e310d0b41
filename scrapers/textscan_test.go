package scrapers

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// textScanCases are pages whose tokens are easy to get wrong: each is read
// by the scanner and by the tokenizer, and both must give want.
var textScanCases = []struct {
	name, page string
	want       []string
}{
	{"blocks and inline", `<div><span>400,000</span> context&nbsp;window</div><ul><li>A</li><li> B  C </li></ul>`, []string{"400,000 context window", "A", "B C"}},
	{"quoted gt in an attribute", `<p title="a>b" data-x='c>d'>one</p><p>two</p>`, []string{"one", "two"}},
	{"unquoted value ends at gt", `<p class=x>one</p><p a=b/>two`, []string{"one", "two"}},
	{"leading equals in a name", `<p ='x>'>one</p>`, []string{"'>one"}},
	{"slash among attributes", `<p a / b=c>one</p>`, []string{"one"}},
	{"comments", `<p>a<!-- </p><p> -->b</p><p>c<!-->d</p><p>e<!--->f</p><p>g<!-- x --!>h</p><p>i<!-- --!- -->j</p>`, []string{"ab", "cd", "ef", "gh", "ij"}},
	{"unterminated comment", `<p>a</p><!-- <p>b</p>`, []string{"a"}},
	{"doctype and bogus comments", `<!DOCTYPE html><?xml x?><!x><p>a</p></ p>b<p>c</>d</p>`, []string{"a", "b", "cd"}},
	{"stray lt is text", `<p>1 < 2 <3 <= 4 <</p><p>x<`, []string{"1 < 2 <3 <= 4 <", "x<"}},
	{"end tag open at the end", `<p>a</`, []string{"a</"}},
	{"script and style skipped", `<p>a<script>if (a < b && c </p>) x("</scriptx>")</script>b</p><style>p>x{}</style><p>c</p>`, []string{"ab", "c"}},
	{"raw text ends in any case", `<p>a<SCRIPT>x</ScRiPt >b</p>`, []string{"ab"}},
	{"title in head, textarea shown", `<html><head><title>T &amp; x</title></head><body><p>a</p><textarea>1 &lt; 2 <b>3</b></textarea></body>`, []string{"a", "1 < 2 <b>3</b>"}},
	{"xmp and iframe are raw", `<div><xmp><p>x &amp;</p></xmp></div><div><iframe><p>y</p></iframe></div>`, []string{"<p>x &amp;</p>", "<p>y</p>"}},
	{"plaintext runs to the end", `<p>a</p><plaintext></p><p>b`, []string{"a", "</p><p>b"}},
	{"self-closing svg with no attribute", `<p>a<svg/>b</p>`, []string{"ab"}},
	{"self-closing br ends a line", `<p>a<br/>b<br />c</p>`, []string{"a", "b", "c"}},
	{"cut inside a tag", `<p>a</p><p class="x`, []string{"a"}},
	{"cut inside an end tag", `<p>a</p b`, []string{"a"}},
	{"NUL in text and raw text", "<p>a\x00b</p><div><xmp>c\x00d</xmp></div>", []string{"a\x00b", "c\ufffdd"}},
	{"entities split by a tag", `<p>&am<b></b>p; &lt;x&gt;</p>`, []string{"&amp; <x>"}},
}

func TestScanTextLines(t *testing.T) {
	for _, tc := range textScanCases {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := scanTextLines([]byte(tc.page))
			if !ok {
				t.Fatalf("the scanner left %q to the tokenizer", tc.page)
			}
			want, err := tokenizeTextLines([]byte(tc.page))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("scanner %q, tokenizer %q", got, want)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("lines %q, want %q", got, tc.want)
			}
		})
	}
}

// TestTextLinesLeavesToTokenizer: the constructs the scanner does not
// decide go to the tokenizer, and TextLines still reads them.
func TestTextLinesLeavesToTokenizer(t *testing.T) {
	for _, page := range []string{
		`<p>a<script><!-- <script> </script> --></script>b</p><p>c</p>`, // a script hiding its end tag
		`<p>a</p><svg class="icon"/><p>b</p>`,                           // closes itself, with an attribute
		`<head a=1/><p>x</p></head><body><p>y</p>`,
	} {
		if _, ok := scanTextLines([]byte(page)); ok {
			t.Errorf("the scanner read %q itself", page)
		}
		got, err := TextLines([]byte(page))
		want, _ := tokenizeTextLines([]byte(page))
		if err != nil || !slices.Equal(got, want) || len(got) == 0 {
			t.Errorf("TextLines(%q) = %q, %v; the tokenizer reads %q", page, got, err, want)
		}
	}
}

// textPages are the HTML pages of the fixture days and, when present, the
// real pages under ../shared/realdata.
func textPages(t testing.TB) map[string][]byte {
	pages := map[string][]byte{}
	for _, glob := range []string{"../fixtures/days/*/*/*/*/*/*.html", "../fixtures/days/*/*/*/*/*.html", "../fixtures/days/*/*/*/*.html",
		"../fixtures/days/*/*/*.html", "../../shared/realdata/*.html", "../../shared/realdata/*/*.html"} {
		files, _ := filepath.Glob(glob)
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			pages[f] = b
		}
	}
	if len(pages) == 0 {
		t.Fatal("no HTML fixture found")
	}
	return pages
}

// TestScanTextLinesPages: on every HTML page we hold, the scanner reads
// the page itself and gives the tokenizer's lines.
func TestScanTextLinesPages(t *testing.T) {
	for name, b := range textPages(t) {
		got, ok := scanTextLines(b)
		want, err := tokenizeTextLines(b)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			t.Errorf("%s: left to the tokenizer", name)
			continue
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: the scanner's %d lines differ from the tokenizer's %d", name, len(got), len(want))
		}
		if len(got) < 5 {
			t.Errorf("%s: only %d lines", name, len(got))
		}
	}
}

// FuzzTextLinesScanner: for any bytes, the scanner gives the tokenizer's
// lines, or leaves the page to it.
func FuzzTextLinesScanner(f *testing.F) {
	for _, tc := range textScanCases {
		f.Add([]byte(tc.page))
	}
	for _, s := range []string{"<a b='c", "<a b=", "<a b", "<!-", "<!--", "<!-- -", "<!DOC", "<!doctype x", "<?x", "</a", "</1>", "<script>", "<script></scrip", "<title>a</title", "<a/", "<a =", "<a ==b>", "<br a=/>", "<br a=x/>", "<svg/><p>x", "<plaintext>"} {
		f.Add([]byte(s))
	}
	f.Add([]byte(strings.Repeat("<div class=\"c\"><span data-x='1'>a &amp; b</span></div>", 3)))
	f.Fuzz(func(t *testing.T, body []byte) {
		got, ok := scanTextLines(body)
		if !ok {
			return
		}
		want, err := tokenizeTextLines(body)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("page %q: scanner %q, tokenizer %q", body, got, want)
		}
	})
}

func BenchmarkTextLines(b *testing.B) {
	page := fixtureBody(b, "2026-04-23", "developers.openai.com/api/docs/models/gpt-5.3-codex.html")
	for _, v := range []struct {
		name string
		read func([]byte) ([]string, error)
	}{{"scanner", TextLines}, {"tokenizer", tokenizeTextLines}} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(page)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.read(page); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestScanTextLinesRandom compares the scanner with the tokenizer on
// pages made at random from the pieces tokens are made of (a fixed seed:
// the same pages every run).
func TestScanTextLinesRandom(t *testing.T) {
	pieces := []string{"<", ">", "/", "!", "?", "-", "--", "=", "'", "\"", " ", "\n", "\x00", "&amp;", "&lt", "&#", "x", "P",
		"<p", "</p", "<div", "</div", "<br", "<svg", "</svg", "<script", "</script", "</SCRIPT", "<style", "</style", "<head", "</head", "<body",
		"<title", "</title", "<textarea", "</textarea", "<xmp", "</xmp", "<plaintext", "<iframe", "</iframe", "<noscript", "</noscript",
		"<!--", "-->", "--!>", "<!-", "<!", "<!DOCTYPE", "<?", "</", "</>", " a=b", " a='>'", ` b=">"`, " =", "/>", " c"}
	rnd := rand.New(rand.NewPCG(1, 2))
	runs := 200000
	if testing.Short() {
		runs = 20000
	}
	var page strings.Builder
	left := 0
	for range runs {
		page.Reset()
		for range 1 + rnd.IntN(24) {
			page.WriteString(pieces[rnd.IntN(len(pieces))])
		}
		body := []byte(page.String())
		got, ok := scanTextLines(body)
		if !ok {
			left++
			continue
		}
		want, err := tokenizeTextLines(body)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("page %q: scanner %q, tokenizer %q", body, got, want)
		}
	}
	t.Logf("%d of %d pages left to the tokenizer", left, runs)
}
