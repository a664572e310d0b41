package catalog

import (
	"encoding/json"
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
