package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// Limits on the scraped strings a snapshot takes: a page can put a whole
// document into one cell, and a name goes into every comparison record its
// model is part of. Longer strings are clipped on a UTF-8 boundary (see
// clipObservation) before anything else reads them, whichever source gave
// them: every page passes through Normalize.
const (
	// MaxIDBytes bounds ids: a model's subject, a provider, a region, a
	// variant.
	MaxIDBytes = 200
	// MaxNameBytes bounds names (a subject's display name, a name fact's
	// value) and notes.
	MaxNameBytes = 300
	// MaxValueBytes bounds every other value's text (a price, a context
	// length, a licence) and a page's URL.
	MaxValueBytes = 2048
)

// clipEllipsis ends every clipped string: the flag a reader sees.
const clipEllipsis = "…"

// clipText clips s to at most limit bytes: its longest prefix that ends
// on a rune boundary, then "…". It reports whether it clipped.
func clipText(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	return clip.Prefix(s, limit-len(clipEllipsis)) + clipEllipsis, true
}

// clipID clips an id to at most limit bytes as clipText does, keeping it
// unique: "…" is followed by 8 hex digits of the whole id's SHA-256, so two
// long ids that share their first bytes stay two ids.
func clipID(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	sum := sha256.Sum256([]byte(s))
	tail := clipEllipsis + hex.EncodeToString(sum[:4])
	return clip.Prefix(s, limit-len(tail)) + tail, true
}

// clipObservation clips every string of o over its limit, returning the
// clipped observation and, for each string clipped, what it was ("subject
// "abc…" (120000 bytes)"), for the source's run stats. An observation with
// nothing over its limits (nearly all) costs no allocation.
func clipObservation(o catalog.Observation) (catalog.Observation, []string) {
	var clipped []string
	clipped = clipString(clipped, "model id", "", &o.Subject, MaxIDBytes, true)
	clipped = clipString(clipped, "provider", "", &o.Provider, MaxIDBytes, true)
	clipped = clipString(clipped, "region", "", &o.Region, MaxIDBytes, true)
	clipped = clipString(clipped, "variant", "", &o.Variant, MaxIDBytes, true)
	clipped = clipString(clipped, "name", "", &o.SubjectName, MaxNameBytes, false)
	clipped = clipString(clipped, "note", "", &o.Note, MaxNameBytes, false)
	clipped = clipString(clipped, "url", "", &o.URL, MaxValueBytes, false)
	if o.Field == catalog.FieldName {
		clipped = clipString(clipped, "name", "", &o.Value, MaxNameBytes, false)
	} else {
		clipped = clipString(clipped, string(o.Field), " value", &o.Value, MaxValueBytes, false)
	}
	return o, clipped
}

// clipString clips *s to limit (an id as clipID does, other text as
// clipText) and, when it did, appends to clipped what it was, named
// what+suffix (joined only then).
func clipString(clipped []string, what, suffix string, s *string, limit int, id bool) []string {
	var v string
	var ok bool
	if id {
		v, ok = clipID(*s, limit)
	} else {
		v, ok = clipText(*s, limit)
	}
	if !ok {
		return clipped
	}
	clipped = append(clipped, fmt.Sprintf("%s%s %q clipped to %d bytes", what, suffix, clip.String(*s), limit))
	*s = v
	return clipped
}

// clips collects, per source, the distinct strings clipped.
type clips map[string]map[string]bool

func (c clips) add(source string, what []string) {
	if len(what) == 0 {
		return
	}
	if c[source] == nil {
		c[source] = map[string]bool{}
	}
	for _, w := range what {
		c[source][w] = true
	}
}

// sorted returns, per source, what was clipped, sorted, at most
// catalog.MaxSourceWarnings of them and a count of the rest; nil when
// nothing was.
func (c clips) sorted() map[string][]string {
	if len(c) == 0 {
		return nil
	}
	out := make(map[string][]string, len(c))
	for src, set := range c {
		for w := range set {
			out[src] = append(out[src], w)
		}
		sort.Strings(out[src])
		if n := len(out[src]); n > catalog.MaxSourceWarnings {
			out[src] = append(out[src][:catalog.MaxSourceWarnings], fmt.Sprintf("and %d more", n-catalog.MaxSourceWarnings))
		}
	}
	return out
}
