package scrapers

import (
	"strings"
	"testing"

	"github.com/andybalholm/cascadia"
	"github.com/llmref/llmref/internal/hostilepage"
	"golang.org/x/net/html"
)

// lastElement returns the last element named tag of the tree under n, in
// document order: the costliest one to match against a searching
// selector on the pages below (deepest, or with the most earlier
// siblings).
func lastElement(n *html.Node, tag string) *html.Node {
	var found *html.Node
	stack := []*html.Node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.Type == html.ElementNode && c.Data == tag {
			found = c
		}
		for k := c.LastChild; k != nil; k = k.PrevSibling {
			stack = append(stack, k)
		}
	}
	return found
}

// BenchmarkSelectorStep measures one step of the table walker's budget
// (see budget): one cascadia Match of a selector on one element, which
// nothing can interrupt. The selectors' left side never matches, so every
// searching combinator looks at every ancestor (space) or earlier sibling
// (~) again: a step costs about depth^k/k! (or siblings^k/k!) for k such
// combinators. The pages are the hostile suite's worst: cells 506
// elements deep (its deep page; the HTML parser stops at 512), and 20,000
// rows side by side (its row count). The config caps searching
// combinators (maxSelectorSearch, maxSelectorSiblings) from these figures;
// on this shared 2-core machine one step took 0.34 ms, 0.12-0.16 s and
// 12.6-20.7 s at 2, 3 and 4 descendant combinators on the deep page, and
// 0.2 ms and 1.3 s at 1 and 2 ~ combinators among the 20,000 rows (which
// grows with the square of the rows: a 32 MiB page holds 1.7 million).
func BenchmarkSelectorStep(b *testing.B) {
	deep, err := html.Parse(strings.NewReader(hostilepage.DeepTable(500, 1)))
	if err != nil {
		b.Fatal(err)
	}
	wide, err := html.Parse(strings.NewReader("<table>" + strings.Repeat("<tr><td>1</td></tr>", 20000) + "</table>"))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name, sel string
		page      *html.Node
	}{
		{"deep/2-descendant", "section div td", deep},
		{"deep/3-descendant", "section div div td", deep},
		{"deep/4-descendant", "section div div div td", deep},
		{"wide/1-sibling", "section ~ tr td", wide},
		{"wide/2-sibling", "section ~ tr ~ tr td", wide},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m := cascadia.MustCompile(bc.sel)
			td := lastElement(bc.page, "td")
			for b.Loop() {
				if m.Match(td) {
					b.Fatal("matched")
				}
			}
		})
	}
}
