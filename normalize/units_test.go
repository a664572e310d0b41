package normalize

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/llmref/llmref/catalog"
)

func TestTokens(t *testing.T) {
	tests := []struct {
		raw     string
		n       int64
		display string
	}{
		{"128k", 131_072, "128K"},
		{"128K", 131_072, "128K"},
		{"131,072", 131_072, "131,072"},
		{"400,000", 400_000, "400,000"},
		{"60000", 60_000, "60,000"},
		{"400K", 400_000, "400K"},
		{"8k", 8_192, "8K"},
		{"1M", 1_000_000, "1M"},
		{"16,384 tokens", 16_384, "16,384"},
		{"131_000", 131_000, "131,000"},
		{"128K tokens", 131_072, "128K"},
		{"up to 128k", 131_072, "128K"},
		{"272K", 272_000, "272K"},
		{"1 million", 1_000_000, "1M"},
		{"1048576", 1_048_576, "1,048,576"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := Tokens(tt.raw)
			if err != nil || got.N != tt.n || got.Display != tt.display {
				t.Errorf("Tokens(%q) = %+v, %v; want %d %q", tt.raw, got, err, tt.n, tt.display)
			}
		})
	}
	for _, bad := range []string{"lots", "-5", "1.5", "12,34", "128kb", "99999999999999999999999"} {
		t.Run("unreadable "+bad, func(t *testing.T) {
			if _, err := Tokens(bad); err == nil || errors.Is(err, ErrNotStated) {
				t.Errorf("Tokens(%q) error %v, want an unreadable value", bad, err)
			}
		})
	}
	// models.dev's `context = 0` is a placeholder, never a count.
	if _, err := Tokens("0"); err == nil || !errors.Is(err, ErrValue) {
		t.Errorf("Tokens(0) error %v, want a placeholder error", err)
	}
	if _, err := Tokens(""); !errors.Is(err, ErrNotStated) {
		t.Errorf("Tokens(\"\") error %v, want ErrNotStated", err)
	}
}

func TestAgreeTokens(t *testing.T) {
	tk := func(n int64) catalog.Tokens { return catalog.Tokens{N: n} }
	for _, p := range [][2]int64{{128_000, 131_072}, {1_000_000, 1_048_576}, {8_000, 8_192}, {400_000, 400_000}} {
		t.Run(fmt.Sprintf("%d and %d", p[0], p[1]), func(t *testing.T) {
			if !agreeTokens(tk(p[0]), tk(p[1])) || !agreeTokens(tk(p[1]), tk(p[0])) {
				t.Errorf("%d and %d should agree", p[0], p[1])
			}
		})
	}
	for _, p := range [][2]int64{{60_000, 131_072}, {131_000, 131_072}, {128_000, 128_001}, {2_000_000, 1_048_576}} {
		t.Run(fmt.Sprintf("%d not %d", p[0], p[1]), func(t *testing.T) {
			if agreeTokens(tk(p[0]), tk(p[1])) {
				t.Errorf("%d and %d should not agree", p[0], p[1])
			}
		})
	}
}

func TestParameters(t *testing.T) {
	tests := []struct {
		raw     string
		n       int64
		display string
	}{
		{"1.23B", 1_230_000_000, "1.23B"},
		{"1B (1.23B)", 1_230_000_000, "1.23B"},
		{"1B", 1_000_000_000, "1B"},
		{"70.6B", 70_600_000_000, "70.6B"},
		{"405 billion", 405_000_000_000, "405B"},
		{"1235814400", 1_235_814_400, "1,235,814,400"},
		{"1,235,814,400", 1_235_814_400, "1,235,814,400"},
		{"~1.2B", 1_200_000_000, "1.2B"},
		{"8B parameters", 8_000_000_000, "8B"},
		{"2.8T", 2_800_000_000_000, "2.8T"},
		{"1.23 B", 1_230_000_000, "1.23B"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := Parameters(tt.raw)
			if err != nil || got.N != tt.n || got.Display != tt.display {
				t.Errorf("Parameters(%q) = %+v, %v; want %d %q", tt.raw, got, err, tt.n, tt.display)
			}
		})
	}
	if _, err := Parameters("not disclosed"); !errors.Is(err, ErrNotStated) {
		t.Errorf("Parameters(not disclosed) error %v, want ErrNotStated", err)
	}
	for _, bad := range []string{"lots", "0", "1.2345678901B", "B"} {
		t.Run("unreadable "+bad, func(t *testing.T) {
			if _, err := Parameters(bad); err == nil {
				t.Errorf("Parameters(%q) accepted", bad)
			}
		})
	}
	// The two counts sources give for Llama 3.2 1B agree (the card's 1.23B,
	// Hugging Face's 1,235,814,400); Fireworks' paramCount counts the tied
	// embeddings twice and does not.
	card, _ := Parameters("1B (1.23B)")
	hf, _ := Parameters("1235814400")
	fw, _ := Parameters("1498482688")
	if !agreeCount(card, hf) || agreeCount(card, fw) {
		t.Errorf("agreeCount: card/hf %v, card/fireworks %v", agreeCount(card, hf), agreeCount(card, fw))
	}
}

func TestDate(t *testing.T) {
	tests := map[string]string{
		"Sept 25, 2024":                   "2024-09-25",
		"September 25, 2024":              "2024-09-25",
		"Sep 25 2024":                     "2024-09-25",
		"Sept. 25th, 2024":                "2024-09-25",
		"25 September 2024":               "2024-09-25",
		"25th of September, 2024":         "2024-09-25",
		"Oct 24, 2024":                    "2024-10-24",
		"2024-09-25":                      "2024-09-25",
		"December 2023":                   "2023-12",
		"Dec. 2023":                       "2023-12",
		"2023-12":                         "2023-12",
		"2023-12-31":                      "2023-12-31",
		"Aug 31, 2025":                    "2025-08-31",
		"May 31, 2024":                    "2024-05-31",
		"1727222400":                      "2024-09-25",
		"1727222400000":                   "2024-09-25",
		"2026-02-24T18:52:44Z":            "2026-02-24",
		"2024-09-25T00:00:00.000Z":        "2024-09-25",
		"2024":                            "2024",
		"Sept 25, 2024 (initial release)": "2024-09-25",
	}
	for raw, want := range tests {
		t.Run(raw, func(t *testing.T) {
			d, err := Date(raw)
			if err != nil || d.String() != want {
				t.Errorf("Date(%q) = %v, %v; want %s", raw, d, err, want)
			}
		})
	}
	for _, bad := range []string{"Smarch 3, 2024", "2024-02-30", "soon", "13/01/2024", "02/03/2024", "2024-13", "Sept 32, 2024", "0999"} {
		t.Run("unreadable "+bad, func(t *testing.T) {
			if _, err := Date(bad); err == nil || errors.Is(err, ErrNotStated) {
				t.Errorf("Date(%q) error %v, want an unreadable value", bad, err)
			}
		})
	}
	if _, err := Date("n/a"); !errors.Is(err, ErrNotStated) {
		t.Errorf("Date(n/a) error %v, want ErrNotStated", err)
	}
	d, _ := Date("December 2023")
	if d.Precision != catalog.PrecisionMonth {
		t.Errorf("December 2023 has precision %d, want month", d.Precision)
	}
}

func TestSameDate(t *testing.T) {
	a, _ := Date("2023-12")
	b, _ := Date("2023-12-31")
	c, _ := Date("2024-01-01")
	y, _ := Date("2023")
	if !SameDate(a, b) || SameDate(a, c) || !SameDate(y, b) || SameDate(y, c) {
		t.Error("SameDate: 2023-12 agrees with 2023-12-31 and 2023, not with 2024-01-01")
	}
	if !SameDate(catalog.Date{}, catalog.Date{}) || SameDate(catalog.Date{}, b) {
		t.Error("SameDate with unset dates")
	}
}

// TestErrorsClipRawValues: an error quotes at most the start of a raw value,
// however much text a broken page put into one cell.
func TestErrorsClipRawValues(t *testing.T) {
	huge := strings.Repeat("é not a number ", 10000)
	for _, tt := range []struct {
		name string
		read func(string) error
	}{
		{"Tokens", func(s string) error { _, err := Tokens(s); return err }},
		{"Parameters", func(s string) error { _, err := Parameters(s); return err }},
		{"Date", func(s string) error { _, err := Date(s); return err }},
		{"Price", func(s string) error { _, err := Price(s, catalog.PerToken); return err }},
		{"Licence", func(s string) error { _, err := Licence(s); return err }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.read(huge)
			if err == nil {
				t.Fatalf("no error for %d bytes of text", len(huge))
			}
			msg := err.Error()
			if len(msg) > 200 || !strings.Contains(msg, " bytes)") || !utf8.ValidString(msg) {
				t.Errorf("error of %d bytes: %.300s", len(msg), msg)
			}
		})
	}
}
