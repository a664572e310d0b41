package normalize

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
)

// Rules is the version of the normalisation rules. Raise it whenever a
// change to this package would normalise the same observations differently,
// so that a run whose pages are all unchanged still normalises again.
const Rules = 5

// Settings are what an operator configures about normalisation: the alias
// table (config `aliases`) and the discrepancy bound (config
// `normalize.discrepancy_pct`). The zero Settings are the defaults: no
// aliases, DefaultDiscrepancy.
type Settings struct {
	resolver    Resolver
	discrepancy Percent
}

// NewSettings returns settings with an operator's alias table (as
// NewResolver takes it) and discrepancy bound: zero for
// DefaultDiscrepancy, negative to turn the check off.
func NewSettings(aliases map[string]string, discrepancy Percent) (Settings, error) {
	r, err := NewResolver(aliases)
	if err != nil {
		return Settings{}, err
	}
	return Settings{resolver: *r, discrepancy: discrepancy}, nil
}

// Resolver is the id resolver with the settings' alias table.
func (s Settings) Resolver() *Resolver { return &s.resolver }

// Discrepancy is the bound beyond which a price that disagrees with a
// cross-check source's price for the same offering is flagged
// (catalog.FlagDiscrepancy): DefaultDiscrepancy unless another was set;
// negative when the check is off.
func (s Settings) Discrepancy() Percent {
	if s.discrepancy == 0 {
		return DefaultDiscrepancy
	}
	return s.discrepancy
}

// Fingerprint names everything besides the observations that decides what
// normalisation makes of them: the rules' version, the alias table and the
// discrepancy bound as configured. A run whose pages are all unchanged,
// under the same fingerprint as the last run, keeps the published
// catalogue as it is.
func (s Settings) Fingerprint() string { return s.fingerprint(Rules) }

// fingerprint is Fingerprint under a given version of the rules.
func (s Settings) fingerprint(rules int) string {
	aliases := s.resolver.aliases
	keys := make([]string, 0, len(aliases))
	for k := range aliases {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	fmt.Fprintf(h, "rules %d\ndiscrepancy %v\n", rules, s.discrepancy)
	for _, k := range keys {
		fmt.Fprintf(h, "alias %q %q\n", k, aliases[k])
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
