package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
	"unique"
)

// Authority ranks sources when they disagree: the creator's own card or docs
// win over a provider's page, which wins over an aggregator, which wins over
// a cross-check.
type Authority int

// Authorities, highest first.
const (
	AuthorityCreator    Authority = 40
	AuthorityProvider   Authority = 30
	AuthorityAggregator Authority = 20
	AuthorityCrossCheck Authority = 10
)

// String names the authority.
func (a Authority) String() string {
	switch a {
	case AuthorityCreator:
		return "creator"
	case AuthorityProvider:
		return "provider"
	case AuthorityAggregator:
		return "aggregator"
	case AuthorityCrossCheck:
		return "cross-check"
	}
	return "unknown"
}

// MarshalJSON writes the authority's name.
func (a Authority) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// UnmarshalJSON reads an authority's name.
func (a *Authority) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, ok := authorityNamed(s)
	if !ok {
		return errors.New("unknown authority " + s)
	}
	*a = v
	return nil
}

// authorityNamed is the authority whose name is s.
func authorityNamed(s string) (Authority, bool) {
	for _, v := range []Authority{AuthorityCreator, AuthorityProvider, AuthorityAggregator, AuthorityCrossCheck, 0} {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}

// SourceRef names where a value came from.
type SourceRef struct {
	// Name is the source's name in llmref ("openrouter", "huggingface").
	Name string `json:"name"`
	// URL is the page or API address the value was read from.
	URL string `json:"url"`
	// Authority is the source's rank for this value.
	Authority Authority `json:"authority"`
	// Note qualifies the value, such as a Fireworks size tier it came from.
	Note string `json:"note,omitempty"`
}

// Source is a fact's source reference, held as a handle to one copy of it
// shared by every fact of the same source, page, authority and note (Go's
// unique package, which lets a copy go with the last handle to it): 8
// bytes in a fact where a SourceRef takes 56. A catalogue of 16,000 pages
// holds ~700,000 facts and a few per page of distinct references. Handles
// compare as their references do. The zero Source is no source.
type Source struct{ h unique.Handle[SourceRef] }

// SourceOf is the Source of a reference; the zero reference's is the zero
// Source.
func SourceOf(r SourceRef) Source {
	if r == (SourceRef{}) {
		return Source{}
	}
	return Source{unique.Make(r)}
}

// Ref is the source reference.
func (s Source) Ref() SourceRef {
	if s == (Source{}) {
		return SourceRef{}
	}
	return s.h.Value()
}

// Name is the reference's source name; "" for no source.
func (s Source) Name() string { return s.Ref().Name }

// URL is the reference's page or API address.
func (s Source) URL() string { return s.Ref().URL }

// Authority is the reference's rank.
func (s Source) Authority() Authority { return s.Ref().Authority }

// Note is the reference's qualification, if any.
func (s Source) Note() string { return s.Ref().Note }

// MarshalJSON writes the reference.
func (s Source) MarshalJSON() ([]byte, error) { return json.Marshal(s.Ref()) }

// UnmarshalJSON reads a reference.
func (s *Source) UnmarshalJSON(b []byte) error {
	var r SourceRef
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	*s = SourceOf(r)
	return nil
}

// Conflict is a value a lower-ranked (or tied, later) source gave that
// differs from the one kept. Conflicts are kept for review, never dropped.
type Conflict struct {
	Display string    `json:"display"`
	Raw     string    `json:"raw"`
	Source  SourceRef `json:"source"`
	// RetrievedAt is when a scraper last saw the conflicting value; it is
	// left out where retrieval times are (comparison records).
	RetrievedAt time.Time `json:"retrieved_at,omitzero"`
}

// Fact is one sourced value with its provenance and dates. The zero Fact is
// explicitly not yet sourced: never a zero, never an empty string.
type Fact[T any] struct {
	Value T
	// Display is the value as a reader should see it ("128K", "$0.027").
	Display string
	// Raw is the value exactly as the source gave it.
	Raw string
	// Source is where the value came from (see SourceOf).
	Source Source
	// RetrievedAt is the last time a scraper saw the value.
	RetrievedAt Stamp
	// ChangedAt is when the value last became what it is.
	ChangedAt Stamp
	// ReviewedAt is when an operator last confirmed it; zero if never.
	ReviewedAt Stamp
	// Stale is set when the value's source failed in the latest run and the
	// value was carried over from an earlier one.
	Stale bool
	// notes are the fact's conflicts and flags (see Conflicts, Flags),
	// nil when it has neither, as most facts do: kept apart, they cost a
	// fact 8 bytes instead of 48 (an offering's eight facts then fit
	// Go's 1,792-byte size class, not its 2,304). A notes value is never
	// changed once a fact holds it, so facts copied from one another
	// never see each other's changes.
	notes *factNotes
}

type factNotes struct {
	conflicts []Conflict
	flags     []Flag
}

// Conflicts are the values other sources gave that differ from the one
// kept. The list is the fact's own: change it only through SetConflicts.
func (f Fact[T]) Conflicts() []Conflict {
	if f.notes == nil {
		return nil
	}
	return slices.Clip(f.notes.conflicts) // an append copies
}

// Flags mark a value a rule found suspicious (a suspected unit slip, a
// discrepancy with cross-checks); review rules read them. The list is the
// fact's own: change it only through SetFlags.
func (f Fact[T]) Flags() []Flag {
	if f.notes == nil {
		return nil
	}
	return slices.Clip(f.notes.flags) // an append copies
}

// SetConflicts replaces the fact's conflicts (nil: none).
func (f *Fact[T]) SetConflicts(cs []Conflict) { f.setNotes(cs, f.Flags()) }

// SetFlags replaces the fact's flags (nil: none).
func (f *Fact[T]) SetFlags(fl []Flag) { f.setNotes(f.Conflicts(), fl) }

// WithConflicts is the fact with conflicts cs: for building one in an
// expression.
func (f Fact[T]) WithConflicts(cs []Conflict) Fact[T] {
	f.SetConflicts(cs)
	return f
}

// WithFlags is the fact with flags fl: for building one in an expression.
func (f Fact[T]) WithFlags(fl []Flag) Fact[T] {
	f.SetFlags(fl)
	return f
}

func (f *Fact[T]) setNotes(cs []Conflict, fl []Flag) {
	if cs == nil && fl == nil {
		f.notes = nil
		return
	}
	f.notes = &factNotes{conflicts: cs, flags: fl}
}

// Flag kinds.
const (
	// FlagUnitSlip marks a price about 1000× (or 1e6×) off the same
	// offering's history or the other sources: a per-token / per-1K /
	// per-1M slip.
	FlagUnitSlip = "suspected_unit_slip"
	// FlagDiscrepancy marks a price that disagrees with the cross-check
	// sources beyond the configured bound.
	FlagDiscrepancy = "discrepancy"
)

// Flag is one rule's finding about a value.
type Flag struct {
	Kind   string `json:"kind"`
	Detail string `json:"detail"`
}

// Sourced reports whether any source has given the value.
func (f Fact[T]) Sourced() bool { return f.Source.Name() != "" }

// NotYetSourced is the display text of a value no source has given.
const NotYetSourced = "not yet sourced"

// TokensText is a token count (a context window, an output limit) as the
// text every command and record writes it ("128K", "400K"), or "not yet
// sourced".
func TokensText(f Fact[Tokens]) string {
	if !f.Sourced() {
		return NotYetSourced
	}
	return f.Value.Text()
}

// String is the display form, or "not yet sourced".
func (f Fact[T]) String() string {
	if !f.Sourced() {
		return NotYetSourced
	}
	return f.Display
}

// Fact status values as written in JSON.
const (
	StatusSourced       = "sourced"
	StatusNotYetSourced = "not_yet_sourced"
)

type factJSON[T any] struct {
	Status      string     `json:"status"`
	Value       *T         `json:"value,omitempty"`
	Display     string     `json:"display,omitempty"`
	Raw         string     `json:"raw,omitempty"`
	Source      *SourceRef `json:"source,omitempty"`
	RetrievedAt *time.Time `json:"retrieved_at,omitempty"`
	ChangedAt   *time.Time `json:"changed_at,omitempty"`
	ReviewedAt  *time.Time `json:"reviewed_at"`
	Stale       bool       `json:"stale,omitempty"`
	Conflicts   []Conflict `json:"conflicts,omitempty"`
	Flags       []Flag     `json:"flags,omitempty"`
}

// UnmarshalJSON reads what MarshalJSON writes.
func (f *Fact[T]) UnmarshalJSON(b []byte) error {
	var j factJSON[T]
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*f = Fact[T]{}
	switch j.Status {
	case StatusNotYetSourced:
		return nil
	case StatusSourced:
	default:
		return errors.New("fact status " + j.Status + ": want sourced or not_yet_sourced")
	}
	if j.Source == nil || j.Source.Name == "" || j.Value == nil {
		return errors.New("sourced fact without a value or a source")
	}
	f.Value, f.Display, f.Raw, f.Source = *j.Value, j.Display, j.Raw, SourceOf(*j.Source)
	f.Stale = j.Stale
	f.setNotes(j.Conflicts, j.Flags)
	for _, d := range []struct {
		to   *Stamp
		from *time.Time
	}{{&f.RetrievedAt, j.RetrievedAt}, {&f.ChangedAt, j.ChangedAt}, {&f.ReviewedAt, j.ReviewedAt}} {
		if d.from == nil {
			continue
		}
		st, ok := stampOf(*d.from)
		if !ok {
			return fmt.Errorf("fact date %s: %w", d.from.Format(time.RFC3339Nano), errStampRange)
		}
		*d.to = st
	}
	return nil
}
