// Package hostilepage makes the hostile pages the deadline tests of several
// packages serve (scrapers, refresh, the hostile suite): a price table
// buried deep in the document, and a body dripped a byte a second. One
// definition, so the tests agree on what "a costly page" is.
package hostilepage

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DeepTable is a price table whose rows sit depth elements deep (the HTML
// parser's limit is 512), rows of them, each with its own data-id
// ("deep-model-N") and a price cell "1.00". The selector "section div td",
// which the configuration accepts, looks at every ancestor of every
// ancestor of each cell when no section encloses them, about depth²/2
// steps a cell: 20,000 cells at depth 500 run for minutes; "tr" reads the
// page at once.
func DeepTable(depth, rows int) string {
	var b strings.Builder
	b.WriteString("<html><body>" + strings.Repeat("<div>", depth) + "<table>")
	for i := range rows {
		fmt.Fprintf(&b, `<tr data-id="deep-model-%d"><td>1.00</td></tr>`, i)
	}
	b.WriteString("</table>" + strings.Repeat("</div>", depth) + "</body></html>")
	return b.String()
}

// Drip answers with an HTML body written one byte a second, for at most
// seconds seconds, and stops when the client goes away.
func Drip(w http.ResponseWriter, r *http.Request, seconds int) {
	w.Header().Set("Content-Type", "text/html")
	for range seconds {
		if _, err := w.Write([]byte("<")); err != nil {
			return
		}
		http.NewResponseController(w).Flush()
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second):
		}
	}
}
