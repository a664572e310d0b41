package scrapers

import (
	"slices"
	"testing"
)

// plannedURLs are a planned source's request URLs.
func plannedURLs(s Source) []string {
	var out []string
	for _, r := range s.Requests() {
		out = append(out, r.URL)
	}
	return out
}

// TestPlan: each planned source derives its requests from the tracked
// set, keeps its configured list as additions (once each), and takes a
// derived page's 404 for a warning, a configured one's for a failure.
func TestPlan(t *testing.T) {
	tr := Tracked{Models: []TrackedModel{
		{ID: "meta/llama-3.2-1b-instruct", OpenRouterIDs: []string{"meta-llama/llama-3.2-1b-instruct", "meta-llama/llama-3.2-1b-instruct:free"}, HFRepo: "meta-llama/Llama-3.2-1B-Instruct"},
		{ID: "openai/gpt-5.3-codex", OpenRouterIDs: []string{"openai/gpt-5.3-codex"}},
		{ID: "qwen/qwen3-coder", OpenRouterIDs: []string{"qwen/qwen3-coder"}, HFRepo: "../etc/passwd"},
	}}
	cases := []struct {
		name    string
		src     Planner
		want    []string
		derived string // a URL the plan derived
		config  string // a configured URL, not derived
	}{
		{name: "openrouter-endpoints", src: &OpenRouterEndpoints{BaseURL: "http://o", Models: []string{"openai/gpt-5.3-codex", "x/y"}},
			want: []string{"http://o/api/v1/models/openai/gpt-5.3-codex/endpoints", "http://o/api/v1/models/x/y/endpoints",
				"http://o/api/v1/models/meta-llama/llama-3.2-1b-instruct/endpoints", "http://o/api/v1/models/meta-llama/llama-3.2-1b-instruct%3Afree/endpoints",
				"http://o/api/v1/models/qwen/qwen3-coder/endpoints"},
			derived: "http://o/api/v1/models/qwen/qwen3-coder/endpoints", config: "http://o/api/v1/models/x/y/endpoints"},
		{name: "huggingface: a malformed repository is not asked for", src: &HuggingFace{BaseURL: "http://h"},
			want:    []string{"http://h/api/models/meta-llama/Llama-3.2-1B-Instruct", "http://h/meta-llama/Llama-3.2-1B-Instruct/resolve/main/README.md"},
			derived: "http://h/api/models/meta-llama/Llama-3.2-1B-Instruct"},
		{name: "openai: its own models only", src: &OpenAI{BaseURL: "http://a", Models: []string{"gpt-5.3-codex"}},
			want: []string{"http://a/api/docs/models/gpt-5.3-codex"}, config: "http://a/api/docs/models/gpt-5.3-codex"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.src.Plan(tr)
			got := plannedURLs(p)
			slices.Sort(got)
			want := slices.Clone(c.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("requests\n got %q\nwant %q", got, want)
			}
			if len(plannedURLs(c.src)) != len(plannedURLs(c.src.Plan(Tracked{}))) {
				t.Errorf("planning changed the configured source")
			}
			d, _ := p.(Derived)
			if c.derived != "" && !d.Derived(c.derived) {
				t.Errorf("%s not derived", c.derived)
			}
			if c.config != "" && d.Derived(c.config) {
				t.Errorf("%s (configured) taken for derived", c.config)
			}
		})
	}
}

// TestPlanFireworks: a tracked open-weights model Fireworks is known to
// serve, with its size and architecture sourced, is priced by its tier;
// one not known to be served there, or of unknown size, is not; a
// configured model stands for its own.
func TestPlanFireworks(t *testing.T) {
	tr := Tracked{Models: []TrackedModel{
		{ID: "meta/llama-3.2-3b-instruct", Parameters: 3_210_000_000, OpenWeights: true, Architecture: ArchDense, Offered: map[string]string{"fireworks": ""}},
		{ID: "qwen/qwen3-235b-a22b", Parameters: 235_000_000_000, OpenWeights: true, Architecture: ArchMoE, Offered: map[string]string{"fireworks": "accounts/fireworks/models/qwen3-235b-a22b"}},
		{ID: "meta/llama-3.3-70b-instruct", Parameters: 70_000_000_000, OpenWeights: true, Architecture: ArchDense},                                        // not served there
		{ID: "openai/gpt-5", OpenWeights: false, Offered: map[string]string{"fireworks": ""}},                                                              // closed
		{ID: "mistral/mistral-small", OpenWeights: true, Architecture: ArchDense, Offered: map[string]string{"fireworks": "accounts/fireworks/models/ms"}}, // size unknown
	}}
	fw := &Fireworks{Models: []FireworksModel{{ID: "accounts/fireworks/models/qwen3-235b-a22b", Parameters: 1}}}
	p := fw.Plan(tr).(*Fireworks)
	got := slices.Clone(p.Models[1:])
	want := []FireworksModel{{ID: "meta/llama-3.2-3b-instruct", Parameters: 3_210_000_000, Canonical: "meta/llama-3.2-3b-instruct"}}
	if !slices.Equal(got, want) || p.Models[0] != fw.Models[0] {
		t.Errorf("planned %+v, want the configured model then %+v", p.Models, want)
	}
	if p.PlanKey("pricing") == "" || p.PlanKey("pricing") == fw.Plan(Tracked{}).(*Fireworks).PlanKey("pricing") {
		t.Errorf("plan key does not name the tier-priced models")
	}
}

// TestPlanKeyNamesConfiguredModels: the configured models are parsed from
// the same page as the planned ones, so changing them changes the plan
// key, and a stored page is parsed again for them.
func TestPlanKeyNamesConfiguredModels(t *testing.T) {
	tr := Tracked{Models: []TrackedModel{
		{ID: "meta/llama-3.2-3b-instruct", Parameters: 3_210_000_000, OpenWeights: true, Architecture: ArchDense, Offered: map[string]string{"fireworks": ""}},
	}, Fingerprint: "f"}
	fwKey := func(models ...FireworksModel) string {
		return (&Fireworks{Models: models}).Plan(tr).(*Fireworks).PlanKey("pricing")
	}
	small := FireworksModel{ID: "accounts/fireworks/models/a", Parameters: 1_000_000_000}
	big := FireworksModel{ID: "accounts/fireworks/models/a", Parameters: 70_000_000_000}
	if a, b, c := fwKey(), fwKey(small), fwKey(big); a == b || b == c || a == c {
		t.Errorf("fireworks plan keys %q (none), %q (1B), %q (70B) do not tell the configured models apart", a, b, c)
	}
	nvKey := func(models ...string) string {
		return (&NVIDIA{Models: models}).Plan(tr).(*NVIDIA).PlanKey("models")
	}
	if a, b := nvKey(), nvKey("meta/llama-3.2-1b-instruct"); a == "" || a == b {
		t.Errorf("nvidia plan keys %q (none) and %q (one configured) do not tell the configured models apart", a, b)
	}
}
