package normalize

import (
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

func benchValue(name, metric, shots, harness, score, src string) string {
	return catalog.BenchmarkResult{Benchmark: name, Metric: metric, Settings: catalog.BenchmarkSettings{Shots: shots, Harness: harness},
		Score: score, SourceURL: src}.Encode()
}

func TestNormalizeBenchmarks(t *testing.T) {
	const card = "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct/resolve/main/README.md"
	define := orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct")
	mmlu := hfCard.model("meta-llama/Llama-3.2-1B-Instruct", catalog.FieldBenchmark, benchValue("MMLU", `macro\_avg/acc`, "5", "", "49.3", card))
	for _, tc := range []struct {
		name      string
		obs       []catalog.Observation
		wantRows  []string // label=score@source
		conflicts int
		warn      string
	}{
		{"a card row", []catalog.Observation{define, mmlu}, []string{"MMLU (5-shot, macro\\_avg/acc)=49.3@huggingface"}, 0, ""},
		{"the creator wins over models.dev, which is kept as a conflict",
			[]catalog.Observation{define, mmlu, modelsdev.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldBenchmark, benchValue("mmlu", "macro_avg/acc", "5", "", "47", ""))},
			[]string{"MMLU (5-shot, macro\\_avg/acc)=49.3@huggingface"}, 1, ""},
		{"the same score written otherwise agrees",
			[]catalog.Observation{define, mmlu, modelsdev.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldBenchmark, benchValue("MMLU", "macro_avg/acc", "5", "", "49.30", ""))},
			[]string{"MMLU (5-shot, macro\\_avg/acc)=49.3@huggingface"}, 0, ""},
		{"other settings are another row",
			[]catalog.Observation{define, mmlu, modelsdev.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldBenchmark, benchValue("MMLU", "macro_avg/acc", "0", "", "40", ""))},
			[]string{"MMLU (0-shot, macro_avg/acc)=40@models.dev", "MMLU (5-shot, macro\\_avg/acc)=49.3@huggingface"}, 0, ""},
		{"an unreadable result is a warning", []catalog.Observation{define, mmlu,
			hfCard.model("meta-llama/Llama-3.2-1B-Instruct", catalog.FieldBenchmark, "benchmark=GPQA&score=N%2FA")},
			[]string{"MMLU (5-shot, macro\\_avg/acc)=49.3@huggingface"}, 0, "not a decimal number"},
		{"a cross-check alone makes no model", []catalog.Observation{
			modelsdev.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldBenchmark, benchValue("MMLU", "macro_avg/acc", "5", "", "49.3", ""))}, nil, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pages []catalog.Page
			for _, o := range tc.obs {
				pages = append(pages, page(o))
			}
			res := norm(t, Input{Pages: pages})
			m := res.Snapshot.Models[llamaID]
			var got []string
			conflicts := 0
			if m != nil {
				for _, f := range m.Benchmarks {
					got = append(got, f.Value.Label()+"="+f.Raw+"@"+f.Source.Name())
					conflicts += len(f.Conflicts())
					for _, c := range f.Conflicts() {
						if strings.Contains(c.Raw, "=") {
							t.Errorf("conflict raw %q is not the score", c.Raw)
						}
					}
				}
			}
			if strings.Join(got, "\n") != strings.Join(tc.wantRows, "\n") {
				t.Errorf("rows\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.wantRows, "\n"))
			}
			if conflicts != tc.conflicts {
				t.Errorf("%d conflicts, want %d", conflicts, tc.conflicts)
			}
			if tc.warn != "" && !strings.Contains(strings.Join(res.Warnings, "\n"), tc.warn) {
				t.Errorf("warnings %q, want one about %q", res.Warnings, tc.warn)
			}
		})
	}
}

func TestNormalizeBenchmarksKeepDates(t *testing.T) {
	define := orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Meta: Llama 3.2 1B Instruct")
	mmlu := hfCard.model("meta-llama/Llama-3.2-1B-Instruct", catalog.FieldBenchmark, benchValue("MMLU", "macro_avg/acc", "5", "", "49.3", ""))
	first := norm(t, Input{Pages: []catalog.Page{page(define), page(mmlu)}})
	later := day1.Add(24 * time.Hour)
	for _, tc := range []struct {
		name    string
		score   string
		changed time.Time
	}{
		{"unchanged keeps changed_at", "49.3", day1},
		{"a new score is a change", "49.5", later},
		{"the same score written otherwise keeps changed_at", "49.30", day1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := mmlu
			o.Value = benchValue("MMLU", "macro_avg/acc", "5", "", tc.score, "")
			res := norm(t, Input{Pages: []catalog.Page{page(define), page(o)}, Previous: first.Snapshot, Now: later})
			bs := res.Snapshot.Models[llamaID].Benchmarks
			if len(bs) != 1 || !bs[0].ChangedAt.Equal(catalog.StampOf(tc.changed)) {
				t.Fatalf("benchmarks %+v, want changed_at %s", bs, tc.changed)
			}
		})
	}
}
