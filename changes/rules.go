package changes

import (
	"fmt"
	"math/big"
	"regexp"
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
				out = append(out, fmt.Sprintf("%s: from %s to %s", RuleZero, o.Amount.Text(), zeroWord(n)))
			case isZero(o) && isAmount(n):
				out = append(out, fmt.Sprintf("%s: from %s to %s", RuleZero, zeroWord(o), n.Amount.Text()))
			}
		}
	}
	if r.HoldFlagged && next.Sourced() {
		for _, f := range next.Flags() {
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
	return catalog.Money(0).Text()
}

func trimZero(s string) string { return strings.TrimSuffix(s, ".0") }

// offeringSources names the sources behind an offering's sourced facts.
func offeringSources(o *catalog.Offering) []string {
	var out []string
	for _, n := range catalog.PriceFieldNames {
		out = addSource(out, o.PriceField(n).Source.Name())
	}
	out = addSource(addSource(out, o.Context.Source.Name()), o.MaxOutput.Source.Name())
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
func (r Rules) breakages(prev, next sorted) []breakage {
	if r.VanishedPct <= 0 {
		return nil
	}
	total := map[string]int{}
	gone := map[string][]string{}
	for _, k := range prev.keys {
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
		for _, k := range prev.keys {
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

// Reason is why a rule held a change, for people.
type Reason struct {
	// Rule is the rule's configuration key (max_change_pct, max_factor,
	// hold_zero, hold_flagged, vanished_pct); empty for a reason of no
	// known rule.
	Rule string `json:"rule,omitempty"`
	// Text says it in words, once: "moved +99900.0%, beyond the ±50%
	// limit", "suspected unit slip on the input price (4 checks)".
	Text string `json:"text"`
	// Details are what each check found, when several found the same.
	Details []string `json:"details,omitempty"`
}

var (
	reChangePct = regexp.MustCompile(`^(\S+) is beyond ±(\d+)%$`)
	reFactor    = regexp.MustCompile(`^(\S+)× (larger|smaller) is (\d+)× or more$`)
	reZero      = regexp.MustCompile(`^from (.+) to (.+)$`)
	// "13 of 20 openrouter offerings vanished in one run (65%, more than 25%)"
	reVanishedWhy = regexp.MustCompile(`^(\d+) of (\d+) (\S+) offerings vanished in one run \((\d+)%, more than (\d+)%\)(.*)$`)
	reAddedWhy    = regexp.MustCompile(`^(\S+) added (\d+) new offerings in one run to its (\d+) published \((\d+)%, more than (\d+)%\)(.*)$`)
)

// Explain turns the reasons rules recorded, in their machine form
// ("max_change_pct: +99900.0% is beyond ±50%", "hold_flagged: suspected
// unit slip (…) on input"), into words, each once: the normaliser's flags
// of one kind become one reason naming the prices they are on, with what
// each check found as its details when they differ. The order is that of
// each reason's first mention.
func Explain(reasons []string) []Reason {
	var out []Reason
	type flagged struct {
		at      int // index in out
		fields  []string
		details []string
		on      map[string][]string // detail → the fields it was found on
	}
	flags := map[string]*flagged{}
	var kinds []string
	seen := map[string]bool{}
	for _, s := range reasons {
		rule, rest, ok := strings.Cut(s, ": ")
		if !ok {
			rule, rest = "", s
		}
		var text string
		switch rule {
		case RuleFlagged:
			kind, detail, field := splitFlag(rest)
			f := flags[kind]
			if f == nil {
				f = &flagged{at: len(out), on: map[string][]string{}}
				flags[kind] = f
				kinds = append(kinds, kind)
				out = append(out, Reason{Rule: rule})
			}
			if field != "" {
				f.fields = addSource(f.fields, field)
			}
			if detail != "" {
				if _, dup := f.on[detail]; !dup {
					f.details = append(f.details, detail)
				}
				if field != "" {
					f.on[detail] = addSource(f.on[detail], field)
				} else if f.on[detail] == nil {
					f.on[detail] = []string{}
				}
			}
			continue
		case RuleChangePct:
			text = "price move beyond the limit: " + rest
			if m := reChangePct.FindStringSubmatch(rest); m != nil {
				text = fmt.Sprintf("moved %s, beyond the ±%s%% limit", m[1], m[2])
			}
		case RuleFactor:
			text = "price moved by a large factor: " + rest
			if m := reFactor.FindStringSubmatch(rest); m != nil {
				text = fmt.Sprintf("became %s× %s, at or beyond the %s× limit", m[1], m[2], m[3])
			}
		case RuleZero:
			text = "price to or from zero: " + rest
			if m := reZero.FindStringSubmatch(rest); m != nil {
				text = fmt.Sprintf("went from %s to %s", m[1], m[2])
			}
		case RuleVanished:
			text = rest
			if m := reVanishedWhy.FindStringSubmatch(rest); m != nil {
				text = fmt.Sprintf("%s%% of %s's offerings vanished in one run, more than the %s%% limit%s", m[4], catalog.ProviderOf(m[3]).Name, m[5], m[6])
			}
		case RuleAdded:
			text = rest
			if m := reAddedWhy.FindStringSubmatch(rest); m != nil {
				text = fmt.Sprintf("%s added %s new offerings in one run, %s%% of its %s published, more than the %s%% limit%s",
					catalog.ProviderOf(m[1]).Name, m[2], m[4], m[3], m[5], m[6])
			}
		default:
			rule, text = "", s
		}
		if !seen[text] {
			seen[text] = true
			out = append(out, Reason{Rule: rule, Text: text})
		}
	}
	for _, kind := range kinds {
		f := flags[kind]
		r := &out[f.at]
		r.Text = kind
		if len(f.fields) > 0 {
			r.Text += " on the " + fieldList(f.fields)
		}
		switch len(f.details) {
		case 0:
		case 1:
			r.Text += ": " + f.details[0]
		default:
			r.Text += fmt.Sprintf(" (%d checks)", len(f.details))
			for _, d := range f.details {
				if on := f.on[d]; len(on) > 0 && len(on) < len(f.fields) {
					d += " (on the " + fieldList(on) + ")"
				}
				r.Details = append(r.Details, d)
			}
		}
	}
	return out
}

// ReasonText is Explain's reasons as one line: "moved +99900.0%, beyond
// the ±50% limit; suspected unit slip on the input price (4 checks)".
func ReasonText(reasons []string) string {
	ex := Explain(reasons)
	parts := make([]string, len(ex))
	for i, r := range ex {
		parts[i] = r.Text
	}
	return strings.Join(parts, "; ")
}

// splitFlag reads a flag's reason, "suspected unit slip (detail) on
// input": the kind, the detail without a trailing repeat of the kind, and
// the price field of a new offering's flag.
func splitFlag(s string) (kind, detail, field string) {
	for _, n := range catalog.PriceFieldNames {
		if t, ok := strings.CutSuffix(s, " on "+n); ok {
			s, field = t, n
			break
		}
	}
	kind = s
	if i := strings.Index(s, " ("); i > 0 && strings.HasSuffix(s, ")") {
		kind, detail = s[:i], s[i+2:len(s)-1]
		for _, sep := range []string{", ", ": "} {
			detail = strings.TrimSuffix(detail, sep+kind)
		}
	}
	return kind, detail, field
}

// fieldList names price fields: "input price", "input and output prices".
func fieldList(fields []string) string {
	words := make([]string, len(fields))
	for i, f := range fields {
		words[i] = strings.ReplaceAll(f, "_", " ")
	}
	if len(words) == 1 {
		return words[0] + " price"
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1] + " prices"
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
func (r Rules) surges(prev, next sorted) []surge {
	if r.AddedPct <= 0 {
		return nil
	}
	total := map[string]int{}
	for _, k := range prev.keys {
		for _, s := range offeringSources(prev.Offerings[k]) {
			total[s]++
		}
	}
	added := map[string][]string{}
	for _, k := range next.keys {
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
