package changes

import (
	"fmt"
	"slices"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// HoldKinds are the kinds of hold a Selector may name.
var HoldKinds = []catalog.HoldKind{catalog.HoldPrice, catalog.HoldOfferingAdded, catalog.HoldBreakage, catalog.HoldSurge}

// Selector picks holds by what they are about, for deciding many at once
// (a provider that halved every price is a hold per price). Every field
// set must match; All, with no other field, picks every hold.
type Selector struct {
	All bool
	// Run picks the holds a run first held.
	Run uint64
	// Kind picks one kind of hold.
	Kind catalog.HoldKind
	// Source picks the holds of a source's values: a breakage's or a
	// surge's source, or the source of every change a hold keeps.
	Source string
	// Provider and Model pick the holds whose every change is at that
	// provider, of that model (a breakage or a surge names many).
	Provider, Model string
}

// Empty reports whether the selector picks nothing: no field set.
func (s Selector) Empty() bool { return s == Selector{} }

// Check refuses a selector that mixes All with another field, or names a
// kind that is not one.
func (s Selector) Check() error {
	if s.All && s != (Selector{All: true}) {
		return fmt.Errorf("--all picks every hold: give it alone, or select with the others")
	}
	if s.Kind != "" && !slices.Contains(HoldKinds, s.Kind) {
		kinds := make([]string, len(HoldKinds))
		for i, k := range HoldKinds {
			kinds[i] = string(k)
		}
		return fmt.Errorf("--kind %q: want one of %s", s.Kind, strings.Join(kinds, ", "))
	}
	return nil
}

// Match reports whether the selector picks h. An empty selector picks
// nothing.
func (s Selector) Match(h catalog.Hold) bool {
	if s.Empty() {
		return false
	}
	if s.All {
		return true
	}
	if s.Run != 0 && h.FirstRun != s.Run {
		return false
	}
	if s.Kind != "" && h.Kind != s.Kind {
		return false
	}
	every := func(ok func(c catalog.Change) bool) bool {
		if len(h.Changes) == 0 {
			return false
		}
		for _, c := range h.Changes {
			if !ok(c) {
				return false
			}
		}
		return true
	}
	if s.Source != "" {
		if h.Kind == catalog.HoldBreakage || h.Kind == catalog.HoldSurge {
			if h.Source != s.Source {
				return false
			}
		} else if !every(func(c catalog.Change) bool { return c.Source.Name() == s.Source }) {
			return false
		}
	}
	if s.Provider != "" && !every(func(c catalog.Change) bool { return c.Provider == s.Provider }) {
		return false
	}
	if s.Model != "" && !every(func(c catalog.Change) bool { return c.Model == s.Model }) {
		return false
	}
	return true
}

// Select is the holds of holds the selector picks, in their order.
func (s Selector) Select(holds []catalog.Hold) []catalog.Hold {
	var out []catalog.Hold
	for _, h := range holds {
		if s.Match(h) {
			out = append(out, h)
		}
	}
	return out
}
