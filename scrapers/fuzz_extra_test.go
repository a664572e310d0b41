package scrapers

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// FuzzRetryAfter: a server's Retry-After header is outside text; reading it
// never panics and never yields a negative wait.
func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "1", "120", "-1", "", " 3 ", "Wed, 21 Oct 2015 07:28:00 GMT", "Mon, 02 Jan 2006 15:04:05 GMT", "99999999999999999999", "1.5"} {
		f.Add(s)
	}
	now := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := retryAfter(v, now)
		if !ok && d != 0 {
			t.Errorf("retryAfter(%q) = %v, false: a refused header must give no wait", v, d)
		}
		if d < 0 {
			t.Errorf("retryAfter(%q) = %v: negative wait", v, d)
		}
	})
}

// FuzzTextLines: every HTML parser reads pages through TextLines; any bytes
// give lines that are clean, non-empty UTF-8 text.
func FuzzTextLines(f *testing.F) {
	f.Add([]byte("<html><body><p>400,000 context window</p><div>Input<span>$1.75</span></div></body></html>"))
	f.Add([]byte("<table><tr><td>a\u00a0b</td></tr></table><script>x()</script>"))
	f.Add([]byte("\xff\xfe<p>\x00</p>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		lines, err := TextLines(body)
		if err != nil {
			return
		}
		for _, l := range lines {
			if l == "" || l != CleanText(l) {
				t.Errorf("line %q is not clean", l)
			}
			if utf8.ValidString(string(body)) && !utf8.ValidString(l) {
				t.Errorf("line %q of a UTF-8 page is not UTF-8", l)
			}
		}
	})
}

// FuzzLoadManifest: `--replay DIR` reads a fixture day an operator gives;
// a bad manifest is an error, never a panic, and a loaded one holds only
// valid responses.
func FuzzLoadManifest(f *testing.F) {
	f.Add(`{"day":"d","recorded_at":"2026-04-23T02:00:00Z","responses":[{"url":"https://x.example/a","status":200,"body":"a.json"}]}`, `{"responses":[]}`)
	f.Add(`{"day":"d","responses":[{"url":"https://x.example/a","status":200,"body":"../a.json"}]}`, `{"responses":[{"url":"https://x.example/a","status":404}]}`)
	f.Add(`{"responses":[{"url":"","status":99}]}`, `not json`)
	f.Fuzz(func(t *testing.T, manifest, fragment string) {
		fsys := fstest.MapFS{
			ManifestFile:                    {Data: []byte(manifest)},
			ManifestDir + "/fragment.json":  {Data: []byte(fragment)},
			"a.json":                        {Data: []byte(`{"data":[]}`)},
			"host.example/page.html":        {Data: []byte("<p>x</p>")},
			ManifestDir + "/not-a-manifest": {Data: []byte("ignored")},
		}
		m, err := LoadManifest(fsys)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range m.Responses {
			if r.URL == "" || r.Status < 100 || r.Status > 599 || seen[r.URL] || strings.Contains(r.Body, "..") {
				t.Errorf("loaded a bad response %+v", r)
			}
			seen[r.URL] = true
		}
	})
}

// cleanTextFields is CleanText as it was first written, by fields: the
// reference the one-pass CleanText is held to.
func cleanTextFields(s string) string {
	return strings.Join(strings.FieldsFunc(s, isTextSpace), " ")
}

// FuzzCleanText: the one-pass CleanText gives exactly what splitting into
// fields and joining them gives, for any bytes.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", " ", "a", " a ", "a  b", "a\u00a0b", "\t$1.75\n/ 1M\u202ftokens ", "\xff \xfe", "x\u2009\u2009y", "already clean"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := CleanText(s), cleanTextFields(s); got != want {
			t.Fatalf("CleanText(%q) = %q, want %q", s, got, want)
		}
	})
}

// FuzzTagName: the tag names TextLines reads from raw tokens are the
// tokenizer's own (with a NUL where the tokenizer puts U+FFFD).
func FuzzTagName(f *testing.F) {
	for _, s := range []string{"<div class=x><P>a</P><br/><BR />", "</ div>", "<a\x00b>", "<script>x</SCRIPT >", "<x/y>", "<img\tsrc=a>", "<di"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		z := html.NewTokenizer(bytes.NewReader(body))
		var buf []byte
		for {
			tt := z.Next()
			if tt == html.ErrorToken {
				return
			}
			if tt != html.StartTagToken && tt != html.EndTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			buf = tagName(z.Raw(), buf)
			got := bytes.ReplaceAll(buf, []byte{0}, []byte("\ufffd"))
			want, _ := z.TagName()
			if !bytes.Equal(got, want) {
				t.Fatalf("tag %q: read %q, the tokenizer says %q", z.Raw(), got, want)
			}
		}
	})
}
