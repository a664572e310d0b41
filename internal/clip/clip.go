// Package clip shortens outside text for error messages: a broken page can
// put a whole document into one cell, and the error that quotes it lands
// in the run's stats and the log.
package clip

import (
	"fmt"
	"unicode/utf8"
)

// Len is how many bytes of a value an error quotes.
const Len = 80

// String returns s when it is at most Len bytes, else its first Len bytes
// (cut on a rune boundary) followed by "… (N bytes)".
func String(s string) string {
	if len(s) <= Len {
		return s
	}
	return fmt.Sprintf("%s… (%d bytes)", Prefix(s, Len), len(s))
}

// Prefix is s's longest prefix of at most n bytes that ends on a rune
// boundary: s itself when it is no longer than n.
func Prefix(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
