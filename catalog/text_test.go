package catalog

import "testing"

// TestTextForms pins the one style of numbers in text output: money with
// at least two decimals, token counts in K and M.
func TestTextForms(t *testing.T) {
	money := []struct {
		m    Money
		want string
	}{
		{0, "$0.00"}, {100_000, "$0.10"}, {27_000, "$0.027"}, {200_000, "$0.20"}, {201_000, "$0.201"},
		{14_000_000, "$14.00"}, {1_750_000, "$1.75"}, {1, "$0.000001"}, {-200_000, "-$0.20"},
	}
	for _, tt := range money {
		t.Run("money "+tt.want, func(t *testing.T) {
			if got := tt.m.Text(); got != tt.want {
				t.Errorf("Money(%d).Text() = %q, want %q", tt.m, got, tt.want)
			}
		})
	}
	exact := []struct {
		e    Exact
		want string
	}{
		{ExactOf(100_000), "$0.10"}, {7_890_000, "$0.0789"}, {534_610_000, "$5.3461"}, {ExactOf(14_000_000), "$14.00"},
	}
	for _, tt := range exact {
		t.Run("exact "+tt.want, func(t *testing.T) {
			if got := tt.e.Text(); got != tt.want {
				t.Errorf("Exact(%d).Text() = %q, want %q", tt.e, got, tt.want)
			}
		})
	}
	tokens := []struct {
		n    int64
		want string
	}{
		{0, "0"}, {512, "512"}, {1000, "1K"}, {8192, "8K"}, {32768, "32K"}, {128_000, "128K"}, {131_072, "128K"},
		{163_840, "160K"}, {200_000, "200K"}, {400_000, "400K"}, {1_000_000, "1M"}, {1_048_576, "1M"},
		{1_050_000, "1.05M"}, {2_097_152, "2M"}, {1_024_000, "1,024K"}, {131_073, "~131K"}, {4_097, "~4K"},
		{1_234_567, "~1.23M"},
	}
	for _, tt := range tokens {
		t.Run("tokens "+tt.want, func(t *testing.T) {
			// The display a source gave does not change the style.
			if got := (Tokens{N: tt.n, Display: "as sourced"}).Text(); got != tt.want {
				t.Errorf("Tokens{%d}.Text() = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		p    Price
		want string
	}{
		{Price{Kind: PriceFixed, Amount: 200_000}, "$0.20 / 1M tokens"},
		{Price{Kind: PriceFixed, Amount: 14_000_000}, "$14.00 / 1M tokens"},
		{Price{Kind: PriceFree}, "free"},
	} {
		t.Run("price "+tt.want, func(t *testing.T) {
			if got := tt.p.Text(); got != tt.want {
				t.Errorf("%+v.Text() = %q, want %q", tt.p, got, tt.want)
			}
		})
	}
	if got := DefaultBlend().ArithmeticText(27_000, 200_000); got != "0.7 × $0.027 + 0.3 × $0.20 = $0.0789" {
		t.Errorf("ArithmeticText = %q", got)
	}
}
