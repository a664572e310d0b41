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
	// AddedPct and AddedMin hold the additions of a source's offerings
	// when one run adds more than AddedPct percent of the offerings it had
	// published, and at least AddedMin: a list padded with invented models
	// or a changed id scheme, not a night's real news. The new models that
	// come only with them are held too. A source with nothing published
	// yet (its first run) is never held. AddedPct 0 turns the rule off.
	AddedPct int
	AddedMin int
}

// DefaultRules hold a price moving more than ±50% or by 10× or more, to or
// from zero or free, or flagged by the normaliser; the removals when more
// than 25% (and at least 3) of a source's offerings vanish at once; and the
// additions when a source adds more than 25% of its offerings (and at
// least 20) at once.
func DefaultRules() Rules {
	return Rules{MaxChangePct: 50, MaxFactor: 10, HoldZero: true, HoldFlagged: true, VanishedPct: 25, VanishedMin: 3,
		AddedPct: 25, AddedMin: 20}
}

// Rule names, as reasons start with them (the configuration keys).
const (
	RuleChangePct = "max_change_pct"
	RuleFactor    = "max_factor"
	RuleZero      = "hold_zero"
	RuleFlagged   = "hold_flagged"
	RuleVanished  = "vanished_pct"
	RuleAdded     = "added_pct"
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

// surge is a source that added many offerings in one run.
type surge struct {
	source string
	total  int      // the source's published offerings
	added  []string // the new offering keys held, in key order
	models []string // the new models that come only with them, in id order
}

// surges finds the sources that add more than the allowed share of their
// published offerings in one run. Each new offering is held once, with the
// source adding the most; a new model is held with a surge when every
// offering it has in next is held.
func (r Rules) surges(prev, next *catalog.Snapshot) []surge {
	if r.AddedPct <= 0 {
		return nil
	}
	total := map[string]int{}
	for _, k := range prev.OfferingKeys() {
		for _, s := range offeringSources(prev.Offerings[k]) {
			total[s]++
		}
	}
	added := map[string][]string{}
	for _, k := range next.OfferingKeys() {
		if _, had := prev.Offerings[k]; had {
			continue
		}
		for _, s := range offeringSources(next.Offerings[k]) {
			added[s] = append(added[s], k)
		}
	}
	taken := map[string]bool{}
	var out []surge
	for _, s := range sortedByCount(added) {
		var keys []string
		for _, k := range added[s] {
			if !taken[k] {
				keys = append(keys, k)
			}
		}
		n := len(keys)
		if total[s] == 0 || n < r.AddedMin || n*100 <= r.AddedPct*total[s] {
			continue
		}
		for _, k := range keys {
			taken[k] = true
		}
		out = append(out, surge{source: s, total: total[s], added: keys})
	}
	// A new model goes with the surges when all its offerings are held.
	for i := range out {
		seen := map[string]bool{}
		for _, k := range out[i].added {
			m := next.Offerings[k].ModelID
			if seen[m] || prev.Models[m] != nil || next.Models[m] == nil {
				continue
			}
			seen[m] = true
			all := true
			for _, o := range next.OfferingsOf(m) {
				all = all && taken[o.Key()]
			}
			if all {
				out[i].models = append(out[i].models, m)
			}
		}
		sort.Strings(out[i].models)
	}
	return out
}

// sortedByCount lists m's keys, the longest list first (ties by name).
func sortedByCount(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if a, b := len(m[keys[i]]), len(m[keys[j]]); a != b {
			return a > b
		}
		return keys[i] < keys[j]
	})
	return keys
}

func (s surge) reason(r Rules) string {
	why := fmt.Sprintf("%s: %s added %d new offerings in one run to its %d published (%d%%, more than %d%%)",
		RuleAdded, s.source, len(s.added), s.total, len(s.added)*100/s.total, r.AddedPct)
	if len(s.models) > 0 {
		why += fmt.Sprintf("; with them %s", plural(len(s.models), "new model"))
	}
	return why
}
