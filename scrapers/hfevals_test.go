package scrapers

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// benchmarks reads the benchmark results of observations, by label.
func benchmarks(t testing.TB, obs []catalog.Observation) map[string]catalog.BenchmarkResult {
	t.Helper()
	out := map[string]catalog.BenchmarkResult{}
	for _, o := range obs {
		if o.Field != catalog.FieldBenchmark {
			continue
		}
		r, err := catalog.ParseBenchmarkResult(o.Value)
		if err != nil {
			t.Fatalf("observation %+v: %v", o, err)
		}
		out[r.Label()] = r
	}
	return out
}

func TestParseHFCardEvalsLayouts(t *testing.T) {
	body, err := os.ReadFile(filepath.Join("testdata", "hf_card_evals_layouts.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		repo     string
		want     map[string]string // label → score
		warnings []string
	}{
		{"meta-llama/Llama-3.2-1B-Instruct", map[string]string{
			"MMLU (5-shot, macro_avg/acc)": "49.3", "GSM8K (CoT) (8-shot, em_maj1@1)": "44.4",
			"MATH (CoT) (0-shot, final_em)": "30.6", "InfiniteBench/En.QA (0-shot, longbook_qa/f1)": "20.3"},
			[]string{"MATH (CoT) (0-shot, final_em) repeated", "Nexus", "not said whether base or instruction-tuned"}},
		{"meta-llama/Llama-3.2-1B-Instruct-QLORA_INT4_EO8", map[string]string{
			"MMLU (5-shot, macro_avg/acc)": "49.0", "GSM8K (CoT) (8-shot, em_maj1@1)": "46.5",
			"MATH (CoT) (0-shot, final_em)": "31.0", "Nexus (0-shot, macro_avg/acc)": "12.5"}, nil},
		{"meta-llama/Llama-3.2-1B-Instruct-SpinQuant_INT4_EO8", map[string]string{
			"MMLU (5-shot, macro_avg/acc)": "47.3", "GSM8K (CoT) (8-shot, em_maj1@1)": "40.6",
			"MATH (CoT) (0-shot, final_em)": "25.3", "Nexus (0-shot, macro_avg/acc)": "9.6"}, nil},
		{"meta-llama/Llama-3.2-1B", map[string]string{
			"MMLU (5-shot, macro_avg/acc_char)": "32.2", "AGIEval English (3-5-shot, average/acc_char)": "23.3"}, nil},
		{"meta-llama/Llama-3.2-3B-Instruct", map[string]string{
			"MMLU (5-shot, macro_avg/acc)": "63.4", "GSM8K (CoT) (8-shot, em_maj1@1)": "77.7", "MATH (CoT) (0-shot, final_em)": "48.0",
			"InfiniteBench/En.QA (0-shot, longbook_qa/f1)": "19.8", "Nexus (0-shot, macro_avg/acc)": "34.3"}, nil},
		{"meta-llama/Llama-3.1-8B-Instruct", map[string]string{
			"MMLU (5-shot, macro_avg/acc)": "69.4", "GSM8K (CoT) (8-shot, em_maj1@1)": "84.5", "MATH (CoT) (0-shot, final_em)": "51.9",
			"InfiniteBench/En.QA (0-shot, longbook_qa/f1)": "27.3", "Nexus (0-shot, macro_avg/acc)": "38.5"}, nil},
		{"meta-llama/Llama-3.2-90B-Vision-Instruct", map[string]string{}, nil},
		{"someone/no-size-here", map[string]string{}, nil},
	} {
		t.Run(tc.repo, func(t *testing.T) {
			const u = "https://huggingface.co/x/resolve/main/README.md"
			p, err := ParseHFCardEvals(tc.repo, Response{URL: u, Body: body, RetrievedAt: fixtureTime})
			if err != nil {
				t.Fatal(err)
			}
			got := benchmarks(t, p.Observations)
			if len(got) != len(tc.want) {
				t.Errorf("%d results %v, want %d", len(got), got, len(tc.want))
			}
			for label, score := range tc.want {
				r, ok := got[label]
				if !ok || r.Score != score || r.SourceURL != u {
					t.Errorf("%s: %+v, want score %s from %s", label, r, score, u)
				}
			}
			for _, o := range p.Observations {
				if o.Authority != catalog.AuthorityCreator || o.Subject != tc.repo {
					t.Errorf("observation %+v: want the creator's, of %s", o, tc.repo)
				}
			}
			joined := strings.Join(p.Warnings, "\n")
			for _, w := range tc.warnings {
				if !strings.Contains(joined, w) {
					t.Errorf("no warning about %q in %q", w, joined)
				}
			}
		})
	}
}

// TestParseHFCardReadsEvals checks the card parse reads the evaluation
// table of the fixture day's card with its other facts.
func TestParseHFCardReadsEvals(t *testing.T) {
	s := &HuggingFace{}
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		t.Run(day, func(t *testing.T) {
			u := s.CardURL(hfLlamaRepo)
			p, err := s.Parse("card", Response{URL: u, Status: 200, Body: fixtureBody(t, day, "huggingface.co/"+hfLlamaRepo+"/resolve/main/README.md"), RetrievedAt: fixtureTime})
			if err != nil {
				t.Fatal(err)
			}
			got := benchmarks(t, p.Observations)
			mmlu, ok := got["MMLU (5-shot, macro_avg/acc)"]
			if !ok || mmlu.Score != "49.3" || mmlu.SourceURL != u {
				t.Errorf("MMLU %+v (of %v), want 49.3 from %s", mmlu, got, u)
			}
			if len(find(p.Observations, hfLlamaRepo, catalog.FieldReleased)) != 1 {
				t.Error("the card's release date is gone")
			}
			if len(got) != 7 {
				t.Errorf("%d results, want the instruction-tuned table's 7 (the golden file of the card has them)", len(got))
			}
		})
	}
}

// TestParseHFCardEvalsRealData reads Meta's own Llama 3.2 cards, the
// September 2024 text and the current one, from ../shared/realdata.
func TestParseHFCardEvalsRealData(t *testing.T) {
	for _, tc := range []struct {
		file, repo, mmlu, math string
		rows                   int
	}{
		{"history/models/llama3_2/MODEL_CARD.md", "meta-llama/Llama-3.2-1B-Instruct", "49.3", "30.6", 15},
		{"models/llama3_2/MODEL_CARD.md", "meta-llama/Llama-3.2-1B-Instruct", "49.3", "30.6", 15},
		// The quantised models' long-context cells are N/A.
		{"models/llama3_2/MODEL_CARD.md", "meta-llama/Llama-3.2-3B-Instruct-QLORA_INT4_EO8", "62.4", "49.2", 12},
		{"history/models/llama3_2/MODEL_CARD.md", "meta-llama/Llama-3.2-3B-Instruct", "63.4", "47.3", 15},
	} {
		t.Run(tc.file+" "+tc.repo, func(t *testing.T) {
			body, err := os.ReadFile("../../shared/realdata/llama-models/" + tc.file)
			if err != nil {
				t.Skip("../shared/realdata is not here:", err)
			}
			p, err := ParseHFCardEvals(tc.repo, Response{URL: "https://huggingface.co/" + tc.repo, Body: body})
			if err != nil {
				t.Fatal(err)
			}
			got := benchmarks(t, p.Observations)
			if len(got) != tc.rows {
				t.Errorf("%d results, want the instruction-tuned table's %d: %v", len(got), tc.rows, got)
			}
			if r := got["MMLU (5-shot, macro_avg/acc)"]; r.Score != tc.mmlu {
				t.Errorf("MMLU %+v, want %s", r, tc.mmlu)
			}
			if r := got["MATH (CoT) (0-shot, final_em)"]; r.Score != tc.math {
				t.Errorf("MATH %+v, want %s", r, tc.math)
			}
		})
	}
}

func FuzzParseHFCardEvals(f *testing.F) {
	if body, err := os.ReadFile(filepath.Join("testdata", "hf_card_evals_layouts.md")); err == nil {
		f.Add(string(body), "meta-llama/Llama-3.2-1B-Instruct")
	}
	f.Add("### Instruct\n| Benchmark | Shots | X 1B |\n|--|--|--|\n| A | 5 | 1.5 |\n|  |  | 2 |\n", "x/y-1b-it")
	f.Add("### Tuned\n| Benchmark | M 1B | M 1B |\n| \\ | 1 | 2 |", "a/m-1b-chat")
	f.Fuzz(func(t *testing.T, body, repo string) {
		p, err := ParseHFCardEvals(repo, Response{URL: "https://huggingface.co/card", Body: []byte(body)})
		if err != nil {
			return
		}
		if len(p.Observations) > maxCardEvalRows {
			t.Fatalf("%d rows, more than the bound", len(p.Observations))
		}
		keys := map[string]bool{}
		for _, o := range p.Observations {
			r, err := catalog.ParseBenchmarkResult(o.Value)
			if err != nil {
				t.Fatalf("unreadable result %q: %v", o.Value, err)
			}
			if keys[r.Key()] {
				t.Fatalf("repeated row %+v", r)
			}
			keys[r.Key()] = true
		}
	})
}
