package catalog

import (
	"reflect"
	"testing"
	"unsafe"
)

// TestTokensText: a sourced count in the text's short form, an unsourced
// one "not yet sourced" (whatever its zero value would print).
func TestTokensText(t *testing.T) {
	src := SourceRef{Name: "openrouter"}
	if got := TokensText(Fact[Tokens]{Value: Tokens{N: 128_000, Display: "128000"}, Source: SourceOf(src)}); got != "128K" {
		t.Errorf("sourced 128000: %q; want 128K", got)
	}
	if got := TokensText(Fact[Tokens]{Value: Tokens{N: 400_000}}); got != NotYetSourced {
		t.Errorf("unsourced: %q; want %q", got, NotYetSourced)
	}
}

// TestFactNotesNotShared: a fact's conflicts and flags are its own once
// set; a copy's changes never reach the fact it was copied from, and a
// fact with neither carries no notes (the zero Fact stays comparable to
// the zero value).
func TestFactNotesNotShared(t *testing.T) {
	a := Fact[Price]{Value: Fixed(1), Source: SourceOf(SourceRef{Name: "src"})}.
		WithConflicts([]Conflict{{Display: "$2"}}).WithFlags([]Flag{{Kind: FlagUnitSlip, Detail: "x"}})
	b := a
	b.SetFlags(append(b.Flags(), Flag{Kind: FlagDiscrepancy, Detail: "y"}))
	b.SetConflicts(nil)
	if len(a.Flags()) != 1 || len(a.Conflicts()) != 1 {
		t.Errorf("the original changed with its copy: flags %v conflicts %v", a.Flags(), a.Conflicts())
	}
	if len(b.Flags()) != 2 || b.Conflicts() != nil {
		t.Errorf("the copy: flags %v conflicts %v", b.Flags(), b.Conflicts())
	}
	b.SetFlags(nil)
	if !reflect.DeepEqual(b, Fact[Price]{Value: Fixed(1), Source: SourceOf(SourceRef{Name: "src"})}) {
		t.Errorf("a fact with neither conflicts nor flags keeps notes: %+v", b)
	}
	if n, want := unsafe.Sizeof(Offering{}), uintptr(1792); n > want {
		t.Errorf("an Offering is %d bytes; it fitted Go's %d-byte size class", n, want)
	}
}
