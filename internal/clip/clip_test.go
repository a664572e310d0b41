package clip

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"131,072 tokens", "131,072 tokens"},
		{strings.Repeat("a", Len), strings.Repeat("a", Len)},
		{strings.Repeat("a", Len+1), strings.Repeat("a", Len) + "… (81 bytes)"},
		// A two-byte rune straddling the cut is left out whole.
		{strings.Repeat("a", Len-1) + "é" + "zz", strings.Repeat("a", Len-1) + "… (83 bytes)"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(len(tt.in)), func(t *testing.T) {
			got := String(tt.in)
			if got != tt.want || !utf8.ValidString(got) {
				t.Errorf("String(%.20q… %d bytes) = %q, want %q", tt.in, len(tt.in), got, tt.want)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abc", 10, "abc"},
		{"abcd", 3, "abc"},
		{"abé", 3, "ab"}, // é is two bytes: cut before it
		{"日本", 4, "日"},
		{"日本", 2, ""},
	}
	for _, tt := range tests {
		if got := Prefix(tt.in, tt.n); got != tt.want || !utf8.ValidString(got) {
			t.Errorf("Prefix(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
