package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/llmref/llmref/internal/clip"
)

// FieldBenchmark is the field of one benchmark result about a model; the
// observation's Value is BenchmarkResult.Encode's text, so that a result
// with its metric, settings and cited source travels and is stored as any
// other observation.
const FieldBenchmark Field = "benchmark"

// BenchmarkSettings are the conditions a result was measured under. Two
// results are comparable only when their settings are the same.
type BenchmarkSettings struct {
	// Shots is the number of examples in the prompt as published: "5",
	// "0", "3-5"; empty when the source does not say.
	Shots string `json:"shots,omitempty"`
	// Harness is the agent or evaluation harness the source names
	// ("Codex"); empty when it does not say.
	Harness string `json:"harness,omitempty"`
	// Variant is the configuration of the model the source names (a
	// reasoning effort: "high"); empty when it does not say.
	Variant string `json:"variant,omitempty"`
}

// BenchmarkResult is one published benchmark score of one model.
type BenchmarkResult struct {
	// Benchmark is the benchmark's name as the source writes it: "MMLU".
	Benchmark string `json:"benchmark"`
	// Metric is what was measured, as published: "macro_avg/acc"; empty
	// when the source does not say.
	Metric   string            `json:"metric,omitempty"`
	Settings BenchmarkSettings `json:"settings"`
	// Score is the score exactly as published, a decimal text ("49.3",
	// "42.38"): never float arithmetic.
	Score string `json:"score"`
	// SourceURL is where the result is published: the model card, the
	// leaderboard an aggregator cites.
	SourceURL string `json:"source_url"`
}

// Benchmark limits: a longer name, metric or setting is clipped by the
// parsers and refused here.
const (
	MaxBenchmarkText = 200
	MaxBenchmarkURL  = 2048
)

// ErrBenchmark is wrapped by the errors of a benchmark result that cannot
// be read.
var ErrBenchmark = errors.New("unreadable benchmark result")

// Key is what results are matched on across models and sources: the
// benchmark, the metric and the settings, compared without case and with
// runs of white space as one, a Markdown escape ("macro\_avg") as its
// character.
func (r BenchmarkResult) Key() string {
	return foldBenchmarkText(r.Benchmark) + "\x1f" + foldBenchmarkText(r.Metric) + "\x1f" +
		foldBenchmarkText(r.Settings.Shots) + "\x1f" + foldBenchmarkText(r.Settings.Harness) + "\x1f" + foldBenchmarkText(r.Settings.Variant)
}

func foldBenchmarkText(s string) string {
	s = strings.ReplaceAll(s, `\`, "")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Label names the result's row: "MMLU (5-shot, macro_avg/acc)",
// "SWE-Atlas Refactoring (score, Codex)".
func (r BenchmarkResult) Label() string {
	var parts []string
	if r.Settings.Shots != "" {
		parts = append(parts, r.Settings.Shots+"-shot")
	}
	if r.Metric != "" {
		parts = append(parts, r.Metric)
	}
	if r.Settings.Harness != "" {
		parts = append(parts, r.Settings.Harness)
	}
	if r.Settings.Variant != "" {
		parts = append(parts, r.Settings.Variant)
	}
	if len(parts) == 0 {
		return r.Benchmark
	}
	return r.Benchmark + " (" + strings.Join(parts, ", ") + ")"
}

// Encode writes the result as an observation's value: URL query text with
// its keys in order, so the same result is always the same text.
func (r BenchmarkResult) Encode() string {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("benchmark", r.Benchmark)
	set("metric", r.Metric)
	set("shots", r.Settings.Shots)
	set("harness", r.Settings.Harness)
	set("variant", r.Settings.Variant)
	set("score", r.Score)
	set("source", r.SourceURL)
	return v.Encode()
}

// ParseBenchmarkResult reads what Encode writes and checks it: a name, a
// decimal score, texts within MaxBenchmarkText, an http(s) source within
// MaxBenchmarkURL.
func ParseBenchmarkResult(s string) (BenchmarkResult, error) {
	v, err := url.ParseQuery(s)
	if err != nil {
		return BenchmarkResult{}, fmt.Errorf("%w: %v", ErrBenchmark, err)
	}
	r := BenchmarkResult{Benchmark: v.Get("benchmark"), Metric: v.Get("metric"),
		Settings: BenchmarkSettings{Shots: v.Get("shots"), Harness: v.Get("harness"), Variant: v.Get("variant")},
		Score:    v.Get("score"), SourceURL: v.Get("source")}
	return r, r.Check()
}

// Check says what is wrong with a result, or nil.
func (r BenchmarkResult) Check() error {
	if strings.TrimSpace(r.Benchmark) == "" {
		return fmt.Errorf("%w: no benchmark name", ErrBenchmark)
	}
	for _, t := range []struct{ what, s string }{{"benchmark", r.Benchmark}, {"metric", r.Metric},
		{"shots", r.Settings.Shots}, {"harness", r.Settings.Harness}, {"variant", r.Settings.Variant}} {
		if len(t.s) > MaxBenchmarkText {
			return fmt.Errorf("%w: %s longer than %d bytes", ErrBenchmark, t.what, MaxBenchmarkText)
		}
		if strings.IndexFunc(t.s, unicode.IsControl) >= 0 {
			return fmt.Errorf("%w: %s holds a control character", ErrBenchmark, t.what)
		}
	}
	if !IsDecimalScore(r.Score) {
		return fmt.Errorf("%w: score %q is not a decimal number", ErrBenchmark, clip.String(r.Score))
	}
	if len(r.SourceURL) > MaxBenchmarkURL {
		return fmt.Errorf("%w: source URL longer than %d bytes", ErrBenchmark, MaxBenchmarkURL)
	}
	if r.SourceURL != "" {
		u, err := url.Parse(r.SourceURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return fmt.Errorf("%w: source %q is not an http(s) URL", ErrBenchmark, clip.String(r.SourceURL))
		}
	}
	return nil
}

// IsDecimalScore reports whether s is a plain non-negative decimal number
// of at most 30 characters: "49.3", "1" and "0.875" are scores; "-",
// "N/A" and "4.93e1" are not.
func IsDecimalScore(s string) bool { return len(s) <= 30 && IsPlainDecimal(s) }

// IsPlainDecimal reports whether s is a plain decimal: digits, with at
// most one point between digits ("49.3", "5"; not ".5", "5.", "1e3",
// "-1").
func IsPlainDecimal(s string) bool {
	point := -1
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
		case s[i] == '.' && point < 0:
			point = i
		default:
			return false
		}
	}
	return len(s) > 0 && point != 0 && point != len(s)-1
}

// BenchmarkRow is one benchmark row both models have a sourced result for:
// the same benchmark, metric and settings.
type BenchmarkRow struct {
	// Benchmark is the row's label: "MMLU (5-shot, macro_avg/acc)".
	Benchmark string                      `json:"benchmark"`
	Metric    string                      `json:"metric,omitempty"`
	Settings  BenchmarkSettings           `json:"settings"`
	Results   Pair[Fact[BenchmarkResult]] `json:"results"`
}

// BenchmarkComparison holds the benchmark rows both sides have side by
// side, each side's other rows apart, and a statement of what is sourced.
type BenchmarkComparison struct {
	// Rows are the shared rows, in the order of their labels.
	Rows []BenchmarkRow `json:"rows"`
	// Only holds each model's results the other has no row for.
	Only      Pair[[]Fact[BenchmarkResult]] `json:"only"`
	Statement string                        `json:"statement"`
}
