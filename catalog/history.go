package catalog

import "time"

// PricePoint is one step of an offering's price history: the prices that
// took effect at a run, or the offering's removal.
type PricePoint struct {
	Run uint64 `json:"run"`
	// At is when the prices took effect (the run's time).
	At          time.Time `json:"at"`
	Input       *Price    `json:"input,omitempty"`
	Output      *Price    `json:"output,omitempty"`
	CachedInput *Price    `json:"cached_input,omitempty"`
	// Removed marks the run in which the offering disappeared.
	Removed bool `json:"removed,omitempty"`
	// Source is where the prices were read.
	Source string `json:"source,omitempty"`
}

// PointOf is the price point an offering stands at.
func PointOf(o *Offering, run uint64, at time.Time) PricePoint {
	p := PricePoint{Run: run, At: at}
	opt := func(f Fact[Price]) *Price {
		if !f.Sourced() {
			return nil
		}
		v := f.Value
		return &v
	}
	p.Input, p.Output, p.CachedInput = opt(o.Input), opt(o.Output), opt(o.CachedInput)
	switch {
	case o.Input.Sourced():
		p.Source = o.Input.Source.URL()
	case o.Output.Sourced():
		p.Source = o.Output.Source.URL()
	}
	return p
}

// SamePrices reports whether two points hold the same prices (and the same
// removal state).
func SamePrices(a, b PricePoint) bool {
	eq := func(x, y *Price) bool {
		if x == nil || y == nil {
			return x == nil && y == nil
		}
		return x.Equal(*y)
	}
	return a.Removed == b.Removed && eq(a.Input, b.Input) && eq(a.Output, b.Output) && eq(a.CachedInput, b.CachedInput)
}
