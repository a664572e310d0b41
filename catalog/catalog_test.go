package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestParseUSD(t *testing.T) {
	tests := []struct {
		in   string
		want Money
		err  error
	}{
		{"0.027", 27_000, nil},
		{"0.201", 201_000, nil},
		{"14", 14_000_000, nil},
		{"14.00", 14_000_000, nil},
		{"1.75", 1_750_000, nil},
		{"0.000001", 1, nil},
		{".5", 500_000, nil},
		{"-1.5", -1_500_000, nil},
		{"0.0000001", 0, ErrMoneyPrecision},
		{"1.2e3", 0, ErrMoneySyntax},
		{"$1", 0, ErrMoneySyntax},
		{"", 0, ErrMoneySyntax},
		{".", 0, ErrMoneySyntax},
		{"1,000", 0, ErrMoneySyntax},
		{"9999999999999", 0, ErrMoneyRange},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseUSD(tt.in)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("ParseUSD(%q) = %d, %v; want %d, %v", tt.in, got, err, tt.want, tt.err)
			}
		})
	}
}

func TestMoneyUSD(t *testing.T) {
	tests := []struct {
		m          Money
		usd, round string
	}{
		{27_000, "0.027", "$0.03"},
		{201_000, "0.201", "$0.20"},
		{14_000_000, "14", "$14.00"},
		{5_425_000, "5.425", "$5.43"},
		{5_346_100, "5.3461", "$5.35"},
		{78_900, "0.0789", "$0.08"},
		{1, "0.000001", "$0.00"},
		{0, "0", "$0.00"},
		{-1_500_000, "-1.5", "-$1.50"},
	}
	for _, tt := range tests {
		t.Run(tt.usd, func(t *testing.T) {
			if got := tt.m.USD(); got != tt.usd {
				t.Errorf("Money(%d).USD() = %q, want %q", tt.m, got, tt.usd)
			}
			if got := tt.m.Round2(); got != tt.round {
				t.Errorf("Money(%d).Round2() = %q, want %q", tt.m, got, tt.round)
			}
			back, err := ParseUSD(tt.m.USD())
			if err != nil || back != tt.m {
				t.Errorf("round trip of %d: %d, %v", tt.m, back, err)
			}
		})
	}
}

func TestPriceJSON(t *testing.T) {
	for _, p := range []Price{Fixed(27_000), {Kind: PriceFree}, {Kind: PriceVariable}, {Kind: PriceFixed, Amount: 83_333, Rounded: true}} {
		t.Run(p.String(), func(t *testing.T) {
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			var back Price
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if back != p {
				t.Errorf("round trip %s: got %+v, want %+v", b, back, p)
			}
		})
	}
	b, _ := json.Marshal(Fixed(27_000))
	if string(b) != `{"kind":"fixed","usd_per_mtok":0.027,"micro_usd_per_mtok":27000}` {
		t.Errorf("fixed price JSON = %s", b)
	}
	b, _ = json.Marshal(Price{Kind: PriceFree})
	if string(b) != `{"kind":"free"}` {
		t.Errorf("free price JSON = %s: a free tier must carry no amount", b)
	}
	if err := json.Unmarshal([]byte(`{"kind":"fixed"}`), new(Price)); err == nil {
		t.Error("a fixed price without an amount was accepted")
	}
}

func TestFactJSON(t *testing.T) {
	var unsourced Fact[Tokens]
	b, err := json.Marshal(unsourced)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"status":"not_yet_sourced","reviewed_at":null}` {
		t.Errorf("unsourced fact JSON = %s", b)
	}
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	f := Fact[Tokens]{
		Value: Tokens{N: 131072, Display: "128K"}, Display: "128K", Raw: "128k",
		Source:      SourceOf(SourceRef{Name: "huggingface", URL: "https://huggingface.co/x", Authority: AuthorityCreator}),
		RetrievedAt: StampOf(at), ChangedAt: StampOf(at),
	}.WithConflicts([]Conflict{{Display: "60,000", Raw: "60000", Source: SourceRef{Name: "openrouter", Authority: AuthorityAggregator}, RetrievedAt: at}})
	b, err = json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var back Fact[Tokens]
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Value != f.Value || back.Source != f.Source || !back.RetrievedAt.Equal(StampOf(at)) || len(back.Conflicts()) != 1 || !back.ReviewedAt.IsZero() {
		t.Errorf("round trip: got %+v", back)
	}
	for _, bad := range []string{`{"status":"maybe"}`, `{"status":"sourced","value":{"tokens":1}}`} {
		t.Run(bad, func(t *testing.T) {
			if err := json.Unmarshal([]byte(bad), new(Fact[Tokens])); err == nil {
				t.Errorf("%s accepted", bad)
			}
		})
	}
}

func TestDate(t *testing.T) {
	for _, s := range []string{"2024-09-25", "2023-12", "2024", "2024-02-29"} {
		t.Run(s, func(t *testing.T) {
			d, err := ParseISODate(s)
			if err != nil || d.String() != s {
				t.Errorf("ParseISODate(%q) = %v, %v", s, d, err)
			}
		})
	}
	for _, s := range []string{"2023-02-29", "2024-13", "24-01-01", "2024-1-01", "", "2024-09-25T00"} {
		t.Run(fmt.Sprintf("%q", s), func(t *testing.T) {
			if _, err := ParseISODate(s); err == nil {
				t.Errorf("ParseISODate(%q) accepted", s)
			}
		})
	}
}

func TestCompactCount(t *testing.T) {
	for n, want := range map[int64]string{128_000: "128K", 1_230_000_000: "1.23B", 131_072: "131,072", 400_000: "400K", 70_600_000_000: "70.6B", 999: "999", 1_000_000: "1M"} {
		t.Run(want, func(t *testing.T) {
			if got := CompactCount(n); got != want {
				t.Errorf("CompactCount(%d) = %q, want %q", n, got, want)
			}
		})
	}
}

func TestRatioAndPercent(t *testing.T) {
	if got := Ratio(1_750_000, 27_000, 1); got != "64.8" {
		t.Errorf("Ratio = %s, want 64.8", got)
	}
	if got := PercentChange(200_000, 201_000); got != "+0.5%" {
		t.Errorf("PercentChange = %s, want +0.5%%", got)
	}
	if got := PercentChange(200_000, 100_000); got != "-50.0%" {
		t.Errorf("PercentChange = %s, want -50.0%%", got)
	}
}

func TestSplitID(t *testing.T) {
	for _, ok := range []string{"meta/llama-3.2-1b-instruct", "openai/gpt-5.3-codex"} {
		t.Run(ok, func(t *testing.T) {
			if _, _, err := SplitID(ok); err != nil {
				t.Errorf("SplitID(%q): %v", ok, err)
			}
		})
	}
	for _, bad := range []string{"meta", "/x", "a/b/c", "Meta/x", "a/../b", "a/.hidden", "a/b c", "a--b/c"} {
		t.Run(bad, func(t *testing.T) {
			if _, _, err := SplitID(bad); err == nil {
				t.Errorf("SplitID(%q) accepted", bad)
			}
		})
	}
}

// TestSourceStatsWarnings: a source keeps at most MaxSourceWarnings
// warnings, each after its page, and counts the rest.
func TestSourceStatsWarnings(t *testing.T) {
	var s SourceStats
	s.AddWarnings("https://a/p", []string{"row x: left out"})
	many := make([]string, MaxSourceWarnings+7)
	for i := range many {
		many[i] = "w"
	}
	s.AddWarnings("https://a/q", many)
	if len(s.Warnings) != MaxSourceWarnings || s.WarningsMore != 8 || s.WarningCount() != MaxSourceWarnings+8 {
		t.Fatalf("kept %d, more %d; want %d and 8", len(s.Warnings), s.WarningsMore, MaxSourceWarnings)
	}
	if s.Warnings[0] != "https://a/p: row x: left out" || s.Warnings[1] != "https://a/q: w" {
		t.Errorf("warnings %q", s.Warnings[:2])
	}
}

// TestSourceStatsErrors: a source keeps its first MaxSourceErrors pages'
// errors and counts the rest; a record written before the bound shows its
// first ones and counts the rest the same way.
func TestSourceStatsErrors(t *testing.T) {
	var s SourceStats
	for i := range MaxSourceErrors + 30 {
		s.AddError(fmt.Sprintf("https://a/p%d: HTTP 500", i))
	}
	if len(s.Errors) != MaxSourceErrors || s.ErrorsMore != 30 || s.ErrorCount() != MaxSourceErrors+30 {
		t.Fatalf("kept %d, more %d; want %d and 30", len(s.Errors), s.ErrorsMore, MaxSourceErrors)
	}
	if s.Errors[0] != "https://a/p0: HTTP 500" {
		t.Errorf("first error %q", s.Errors[0])
	}
	if shown, more := s.ShownErrors(); len(shown) != MaxSourceErrors || more != 30 {
		t.Errorf("shown %d, more %d", len(shown), more)
	}
	old := SourceStats{Errors: make([]string, 8000)}
	if shown, more := old.ShownErrors(); len(shown) != MaxSourceErrors+sourceErrorsExtra || more != 8000-len(shown) {
		t.Errorf("an unbounded record: shown %d, more %d", len(shown), more)
	}
}
