package normalize

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// ErrPrice reports price text that cannot be read.
var ErrPrice = errors.New("unreadable price")

// ErrNotStated reports a value a source explicitly left empty ("n/a", "—",
// "not disclosed"): nothing was said, so nothing is kept and nothing is
// wrong. It comes wrapped together with the field's own error (ErrPrice,
// ErrValue).
var ErrNotStated = errors.New("no value stated")

var (
	// priceUnitText is a price's trailing unit words: "/1M tokens", "per
	// 1K input tokens", "/ MTok" (Anthropic's notation), "/1M output", "per
	// token"; the group is the unit.
	priceUnitText = regexp.MustCompile(`(?i)\s*(?:/|per)\s*(1\s*m(?:illion)?|1,000,000|million|m|1\s*k|1,000|thousand|k|token)s?(?:\s*(?:input\s+|output\s+)?tok(?:en)?s?|\s+(?:input|output))?\s*$`)
	priceNumber   = regexp.MustCompile(`^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,4})?$`)
	spaces        = strings.NewReplacer("\u00a0", " ", "\u202f", " ", "\u2009", " ")
	priceNoise    = strings.NewReplacer("US$", "", "\\$", "", "$", "", "USD", "", "usd", "", "_", "", " ", "", "\u00a0", "", "\u202f", "")
	// priceFootnote is a footnote's mark after a price ("$0.10*", "$0.10¹",
	// "$0.10 [2]"): the page's annotation, not part of the amount.
	priceFootnote = regexp.MustCompile(`\s*(?:[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{1,2}\])$`)
	// priceGrouped is a number whose commas separate thousands, the only
	// commas a price may hold: "1,000.50". A decimal comma ("0,10", "1.000,00")
	// read with its commas dropped was 100 or 1,000 times the price.
	priceGrouped = regexp.MustCompile(`^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?(?:[eE][+-]?\d{1,4})?$`)
)

// unitFactor is how many micro-dollars per 1M tokens one USD per unit is.
var unitFactor = map[catalog.Unit]int64{
	catalog.PerToken:    1_000_000 * 1_000_000,
	catalog.PerThousand: 1_000 * 1_000_000,
	catalog.PerMillion:  1_000_000,
}

// notStated are the texts by which sources say there is no value.
var notStated = map[string]bool{
	"": true, "-": true, "—": true, "–": true, "n/a": true, "na": true, "null": true, "none": true,
	"not available": true, "not disclosed": true, "undisclosed": true, "unknown": true, "tbd": true, "tba": true,
}

// Price reads a price as a source gave it, in the given unit, into an exact
// catalog.Price.
//
// It accepts "$" and "USD", thousands separators (a comma that groups no
// thousands is refused), trailing unit text ("/1M tokens", "per 1K
// tokens": the unit the value is read in, over unit, which is for values
// that state none), scientific notation ("1.75e-06"), long
// decimals ("0.00000008333333333333334") and float noise
// ("0.0006000000000000001"). The arithmetic is exact (big.Rat), never float.
//
// Rounding rule: the exact amount is rounded half away from zero to the
// nearest micro-dollar per 1M tokens (1e-12 USD per token); a price that
// needed rounding is marked Rounded. "-1" and "variable" are variable
// prices; "free" and an amount of exactly zero are a free tier, never a
// price of $0 that would win "cheapest". "n/a", "—" and the like are
// ErrNotStated.
func Price(raw string, unit catalog.Unit) (catalog.Price, error) {
	p, _, err := readPrice(raw, unit, false)
	return p, err
}

// priceExact is Price that also returns the exact amount in USD per 1M
// tokens before rounding (nil unless the price is fixed): unit-slip checks
// compare exact amounts, since a per-token figure read as per-1M rounds to
// almost nothing.
func priceExact(raw string, unit catalog.Unit) (catalog.Price, *big.Rat, error) {
	return readPrice(raw, unit, true)
}

// priceRounded is priceExact whose exact amount is nil where it is the
// Money's (not Rounded): a big.Rat made for every price read, to be
// dropped, was 20 MB of garbage in a 16,000-page first refresh.
func priceRounded(raw string, unit catalog.Unit) (catalog.Price, *big.Rat, error) {
	return readPrice(raw, unit, false)
}

// readPrice is priceExact; always unset, the exact amount is given only
// where the price was rounded.
func readPrice(raw string, unit catalog.Unit, always bool) (catalog.Price, *big.Rat, error) {
	s := raw
	if !isASCII(s) { // the spaces replaced are not: a strings.Replacer of them allocates even when it replaces nothing
		s = spaces.Replace(s)
	}
	s = strings.TrimSpace(s)
	low := strings.ToLower(s)
	switch low {
	case "-1", "variable", "varies", "dynamic":
		return catalog.Price{Kind: catalog.PriceVariable}, nil, nil
	case "free", "free tier", "free endpoint", "$0 (free)", "free (trial)":
		return catalog.Price{Kind: catalog.PriceFree}, nil, nil
	}
	if notStated[low] {
		return catalog.Price{}, nil, fmt.Errorf("price %q: %w: %w", clip.String(raw), ErrPrice, ErrNotStated)
	}
	factor, ok := unitFactor[unit]
	if !ok {
		return catalog.Price{}, nil, fmt.Errorf("price %q: %w: unknown unit %q", clip.String(raw), ErrPrice, unit)
	}
	if !catalog.IsPlainDecimal(s) { // "0.000000027", what APIs send, needs no cleaning (FuzzFastPaths holds it)
		var why string
		var stated catalog.Unit
		if s, stated, why, ok = cleanPrice(s); !ok {
			return catalog.Price{}, nil, fmt.Errorf("price %q: %w%s", clip.String(raw), ErrPrice, why)
		}
		if stated != "" { // the value's own unit, over the column's: "$0.10 / 1K tokens" is per 1K
			factor = unitFactor[stated]
		}
	}
	if p, usd, ok := plainPrice(s, factor, always); ok {
		return p, usd, nil
	}
	p, usd, err := ratPrice(s, raw, factor)
	if !always && !p.Rounded {
		usd = nil
	}
	return p, usd, err
}

// pow10 are the powers of ten a uint64 holds.
var pow10 = func() (t [20]uint64) {
	t[0] = 1
	for i := 1; i < len(t); i++ {
		t[i] = t[i-1] * 10
	}
	return t
}()

// plainPrice is ratPrice for a plain decimal (catalog.IsPlainDecimal) of
// at most 18 significant digits whose amount in micro-dollars fits 64
// bits: the same price and exact amount, in integers, where big.Rat
// parsed, multiplied, divided and reduced (a tenth of a first refresh's
// normalising). ok is false for anything else; ratPrice decides.
// FuzzPlainPrice holds the two equal. The exact amount is made only when
// always is set or the price was rounded (see priceRounded).
func plainPrice(s string, factor int64, always bool) (catalog.Price, *big.Rat, bool) {
	if !catalog.IsPlainDecimal(s) {
		return catalog.Price{}, nil, false
	}
	var mant uint64
	digits, scale := 0, -1 // scale: digits after the point, once there is one
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			scale = 0
			continue
		}
		if scale >= 0 {
			scale++
		}
		if mant == 0 && c == '0' {
			continue
		}
		if digits++; digits > 18 {
			return catalog.Price{}, nil, false
		}
		mant = mant*10 + uint64(c-'0')
	}
	scale = max(scale, 0)
	if scale >= len(pow10) {
		return catalog.Price{}, nil, false
	}
	if mant == 0 {
		return catalog.Price{Kind: catalog.PriceFree}, nil, true
	}
	hi, num := bits.Mul64(mant, uint64(factor)) // micro-dollars per 1M tokens, times 10^scale
	if hi != 0 {
		return catalog.Price{}, nil, false
	}
	den := pow10[scale]
	q, rem := num/den, num%den
	if rem >= den-rem { // half away from zero
		q++
	}
	if q > 1<<53 {
		return catalog.Price{}, nil, false
	}
	p := catalog.Price{Kind: catalog.PriceFixed, Amount: catalog.Money(q), Rounded: rem != 0}
	if p.Amount == 0 {
		p.Amount, p.Rounded = 1, true
	}
	if !always && !p.Rounded {
		return p, nil, true
	}
	usd := new(big.Rat).SetFrac(new(big.Int).SetUint64(num), new(big.Int).Mul(new(big.Int).SetUint64(den), big.NewInt(catalog.MicrosPerUSD)))
	return p, usd, true
}

// ratPrice reads a cleaned price s (raw as the source gave it) in exact
// rational arithmetic.
func ratPrice(s, raw string, factor int64) (catalog.Price, *big.Rat, error) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return catalog.Price{}, nil, fmt.Errorf("price %q: %w", clip.String(raw), ErrPrice)
	}
	if r.Sign() < 0 {
		return catalog.Price{}, nil, fmt.Errorf("price %q: %w: negative", clip.String(raw), ErrPrice)
	}
	if r.Sign() == 0 {
		return catalog.Price{Kind: catalog.PriceFree}, nil, nil
	}
	r.Mul(r, new(big.Rat).SetInt64(factor))
	micros, exact := roundHalfAway(r)
	if !micros.IsInt64() || micros.Int64() > 1<<53 {
		return catalog.Price{}, nil, fmt.Errorf("price %q: %w: too large", clip.String(raw), ErrPrice)
	}
	p := catalog.Price{Kind: catalog.PriceFixed, Amount: catalog.Money(micros.Int64()), Rounded: !exact}
	if p.Amount == 0 {
		// A positive price below half a micro-dollar per 1M tokens is
		// not free: keep the smallest amount and say it was rounded.
		p.Amount, p.Rounded = 1, true
	}
	usd := r.Quo(r, big.NewRat(catalog.MicrosPerUSD, 1))
	return p, usd, nil
}

// cleanPrice strips a price's unit words, currency signs and thousands
// separators and reports whether a number is left, and the unit the words
// stated ("" when none); why, when no number is left and there is more to
// say than "unreadable", is ": " and the reason.
//
// The stated unit is the value's own, and wins over the unit its source
// gives the column: read in the column's, "$0.10 / 1K tokens" in a column
// of prices per 1M was a thousandth of the price, silently (a page that
// changes how it shows its prices, an operator's table of mixed rows).
func cleanPrice(s string) (clean string, stated catalog.Unit, why string, ok bool) {
	s = dropFootnote(s) // after the unit words, or…
	if m := priceUnitText.FindStringSubmatchIndex(s); m != nil {
		stated = statedUnit(s[m[2]:m[3]])
		s = dropFootnote(s[:m[0]]) // …before them
	}
	s = priceNoise.Replace(s)
	if strings.IndexByte(s, ',') >= 0 {
		if !priceGrouped.MatchString(s) {
			return s, stated, ": a comma that separates no thousands (a decimal comma is not read: 0.10, not 0,10)", false
		}
		s = strings.ReplaceAll(s, ",", "")
	}
	return s, stated, "", priceNumber.MatchString(s)
}

// footnoteMarks are the runes a footnote's mark may end with.
const footnoteMarks = "*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]"

// dropFootnote is s less a footnote's mark at its end (priceFootnote),
// looked for only when s ends with a rune one can end with: most prices
// end with a digit or a unit word, and the regular expression cost a text
// price as much again as reading it.
func dropFootnote(s string) string {
	if r, _ := utf8.DecodeLastRuneInString(s); !strings.ContainsRune(footnoteMarks, r) {
		return s
	}
	return priceFootnote.ReplaceAllString(s, "")
}

// statedUnit is the unit a price's unit words name (priceUnitText's
// group): per token, per 1K or per 1M.
func statedUnit(word string) catalog.Unit {
	w := strings.ToLower(word)
	switch {
	case strings.HasPrefix(w, "token"):
		return catalog.PerToken
	case strings.Contains(w, "m") || w == "1,000,000":
		return catalog.PerMillion
	default: // k, 1k, 1,000, thousand
		return catalog.PerThousand
	}
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

// Percent is a percentage held exactly, in hundredths of a percent: 20% is
// Percent(2000), 12.5% is Percent(1250).
type Percent int64

// DefaultDiscrepancy is the discrepancy bound used when none is configured:
// a price more than 20% away from a cross-check's is flagged.
const DefaultDiscrepancy Percent = 2000

// ParsePercent reads "20", "12.5", "20%" or "0.25" (percent, at most two
// decimals) exactly.
func ParsePercent(raw string) (Percent, error) {
	s := strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(raw), "%"))
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 || !digits(whole) || !digits(frac) || len(whole) > 9 {
		return 0, fmt.Errorf("percent %q: want a number such as 20 or 12.5 (at most two decimals): %w", clip.String(raw), ErrValue)
	}
	frac += strings.Repeat("0", 2-len(frac))
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("percent %q: %w", clip.String(raw), ErrValue)
	}
	return Percent(n), nil
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String writes the percentage with the fewest exact decimals: "20%", "12.5%".
func (p Percent) String() string {
	n := int64(p)
	s := strconv.FormatInt(n/100, 10)
	if f := n % 100; f != 0 {
		s += strings.TrimRight(fmt.Sprintf(".%02d", f), "0")
	}
	return s + "%"
}

// Plausible bounds for a per-token price, in USD per 1M tokens. The real
// data has cached-input prices as low as $0.002 and output prices up to $600
// (o1-pro); below or above these, a figure was almost surely read in the
// wrong unit (LiteLLM's W&B entries at "$100,000", models.dev's
// `input = 27000`, Puter's `0.0006000000000000001`).
var (
	plausibleLow  = big.NewRat(1, 1000) // $0.001 per 1M
	plausibleHigh = big.NewRat(5000, 1) // $5,000 per 1M
)

// implausible says why an exact amount (USD per 1M tokens) is outside the
// plausible range, or "" when it is inside.
func implausible(amount *big.Rat) string {
	switch {
	case amount == nil:
		return ""
	case plausibleFast(amount):
		return ""
	case amount.Cmp(plausibleLow) < 0:
		return fmt.Sprintf("%s per 1M tokens is implausibly low (below $0.001): a per-token or per-1K figure read as per 1M?", usd(amount))
	case amount.Cmp(plausibleHigh) > 0:
		return fmt.Sprintf("%s per 1M tokens is implausibly high (above $5,000): a per-1M figure read as per token or per 1K?", usd(amount))
	}
	return ""
}

// plausibleMoney reports that an amount its Money holds exactly (not
// rounded) is inside the plausible range: implausible's answer, in
// integers.
func plausibleMoney(m catalog.Money) bool {
	return m >= catalog.MicrosPerUSD/1000 && m <= 5000*catalog.MicrosPerUSD
}

// plausibleFast reports that amount is inside the plausible range, in
// integers, when its numerator and denominator fit 64 bits (a price read
// by plainPrice always does): big.Rat's Cmp allocates, and implausible
// runs for every price a catalogue publishes. false means "ask Cmp".
func plausibleFast(amount *big.Rat) bool {
	num, den := amount.Num(), amount.Denom()
	if num.Sign() < 0 || !num.IsUint64() || !den.IsUint64() {
		return false
	}
	n, d := num.Uint64(), den.Uint64()
	// n/d >= 1/1000, that is n*1000 >= d; and n/d <= 5000, n <= 5000*d.
	hi, lo := bits.Mul64(n, 1000)
	if hi == 0 && lo < d {
		return false
	}
	hi, lo = bits.Mul64(d, 5000)
	return hi > 0 || n <= lo
}

// slipPowers are the unit slips a pair of prices can show: per 1K vs per
// 1M (1000×), per token vs per 1M (1e6×), per token vs per 1K... (1e9×).
var slipPowers = []int64{1_000, 1_000_000, 1_000_000_000}

// slip reports whether two positive exact amounts differ by about 1000×,
// 1e6× or 1e9× (within a factor of two either way) and by which power.
func slip(a, b *big.Rat) (int64, bool) {
	if a == nil || b == nil || a.Sign() <= 0 || b.Sign() <= 0 {
		return 0, false
	}
	hi, lo := a, b
	if hi.Cmp(lo) < 0 {
		hi, lo = lo, hi
	}
	ratio := new(big.Rat).Quo(hi, lo)
	if ratio.Cmp(slipBounds[0].lo) < 0 { // most pairs: no slip at all
		return 0, false
	}
	for _, b := range slipBounds {
		if ratio.Cmp(b.lo) >= 0 && ratio.Cmp(b.hi) <= 0 {
			return b.power, true
		}
	}
	return 0, false
}

// slipBound is the ratio range of one slip power p: [p/2, 2p].
type slipBound struct {
	power  int64
	lo, hi *big.Rat
}

// slipBounds are slipPowers' ranges, built once and never written after:
// slip runs for every pair of sibling prices.
var slipBounds = func() []slipBound {
	out := make([]slipBound, len(slipPowers))
	for i, p := range slipPowers {
		out[i] = slipBound{power: p, lo: big.NewRat(p, 2), hi: big.NewRat(p*2, 1)}
	}
	return out
}()

// ratDecimal writes an exact amount as a decimal with up to 12 fractional
// digits, trailing zeros removed: 0.027, 27000, 0.0000000027.
func ratDecimal(r *big.Rat) string {
	s := r.FloatString(12)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// moneyRat is a Money amount in USD per 1M tokens, exactly.
func moneyRat(m catalog.Money) *big.Rat { return big.NewRat(int64(m), catalog.MicrosPerUSD) }

// pctDiff is (b − a) / a as a signed percentage with one decimal, exactly:
// a = 0.10, b = 0.13 → "+30.0%". a must be positive.
func pctDiff(a, b *big.Rat) string {
	d := new(big.Rat).Sub(b, a)
	d.Quo(d, a)
	d.Mul(d, big.NewRat(100, 1))
	s := d.FloatString(1)
	if d.Sign() >= 0 {
		s = "+" + s
	}
	return s + "%"
}

// beyond reports whether b is more than bound away from a, relative to a
// (a positive): |b − a| / a > bound.
func beyond(a, b *big.Rat, bound Percent) bool {
	d := new(big.Rat).Sub(b, a)
	d.Abs(d)
	lim := new(big.Rat).Mul(a, big.NewRat(int64(bound), 10_000))
	return d.Cmp(lim) > 0
}

// isASCII reports whether s has no byte outside ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
