package catalog

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"unsafe"
)

// TestPriceKindText: a price kind reads and writes as its text, the zero
// kind as ""; any other text is refused; a price's JSON names its kind as
// it always did.
func TestPriceKindText(t *testing.T) {
	for _, k := range []PriceKind{0, PriceFixed, PriceFree, PriceVariable} {
		b, err := k.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back PriceKind
		if err := back.UnmarshalText(b); err != nil || back != k || k.String() != string(b) {
			t.Errorf("kind %d: text %q, read back %d (%v)", k, b, back, err)
		}
	}
	var k PriceKind
	if err := k.UnmarshalText([]byte("cheap")); err == nil {
		t.Error(`"cheap" read as a price kind`)
	}
	for _, tt := range []struct {
		p    Price
		want string
	}{
		{Fixed(27_000), `{"kind":"fixed","usd_per_mtok":0.027,"micro_usd_per_mtok":27000}`},
		{Price{Kind: PriceFree}, `{"kind":"free"}`},
		{Price{Kind: PriceVariable}, `{"kind":"variable"}`},
	} {
		b, err := json.Marshal(tt.p)
		if err != nil || string(b) != tt.want {
			t.Errorf("%v: %s (%v), want %s", tt.p, b, err, tt.want)
		}
		var back Price
		if err := json.Unmarshal(b, &back); err != nil || back != tt.p {
			t.Errorf("%s read back as %+v (%v)", b, back, err)
		}
	}
	var p Price
	if err := json.Unmarshal([]byte(`{"kind":"cheap"}`), &p); err == nil {
		t.Error(`a price of kind "cheap" read`)
	}
}

// TestPriceSize: a price is 16 bytes, and an offering (six prices, two
// token counts) fits Go's 896-byte size class: a catalogue of 16,000 pages
// holds ~60,000 offerings.
func TestPriceSize(t *testing.T) {
	if n := unsafe.Sizeof(Price{}); n != 16 {
		t.Errorf("Price is %d bytes, want 16", n)
	}
	if n := unsafe.Sizeof(Offering{}); n > 896 {
		t.Errorf("Offering is %d bytes, over the 896-byte size class", n)
	}
}

// TestChangeSize: a change holds its source as a handle (see Source), so
// that a first run's report (~76,000 changes at 16,000 pages, each in a
// RunChange) is not a SourceRef per change.
func TestChangeSize(t *testing.T) {
	if n := unsafe.Sizeof(Change{}); n > 192 {
		t.Errorf("Change is %d bytes, want at most 192", n)
	}
}

// TestParseUSDBytes: the store's reader of amounts agrees with ParseUSD on
// every text, its errors included.
func TestParseUSDBytes(t *testing.T) {
	texts := []string{"0", "-0", "0.000001", "0.0000010", "0.0000001", "1", "12.5", "-3.25", "999999999999.999999",
		"1000000000000", "0001.5", "1.", ".5", "-", "", "1e3", "1.5e-6", "+1", "1.2.3", "00", "0.10000000", "123456789012"}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		b := make([]byte, rnd.IntN(16))
		for i := range b {
			b[i] = "0123456789.-e"[rnd.IntN(13)]
		}
		texts = append(texts, string(b))
	}
	for _, s := range texts {
		got, gotErr := parseUSD([]byte(s))
		want, wantErr := ParseUSD(s)
		if got != want || (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("parseUSD(%q) = %v, %v; ParseUSD: %v, %v", s, got, gotErr, want, wantErr)
		}
	}
}
