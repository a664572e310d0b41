package catalog

import "testing"

// TestTokensText: a sourced count in the text's short form, an unsourced
// one "not yet sourced" (whatever its zero value would print).
func TestTokensText(t *testing.T) {
	src := SourceRef{Name: "openrouter"}
	if got := TokensText(Fact[Tokens]{Value: Tokens{N: 128_000, Display: "128000"}, Source: src}); got != "128K" {
		t.Errorf("sourced 128000: %q; want 128K", got)
	}
	if got := TokensText(Fact[Tokens]{Value: Tokens{N: 400_000}}); got != NotYetSourced {
		t.Errorf("unsourced: %q; want %q", got, NotYetSourced)
	}
}
