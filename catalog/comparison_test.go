package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
)

func TestExact(t *testing.T) {
	tests := []struct {
		e          Exact
		usd, round string
	}{
		{ExactOf(27_000), "0.027", "$0.03"},
		{DefaultBlend().Of(27_000, 200_000), "0.0789", "$0.08"},
		{DefaultBlend().Of(1_750_000, 14_000_000), "5.425", "$5.43"},
		{DefaultBlend().Of(1_750_000, 14_000_000) - DefaultBlend().Of(27_000, 200_000), "5.3461", "$5.35"},
		{DefaultBlend().Of(1, 0), "0.0000007", "$0.00"},
		{Blend{InputPct: 33, OutputPct: 67}.Of(1, 1), "0.000001", "$0.00"},
		{0, "0", "$0.00"},
		{-ExactOf(1_500_000), "-1.5", "-$1.50"},
	}
	for _, tt := range tests {
		t.Run(tt.usd, func(t *testing.T) {
			if got := tt.e.USD(); got != tt.usd {
				t.Errorf("Exact(%d).USD() = %s, want %s", tt.e, got, tt.usd)
			}
			if got := tt.e.Round2(); got != tt.round {
				t.Errorf("Exact(%d).Round2() = %s, want %s", tt.e, got, tt.round)
			}
			b, _ := json.Marshal(tt.e)
			var back Exact
			if err := json.Unmarshal(b, &back); err != nil || back != tt.e {
				t.Errorf("JSON round trip of %s: %d, %v", b, back, err)
			}
		})
	}
	if err := json.Unmarshal([]byte("0.000000001"), new(Exact)); err == nil {
		t.Error("nine decimal places accepted")
	}
}

func TestBlend(t *testing.T) {
	w := DefaultBlend()
	if w.Formula() != "blended = 0.7 × input + 0.3 × output (USD per 1M tokens)" {
		t.Errorf("formula %q", w.Formula())
	}
	if got := w.Arithmetic(27_000, 200_000); got != "0.7 × $0.027 + 0.3 × $0.2 = $0.0789" {
		t.Errorf("arithmetic %q", got)
	}
	if got := (Blend{InputPct: 100}).Arithmetic(27_000, 200_000); got != "1 × $0.027 + 0 × $0.2 = $0.027" {
		t.Errorf("arithmetic %q", got)
	}
	for _, bad := range []Blend{{70, 40}, {-10, 110}, {0, 0}} {
		t.Run(fmt.Sprintf("%d/%d", bad.InputPct, bad.OutputPct), func(t *testing.T) {
			if err := bad.Validate(); !errors.Is(err, ErrBlend) {
				t.Errorf("%+v: %v", bad, err)
			}
		})
	}
	if err := (Blend{50, 50}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestComparisonOrder(t *testing.T) {
	a, b := ComparisonOrder("openai/gpt-5.3-codex", "meta/llama-3.2-1b-instruct")
	if a != "meta/llama-3.2-1b-instruct" || b != "openai/gpt-5.3-codex" {
		t.Errorf("order %s, %s", a, b)
	}
	if ComparisonStem("openai/gpt-5.3-codex", "meta/llama-3.2-1b-instruct") != ComparisonStem("meta/llama-3.2-1b-instruct", "openai/gpt-5.3-codex") ||
		ComparisonStem("openai/gpt-5.3-codex", "meta/llama-3.2-1b-instruct") != "meta--llama-3.2-1b-instruct--vs--openai--gpt-5.3-codex" {
		t.Error("a-vs-b is not b-vs-a")
	}
}
