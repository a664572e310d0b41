package config

import (
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
)

func TestMeasureSelector(t *testing.T) {
	for _, c := range []struct {
		sel  string
		want selectorShape
	}{
		{"tr", selectorShape{1, 0, 0, 0}},
		{`table.pricing-table[data-category="llm"] tbody tr.pricing-row`, selectorShape{3, 2, 0, 0}},
		{"table > tbody > tr", selectorShape{3, 0, 0, 0}},
		{"table>tbody>tr", selectorShape{3, 0, 0, 0}},
		{"h2 + table tr ~ tr", selectorShape{4, 2, 0, 1}},
		{"a ~ b, c ~ d ~ e", selectorShape{3, 2, 0, 2}},
		{"tr:has(a ~ b ~ c)", selectorShape{3, 2, 1, 2}},
		{"  a   b  ", selectorShape{2, 1, 0, 0}},
		{"a /* note */ b", selectorShape{2, 1, 0, 0}},
		{"a, b c d, e", selectorShape{3, 2, 0, 0}},
		{"tr:not(.x)", selectorShape{1, 0, 1, 0}},
		{"tr:has(td a b c d e)", selectorShape{6, 5, 1, 0}},
		{"tr:not(:has(td.x))", selectorShape{1, 0, 2, 0}},
		{"tr:NOT(:Has(:haschild(td)))", selectorShape{1, 0, 3, 0}},
		// what is not a selector is skipped: strings, attribute values,
		// regular expressions, the arguments of :nth-child, :contains
		{`td[title="a b > c ~ d"]`, selectorShape{1, 0, 0, 0}},
		{`td[title='a ) b']`, selectorShape{1, 0, 0, 0}},
		{`td[title#=(a|[)(])] d`, selectorShape{2, 1, 0, 0}},
		{`td:contains("a b, c ) d")`, selectorShape{1, 0, 0, 0}},
		{`td:matches(^\$[0-9]+ \(per 1M\)) a`, selectorShape{2, 1, 0, 0}},
		{"tr:nth-child(2n + 1) td", selectorShape{2, 1, 0, 0}},
		{`td.a\ b c`, selectorShape{2, 1, 0, 0}},
		{`td.\31 23 c`, selectorShape{2, 1, 0, 0}},
		{`td:\6eot(a b)`, selectorShape{2, 1, 1, 0}}, // an escaped :not still counts
	} {
		t.Run(c.sel, func(t *testing.T) {
			if _, err := cascadia.Compile(c.sel); err != nil {
				t.Fatalf("cascadia: %v", err)
			}
			if got := measureSelector(c.sel); got != c.want {
				t.Errorf("shape %+v; want %+v", got, c.want)
			}
		})
	}
}

func TestSelectorLimits(t *testing.T) {
	for _, c := range []struct {
		sel, want string // want: "" for accepted
	}{
		{"a b c d", ""},
		{"a b c d e", `selector "a b c d e" has 4 descendant (space) or ~ combinators in one chain; the limit is 3`},
		{"a ~ b ~ c ~ d ~ e ~ f", "has 5 descendant (space) or ~ combinators"},
		{"a b c d, a b c d", ""},
		{"a:has(b c d e f)", "has 4 descendant"},
		{"h2 ~ table tr td", ""},
		{"h2 ~ table ~ div", `selector "h2 ~ table ~ div" has 2 ~ combinators in one chain; the limit is 1`},
		{"h2 ~ table, tr ~ tr", ""},
		{"tr:has(td ~ td ~ td)", "has 2 ~ combinators"},
		{"a > b > c > d > e > f > g > h", ""},
		{"a > b > c > d > e > f > g > h > i", "chains 9 compound selectors; the limit is 8"},
		{"a:not(:has(b))", ""},
		{"a:has(b:not(:has(c)))", "nests :not/:has/:haschild 3 deep; the limit is 2"},
	} {
		t.Run(c.sel, func(t *testing.T) {
			if _, err := cascadia.Compile(c.sel); err != nil {
				t.Fatalf("cascadia: %v", err)
			}
			err := checkSelectorShape(c.sel)
			switch {
			case c.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("error %v; want %q", err, c.want)
			}
		})
	}
	if err := checkSelectorLength(strings.Repeat("a", 256)); err != nil {
		t.Errorf("256 bytes: %v", err)
	}
	long := strings.Repeat("a", 257)
	if err := checkSelectorLength(long); err == nil || err.Error() != `selector "`+long[:60]+`"… is 257 bytes long; the limit is 256` {
		t.Errorf("257 bytes: %v", err)
	}
}

// FuzzMeasureSelector: any text is measured without a panic, in time; a
// selector cascadia accepts has at least one compound selector.
func FuzzMeasureSelector(f *testing.F) {
	for _, s := range []string{"tr", "a b > c ~ d + e", "a:not(:has(b c))", `td[x#=(a|[)])]`, `td:matches(\))`, `a\`, `"`, "a:has(", "/*", `td:\6eot(`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sel string) {
		s := measureSelector(sel)
		if s.chain < 0 || s.search < 0 || s.nesting < 0 || s.search > len(sel) || s.chain > len(sel) {
			t.Fatalf("%q: shape %+v", sel, s)
		}
		if _, err := cascadia.Compile(sel); err == nil && strings.TrimSpace(sel) != "" && s.chain == 0 {
			t.Fatalf("%q compiles but measures no compound selector", sel)
		}
	})
}
