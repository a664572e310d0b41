package scrapers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// maxModelsDevBenchmarks bounds the benchmark entries read from one model
// entry.
const maxModelsDevBenchmarks = 200

// mdFlag is one capability flag of an entry, nil when absent.
type mdFlag struct {
	name string
	v    *bool
}

// mdBenchmark is one entry of a model's `benchmarks` list; score is a
// number or a string.
type mdBenchmark struct {
	Name    string          `json:"name"`
	Score   json.RawMessage `json:"score"`
	Metric  string          `json:"metric"`
	Harness string          `json:"harness"`
	Variant string          `json:"variant"`
	Dataset string          `json:"dataset"`
	Version string          `json:"version"`
	Source  string          `json:"source"`
}

// mdModelFacts reads the model-level facts of one models.dev entry, at
// cross-check authority (so a creator's card or docs win, and a model
// exists only when a creator or aggregator source names it).
//
// What an entry says of the model depends on who lists it. The creator's
// own entry (the provider is the model's creator: modelsDevCreators)
// speaks for the model: release date, knowledge cutoff, open weights,
// context and output limits, modalities, and the reasoning, tool-call,
// structured-output and attachment flags. Another provider's entry is a
// copy of the model's metadata with the provider's own serving on top
// (models.dev's generator merges the base model into each provider file):
// its knowledge cutoff, open weights, modalities and reasoning flag are the
// model's, but its release date is the day the provider added the model,
// its limits are the provider's endpoint (read as the offering's), and its
// tool-call and structured-output flags are what that endpoint accepts
// (Llama 3.2 1B is tool-calling at NVIDIA and Bedrock, not at OpenRouter),
// so those are not read as the model's. Benchmarks are read from any entry
// that lists them, each with its metric, harness, variant and cited source
// (the catalogue's URL when it cites none); one that cannot be read is a
// warning.
func mdModelFacts(r Response, pid string, m *mdModel, obs func(catalog.Field, string) catalog.Observation) ([]catalog.Observation, []string, error) {
	var out []catalog.Observation
	creator := modelsDevCreators[pid]
	if creator && m.ReleaseDate != "" {
		out = append(out, obs(catalog.FieldReleased, m.ReleaseDate))
	}
	if m.Knowledge != "" {
		out = append(out, obs(catalog.FieldKnowledgeCutoff, m.Knowledge))
	}
	if m.OpenWeights != nil {
		// Whether the creator publishes the weights: no public weights
		// is a proprietary model (normalize.Licence).
		out = append(out, obs(catalog.FieldLicence, fmt.Sprintf("open_weights=%t", *m.OpenWeights)))
	}
	if creator && m.Limit != nil {
		err := readMDNums([]mdNum{{"limit.context", m.Limit.Context, catalog.FieldContext}, {"limit.output", m.Limit.Output, catalog.FieldMaxOutput}},
			func(f catalog.Field, v string) { out = append(out, obs(f, v)) })
		if err != nil {
			return nil, nil, err
		}
	}
	if mods := m.Modalities; mods != nil {
		if len(mods.Input) > 0 {
			out = append(out, obs(catalog.FieldInputModalities, clip.String(strings.Join(mods.Input, ","))))
		}
		if len(mods.Output) > 0 {
			out = append(out, obs(catalog.FieldOutputModalities, clip.String(strings.Join(mods.Output, ","))))
		}
	}
	flags := []mdFlag{{"reasoning", m.Reasoning}}
	if creator {
		flags = append(flags, mdFlag{"tool_call", m.ToolCall}, mdFlag{"structured_output", m.StructuredOutput}, mdFlag{"attachment", m.Attachment})
	}
	for _, f := range flags {
		if f.v != nil {
			out = append(out, obs(catalog.FeatureField(f.name), fmt.Sprint(*f.v)))
		}
	}
	var warns []string
	seen := map[string]bool{}
	for i, raw := range m.Benchmarks {
		if i >= maxModelsDevBenchmarks {
			warns = append(warns, fmt.Sprintf("more than %d benchmarks: the rest left out", maxModelsDevBenchmarks))
			break
		}
		res, err := mdBenchmarkResult(raw, r.URL)
		if err != nil {
			warns = append(warns, fmt.Sprintf("benchmark %d: %v: left out", i+1, err))
			continue
		}
		if seen[res.Key()] {
			warns = append(warns, fmt.Sprintf("benchmark %s repeated: the first kept", clip.String(res.Label())))
			continue
		}
		seen[res.Key()] = true
		out = append(out, obs(catalog.FieldBenchmark, res.Encode()))
	}
	return out, warns, nil
}

// mdBenchmarkResult reads one `benchmarks` entry. The score is kept as the
// catalogue wrote it (a JSON number's text, or a string's, without a
// trailing "%"); a dataset or version the entry names is part of the
// benchmark's name, so that results on other datasets never match.
func mdBenchmarkResult(raw json.RawMessage, catalogURL string) (catalog.BenchmarkResult, error) {
	var b mdBenchmark
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&b); err != nil {
		return catalog.BenchmarkResult{}, err
	}
	score := ""
	switch s := bytes.TrimSpace(b.Score); {
	case len(s) == 0 || string(s) == "null":
		return catalog.BenchmarkResult{}, fmt.Errorf("no score: %w", catalog.ErrBenchmark)
	case s[0] == '"':
		if err := json.Unmarshal(s, &score); err != nil {
			return catalog.BenchmarkResult{}, err
		}
		score = strings.TrimSuffix(strings.TrimSpace(score), "%")
	default:
		score = string(s)
	}
	name := CleanText(b.Name)
	if d := CleanText(b.Dataset); d != "" && !strings.Contains(strings.ToLower(name), strings.ToLower(d)) {
		name += " " + d
	}
	if v := CleanText(b.Version); v != "" {
		name += " " + v
	}
	src := strings.TrimSpace(b.Source)
	if src == "" {
		src = catalogURL
	}
	res := catalog.BenchmarkResult{Benchmark: clipField(name), Metric: clipField(CleanText(b.Metric)),
		Settings: catalog.BenchmarkSettings{Harness: clipField(CleanText(b.Harness)), Variant: clipField(CleanText(b.Variant))},
		Score:    score, SourceURL: src}
	return res, res.Check()
}
