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
	cut := Len
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", s[:cut], len(s))
}
