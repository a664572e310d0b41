package textsafe

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"plain", "Llama 3.2 1B Instruct", "Llama 3.2 1B Instruct"},
		{"letters and symbols", "Qwen3 Coder 480B — ×1000 ±50% é ü 日本", "Qwen3 Coder 480B — ×1000 ±50% é ü 日本"},
		{"osc title and clear screen", "Grok\x1b]0;pwned\x07\x1b[2J 4.1", `Grok\x1b]0;pwned\x07\x1b[2J 4.1`},
		{"newline, tab, carriage return", "a\nb\tc\rd", `a\nb\tc\rd`},
		{"nul and del", "a\x00b\x7fc", `a\x00b\x7fc`},
		{"c1 csi as a code point", "a\u009b2Jb", `a\u009b2Jb`},
		{"raw c1 byte (not UTF-8)", "a\x9b2Jb", `a\x9b2Jb`},
		{"bidi override", "abc\u202edcba\u2066x\u2069", `abc\u202edcba\u2066x\u2069`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"truncated UTF-8", "ab\xe6\x97", `ab\xe6\x97`},
		{"replacement character itself", "a\uFFFDb", "a\uFFFDb"},
		{"empty", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Line(c.in); got != c.want {
				t.Errorf("Line(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	in := "<p>a\tb</p>\n<p>Grok\x1b]0;pwned\x07\r\u202e</p>\n"
	if got, want := Text(in), "<p>a\tb</p>\n<p>Grok\\x1b]0;pwned\\x07\\r\\u202e</p>\n"; got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if s := "line one\n\tline two\n"; Text(s) != s {
		t.Errorf("Text changed clean text: %q", Text(s))
	}
}

type name string

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

type money int64

func (m money) String() string { return "$" + string(rune('0'+m)) }

func TestFprintf(t *testing.T) {
	var nilStringer *stringer
	for _, c := range []struct {
		name   string
		format string
		args   []any
		want   string
	}{
		{"string", "%s\t%s\n", []any{"a\tb", "c\x1b[2J"}, "a\\tb\tc\\x1b[2J\n"},
		{"string type", "%s", []any{name("x\ny")}, `x\ny`},
		{"stringer", "%s|%v", []any{stringer{"\x1b]0;t\x07"}, stringer{"ok"}}, `\x1b]0;t\x07|ok`},
		{"error", "%v", []any{errors.New("bad \x1b[31mred")}, `bad \x1b[31mred`},
		{"numbers stay numbers", "%d %d %s %v", []any{7, uint64(8), money(3), true}, "7 8 $3 true"},
		{"nil pointer", "%v", []any{nilStringer}, "<nil>"},
		{"nil", "%v", []any{nil}, "<nil>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			if _, err := Fprintf(&b, c.format, c.args...); err != nil {
				t.Fatal(err)
			}
			if b.String() != c.want {
				t.Errorf("got %q, want %q", b.String(), c.want)
			}
		})
	}
}

// FuzzLine: whatever comes in, what goes out is valid UTF-8 with no
// control, bidi or separator character, and text without any comes out
// unchanged.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]0;pwned\x07\x1b[2J", "a\nb", "\xff\xfe", "\u202e", "\u009b", "日本\t語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Line(s)
		if !utf8.ValidString(out) {
			t.Fatalf("Line(%q) = %q: not UTF-8", s, out)
		}
		for _, r := range out {
			if unsafe(r) {
				t.Fatalf("Line(%q) = %q: has %U", s, out, r)
			}
		}
		if clean(s, false) && out != s {
			t.Fatalf("Line(%q) = %q: changed clean text", s, out)
		}
		if !clean(s, false) && !strings.Contains(out, `\`) {
			t.Fatalf("Line(%q) = %q: nothing escaped", s, out)
		}
		for _, r := range Text(s) {
			if unsafe(r) && r != '\n' && r != '\t' {
				t.Fatalf("Text(%q) has %U", s, r)
			}
		}
	})
}
