package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Money is an exact price: an integer count of micro-dollars (1e-6 USD) per
// one million tokens. $0.027 per 1M tokens is Money(27_000); $14 per 1M
// tokens is Money(14_000_000). Money is never a float.
type Money int64

// MicrosPerUSD is the number of Money units in one US dollar per 1M tokens.
const MicrosPerUSD = 1_000_000

// ErrMoneySyntax reports a decimal that is not a plain USD amount.
var ErrMoneySyntax = errors.New("not a plain decimal USD amount")

// ErrMoneyPrecision reports a decimal with more than six fractional digits,
// which Money cannot hold exactly. Callers that accept rounding use
// normalize.Price, which documents its rounding rule.
var ErrMoneyPrecision = errors.New("more than six decimal places")

// ErrMoneyRange reports an amount too large for Money.
var ErrMoneyRange = errors.New("amount out of range")

// ParseUSD parses a plain decimal USD-per-1M amount such as "0.027", "14",
// "14.00" or "-1.5" exactly. It accepts no currency sign, no exponent and no
// separators; it refuses more than six fractional digits rather than round.
func ParseUSD(s string) (Money, error) {
	neg := false
	t := s
	if strings.HasPrefix(t, "-") {
		neg = true
		t = t[1:]
	} else if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	intPart, frac, hasDot := strings.Cut(t, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) || (hasDot && frac == "" && intPart == "") {
		return 0, fmt.Errorf("parse usd %q: %w", s, ErrMoneySyntax)
	}
	if len(strings.TrimRight(frac, "0")) > 6 {
		return 0, fmt.Errorf("parse usd %q: %w", s, ErrMoneyPrecision)
	}
	frac = strings.TrimRight(frac, "0")
	frac += strings.Repeat("0", 6-len(frac))
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	if len(intPart) > 12 {
		return 0, fmt.Errorf("parse usd %q: %w", s, ErrMoneyRange)
	}
	n, err := strconv.ParseInt(intPart+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("parse usd %q: %w", s, ErrMoneyRange)
	}
	if neg {
		n = -n
	}
	return Money(n), nil
}

// parseUSD is ParseUSD of a JSON number's text, without allocating for
// the plain decimal forms the store writes (a price's usd_per_mtok);
// anything else goes to ParseUSD.
func parseUSD(b []byte) (Money, error) {
	i, neg := 0, false
	if len(b) > 0 && b[0] == '-' {
		i, neg = 1, true
	}
	var n int64
	digits := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n == 0 && b[i] == '0' {
			continue // a leading zero
		}
		n = n*10 + int64(b[i]-'0')
		if digits++; digits > 12 {
			return ParseUSD(string(b))
		}
	}
	if i == 0 || (neg && i == 1) {
		return ParseUSD(string(b))
	}
	frac, scale := int64(0), int64(1_000_000)
	if i < len(b) && b[i] == '.' {
		j := i + 1
		for ; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
		}
		k := j // the fraction without its trailing zeros
		for k > i+1 && b[k-1] == '0' {
			k--
		}
		if j == i+1 || k-(i+1) > 6 {
			return ParseUSD(string(b))
		}
		for _, c := range b[i+1 : k] {
			scale /= 10
			frac += int64(c-'0') * scale
		}
		i = j
	}
	if i != len(b) {
		return ParseUSD(string(b))
	}
	n = n*1_000_000 + frac
	if neg {
		n = -n
	}
	return Money(n), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// USD returns the amount in US dollars per 1M tokens as a decimal with the
// fewest digits that are exact: 27000 → "0.027", 14000000 → "14",
// 5425000 → "5.425".
func (m Money) USD() string {
	n := int64(m)
	sign := ""
	if n < 0 {
		sign = "-"
		if n == math.MinInt64 {
			return "-9223372036854.775808"
		}
		n = -n
	}
	whole := n / MicrosPerUSD
	frac := n % MicrosPerUSD
	if frac == 0 {
		return sign + strconv.FormatInt(whole, 10)
	}
	f := fmt.Sprintf("%06d", frac)
	return sign + strconv.FormatInt(whole, 10) + "." + strings.TrimRight(f, "0")
}

// String is the display form "$0.027".
func (m Money) String() string {
	if m < 0 {
		return "-$" + (-m).USD()
	}
	return "$" + m.USD()
}

// Text is the amount as llmref's text output writes money: exact, with at
// least two decimals ("$0.10", "$0.027", "$14.00", "-$0.20"). JSON keeps the
// fewest exact digits (USD).
func (m Money) Text() string { return atLeastCents(m.String()) }

// atLeastCents pads a display amount ("$0.1", "$14") to two decimals.
func atLeastCents(s string) string {
	switch i := strings.IndexByte(s, '.'); {
	case i < 0:
		return s + ".00"
	case len(s)-i == 2:
		return s + "0"
	}
	return s
}

// Round2 returns the display form rounded half away from zero to cents, as
// reference pages print prices ("$5.35"). It is for text only; records keep
// the exact amount.
func (m Money) Round2() string {
	n := int64(m)
	neg := n < 0
	if neg {
		n = -n
	}
	cents := (n + 5_000) / 10_000
	s := fmt.Sprintf("$%d.%02d", cents/100, cents%100)
	if neg {
		s = "-" + s
	}
	return s
}

// MarshalJSON writes the USD amount as a JSON number with the fewest exact
// digits, so the same amount always gives the same bytes.
func (m Money) MarshalJSON() ([]byte, error) { return []byte(m.USD()), nil }

// UnmarshalJSON reads a JSON number written by MarshalJSON.
func (m *Money) UnmarshalJSON(b []byte) error {
	v, err := ParseUSD(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// PriceKind says what kind of price a Price is. A free tier and a variable
// price are states of their own: never a price of 0 that would win
// "cheapest". Its text ("fixed", "free", "variable"; "" for the zero
// kind, an unsourced price's) is what JSON and output carry; in memory it
// is a byte, so that a Price takes 16 bytes where a string kind made it 32
// (a catalogue holds eight prices an offering, and 60,000 offerings at
// 16,000 pages).
type PriceKind uint8

// Price kinds.
const (
	PriceFixed    PriceKind = iota + 1 // a listed amount
	PriceFree                          // a free tier or free endpoint
	PriceVariable                      // varies (OpenRouter "-1", router models)
)

// priceKinds are the kinds' texts, by kind.
var priceKinds = [...]string{"", "fixed", "free", "variable"}

// String is the kind's text: "fixed", "free", "variable", or "" for the
// zero kind.
func (k PriceKind) String() string {
	if int(k) < len(priceKinds) {
		return priceKinds[k]
	}
	return "kind " + strconv.Itoa(int(k))
}

// MarshalText writes the kind's text.
func (k PriceKind) MarshalText() ([]byte, error) {
	if int(k) >= len(priceKinds) {
		return nil, fmt.Errorf("price kind %d", k)
	}
	return []byte(priceKinds[k]), nil
}

// UnmarshalText reads a kind's text; any other text is an error.
func (k *PriceKind) UnmarshalText(b []byte) error {
	for i, s := range priceKinds {
		if string(b) == s {
			*k = PriceKind(i)
			return nil
		}
	}
	return fmt.Errorf("unknown price kind %q", b)
}

// Price is a sourced price: a kind and, for fixed prices, an exact amount.
type Price struct {
	Amount Money
	Kind   PriceKind
	// Rounded is set when the source's figure had more precision than a
	// micro-dollar per 1M tokens and was rounded (see normalize.Price).
	Rounded bool
}

type priceJSON struct {
	Kind    PriceKind `json:"kind"`
	USD     *Money    `json:"usd_per_mtok,omitempty"`
	Micros  *int64    `json:"micro_usd_per_mtok,omitempty"`
	Rounded bool      `json:"rounded,omitempty"`
}

// MarshalJSON writes {"kind":"fixed","usd_per_mtok":0.027,"micro_usd_per_mtok":27000};
// free and variable prices carry no amount at all.
func (p Price) MarshalJSON() ([]byte, error) { return appendPrice(nil, p), nil }

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Price) UnmarshalJSON(b []byte) error {
	var j priceJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Price{Kind: j.Kind, Rounded: j.Rounded}
	switch {
	case j.Micros != nil:
		p.Amount = Money(*j.Micros)
	case j.USD != nil:
		p.Amount = *j.USD
	}
	if p.Kind == PriceFixed && j.Micros == nil && j.USD == nil {
		return errors.New("fixed price without an amount")
	}
	return nil
}

// Fixed returns a fixed price of m.
func Fixed(m Money) Price { return Price{Kind: PriceFixed, Amount: m} }

// Comparable reports whether the price is a listed amount that can take part
// in "cheapest" and ratio arithmetic.
func (p Price) Comparable() bool { return p.Kind == PriceFixed }

// String is the display form: "$0.027 / 1M tokens", "free", "variable".
func (p Price) String() string {
	switch p.Kind {
	case PriceFixed:
		return p.Amount.String() + " / 1M tokens"
	case PriceFree:
		return "free"
	case PriceVariable:
		return "variable"
	}
	return p.Kind.String()
}

// Text is the price as text output writes it: "$0.20 / 1M tokens" (money
// with at least two decimals), "free", "variable".
func (p Price) Text() string {
	if p.Kind == PriceFixed {
		return p.Amount.Text() + " / 1M tokens"
	}
	return p.String()
}

// Equal reports whether two prices are the same.
func (p Price) Equal(q Price) bool { return p.Kind == q.Kind && p.Amount == q.Amount }
