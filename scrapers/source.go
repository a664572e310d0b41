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

// Parsed is what a parser found on one page: observations, and links to more
// pages of the same source.
type Parsed struct {
	Observations []catalog.Observation
	Links        []catalog.Link
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
	// Parse reads one page. It must fail, not return nothing, when the
	// structure it relies on is missing.
	Parse(kind string, r Response) (Parsed, error)
}

// ErrMarkup is wrapped by parse errors that mean the page's structure changed.
var ErrMarkup = errorString("expected markup not found")

type errorString string

func (e errorString) Error() string { return string(e) }
