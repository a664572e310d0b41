package scrapers

import (
	"fmt"
)

// maxPageWarnings bounds the warnings one page gives: a page of a million
// broken rows says so in fifty lines and a count.
const maxPageWarnings = 50

// rowTally is what a parser made of a page's rows (table rows, JSON
// entries, SKUs): how many it read, how many it could not, and a warning
// for each row it left out. Parsers build their warnings with clipped
// quotes of the page (internal/clip), so each line is short.
type rowTally struct {
	read, bad int
	warnings  []string
	more      int
	first     string // why the first unreadable row was left out
}

// ok counts a row read.
func (t *rowTally) ok() { t.read++ }

// skip counts a row that could not be read and says why.
func (t *rowTally) skip(format string, a ...any) {
	t.bad++
	msg := fmt.Sprintf(format, a...)
	if t.first == "" {
		t.first = msg
	}
	t.note(msg)
}

// warn says what was left out that is not an unreadable row: a duplicate
// dropped, a tracked model no tier prices.
func (t *rowTally) warn(format string, a ...any) { t.note(fmt.Sprintf(format, a...)) }

func (t *rowTally) note(msg string) {
	if len(t.warnings) >= maxPageWarnings {
		t.more++
		return
	}
	t.warnings = append(t.warnings, msg)
}

// Warnings returns the page's warnings, the last one counting those left
// out, or nil.
func (t *rowTally) Warnings() []string {
	if t.more == 0 {
		return t.warnings
	}
	return append(t.warnings, fmt.Sprintf("and %d more warnings like these", t.more))
}

// unreadable is the error for a page most of whose rows (what: "rows",
// "entries") could not be read: the layout changed under the parser, and
// publishing the few rows it still reads would publish the rest as gone.
// It is nil while at least half of the rows read.
func (t *rowTally) unreadable(what string) error {
	if t.bad == 0 || t.bad <= t.read {
		return nil
	}
	return fmt.Errorf("%d of %d %s unreadable (first: %s): %w", t.bad, t.bad+t.read, what, t.first, ErrMarkup)
}
