package normalize

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// ErrPrice reports price text that cannot be read.
var ErrPrice = errors.New("unreadable price")

var (
	priceUnitText = regexp.MustCompile(`(?i)\s*(?:/|per)\s*(?:1\s*m(?:illion)?|1,000,000|million|1\s*k|1,000|thousand|token)s?(?:\s+tokens?)?\s*$`)
	priceNumber   = regexp.MustCompile(`^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$`)
	priceNoise    = strings.NewReplacer("US$", "", "\\$", "", "$", "", "USD", "", ",", "", " ", "", "\u00a0", "")
)

// unitFactor is how many micro-dollars per 1M tokens one USD per unit is.
var unitFactor = map[catalog.Unit]int64{
	catalog.PerToken:    1_000_000 * 1_000_000,
	catalog.PerThousand: 1_000 * 1_000_000,
	catalog.PerMillion:  1_000_000,
}

// Price reads a price as a source gave it, in the given unit, into an exact
// catalog.Price.
//
// It accepts "$" and "USD", thousands separators, trailing unit text
// ("/1M tokens", "per 1K tokens"), scientific notation ("1.75e-06"), long
// decimals ("0.00000008333333333333334") and float noise
// ("0.0006000000000000001"). The arithmetic is exact (big.Rat), never float.
//
// Rounding rule: the exact amount is rounded half away from zero to the
// nearest micro-dollar per 1M tokens (1e-12 USD per token); a price that
// needed rounding is marked Rounded. "-1" and "variable" are variable
// prices; "free" and an amount of exactly zero are a free tier, never a
// price of $0 that would win "cheapest".
func Price(raw string, unit catalog.Unit) (catalog.Price, error) {
	s := strings.TrimSpace(raw)
	low := strings.ToLower(s)
	switch low {
	case "-1", "variable", "varies", "dynamic":
		return catalog.Price{Kind: catalog.PriceVariable}, nil
	case "free", "free tier", "free endpoint", "$0 (free)":
		return catalog.Price{Kind: catalog.PriceFree}, nil
	case "", "-", "—", "–", "n/a", "na", "null":
		return catalog.Price{}, fmt.Errorf("price %q: %w: no amount", raw, ErrPrice)
	}
	factor, ok := unitFactor[unit]
	if !ok {
		return catalog.Price{}, fmt.Errorf("price %q: %w: unknown unit %q", raw, ErrPrice, unit)
	}
	s = priceUnitText.ReplaceAllString(s, "")
	s = priceNoise.Replace(s)
	if !priceNumber.MatchString(s) {
		return catalog.Price{}, fmt.Errorf("price %q: %w", raw, ErrPrice)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return catalog.Price{}, fmt.Errorf("price %q: %w", raw, ErrPrice)
	}
	if r.Sign() < 0 {
		return catalog.Price{}, fmt.Errorf("price %q: %w: negative", raw, ErrPrice)
	}
	if r.Sign() == 0 {
		return catalog.Price{Kind: catalog.PriceFree}, nil
	}
	r.Mul(r, new(big.Rat).SetInt64(factor))
	micros, exact := roundHalfAway(r)
	if !micros.IsInt64() || micros.Int64() > 1<<53 {
		return catalog.Price{}, fmt.Errorf("price %q: %w: too large", raw, ErrPrice)
	}
	p := catalog.Price{Kind: catalog.PriceFixed, Amount: catalog.Money(micros.Int64()), Rounded: !exact}
	if p.Amount == 0 {
		// A positive price below half a micro-dollar per 1M tokens is
		// not free: keep the smallest amount and say it was rounded.
		p.Amount, p.Rounded = 1, true
	}
	return p, nil
}

// roundHalfAway rounds a non-negative rational to the nearest integer, half
// away from zero, and reports whether it was already an integer.
func roundHalfAway(r *big.Rat) (*big.Int, bool) {
	num, den := r.Num(), r.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	if m.Sign() == 0 {
		return q, true
	}
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(den) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q, false
}
