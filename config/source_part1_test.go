package config

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/fixtures"
	"github.com/llmref/llmref/scrapers"
)

// built returns the configured source of that name.
func built(t *testing.T, c *Config, name string) scrapers.Source {
	t.Helper()
	srcs, err := c.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range srcs {
		if s.Name() == name {
			return s
		}
	}
	t.Fatalf("no source %s", name)
	return nil
}

func TestPart1SourceDefaults(t *testing.T) {
	c := Default()
	or := built(t, c, "openrouter-endpoints").(*scrapers.OpenRouterEndpoints)
	if !reflect.DeepEqual(or.Models, []string{"meta-llama/llama-3.2-1b-instruct", "openai/gpt-5.3-codex"}) || or.BaseURL != "" {
		t.Errorf("openrouter-endpoints defaults %+v", or)
	}
	fw := built(t, c, "fireworks").(*scrapers.Fireworks)
	if !reflect.DeepEqual(fw.Models, []scrapers.FireworksModel{{ID: "accounts/fireworks/models/llama-v3p2-1b-instruct", Parameters: 1_230_000_000}}) {
		t.Errorf("fireworks defaults %+v", fw.Models)
	}
	br := built(t, c, "bedrock").(*scrapers.Bedrock)
	if !reflect.DeepEqual(br.Regions, []string{"us-east-1", "eu-west-1"}) || br.Models["Llama 3.2 1B"] != "meta.llama3-2-1b-instruct-v1:0" {
		t.Errorf("bedrock defaults %+v", br)
	}
	hf := built(t, c, "huggingface").(*scrapers.HuggingFace)
	if reqs := hf.Requests(); len(reqs) != 2 {
		t.Errorf("huggingface requests %+v; want the API record and the card", reqs)
	}
}

func TestPart1SourceSettings(t *testing.T) {
	c, err := Load("testdata/sources_part1.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	or := built(t, c, "openrouter-endpoints").(*scrapers.OpenRouterEndpoints)
	if got := or.Requests()[1].URL; got != "http://127.0.0.1:9001/api/v1/models/nex-agi/nex-n2.5-pro%3Afree/endpoints" {
		t.Errorf("endpoints URL %s", got)
	}
	fw := built(t, c, "fireworks").(*scrapers.Fireworks)
	if len(fw.Models) != 2 || fw.Models[1].Parameters != 46_700_000_000 || !fw.Models[1].MoE || fw.PricingURL() != "http://127.0.0.1:9003/serverless/pricing.md" {
		t.Errorf("fireworks %+v", fw)
	}
	br := built(t, c, "bedrock").(*scrapers.Bedrock)
	if len(br.Models) != 1 || br.Models["Llama 3.2 3B"] != "meta.llama3-2-3b-instruct-v1:0" {
		t.Errorf("bedrock models %v; a configured table replaces the default one", br.Models)
	}
	if u := br.Requests()[0].URL; u != "http://127.0.0.1:9004/offers/v1.0/aws/AmazonBedrock/current/us-west-2/index.json" {
		t.Errorf("bedrock URL %s", u)
	}
	hf := built(t, c, "huggingface").(*scrapers.HuggingFace)
	if u := hf.Requests()[0].URL; u != "http://127.0.0.1:9002/api/models/meta-llama/Llama-3.2-1B-Instruct" {
		t.Errorf("huggingface API URL %s", u)
	}
}

// TestPart1SourcesFromConfigOnly points the four sources at a loopback
// server through the configuration file alone and crawls it with the real
// collector: the server's data (the bundled day's bodies) is ingested.
func TestPart1SourcesFromConfigOnly(t *testing.T) {
	day, err := fixtures.Day("2026-04-23")
	if err != nil {
		t.Fatal(err)
	}
	m, err := scrapers.LoadManifest(day)
	if err != nil {
		t.Fatal(err)
	}
	bodies := map[string]string{} // request URI → body file
	for _, r := range m.Responses {
		if u, err := url.Parse(r.URL); err == nil && r.Status == 200 && r.Body != "" {
			bodies[u.RequestURI()] = r.Body
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, ok := bodies[r.RequestURI]
		if !ok || r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		b, err := fs.ReadFile(day, f)
		if err != nil {
			t.Error(err)
		}
		w.Write(b)
	}))
	defer srv.Close()
	yml := strings.ReplaceAll(`sources:
  openrouter-endpoints: {base_url: "URL"}
  huggingface: {base_url: "URL/"}
  fireworks: {base_url: "URL"}
  bedrock: {base_url: "URL"}
`, "URL", srv.URL)
	c, err := Parse(strings.NewReader(yml))
	if err != nil {
		t.Fatal(err)
	}
	mine := map[string]bool{"openrouter-endpoints": true, "huggingface": true, "fireworks": true, "bedrock": true}
	var srcs []scrapers.Source
	all, err := c.BuildSources()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range all {
		if mine[s.Name()] {
			srcs = append(srcs, s)
		}
	}
	o := c.FetchOptions()
	o.Timeout = 5 * time.Second
	out, err := scrapers.Crawl(context.Background(), o, srcs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Stats) != len(mine) {
		t.Fatalf("stats %+v", out.Stats)
	}
	for _, st := range out.Stats {
		if st.Status != catalog.SourceOK || st.Observations == 0 || len(st.Errors) > 0 {
			t.Errorf("%s: %+v", st.Source, st)
		}
	}
	for _, p := range out.Pages {
		if !strings.HasPrefix(p.URL, srv.URL+"/") {
			t.Errorf("page %s not read from the configured server", p.URL)
		}
	}
}
