package scrapers

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"unicode/utf8"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/fixtures"
)

// openRouterList is the bundled day's OpenRouter models list (see
// internal/fixturetest.SlipPath).
const openRouterList = "openrouter.ai/api/v1/models.json"

// TestCrawlReadsABodyWithAByteOrderMark: OpenRouter's list served with a
// UTF-8 byte order mark before the JSON is read as without one (it failed
// the source: "invalid character 'ï' looking for beginning of value"), and
// the raw body kept is the one the server sent, mark included.
func TestCrawlReadsABodyWithAByteOrderMark(t *testing.T) {
	plain := crawlDay(t, "2026-04-23", nil, []Source{&OpenRouter{}})
	dir := t.TempDir()
	if err := fixtures.CopyDay("2026-04-23", dir, func(p string, b []byte) ([]byte, error) {
		if p == openRouterList {
			return append([]byte("\xEF\xBB\xBF"), b...), nil
		}
		return b, nil
	}); err != nil {
		t.Fatal(err)
	}
	rt, err := NewReplay(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions()
	o.Transport = rt
	o.MaxBodyBytes = 1 << 20
	var kept [][]byte
	o.KeepBody = func(_ string, body []byte) { kept = append(kept, bytes.Clone(body)) }
	out, err := Crawl(context.Background(), o, []Source{&OpenRouter{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, want := statsOf(out, "openrouter"), statsOf(plain, "openrouter")
	if s.Status != catalog.SourceOK || s.Observations != want.Observations || want.Observations == 0 {
		t.Errorf("with a byte order mark: %s, %d observations %v; want ok and the %d read without one", s.Status, s.Observations, s.Errors, want.Observations)
	}
	if len(kept) != 1 || !bytes.HasPrefix(kept[0], []byte("\xEF\xBB\xBF{")) {
		t.Errorf("raw bodies kept: %d; want the one sent, byte order mark first", len(kept))
	}
}

// TestCrawlNamesTheHTMLPageItGot: a challenge page served in place of an
// API's JSON, with a 200 or a 403, fails the page naming what came; an
// empty 200 says it was empty; an error status with nothing in it says
// no more than its status.
func TestCrawlNamesTheHTMLPageItGot(t *testing.T) {
	challenge := "<!DOCTYPE html><html><head><title>Just a\n  moment...</title></head><body>Checking your browser</body></html>"
	for _, tt := range []struct {
		status     int
		body, want string
	}{
		{200, challenge, `parse models page: parse openrouter models: invalid character '<' looking for beginning of value (the body: a text/html page titled "Just a moment...")`},
		{403, challenge, `HTTP 403 Forbidden (the body: a text/html page titled "Just a moment...")`},
		{200, " \n", `parse models page: parse openrouter models: unexpected end of JSON input (the body was empty)`},
		{404, "", `HTTP 404 Not Found`},
	} {
		day := fstest.MapFS{
			"manifest.json": {Data: []byte(`{"day":"t","recorded_at":"2026-04-23T02:00:00Z","responses":[
			{"url":"https://openrouter.ai/api/v1/models","status":` + strconv.Itoa(tt.status) + `,"headers":{"Content-Type":"text/html; charset=UTF-8"},"body":"models.html"}]}`)},
			"models.html": {Data: []byte(tt.body)},
		}
		rt, err := NewReplay(day)
		if err != nil {
			t.Fatal(err)
		}
		o := testOptions()
		o.Transport = rt
		o.MaxRetries = -1
		out, err := Crawl(context.Background(), o, []Source{&OpenRouter{}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := statsOf(out, "openrouter")
		if s.Status != catalog.SourceFailed || len(s.Errors) != 1 || !strings.HasSuffix(s.Errors[0], tt.want) {
			t.Errorf("HTTP %d: %s %q; want failed, ending %q", tt.status, s.Status, s.Errors, tt.want)
		}
	}
}

func TestNotAsExpected(t *testing.T) {
	long := strings.Repeat("x", 200)
	for _, tt := range []struct {
		name, contentType, body, want string
	}{
		{"JSON", "application/json", `{"data":[]}`, ""},
		{"JSON with a mark", "application/json", "\xEF\xBB\xBF{}", ""},
		{"plain text", "text/plain", "<b>not html</b>", ""},
		{"declared HTML", "text/html; charset=utf-8", "<p>hi", "a text/html page"},
		{"titled", "text/html", "<html><head><TITLE lang=en> Sign in \n to continue </Title>", `a text/html page titled "Sign in to continue"`},
		{"undeclared doctype", "", "\n  <!doctype HTML><title>Error 500</title>", `an HTML page titled "Error 500"`},
		{"HTML as JSON", "application/json", "\xEF\xBB\xBF<html><title>Maintenance</title>", `an HTML page titled "Maintenance"`},
		{"xhtml", "application/xhtml+xml", "<html/>", "a application/xhtml+xml page"},
		{"a title left open", "text/html", "<title>never closed", "a text/html page"},
		{"a long title", "text/html", "<title>" + long + "</title>", `a text/html page titled "` + strings.Repeat("x", 80) + `… (200 bytes)"`},
		{"control characters", "text/html", "<title>a\x1b[31mb</title>", `a text/html page titled "a\\x1b[31mb"`},
		{"an invalid byte before the title", "text/html", "\xff\xfe<TITLE>Maintenance</TITLE>", `a text/html page titled "Maintenance"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.contentType != "" {
				h.Set("Content-Type", tt.contentType)
			}
			if got := notAsExpected(Response{Header: h, Body: []byte(tt.body)}); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzNotAsExpected: any body and content type give one short line, from
// notAsExpected and titledPage alike.
func FuzzNotAsExpected(f *testing.F) {
	f.Add("text/html", "<title>Just a moment...</title>")
	f.Add("", "<!doctype html><title>\xff\xfe</title>")
	f.Add("text/html; charset=\"", "<title")
	f.Add("text/html", "\xEF\xBB\xBF<title>x</title>")
	f.Fuzz(func(t *testing.T, contentType, body string) {
		r := Response{Header: http.Header{"Content-Type": {contentType}}, Body: []byte(body)}
		what, titled := notAsExpected(r), titledPage(r)
		if titled != "" && titled != what {
			t.Errorf("titledPage %q, notAsExpected %q: a titled page is described the same", titled, what)
		}
		if strings.Contains(strings.ToLower(what), "</title") {
			t.Errorf("%q: a title cut past its end", what) // "</" alone may be in a title
		}
		for _, got := range []string{what, titled} {
			if strings.ContainsAny(got, "\n\r") || len(got) > 400 {
				t.Errorf("%q: not one short line", got)
			}
			if !utf8.ValidString(got) {
				t.Errorf("%q: not UTF-8", got)
			}
		}
	})
}
