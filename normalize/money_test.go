package normalize

import (
	"errors"
	"math/big"
	"math/rand"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

func TestPrice(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		unit    catalog.Unit
		kind    catalog.PriceKind
		micros  catalog.Money
		rounded bool
	}{
		{"openrouter per token", "0.000000027", catalog.PerToken, catalog.PriceFixed, 27_000, false},
		{"openrouter output day 1", "0.0000002", catalog.PerToken, catalog.PriceFixed, 200_000, false},
		{"openrouter output day 2", "0.000000201", catalog.PerToken, catalog.PriceFixed, 201_000, false},
		{"litellm scientific", "1.75e-06", catalog.PerToken, catalog.PriceFixed, 1_750_000, false},
		{"litellm scientific upper case", "1.3E-07", catalog.PerToken, catalog.PriceFixed, 130_000, false},
		{"long decimal string", "0.00000008333333333333334", catalog.PerToken, catalog.PriceFixed, 83_333, true},
		{"bedrock per 1K padded", "0.0001000000", catalog.PerThousand, catalog.PriceFixed, 100_000, false},
		{"bedrock eu per 1K", "0.00013", catalog.PerThousand, catalog.PriceFixed, 130_000, false},
		{"aws page text", "$0.0001 per 1,000 tokens", catalog.PerThousand, catalog.PriceFixed, 100_000, false},
		{"dollar sign", "$1.75", catalog.PerMillion, catalog.PriceFixed, 1_750_000, false},
		{"cents", "$14.00", catalog.PerMillion, catalog.PriceFixed, 14_000_000, false},
		{"markdown escaped dollar", `\$0.10`, catalog.PerMillion, catalog.PriceFixed, 100_000, false},
		{"separators and unit text", "$1,250.50 / 1M tokens", catalog.PerMillion, catalog.PriceFixed, 1_250_500_000, false},
		{"thousands", "$1,000", catalog.PerMillion, catalog.PriceFixed, 1_000_000_000, false},
		{"the value's own unit over the column's: per 1K", "$0.10 / 1K tokens", catalog.PerMillion, catalog.PriceFixed, 100_000_000, false},
		{"the value's own unit over the column's: per token", "$0.000001 per token", catalog.PerMillion, catalog.PriceFixed, 1_000_000, false},
		{"the value's own unit over the column's: per 1M", "$2 / 1M tokens", catalog.PerToken, catalog.PriceFixed, 2_000_000, false},
		{"per thousand, in words", "$0.10 per thousand", catalog.PerMillion, catalog.PriceFixed, 100_000_000, false},
		{"a footnote's star", "$0.10*", catalog.PerMillion, catalog.PriceFixed, 100_000, false},
		{"a superscript footnote", "$0.10¹", catalog.PerMillion, catalog.PriceFixed, 100_000, false},
		{"a bracketed footnote after the unit", "$0.10 / 1M tokens [2]", catalog.PerMillion, catalog.PriceFixed, 100_000, false},
		{"a dagger before the unit", "$0.10† / 1K tokens", catalog.PerMillion, catalog.PriceFixed, 100_000_000, false},
		{"MTok", "$3 / MTok", catalog.PerMillion, catalog.PriceFixed, 3_000_000, false},
		{"MTok, no spaces, in a per-token column", "$0.30/MTok", catalog.PerToken, catalog.PriceFixed, 300_000, false},
		{"1M output, no tokens word", "$1.10 /1M output", catalog.PerMillion, catalog.PriceFixed, 1_100_000, false},
		{"1M tok", "$3 / 1M tok", catalog.PerMillion, catalog.PriceFixed, 3_000_000, false},
		{"thousands twice", "1,234,567.5", catalog.PerMillion, catalog.PriceFixed, 1_234_567_500_000, false},
		{"per million words", "0.2 per million tokens", catalog.PerMillion, catalog.PriceFixed, 200_000, false},
		{"slash M", "$0.10/M", catalog.PerMillion, catalog.PriceFixed, 100_000, false},
		{"per 1M input tokens", "$3.00 per 1M input tokens", catalog.PerMillion, catalog.PriceFixed, 3_000_000, false},
		{"float noise (Puter)", "0.0006000000000000001", catalog.PerMillion, catalog.PriceFixed, 600, true},
		{"USD prefix", "USD 0.2 per 1M tokens", catalog.PerMillion, catalog.PriceFixed, 200_000, false},
		{"TOML underscores", "1_000", catalog.PerMillion, catalog.PriceFixed, 1_000_000_000, false},
		{"no-break space", "$0.1\u00a0/\u00a01M tokens", catalog.PerMillion, catalog.PriceFixed, 100_000, false},
		{"half a micro rounds away from zero", "0.0000005", catalog.PerMillion, catalog.PriceFixed, 1, true},
		{"just under half rounds down to the floor of one", "0.00000049", catalog.PerMillion, catalog.PriceFixed, 1, true},
		{"1.5 micros rounds to 2", "0.0000015", catalog.PerMillion, catalog.PriceFixed, 2, true},
		{"2.5 micros rounds to 3", "0.0000025", catalog.PerMillion, catalog.PriceFixed, 3, true},
		{"models.dev input = 27000 (read as written)", "27000", catalog.PerMillion, catalog.PriceFixed, 27_000_000_000, false},
		{"openrouter variable", "-1", catalog.PerToken, catalog.PriceVariable, 0, false},
		{"variable word", "Variable", catalog.PerMillion, catalog.PriceVariable, 0, false},
		{"free word", "Free", catalog.PerMillion, catalog.PriceFree, 0, false},
		{"nim free endpoint", "free", catalog.PerMillion, catalog.PriceFree, 0, false},
		{"zero is a free tier", "0", catalog.PerToken, catalog.PriceFree, 0, false},
		{"zero with decimals", "0.00", catalog.PerMillion, catalog.PriceFree, 0, false},
		{"tiny positive is not free", "0.0000000000001", catalog.PerToken, catalog.PriceFixed, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Price(tt.raw, tt.unit)
			if err != nil {
				t.Fatalf("Price(%q, %s): %v", tt.raw, tt.unit, err)
			}
			if p.Kind != tt.kind || p.Amount != tt.micros || p.Rounded != tt.rounded {
				t.Errorf("Price(%q, %s) = %+v, want %s %d rounded=%v", tt.raw, tt.unit, p, tt.kind, tt.micros, tt.rounded)
			}
		})
	}
}

func TestPriceErrors(t *testing.T) {
	for _, bad := range []string{"abc", "-0.5", "1.2.3", "$", "1e999999", "0x10", "1/2", "$0.56 input, $0.28 cached", "∞", "$20 per month", "$0.10/mo", "$0.10**x", "$0.10 [123]", "*"} {
		t.Run("unreadable "+bad, func(t *testing.T) {
			if _, err := Price(bad, catalog.PerMillion); !errors.Is(err, ErrPrice) || errors.Is(err, ErrNotStated) {
				t.Errorf("Price(%q) error %v, want ErrPrice", bad, err)
			}
		})
	}
	for _, none := range []string{"", "n/a", "N/A", "—", "–", "-", "null", "not available"} {
		t.Run("not stated "+none, func(t *testing.T) {
			_, err := Price(none, catalog.PerMillion)
			if !errors.Is(err, ErrPrice) || !errors.Is(err, ErrNotStated) {
				t.Errorf("Price(%q) error %v, want ErrPrice and ErrNotStated", none, err)
			}
		})
	}
	// A decimal comma, or a comma grouping no thousands, is refused: read
	// with its commas dropped, "$0,10" was $10 and "$1.000,00" $1.
	for _, bad := range []string{"$0,10", "$1.000,00", "$1,00", "12,34", "1,0000", "$1,000,50", ",5", "1,"} {
		t.Run("comma "+bad, func(t *testing.T) {
			if _, err := Price(bad, catalog.PerMillion); !errors.Is(err, ErrPrice) || (strings.Count(bad, ",") > 0 && !strings.Contains(err.Error(), "a comma that separates no thousands")) {
				t.Errorf("Price(%q) error %v, want it refused for its comma", bad, err)
			}
		})
	}
	if _, err := Price("1", "usd/furlong"); err == nil {
		t.Error("unknown unit accepted")
	}
	if _, err := Price("9999999999", catalog.PerToken); !errors.Is(err, ErrPrice) {
		t.Errorf("an amount beyond Money's exact range: %v", err)
	}
}

// TestPriceExact checks that the exact amount survives where the rounded
// one cannot: a per-token figure read as per 1M.
func TestPriceExact(t *testing.T) {
	p, ex, err := priceExact("2.7e-08", catalog.PerMillion)
	if err != nil || p.Amount != 1 || !p.Rounded {
		t.Fatalf("2.7e-08 per 1M: %+v, %v", p, err)
	}
	if ex.Cmp(big.NewRat(27, 1_000_000_000)) != 0 {
		t.Errorf("exact amount %s, want 27/1e9", ex)
	}
	if _, ex, _ := priceExact("Free", catalog.PerMillion); ex != nil {
		t.Error("a free price carries an exact amount")
	}
}

func TestSlip(t *testing.T) {
	r := func(s string) *big.Rat { v, _ := new(big.Rat).SetString(s); return v }
	tests := []struct {
		a, b  string
		power int64
	}{
		{"0.027", "27", 1_000},
		{"27", "0.027", 1_000},
		{"0.027", "27000", 1_000_000},
		{"0.1", "100000000", 1_000_000_000},
		{"0.1", "60", 1_000}, // 600×: within a factor of two of 1000
		{"0.1", "40", 0},     // 400×: not a unit slip
		{"0.1", "0.13", 0},
		{"0.1", "0.1", 0},
		{"0.1", "4000", 0}, // 40,000×: between the powers
	}
	for _, tt := range tests {
		t.Run(tt.a+" to "+tt.b, func(t *testing.T) {
			p, ok := slip(r(tt.a), r(tt.b))
			if p != tt.power || ok != (tt.power != 0) {
				t.Errorf("slip(%s, %s) = %d, %v; want %d", tt.a, tt.b, p, ok, tt.power)
			}
		})
	}
	if _, ok := slip(nil, r("1")); ok {
		t.Error("slip with a nil amount")
	}
	if _, ok := slip(r("0"), r("1")); ok {
		t.Error("slip with a zero amount")
	}
}

func TestImplausible(t *testing.T) {
	for s, want := range map[string]bool{"0.027": false, "0.002": false, "600": false, "0.0006": true, "27000": true, "100000": true, "0.000000027": true, "5000": false} {
		t.Run(s, func(t *testing.T) {
			v, _ := new(big.Rat).SetString(s)
			if got := implausible(v) != ""; got != want {
				t.Errorf("implausible(%s) = %v, want %v", s, got, want)
			}
		})
	}
}

func TestPercent(t *testing.T) {
	for s, want := range map[string]Percent{"20": 2000, "12.5": 1250, "20%": 2000, "0.25": 25, " 7 ": 700, "100": 10_000, "0": 0} {
		t.Run("parse "+s, func(t *testing.T) {
			got, err := ParsePercent(s)
			if err != nil || got != want {
				t.Errorf("ParsePercent(%q) = %d, %v; want %d", s, got, err, want)
			}
		})
	}
	for _, bad := range []string{"", "-5", "1.234", "abc", "1e2", "20 %%", "."} {
		t.Run("refuse "+bad, func(t *testing.T) {
			if _, err := ParsePercent(bad); err == nil {
				t.Errorf("ParsePercent(%q) accepted", bad)
			}
		})
	}
	for p, want := range map[Percent]string{2000: "20%", 1250: "12.5%", 25: "0.25%", 0: "0%"} {
		t.Run("write "+want, func(t *testing.T) {
			if p.String() != want {
				t.Errorf("Percent(%d) = %s, want %s", p, p.String(), want)
			}
		})
	}
}

func TestBeyond(t *testing.T) {
	r := func(s string) *big.Rat { v, _ := new(big.Rat).SetString(s); return v }
	tests := []struct {
		a, b  string
		bound Percent
		want  bool
		pct   string
	}{
		{"0.10", "0.13", 2000, true, "+30.0%"},
		{"0.13", "0.10", 2000, true, "-23.1%"},
		{"0.20", "0.201", 2000, false, "+0.5%"},
		{"0.10", "0.12", 2000, false, "+20.0%"}, // exactly the bound is within it
		{"0.10", "0.1201", 2000, true, "+20.1%"},
	}
	for _, tt := range tests {
		t.Run(tt.a+" to "+tt.b, func(t *testing.T) {
			if got := beyond(r(tt.a), r(tt.b), tt.bound); got != tt.want {
				t.Errorf("beyond(%s, %s, %s) = %v", tt.a, tt.b, tt.bound, got)
			}
			if got := pctDiff(r(tt.a), r(tt.b)); got != tt.pct {
				t.Errorf("pctDiff(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.pct)
			}
		})
	}
}

// TestMayHaveSlips: a group of sibling offerings is compared pair by pair
// only for the fields whose amounts spread 500× or more.
func TestMayHaveSlips(t *testing.T) {
	r := func(s string) *big.Rat { v, _ := new(big.Rat).SetString(s); return v }
	in, out := catalog.FieldPriceInput, catalog.FieldPriceOutput
	exacts := map[string]map[catalog.Field]*big.Rat{
		"us":   {in: r("0.10"), out: r("0.20")},
		"eu":   {in: r("0.13"), out: r("200")}, // output read per token: 1000×
		"ap":   {in: r("0.12")},
		"free": {in: nil, out: new(big.Rat)},
	}
	for _, tt := range []struct {
		name string
		keys []string
		want map[catalog.Field]bool
	}{
		{"one offering", []string{"us"}, nil},
		{"close prices", []string{"us", "ap"}, nil},
		{"output 1000x apart", []string{"us", "eu", "ap"}, map[catalog.Field]bool{out: true}},
		{"nil and zero amounts are not prices", []string{"us", "free"}, nil},
		{"exactly 500x", []string{"a", "b"}, map[catalog.Field]bool{in: true}},
		{"just under 500x", []string{"a", "c"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			exacts["a"] = map[catalog.Field]*big.Rat{in: r("0.002")}
			exacts["b"] = map[catalog.Field]*big.Rat{in: r("1")}
			exacts["c"] = map[catalog.Field]*big.Rat{in: r("0.999")}
			got := mayHaveSlips(tt.keys, exacts)
			if len(got) != len(tt.want) {
				t.Fatalf("mayHaveSlips(%v) = %v, want %v", tt.keys, got, tt.want)
			}
			for f := range tt.want {
				if !got[f] {
					t.Fatalf("mayHaveSlips(%v) = %v, want %v", tt.keys, got, tt.want)
				}
			}
		})
	}
}

// TestPlausibleFastAgreesWithCmp holds the integer check of the plausible
// range to big.Rat's comparisons: at the bounds, beside them, and for
// random fractions.
func TestPlausibleFastAgreesWithCmp(t *testing.T) {
	inside := func(r *big.Rat) bool { return r.Cmp(plausibleLow) >= 0 && r.Cmp(plausibleHigh) <= 0 }
	check := func(r *big.Rat) {
		t.Helper()
		fast := plausibleFast(r)
		fits := r.Sign() >= 0 && r.Num().IsUint64() && r.Denom().IsUint64()
		if fast && !inside(r) || fits && fast != inside(r) {
			t.Fatalf("%s: plausibleFast %v, inside %v", r.RatString(), fast, inside(r))
		}
	}
	for _, r := range []*big.Rat{big.NewRat(1, 1000), big.NewRat(999, 1_000_000), big.NewRat(1001, 1_000_000),
		big.NewRat(5000, 1), big.NewRat(5_000_001, 1000), big.NewRat(4_999_999, 1000), big.NewRat(0, 1), big.NewRat(-1, 2),
		new(big.Rat).SetFrac(new(big.Int).Lsh(big.NewInt(1), 70), big.NewInt(3)), big.NewRat(1<<62, 1<<61+1)} {
		check(r)
	}
	rng := rand.New(rand.NewSource(1))
	for range 100_000 {
		n, d := rng.Uint64()>>uint(rng.Intn(64)), rng.Uint64()>>uint(rng.Intn(64))+1
		check(new(big.Rat).SetFrac(new(big.Int).SetUint64(n), new(big.Int).SetUint64(d)))
	}
}

// TestPlausibleMoney holds the integer reading of the plausible range to
// implausible's, at and around its bounds.
func TestPlausibleMoney(t *testing.T) {
	for _, m := range []catalog.Money{1, 999, 1000, 1001, 27_000, 5000 * catalog.MicrosPerUSD, 5000*catalog.MicrosPerUSD + 1, 1 << 53} {
		if got, want := plausibleMoney(m), implausible(moneyRat(m)) == ""; got != want {
			t.Errorf("%d micro-dollars per 1M: plausibleMoney %v, implausible says %v", m, got, want)
		}
	}
}
