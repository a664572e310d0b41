package changes

import (
	"reflect"
	"testing"
)

func TestExplain(t *testing.T) {
	slip := []string{
		"max_change_pct: +99900.0% is beyond ±50%",
		"max_factor: 1000× larger is 10× or more",
		"hold_flagged: suspected unit slip ($27 per 1M here, $0.027 per 1M at openrouter cloudflare: 1,000× apart, suspected unit slip)",
		"hold_flagged: suspected unit slip ($27 per 1M here, $0.027 per 1M at openrouter deepinfra/bf16: 1,000× apart, suspected unit slip)",
		"hold_flagged: suspected unit slip ($27 per 1M is 1,000× the previous value $0.027 per 1M (openrouter): suspected unit slip)",
		"hold_flagged: suspected unit slip (openrouter says $27 per 1M, modelsdev says $0.027 per 1M: 1,000× apart, suspected unit slip)",
	}
	disc := "discrepancy (modelsdev (cross-check) has $0.10 per 1M, -23.1% from bedrock's $0.13 (bound 20%))"
	for _, c := range []struct {
		name string
		in   []string
		want []Reason
	}{
		{"unit slip: each reason once, the four checks as details", slip, []Reason{
			{Rule: RuleChangePct, Text: "moved +99900.0%, beyond the ±50% limit"},
			{Rule: RuleFactor, Text: "became 1000× larger, at or beyond the 10× limit"},
			{Rule: RuleFlagged, Text: "suspected unit slip (4 checks)", Details: []string{
				"$27 per 1M here, $0.027 per 1M at openrouter cloudflare: 1,000× apart",
				"$27 per 1M here, $0.027 per 1M at openrouter deepinfra/bf16: 1,000× apart",
				"$27 per 1M is 1,000× the previous value $0.027 per 1M (openrouter)",
				"openrouter says $27 per 1M, modelsdev says $0.027 per 1M: 1,000× apart",
			}},
		}},
		{"new offering: one discrepancy on two prices", []string{"hold_flagged: " + disc + " on input", "hold_flagged: " + disc + " on output"}, []Reason{
			{Rule: RuleFlagged, Text: "discrepancy on the input and output prices: modelsdev (cross-check) has $0.10 per 1M, -23.1% from bedrock's $0.13 (bound 20%)"},
		}},
		{"new offering: different findings per price", []string{"hold_flagged: discrepancy (a) on input", "hold_flagged: discrepancy (b) on output", "hold_flagged: discrepancy (a) on output"}, []Reason{
			{Rule: RuleFlagged, Text: "discrepancy on the input and output prices (2 checks)", Details: []string{"a", "b (on the output price)"}},
		}},
		{"to free", []string{"hold_zero: from $0.14 to free"}, []Reason{{Rule: RuleZero, Text: "went from $0.14 to free"}}},
		{"breakage", []string{"vanished_pct: 13 of 20 openrouter offerings vanished in one run (65%, more than 25%); 5 offerings of other sources left with their models"}, []Reason{
			{Rule: RuleVanished, Text: "65% of OpenRouter's offerings vanished in one run, more than the 25% limit; 5 offerings of other sources left with their models"}}},
		{"repeats and unknown forms", []string{"moved ×1000", "moved ×1000", "max_change_pct: something else"}, []Reason{
			{Text: "moved ×1000"}, {Rule: RuleChangePct, Text: "price move beyond the limit: something else"}}},
		{"none", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Explain(c.in); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Explain:\n got %#v\nwant %#v", got, c.want)
			}
		})
	}
	if got := ReasonText(slip); got != "moved +99900.0%, beyond the ±50% limit; became 1000× larger, at or beyond the 10× limit; suspected unit slip (4 checks)" {
		t.Errorf("ReasonText: %q", got)
	}
}
