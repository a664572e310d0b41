package catalog

import (
	"iter"
	"time"
)

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
	Source  string `json:"source"`
	URL     string `json:"url"`
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	// Status is the HTTP status the held body came with; a 304 that
	// confirms the page moves CheckedAt and leaves it.
	Status       int       `json:"status"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	ContentType  string    `json:"content_type,omitempty"`
	BodySHA256   string    `json:"body_sha256,omitempty"`
	Bytes        int64     `json:"bytes"`
	FetchedAt    time.Time `json:"fetched_at"`
	CheckedAt    time.Time `json:"checked_at,omitzero"`
	// Observations are what was parsed from the page, unless Pack packed
	// them: read them with Observed, which reads either.
	Observations []Observation `json:"observations,omitempty"`
	// Count is how many observations the page holds, kept with the
	// page's record when its observations are stored apart.
	Count int    `json:"observation_count,omitempty"`
	Links []Link `json:"links,omitempty"`
	// Stale is set when the latest attempt failed and this is the last
	// good state; Error says why the attempt failed.
	Stale bool   `json:"stale,omitempty"`
	Error string `json:"error,omitempty"`
	// Warnings say what the parser could not place on the page and left
	// out, the rest of the page standing (see scrapers.Parsed). They are
	// kept with the page, so that every run that reuses it says so again.
	Warnings []string `json:"warnings,omitempty"`
	// Plan names the tracked set the page was parsed for, when what its
	// source reads from it depends on that set (which models of a list
	// to read); "" otherwise. A page parsed for another set is fetched
	// and parsed again rather than reused.
	Plan string `json:"plan,omitempty"`
	// Reused is set when the page's observations are those stored by an
	// earlier run (it was unchanged, or it failed and is carried over
	// stale) and were not parsed again; Observations may then be empty
	// until they are loaded from the store.
	Reused bool `json:"-"`
	// packed holds the observations instead of Observations once Pack
	// has packed them.
	packed Packed
}

// Pack packs the page's observations (see Packed): Observations is then
// empty, and Observed, ObservationCount and Unpack read the packed ones.
// A run packs what it parses, which it holds until it normalises. The
// page's JSON has no observations while they are packed: Unpack first.
func (p *Page) Pack() {
	if len(p.Observations) > 0 {
		p.packed, p.Observations = Pack(p.Observations), nil
	}
}

// Packed reports whether the page's observations are packed.
func (p *Page) Packed() bool { return p.packed.n > 0 }

// Unpack puts packed observations back into Observations.
func (p *Page) Unpack() {
	if p.packed.n > 0 {
		p.Observations, p.packed = p.packed.Unpack(), Packed{}
	}
}

// HoldsObservations reports whether the page holds its observations,
// packed or not (a reused page's may be in the store only).
func (p *Page) HoldsObservations() bool { return len(p.Observations) > 0 || p.packed.n > 0 }

// Observed yields the observations the page holds, packed or not.
func (p *Page) Observed() iter.Seq[Observation] {
	if p.packed.n > 0 {
		return p.packed.All()
	}
	obs := p.Observations
	return func(yield func(Observation) bool) {
		for _, o := range obs {
			if !yield(o) {
				return
			}
		}
	}
}

// ObservedShared is Observed for a reader that keeps no string of the
// observations it reads (an encoder): packed ones are not copied out.
func (p *Page) ObservedShared() iter.Seq[Observation] {
	if p.packed.n > 0 {
		return p.packed.Shared()
	}
	return p.Observed()
}

// DropObservations lets the page's observations go, keeping their count.
func (p *Page) DropObservations() {
	p.Count = p.ObservationCount()
	p.Observations, p.packed = nil, Packed{}
}

// ObservationCount is the number of observations the page holds, loaded or
// not.
func (p *Page) ObservationCount() int {
	if len(p.Observations) > 0 {
		return len(p.Observations)
	}
	if p.packed.n > 0 {
		return p.packed.n
	}
	return p.Count
}

// Checked returns, by URL, when each page was last confirmed: the time a
// fact read from that page was last seen by a scraper (its retrieved_at).
func Checked(pages []Page) map[string]time.Time {
	out := make(map[string]time.Time, len(pages))
	for _, p := range pages {
		if !p.CheckedAt.IsZero() {
			out[p.URL] = p.CheckedAt
		}
	}
	return out
}
