package scrapers

import (
	"net/http"
	"time"

	"github.com/llmref/llmref/catalog"
)

// Response is what a parser sees of one fetched URL. Parsers are pure
// functions of a Response.
type Response struct {
	URL         string
	Status      int
	Header      http.Header
	Body        []byte
	RetrievedAt time.Time
}

// Parsed is what a parser found on one page: observations, links to more
// pages of the same source, and warnings about what it left out.
type Parsed struct {
	Observations []catalog.Observation
	Links        []catalog.Link
	// Warnings name each row the parser could not place (an unknown
	// variant word, a duplicate, an unreadable price) and left out, the
	// rest of the page standing. They reach the source's run stats.
	Warnings []string
}

// Description is how a source presents itself in `llmref sources`.
type Description struct {
	Name      string            `json:"name"`
	Title     string            `json:"title"`
	Authority catalog.Authority `json:"authority"`
	Format    string            `json:"format"`
	URLs      []string          `json:"urls"`
}

// Source is one place llmref reads: the URLs it starts from and the parser
// of each kind of page it reads.
type Source interface {
	// Name is the source's unique, stable name ("openrouter").
	Name() string
	// Describe presents the source.
	Describe() Description
	// Requests are the URLs a run starts from.
	Requests() []Request
	// Parse reads one page. A row it cannot place is left out with a
	// warning and the rest of the page is read. It fails, never returning
	// nothing, only when the page's anchor (the structure it relies on:
	// a table, a JSON array) is missing or most of its rows are
	// unreadable; each parser's doc comment names its anchor.
	Parse(kind string, r Response) (Parsed, error)
}

// ErrMarkup is wrapped by parse errors that mean the page's structure changed.
var ErrMarkup = errorString("expected markup not found")

type errorString string

func (e errorString) Error() string { return string(e) }
