package changes

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// Rules decide which changes are held for an operator instead of being
// published. The zero Rules hold nothing; DefaultRules are the defaults of
// the configuration file's `review:` section.
type Rules struct {
	// MaxChangePct holds a fixed price that moves by more than this many
	// percent, up or down; 0 turns the rule off.
	MaxChangePct int
	// MaxFactor holds a fixed price that becomes this many times larger
	// or smaller, or more; 0 turns the rule off.
	MaxFactor int
	// HoldZero holds a price moving from a listed amount to zero or free,
	// or from zero or free to a listed amount.
	HoldZero bool
	// HoldFlagged holds a price the normaliser flagged (a suspected unit
	// slip, a discrepancy with the cross-checks), and a new offering with
	// such a price.
	HoldFlagged bool
	// VanishedPct and VanishedMin hold the removals of a source's
	// offerings when more than VanishedPct percent of them, and at least
	// VanishedMin, vanish in one run: the source broke, the offerings did
	// not all leave. VanishedPct 0 turns the rule off.
	VanishedPct int
	VanishedMin int
}

// DefaultRules hold a price moving more than ±50% or by 10× or more, to or
// from zero or free, or flagged by the normaliser, and the removals when
// more than 25% (and at least 3) of a source's offerings vanish at once.
func DefaultRules() Rules {
	return Rules{MaxChangePct: 50, MaxFactor: 10, HoldZero: true, HoldFlagged: true, VanishedPct: 25, VanishedMin: 3}
}

// Rule names, as reasons start with them (the configuration keys).
const (
	RuleChangePct = "max_change_pct"
	RuleFactor    = "max_factor"
	RuleZero      = "hold_zero"
	RuleFlagged   = "hold_flagged"
	RuleVanished  = "vanished_pct"
)

func isZero(p catalog.Price) bool {
	return p.Kind == catalog.PriceFree || (p.Kind == catalog.PriceFixed && p.Amount == 0)
}

func isAmount(p catalog.Price) bool { return p.Kind == catalog.PriceFixed && p.Amount > 0 }

// PriceReasons says why a price change from old to next breaks the rules;
// none means it publishes.
func (r Rules) PriceReasons(old, next catalog.Fact[catalog.Price]) []string {
	var out []string
	if old.Sourced() && next.Sourced() {
		o, n := old.Value, next.Value
		if isAmount(o) && isAmount(n) {
			if r.MaxChangePct > 0 {
				d := new(big.Int).Sub(big.NewInt(int64(n.Amount)), big.NewInt(int64(o.Amount)))
				d.Abs(d).Mul(d, big.NewInt(100))
				if d.Cmp(new(big.Int).Mul(big.NewInt(int64(o.Amount)), big.NewInt(int64(r.MaxChangePct)))) > 0 {
					out = append(out, fmt.Sprintf("%s: %s is beyond ±%d%%", RuleChangePct, catalog.PercentChange(o.Amount, n.Amount), r.MaxChangePct))
				}
			}
			if r.MaxFactor > 0 {
				f := big.NewInt(int64(r.MaxFactor))
				hi, lo := n.Amount, o.Amount
				dir := "larger"
				if o.Amount > n.Amount {
					hi, lo, dir = o.Amount, n.Amount, "smaller"
				}
				if big.NewInt(int64(hi)).Cmp(new(big.Int).Mul(f, big.NewInt(int64(lo)))) >= 0 {
					out = append(out, fmt.Sprintf("%s: %s× %s is %d× or more", RuleFactor, trimZero(catalog.Ratio(hi, lo, 1)), dir, r.MaxFactor))
				}
			}
		}
		if r.HoldZero {
			switch {
			case isAmount(o) && isZero(n):
				out = append(out, fmt.Sprintf("%s: from %s to %s", RuleZero, o.Amount, zeroWord(n)))
			case isZero(o) && isAmount(n):
				out = append(out, fmt.Sprintf("%s: from %s to %s", RuleZero, zeroWord(o), n.Amount))
			}
		}
	}
	if r.HoldFlagged && next.Sourced() {
		for _, f := range next.Flags {
			out = append(out, flagReason(f))
		}
	}
	return out
}

func flagReason(f catalog.Flag) string {
	s := RuleFlagged + ": " + strings.ReplaceAll(f.Kind, "_", " ")
	if f.Detail != "" {
		s += " (" + f.Detail + ")"
	}
	return s
}

func zeroWord(p catalog.Price) string {
	if p.Kind == catalog.PriceFree {
		return "free"
	}
	return "$0"
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// offeringSources names the sources behind an offering's sourced facts.
func offeringSources(o *catalog.Offering) []string {
	var out []string
	for _, n := range catalog.PriceFieldNames {
		out = addSource(out, o.PriceField(n).Source.Name)
	}
	out = addSource(addSource(out, o.Context.Source.Name), o.MaxOutput.Source.Name)
	sort.Strings(out)
	return out
}

func addSource(list []string, name string) []string {
	if name == "" {
		return list
	}
	for _, s := range list {
		if s == name {
			return list
		}
	}
	return append(list, name)
}

// breakage is a source most of whose offerings vanished in one run.
type breakage struct {
	source   string
	total    int      // the source's published offerings
	lost     int      // how many of them vanished
	vanished []string // offering keys held, in order: the source's, and those of models that left with it
}

// breakages finds the sources that lost more than the allowed share of
// their published offerings between prev and next. Sources are judged in
// order of how many offerings they lost, most first. A broken source takes
// with it every vanished offering of the models that left with it (a
// provider's offerings of a model the broken source defined vanish with the
// model): those are not held against the provider as a breakage of its own.
func (r Rules) breakages(prev, next *catalog.Snapshot) []breakage {
	if r.VanishedPct <= 0 {
		return nil
	}
	total := map[string]int{}
	gone := map[string][]string{}
	for _, k := range prev.OfferingKeys() {
		o := prev.Offerings[k]
		_, stays := next.Offerings[k]
		for _, s := range offeringSources(o) {
			total[s]++
			if !stays {
				gone[s] = append(gone[s], k)
			}
		}
	}
	taken := map[string]bool{}
	var out []breakage
	for len(gone) > 0 {
		// The source with the most vanished offerings not yet taken.
		best, n := "", 0
		for s, keys := range gone {
			c := 0
			for _, k := range keys {
				if !taken[k] {
					c++
				}
			}
			if c > n || c == n && c > 0 && s < best {
				best, n = s, c
			}
		}
		if best == "" {
			break
		}
		keys := gone[best]
		delete(gone, best)
		if n < r.VanishedMin || n*100 <= r.VanishedPct*total[best] {
			continue
		}
		b := breakage{source: best, total: total[best], lost: n}
		models := map[string]bool{}
		for _, k := range keys {
			if !taken[k] {
				taken[k] = true
				b.vanished = append(b.vanished, k)
				if m := prev.Offerings[k].ModelID; next.Models[m] == nil {
					models[m] = true
				}
			}
		}
		// Offerings of the models that left with the source.
		for _, k := range prev.OfferingKeys() {
			if _, stays := next.Offerings[k]; !stays && !taken[k] && models[prev.Offerings[k].ModelID] {
				taken[k] = true
				b.vanished = append(b.vanished, k)
			}
		}
		sort.Strings(b.vanished)
		out = append(out, b)
	}
	return out
}

func (b breakage) reason(r Rules) string {
	s := fmt.Sprintf("%s: %d of %d %s offerings vanished in one run (%d%%, more than %d%%)",
		RuleVanished, b.lost, b.total, b.source, b.lost*100/b.total, r.VanishedPct)
	if extra := len(b.vanished) - b.lost; extra > 0 {
		s += fmt.Sprintf("; %s of other sources left with their models", plural(extra, "offering"))
	}
	return s
}
