package catalog

import "time"

// Link is a URL a page points a source to (a model's endpoints page, say).
type Link struct {
	URL     string `json:"url"`
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
}

// Page is what llmref knows of one URL a source reads: its validators for
// conditional requests, the content hash of its last body (the body itself
// is kept content-addressed), and the observations and links parsed from it.
// A run that finds a page unchanged (304, or the same hash) reuses them
// without parsing again; a run in which the page fails keeps them, stale.
type Page struct {
	Source       string        `json:"source"`
	URL          string        `json:"url"`
	Kind         string        `json:"kind"`
	Subject      string        `json:"subject,omitempty"`
	Status       int           `json:"status"`
	ETag         string        `json:"etag,omitempty"`
	LastModified string        `json:"last_modified,omitempty"`
	ContentType  string        `json:"content_type,omitempty"`
	BodySHA256   string        `json:"body_sha256,omitempty"`
	Bytes        int64         `json:"bytes"`
	FetchedAt    time.Time     `json:"fetched_at"`
	CheckedAt    time.Time     `json:"checked_at"`
	Observations []Observation `json:"observations"`
	Links        []Link        `json:"links,omitempty"`
	// Stale is set when the latest attempt failed and this is the last
	// good state; Error says why the attempt failed.
	Stale bool   `json:"stale,omitempty"`
	Error string `json:"error,omitempty"`
}
