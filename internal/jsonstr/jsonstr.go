// Package jsonstr writes JSON strings for the hand-written encoders (the
// catalogue's records, comparison records, the canonical export form), so
// that they all write a string the same way, and the way encoding/json does.
package jsonstr

import "unicode/utf8"

// Append appends s as a JSON string, byte for byte as encoding/json writes
// it with SetEscapeHTML(false): quotes, backslashes and control characters
// escaped (\b, \f, \n, \r, \t by name, the rest as \u00XX), U+2028 and
// U+2029 escaped, invalid UTF-8 replaced by U+FFFD, everything else,
// "<", ">" and "&" included, as it is.
func Append(b []byte, s string) []byte { return appendString(b, s, false) }

// AppendHTML appends s as a JSON string byte for byte as json.Marshal
// writes it: as Append, and "<", ">" and "&" escaped (\u003c, \u003e,
// \u0026).
func AppendHTML(b []byte, s string) []byte { return appendString(b, s, true) }

// safe and htmlSafe say which ASCII bytes Append and AppendHTML write as
// they are: one look-up a byte in the loop that copies runs of them.
var safe, htmlSafe = func() (plain, html [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		plain[c] = c != '"' && c != '\\'
		html[c] = plain[c] && c != '<' && c != '>' && c != '&'
	}
	return plain, html
}()

func appendString(b []byte, s string, html bool) []byte {
	const hex = "0123456789abcdef"
	ok := &safe
	if html {
		ok = &htmlSafe
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if ok[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
