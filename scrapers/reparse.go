package scrapers

import (
	"context"
	"net/http"

	"github.com/llmref/llmref/catalog"
)

// Reparse reads a stored page again from its raw body with the source's
// current parser, as `llmref rebuild` does after a parser is fixed: the
// page's record (validators, hash, dates) stays as it was; its observations
// and links are read anew.
//
// The parse runs within ctx as a crawl's does (see parseWithin): give it
// the source's deadline (WithSourceDeadline) inside the run's, and a parse
// still running when ctx is done fails the page at once, "deadline
// exceeded (fetch.source_timeout …) while parsing <kind> page", its work
// left to stop at the table walker's next step. Other errors read
// "parse <kind> page: …".
func Reparse(ctx context.Context, src Source, p catalog.Page, body []byte) (catalog.Page, error) {
	h := http.Header{}
	if p.ContentType != "" {
		h.Set("Content-Type", p.ContentType)
	}
	if p.ETag != "" {
		h.Set("ETag", p.ETag)
	}
	if p.LastModified != "" {
		h.Set("Last-Modified", p.LastModified)
	}
	parsed, err := parseWithin(ctx, src, p.Kind, Response{URL: p.URL, Subject: p.Subject, Status: http.StatusOK, Header: h, Body: body, RetrievedAt: p.FetchedAt})
	if err != nil {
		return p, err
	}
	parsed.Observations = stampObservations(parsed.Observations, p.Source, p.URL, p.FetchedAt)
	p.Observations, p.Links, p.Warnings = parsed.Observations, parsed.Links, parsed.Warnings
	if k, ok := src.(PlanKeyer); ok {
		p.Plan = k.PlanKey(p.Kind)
	}
	p.Count = len(parsed.Observations)
	p.Reused = false
	return p, nil
}
