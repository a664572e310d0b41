package normalize

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// samePrice fails unless plainPrice, when it reads s, gives what the
// big.Rat path gives.
func samePrice(t *testing.T, s string, unit catalog.Unit) bool {
	t.Helper()
	factor := unitFactor[unit]
	p, usd, ok := plainPrice(s, factor, true)
	if !ok {
		return false
	}
	// Asked for the exact amount only where rounded (priceRounded): the
	// same price, and the same amount or none, none exactly when the Money
	// is the amount.
	lp, lusd, lok := plainPrice(s, factor, false)
	if !lok || lp != p || (lusd == nil) != (usd == nil || !p.Rounded) || (lusd != nil && lusd.Cmp(usd) != 0) {
		t.Fatalf("%q %s: the exact amount only where rounded: %+v %v, always: %+v %v", s, unit, lp, lusd, p, usd)
	}
	wp, wusd, err := ratPrice(s, s, factor)
	if err != nil {
		t.Fatalf("%q %s: read by hand as %v, the big.Rat path refuses it: %v", s, unit, p, err)
	}
	if p != wp || (usd == nil) != (wusd == nil) || (usd != nil && usd.Cmp(wusd) != 0) {
		t.Fatalf("%q %s: by hand %+v %v, big.Rat %+v %v", s, unit, p, usd, wp, wusd)
	}
	return true
}

var units = []catalog.Unit{catalog.PerToken, catalog.PerThousand, catalog.PerMillion}

func TestPlainPrice(t *testing.T) {
	read := map[string]bool{}
	for _, s := range []string{"0.000000535", "0.000003745", "1.75", "14", "0", "0.000", "00.10", "0.0000000000000000001",
		"0.0000000000000000005", "0.00000000000000000049", "123456789012345678", "1234567890123456789", "9007199254.740993",
		"0.0000015", "0.0000025", "2.5", "0.5", "10.000000000000000000001", "1.", ".5", "-1", "1e5", ""} {
		for _, u := range units {
			if samePrice(t, s, u) {
				read[s] = true
			}
		}
	}
	for _, s := range []string{"0.000000535", "1.75", "0", "0.0000000000000000005"} {
		if !read[s] {
			t.Errorf("%q left to big.Rat", s)
		}
	}
	if read["1234567890123456789"] || read["1."] || read["-1"] {
		t.Error("read what is not a plain decimal of at most 18 digits")
	}
}

// TestPlainPriceRandom: random plain decimals, from tiny to too large, in
// every unit.
func TestPlainPriceRandom(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 8))
	read := 0
	for range 200000 {
		var b strings.Builder
		for range 1 + rnd.IntN(12) {
			b.WriteByte(byte('0' + rnd.IntN(10)))
		}
		if rnd.IntN(3) > 0 {
			b.WriteByte('.')
			for range 1 + rnd.IntN(14) {
				b.WriteByte(byte('0' + rnd.IntN(10)))
			}
		}
		if samePrice(t, b.String(), units[rnd.IntN(len(units))]) {
			read++
		}
	}
	if read < 50000 {
		t.Errorf("only %d of 200000 read by hand", read)
	}
}

// FuzzPlainPrice: for any text, plainPrice reads it as the big.Rat path
// does, or leaves it to it.
func FuzzPlainPrice(f *testing.F) {
	for _, s := range []string{"0.000000535", "1.75", "0", "123456789012345678", "0.0000000000000000005", "9007199254.740993"} {
		f.Add(s, uint8(0))
	}
	f.Fuzz(func(t *testing.T, s string, u uint8) {
		samePrice(t, s, units[int(u)%len(units)])
	})
}

func BenchmarkPriceExact(b *testing.B) {
	for b.Loop() {
		if _, _, err := priceExact("0.000000535", catalog.PerToken); err != nil {
			b.Fatal(err)
		}
	}
}
