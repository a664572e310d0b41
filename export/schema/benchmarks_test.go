package schema_test

import (
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export/schema"
)

// TestBenchmarkRecordValidates checks a comparison record whose models
// share a benchmark row, with each one's other rows, and a model file
// with results, against the schemas.
func TestBenchmarkRecordValidates(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	fact := func(name, shots, score, src string) catalog.Fact[catalog.BenchmarkResult] {
		r := catalog.BenchmarkResult{Benchmark: name, Metric: "acc", Settings: catalog.BenchmarkSettings{Shots: shots}, Score: score, SourceURL: src}
		return catalog.Fact[catalog.BenchmarkResult]{Value: r, Display: score, Raw: score, RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at),
			Source: catalog.SourceOf(catalog.SourceRef{Name: "huggingface", URL: src, Authority: catalog.AuthorityCreator})}
	}
	model := func(id, name string, bs ...catalog.Fact[catalog.BenchmarkResult]) *catalog.Model {
		creator, _, _ := catalog.SplitID(id)
		return &catalog.Model{ID: id, Creator: creator, Capabilities: map[catalog.Capability]catalog.Fact[bool]{}, Benchmarks: bs,
			Name: catalog.Fact[string]{Value: name, Display: name, Raw: name, RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at),
				Source: catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator})}}
	}
	a := model("x/a", "A", fact("MMLU", "5", "49.3", "https://huggingface.co/x/a"), fact("GPQA", "0", "27.2", "https://huggingface.co/x/a"))
	b := model("y/b", "B", fact("MMLU", "5", "63.4", "https://huggingface.co/y/b"))
	o := compare.DefaultOptions()
	sa, err := compare.NewSide(a, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := compare.NewSide(b, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, pretty := range []bool{false, true} {
		enc := compare.Encode
		if pretty {
			enc = compare.EncodeIndented
		}
		data, err := enc(sa, sb, o)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), `"topic":"benchmarks"`) && !strings.Contains(string(data), `"topic": "benchmarks"`) {
			t.Errorf("no benchmark FAQ in a record with a shared row:\n%s", data)
		}
		if err := schema.Check("comparisons/"+catalog.ComparisonStem(a.ID, b.ID)+".json", data); err != nil {
			t.Errorf("pretty %v: %v", pretty, err)
		}
	}
	mj, err := a.AppendJSON(nil)
	if err != nil {
		t.Fatal(err)
	}
	good := `{"schema_version":2,"model":` + string(mj) + `,"offerings":[]}`
	if err := schema.Check("models/x--a.json", []byte(good)); err != nil {
		t.Errorf("a model file with results: %v", err)
	}
	if err := schema.Check("models/x--a.json", []byte(strings.ReplaceAll(good, `"49.3"`, `"4.93e1"`))); err == nil {
		t.Error("a float-noise score accepted in a model file")
	}
}
