// Package textsafe makes text from outside — a scraped model name, an id, a
// source's error message, an operator's note — inert in terminal and
// plain-text output, so that it can neither drive the terminal (clear the
// screen, retitle the window, move the cursor, reorder the line) nor break
// the lines and columns of a table.
//
// Every character that is not printable text is written as a visible Go
// escape: ESC as \x1b, BEL as \x07, a newline as \n, a tab as \t, U+009B as
// \u009b, U+202E as \u202e, an invalid byte as \xff. Visible escapes rather
// than U+FFFD: the operator sees exactly what the source sent (a hostile or
// broken page is evidence worth reading), different bytes stay different,
// and the output is plain ASCII around the source's own printable text.
// Tabs and newlines are escaped too: the printers own the layout (a tab in a
// value would move a tabwriter column, a newline would start a line the
// program did not write). Text escapes the same characters but lets
// newlines and tabs through, for a page the program laid out itself whose
// every value was escaped for its own format (HTML) but may still carry
// control characters.
package textsafe

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Line returns s fit for one line of terminal output: C0 controls
// (U+0000–U+001F, tab and newline included), DEL, C1 controls
// (U+0080–U+009F), the bidirectional formatting characters (U+061C,
// U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), the line and paragraph
// separators (U+2028, U+2029) and bytes that are not UTF-8 are escaped;
// everything else, non-ASCII letters included, passes unchanged.
func Line(s string) string { return escape(s, false) }

// Text is Line for a block of text the program laid out itself, such as a
// rendered page: newlines and tabs pass, every other character Line
// escapes is escaped.
func Text(s string) string { return escape(s, true) }

func escape(s string, block bool) string {
	if clean(s, block) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case !unsafe(r), block && (r == '\n' || r == '\t'):
			b.WriteString(s[i : i+n])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
		i += n
	}
	return b.String()
}

// clean reports whether s needs no escape (the common case: no copy).
func clean(s string, block bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if block && (c == '\n' || c == '\t') {
			continue
		}
		if c < 0x20 || c == 0x7f {
			return false
		}
		if c >= 0x80 { // the rest rune by rune
			for j := i; j < len(s); {
				r, n := utf8.DecodeRuneInString(s[j:])
				if r == utf8.RuneError && n <= 1 || unsafe(r) {
					return false
				}
				j += n
			}
			return true
		}
	}
	return true
}

// unsafe reports whether r must not reach a terminal as it is.
func unsafe(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// Fprintf is fmt.Fprintf with every operand made inert: the format is the
// program's own, the operands are not. A string (or a value of a string
// type), an error, or a fmt.Stringer that is not a number is passed
// through Line; numbers, booleans and other values pass as they are. Use
// it with the %s, %v and %d verbs.
func Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return fmt.Fprintf(w, format, Args(args...)...)
}

// Args returns the operands made inert as Fprintf makes them.
func Args(args ...any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = operand(a)
	}
	return out
}

func operand(a any) any {
	if a == nil {
		return nil
	}
	v := reflect.ValueOf(a)
	switch v.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return a // a number's own String is digits and signs
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		if v.IsNil() {
			return a
		}
	}
	switch x := a.(type) {
	case string:
		return Line(x)
	case error:
		return Line(x.Error())
	case fmt.Stringer:
		return Line(x.String())
	}
	if v.Kind() == reflect.String {
		return Line(v.String())
	}
	return a
}
