package scrapers

import (
	"errors"
	"fmt"
	"testing"
)

func TestRowTally(t *testing.T) {
	t.Run("a bad row is a warning", func(t *testing.T) {
		var r rowTally
		r.ok()
		r.skip("row %q: price unreadable", "x")
		r.warn("row %q listed twice", "y")
		if err := r.unreadable("rows"); err != nil {
			t.Fatal(err)
		}
		if w := r.Warnings(); len(w) != 2 || w[0] != `row "x": price unreadable` || w[1] != `row "y" listed twice` {
			t.Errorf("warnings %q", w)
		}
	})
	t.Run("most rows unreadable", func(t *testing.T) {
		var r rowTally
		r.ok()
		r.skip("first")
		r.skip("second")
		err := r.unreadable("entries")
		if !errors.Is(err, ErrMarkup) || err.Error() != "2 of 3 entries unreadable (first: first): expected markup not found" {
			t.Errorf("error %v", err)
		}
	})
	t.Run("bounded", func(t *testing.T) {
		var r rowTally
		for i := range maxPageWarnings + 10 {
			r.skip("row %d", i)
		}
		w := r.Warnings()
		if len(w) != maxPageWarnings+1 || w[maxPageWarnings] != fmt.Sprintf("and %d more warnings like these", 10) {
			t.Errorf("%d warnings, last %q", len(w), w[len(w)-1])
		}
	})
}
