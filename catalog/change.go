package catalog

import (
	"fmt"
	"math/big"
)

// ChangeKind names what changed between two published states.
type ChangeKind string

// Change kinds.
const (
	ChangePrice           ChangeKind = "price_changed"
	ChangeOfferingAdded   ChangeKind = "offering_added"
	ChangeOfferingRemoved ChangeKind = "offering_removed"
	ChangeModelAdded      ChangeKind = "model_added"
	ChangeModelRemoved    ChangeKind = "model_removed"
	ChangeSpec            ChangeKind = "spec_changed"
	ChangeSourceStale     ChangeKind = "source_stale"
	ChangeConflict        ChangeKind = "conflict_appeared"
	ChangeUnmatched       ChangeKind = "unmatched_appeared"
)

// Change is one difference between the published state and a run's new
// state, with its evidence.
type Change struct {
	Kind     ChangeKind `json:"kind"`
	Model    string     `json:"model,omitempty"`
	Provider string     `json:"provider,omitempty"`
	Region   string     `json:"region,omitempty"`
	Variant  string     `json:"variant,omitempty"`
	// Field names the fact that changed ("output", "context_window").
	Field string `json:"field,omitempty"`
	// Old and New are display forms; empty when there was none.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// OldPrice and NewPrice are set on price changes.
	OldPrice *Price `json:"old_price,omitempty"`
	NewPrice *Price `json:"new_price,omitempty"`
	// Delta is New − Old for fixed prices; DeltaPct is its percentage of
	// Old to one decimal ("+0.5%").
	Delta    *Money `json:"delta_usd_per_mtok,omitempty"`
	DeltaPct string `json:"delta_pct,omitempty"`
	// Source is the reference of the value the change is about, held as a
	// handle (see Source): written and read as the reference itself.
	Source Source `json:"source"`
	Detail string `json:"detail,omitempty"`
}

// Subject names what the change is about: "meta/llama-3.2-1b-instruct at
// openrouter (output)".
func (c Change) Subject() string {
	s := c.Model
	if c.Provider != "" {
		s += " at " + c.Provider
		if c.Region != "" {
			s += " " + c.Region
		}
		if c.Variant != "" {
			s += " :" + c.Variant
		}
	}
	if c.Field != "" {
		s += " (" + c.Field + ")"
	}
	return s
}

// PercentChange is (new − old) / old as a signed percentage with one decimal,
// computed exactly: 0.20 → 0.201 is "+0.5%". Old must not be zero.
func PercentChange(old, to Money) string {
	if old == 0 {
		return ""
	}
	r := to.rat()
	r.Sub(r, old.rat())
	r.Quo(r, old.rat())
	r.Mul(r, big.NewRat(100, 1))
	s := r.FloatString(1)
	if r.Sign() >= 0 {
		s = "+" + s
	}
	return s + "%"
}

// Ratio is a / b to the given decimals, exactly rounded: 1.75 / 0.027 to one
// decimal is "64.8". b must not be zero.
func Ratio(a, b Money, decimals int) string {
	if b == 0 {
		return ""
	}
	r := a.rat()
	r.Quo(r, b.rat())
	return r.FloatString(decimals)
}

func (m Money) rat() *big.Rat { return new(big.Rat).SetInt64(int64(m)) }

// String is a one-line account of the change.
func (c Change) String() string {
	switch c.Kind {
	case ChangePrice:
		return fmt.Sprintf("%s: %s → %s (%s)", c.Subject(), c.Old, c.New, c.DeltaPct)
	case ChangeSpec:
		return fmt.Sprintf("%s: %s → %s", c.Subject(), orNone(c.Old), orNone(c.New))
	}
	s := string(c.Kind) + ": " + c.Subject()
	if c.Detail != "" {
		s += ": " + c.Detail
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return NotYetSourced
	}
	return s
}
