package catalog

import (
	"strconv"
	"strings"
)

// FieldTierPrefix starts the field of a price that applies only to prompts
// longer than a context length: "tier.200000.price.input" is the input price
// for prompts above 200,000 tokens (a long-context surcharge: models.dev's
// cost tiers, OpenAI's "Prompts exceeding 272K input tokens incur 2x input").
// Scrapers state the absolute price, never the multiplier.
const FieldTierPrefix Field = "tier."

// TierField is the field of a price that applies above a context length:
// TierField(200000, FieldPriceInput) is "tier.200000.price.input".
func TierField(above int64, price Field) Field {
	return FieldTierPrefix + Field(strconv.FormatInt(above, 10)) + "." + price
}

// Tier splits a tier field into its threshold and its price field; ok is
// false for any other field, and for a threshold that is not a positive
// count or a price field that is not a price.
func (f Field) Tier() (above int64, price Field, ok bool) {
	rest, found := strings.CutPrefix(string(f), string(FieldTierPrefix))
	if !found {
		return 0, "", false
	}
	n, p, found := strings.Cut(rest, ".")
	if !found {
		return 0, "", false
	}
	above, err := strconv.ParseInt(n, 10, 64)
	if err != nil || above <= 0 || !Field(p).IsPrice() {
		return 0, "", false
	}
	return above, Field(p), true
}

// PriceTier is an offering's prices for prompts longer than AboveTokens
// input tokens. An offering's base prices (Input, Output, ...) apply up to
// the first tier; tiers are part of the offering, never another offering or
// model.
type PriceTier struct {
	// AboveTokens is the prompt length, in tokens, above which these
	// prices apply.
	AboveTokens int64       `json:"above_tokens"`
	Input       Fact[Price] `json:"input"`
	Output      Fact[Price] `json:"output"`
	CachedInput Fact[Price] `json:"cached_input"`
	CacheWrite  Fact[Price] `json:"cache_write"`
}
