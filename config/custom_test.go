package config

import (
	"slices"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/scrapers"
)

func sourceNames(srcs []scrapers.Source) []string {
	var out []string
	for _, s := range srcs {
		out = append(out, s.Name())
	}
	return out
}

func TestCustomDefaultIsBitdeer(t *testing.T) {
	srcs, err := Default().BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	names := sourceNames(srcs)
	for _, want := range []string{"nvidia-nim", "bitdeer", "litellm", "modelsdev"} {
		if !slices.Contains(names, want) {
			t.Errorf("default sources %v lack %s", names, want)
		}
	}
	for _, s := range srcs {
		if s.Name() != "bitdeer" {
			continue
		}
		tbl := s.(*scrapers.Table)
		spec := tbl.Spec()
		if spec.Provider != "bitdeer" || spec.Unit != catalog.PerMillion || spec.URL != "https://www.bitdeer.ai/en/pricing" || spec.Authority != catalog.AuthorityProvider {
			t.Errorf("bitdeer spec %+v", spec)
		}
	}
}

func TestCustomFromFile(t *testing.T) {
	c, err := Load("testdata/custom.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := c.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	names := sourceNames(srcs)
	if !slices.Contains(names, "bitdeer") || !slices.Contains(names, "acme-gpu") || slices.Contains(names, "old-table") {
		t.Errorf("sources %v: want bitdeer and acme-gpu, and old-table disabled", names)
	}
	for _, s := range srcs {
		if s.Name() != "acme-gpu" {
			continue
		}
		spec := s.(*scrapers.Table).Spec()
		if spec.Unit != catalog.PerThousand || spec.Authority != catalog.AuthorityAggregator || spec.Provider != "acme" {
			t.Errorf("acme spec %+v", spec)
		}
		if c := spec.Columns["model_id"]; c.Selector != "td:nth-child(1) a" || c.Attr != "href" {
			t.Errorf("model_id column %+v", c)
		}
		if c := spec.Columns["input"]; c.Selector != "td:nth-child(2)" || c.Attr != "" {
			t.Errorf("input column %+v", c)
		}
	}
	nv := c.Settings("nvidia-nim").(*NVIDIASettings)
	if nv.BaseURL != "http://127.0.0.1:9001" || len(nv.Models) != 2 {
		t.Errorf("nvidia-nim settings %+v", nv)
	}
	// A list in the file replaces the default list: an empty one turns
	// the shipped Bitdeer table off.
	c, err = Parse(strings.NewReader("sources:\n  custom: []\n"))
	if err != nil {
		t.Fatal(err)
	}
	srcs, _ = c.BuildSources()
	if slices.Contains(sourceNames(srcs), "bitdeer") {
		t.Error("custom: [] kept the default table")
	}
}

func TestCustomSelectorErrorAtLoad(t *testing.T) {
	_, err := Parse(strings.NewReader(`
sources:
  custom:
    - name: acme
      url: https://acme.example/pricing
      provider: acme
      rows: "tbody > tr:nth-child(2n+"
      unit: per_1m
      columns: {model_id: td.id, input: td.in}
`))
	if err == nil || !strings.Contains(err.Error(), "acme") || !strings.Contains(err.Error(), `"tbody > tr:nth-child(2n+"`) {
		t.Errorf("error %v: want one naming the source and the selector", err)
	}
}
