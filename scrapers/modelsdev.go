package scrapers

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// DefaultModelsDevURL is models.dev's provider catalogue.
const DefaultModelsDevURL = "https://models.dev/api.json"

// DefaultModelsDevProviders maps models.dev provider ids to llmref provider
// ids. Models of other providers are skipped and counted.
func DefaultModelsDevProviders() map[string]string {
	return map[string]string{
		"openai":         "openai",
		"azure":          "azure",
		"openrouter":     "openrouter",
		"fireworks-ai":   "fireworks",
		"amazon-bedrock": "bedrock",
		"nvidia":         "nvidia-nim",
	}
}

// modelsDevCreators are the models.dev providers that are their models'
// creators: only their entries speak for the model itself (release date,
// knowledge cutoff). Another provider's release_date is the day it added
// the model.
var modelsDevCreators = map[string]bool{
	"openai": true, "anthropic": true, "google": true, "mistral": true, "deepseek": true,
	"xai": true, "moonshotai": true, "alibaba": true, "zai": true, "cohere": true,
}

// ModelsDev reads models.dev's api.json as a cross-check, at the lowest
// authority: each mapped provider's prices (USD per 1M tokens), context
// and output limits, and for every model it lists, whoever lists it, the
// model's own facts (mdModelFacts: release date, knowledge cutoff, open
// weights, limits, modalities, capability flags, benchmark results).
type ModelsDev struct {
	// URL is the catalogue; default DefaultModelsDevURL.
	URL string
	// Providers maps models.dev provider ids to llmref provider ids;
	// default DefaultModelsDevProviders.
	Providers map[string]string
	// Defines, when set, makes the models the catalogue names
	// tracked models, as OpenRouter's are.
	Defines bool
}

var (
	_ Source  = (*ModelsDev)(nil)
	_ Definer = (*ModelsDev)(nil)
)

// DefinesTracked reports whether the catalogue's models are tracked.
func (s *ModelsDev) DefinesTracked() bool { return s.Defines }

// Name is "modelsdev".
func (s *ModelsDev) Name() string { return "modelsdev" }

func (s *ModelsDev) url() string { return orDefault(s.URL, DefaultModelsDevURL) }

func (s *ModelsDev) providers() map[string]string {
	if s.Providers == nil {
		return DefaultModelsDevProviders()
	}
	return s.Providers
}

// Describe presents the source.
func (s *ModelsDev) Describe() Description {
	return Description{Name: s.Name(), Title: "models.dev api.json (cross-check)", Authority: catalog.AuthorityCrossCheck,
		Format: "JSON", URLs: []string{s.url()}}
}

// Requests asks for the catalogue.
func (s *ModelsDev) Requests() []Request {
	return []Request{{URL: s.url(), Kind: "api"}}
}

// Parse reads the catalogue.
func (s *ModelsDev) Parse(kind string, r Response) (Parsed, error) {
	if kind != "api" {
		return Parsed{}, fmt.Errorf("modelsdev: unknown page kind %q", kind)
	}
	res, err := ParseModelsDev(r, s.providers())
	return Parsed{Observations: res.Observations, Warnings: res.Warnings}, err
}

var _ Summarizer = (*ModelsDev)(nil)

// Summarize counts the catalogue's providers and models, what was read and
// what was skipped, by provider.
func (s *ModelsDev) Summarize(kind string, r Response) (string, error) {
	if kind != "api" {
		return "", fmt.Errorf("modelsdev: unknown page kind %q", kind)
	}
	res, err := ParseModelsDev(r, s.providers())
	if err != nil {
		return "", err
	}
	unreadable := ""
	if res.Unreadable > 0 {
		unreadable = fmt.Sprintf("; %d unreadable", res.Unreadable)
	}
	return fmt.Sprintf("%d providers, %d models, %d models of mapped providers read, %d of other providers for model facts only; offerings skipped: %s%s",
		res.Providers, res.Models, res.Read, res.ModelFacts, topCounts(res.Skipped, 8), unreadable), nil
}

// ModelsDevResult is what ParseModelsDev read and what it skipped.
type ModelsDevResult struct {
	Observations []catalog.Observation
	// Providers and Models count the catalogue's providers and models.
	Providers, Models int
	// Read counts the models of mapped providers.
	Read int
	// ModelFacts counts the models of unmapped providers read for their
	// model facts only.
	ModelFacts int
	// Skipped counts the models of unmapped providers, whose offerings
	// are not read, by provider.
	Skipped map[string]int
	// Unreadable counts the providers and models left out because they
	// could not be read; Warnings say why.
	Unreadable int
	Warnings   []string
}

type mdProvider struct {
	ID     string                     `json:"id"`
	Name   string                     `json:"name"`
	Models map[string]json.RawMessage `json:"models"`
}

type mdModel struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	ReleaseDate      string `json:"release_date"`
	Knowledge        string `json:"knowledge"`
	OpenWeights      *bool  `json:"open_weights"`
	Attachment       *bool  `json:"attachment"`
	Reasoning        *bool  `json:"reasoning"`
	ToolCall         *bool  `json:"tool_call"`
	StructuredOutput *bool  `json:"structured_output"`
	Modalities       *struct {
		Input  []string `json:"input"`
		Output []string `json:"output"`
	} `json:"modalities"`
	Cost *struct {
		Input      *json.Number `json:"input"`
		Output     *json.Number `json:"output"`
		CacheRead  *json.Number `json:"cache_read"`
		CacheWrite *json.Number `json:"cache_write"`
	} `json:"cost"`
	Limit *struct {
		Context *json.Number `json:"context"`
		Output  *json.Number `json:"output"`
	} `json:"limit"`
	// Benchmarks are read one by one (modelsdevfacts.go): one that
	// cannot be read is left out, not the model.
	Benchmarks []json.RawMessage `json:"benchmarks"`
}

// ParseModelsDev reads models.dev's api.json (provider id → provider, with
// its models by id) into cross-check observations: for each model of a
// mapped provider, the offering at that provider (listed, prices per 1M
// tokens kept as the catalogue's number text, context and output limits;
// a zero limit is a placeholder and says nothing); and for every model of
// every provider, the model facts its entry speaks for (mdModelFacts).
// The offerings of other providers' models are counted in Skipped.
//
// Its anchor is the JSON object of providers. A provider it cannot read
// (not an object, no "models") and a model it cannot read (a field of the
// wrong type, a negative price or limit) are left out with a warning. It
// fails when the document is not a JSON object, when it has no provider
// or no mapped one, or when most providers and models are unreadable.
func ParseModelsDev(r Response, providers map[string]string) (ModelsDevResult, error) {
	res := ModelsDevResult{Skipped: map[string]int{}}
	var tally rowTally
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return res, fmt.Errorf("parse models.dev api.json: %w", err)
	}
	if len(doc) == 0 {
		return res, fmt.Errorf("parse models.dev api.json: no providers: %w", ErrMarkup)
	}
	pids := make([]string, 0, len(doc))
	for k := range doc {
		pids = append(pids, k)
	}
	sort.Strings(pids)
	for _, pid := range pids {
		var p mdProvider
		if err := json.Unmarshal(doc[pid], &p); err != nil {
			tally.skip("provider %s: %v: left out", clip.String(pid), err)
			continue
		}
		if p.Models == nil {
			tally.skip("provider %s has no \"models\": left out", clip.String(pid))
			continue
		}
		res.Providers++
		res.Models += len(p.Models)
		to, mapped := providers[pid]
		if !mapped {
			res.Skipped["provider "+pid] += len(p.Models)
		}
		mids := make([]string, 0, len(p.Models))
		for k := range p.Models {
			mids = append(mids, k)
		}
		sort.Strings(mids)
		for _, mid := range mids {
			obs, warns, err := mdModelObservations(r, pid, to, mid, p.Models[mid])
			if err != nil {
				tally.skip("%s/%s: %v: left out", clip.String(pid), clip.String(mid), err)
				continue
			}
			for _, w := range warns {
				tally.warn("%s/%s: %s", clip.String(pid), clip.String(mid), w)
			}
			tally.ok()
			if mapped {
				res.Read++
			} else {
				res.ModelFacts++
			}
			res.Observations = append(res.Observations, obs...)
		}
	}
	res.Unreadable, res.Warnings = tally.bad, tally.Warnings()
	if err := tally.unreadable("providers and models"); err != nil {
		return res, fmt.Errorf("parse models.dev api.json: %w", err)
	}
	if len(res.Skipped) == res.Providers {
		return res, fmt.Errorf("parse models.dev api.json: none of its %d providers is mapped: %w", res.Providers, ErrMarkup)
	}
	return res, nil
}

// mdModelObservations reads one entry of provider pid: with provider set
// (a mapped provider), its offering at that provider; and the model's own
// facts at cross-check authority (mdModelFacts). warns are parts of the
// entry left out.
func mdModelObservations(r Response, pid, provider, mid string, raw json.RawMessage) ([]catalog.Observation, []string, error) {
	var m mdModel
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, nil, err
	}
	id := mid
	if m.ID != "" {
		id = m.ID
	}
	if strings.TrimSpace(id) == "" {
		return nil, nil, fmt.Errorf("a model without an id: %w", ErrMarkup)
	}
	note := "models.dev " + pid + "/" + id
	offer := func(f catalog.Field, v string, u catalog.Unit) catalog.Observation {
		return catalog.Observation{Source: "modelsdev", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityCrossCheck,
			Subject: id, SubjectName: m.Name, Provider: provider, Field: f, Value: v, Unit: u, Note: note}
	}
	var out []catalog.Observation
	if provider != "" {
		out = append(out, offer(catalog.FieldListed, id, ""))
		var nums []mdNum
		if c := m.Cost; c != nil {
			nums = append(nums, mdNum{"cost.input", c.Input, catalog.FieldPriceInput}, mdNum{"cost.cache_read", c.CacheRead, catalog.FieldPriceCachedInput},
				mdNum{"cost.cache_write", c.CacheWrite, catalog.FieldPriceCacheWrite}, mdNum{"cost.output", c.Output, catalog.FieldPriceOutput})
		}
		if l := m.Limit; l != nil {
			nums = append(nums, mdNum{"limit.context", l.Context, catalog.FieldOfferingContext}, mdNum{"limit.output", l.Output, catalog.FieldOfferingMaxOutput})
		}
		err := readMDNums(nums, func(f catalog.Field, v string) {
			u := catalog.Unit("")
			if f.IsPrice() {
				u = catalog.PerMillion
			}
			out = append(out, offer(f, v, u))
		})
		if err != nil {
			return nil, nil, err
		}
	}
	model := func(f catalog.Field, v string) catalog.Observation {
		o := offer(f, v, "")
		o.Provider = ""
		return o
	}
	facts, warns, err := mdModelFacts(r, pid, &m, model)
	if err != nil {
		return nil, nil, err
	}
	return append(out, facts...), warns, nil
}

// mdNum is one number of an entry: its name in the catalogue, its value
// (nil when absent) and the field it is read as.
type mdNum struct {
	name  string
	n     *json.Number
	field catalog.Field
}

// readMDNums reads numbers with mdNumber, calling add with each one
// present; the first unreadable one is the error.
func readMDNums(nums []mdNum, add func(catalog.Field, string)) error {
	for _, p := range nums {
		v, ok, err := mdNumber(p.name, p.n)
		if err != nil {
			return err
		}
		if ok {
			add(p.field, v)
		}
	}
	return nil
}

// mdNumber reads a non-negative number as the catalogue wrote it. A zero
// price is kept (a free endpoint); a zero limit (a name starting "limit.")
// is a placeholder, dropped here: it reports nothing stated.
func mdNumber(name string, n *json.Number) (string, bool, error) {
	if n == nil {
		return "", false, nil
	}
	v := n.String()
	if strings.HasPrefix(v, "-") {
		return "", false, fmt.Errorf("%s: negative %s", name, clip.String(v))
	}
	if strings.HasPrefix(name, "limit.") && strings.Trim(v, "0.") == "" {
		return "", false, nil // a zero limit is a placeholder and says nothing
	}
	return v, true, nil
}
