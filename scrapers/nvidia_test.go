package scrapers

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

const (
	nimListURL = "https://integrate.api.nvidia.com/v1/models"
	nimRefURL  = "https://docs.api.nvidia.com/nim/reference/meta-llama-3_2-1b-instruct"
	nimLlama   = "meta/llama-3.2-1b-instruct"
)

func TestNVIDIAURLs(t *testing.T) {
	s := &NVIDIA{Models: []string{nimLlama}}
	if got := s.ReferenceURL(nimLlama); got != nimRefURL {
		t.Errorf("reference URL %s, want %s", got, nimRefURL)
	}
	s = &NVIDIA{BaseURL: "http://127.0.0.1:9/", DocsURL: "http://127.0.0.1:8", Models: []string{"openai/gpt-oss-120b"}}
	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].URL != "http://127.0.0.1:9/v1/models" || reqs[1].URL != "http://127.0.0.1:8/nim/reference/openai-gpt-oss-120b" {
		t.Errorf("requests %+v", reqs)
	}
}

func TestParseNVIDIAModelsGolden(t *testing.T) {
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		t.Run(day, func(t *testing.T) {
			r := Response{URL: nimListURL, Status: 200, Body: fixtureBody(t, day, "integrate.api.nvidia.com/v1/models.json"), RetrievedAt: fixtureTime}
			// A configured model the list lacks gives nothing; one listed
			// twice (day 2) is read once.
			p, err := ParseNVIDIAModels(r, []string{nimLlama, "deepseek-ai/deepseek-v4-flash", "example/not-listed"})
			obs := p.Observations
			if len(p.Warnings) != 0 {
				t.Errorf("%s: warnings %q (a repeated id is read once, silently)", day, p.Warnings)
			}
			if err != nil {
				t.Fatal(err)
			}
			golden.Assert(t, filepath.Join("testdata", "nvidia_models_"+day+".golden.json"), observationsJSON(t, obs))
			for _, f := range []catalog.Field{catalog.FieldPriceInput, catalog.FieldPriceOutput} {
				got := find(obs, nimLlama, f)
				if len(got) != 1 || got[0].Value != "free" || got[0].Provider != NVIDIAProvider || got[0].Authority != catalog.AuthorityProvider {
					t.Errorf("%s: %s = %+v, want free at nvidia-nim", day, f, got)
				}
			}
			if got := find(obs, "example/not-listed", catalog.FieldListed); len(got) != 0 {
				t.Errorf("%s: a model the list lacks is offered: %+v", day, got)
			}
			for _, o := range obs {
				if o.Field == catalog.FieldReleased {
					t.Errorf("%s: the placeholder created was read as a release date: %+v", day, o)
				}
			}
		})
	}
	r := Response{URL: nimListURL, Body: fixtureBody(t, "2026-04-24", "integrate.api.nvidia.com/v1/models.json")}
	p, _ := ParseNVIDIAModels(r, []string{"deepseek-ai/deepseek-v4-flash"})
	if got := find(p.Observations, "deepseek-ai/deepseek-v4-flash", catalog.FieldListed); len(got) != 1 {
		t.Errorf("duplicate id read %d times, want once", len(got))
	}
}

func TestParseNVIDIAModelsErrors(t *testing.T) {
	for name, body := range map[string]string{
		"not json":      `<html><body>502 Bad Gateway</body></html>`,
		"no data":       `{"object":"list"}`,
		"empty data":    `{"object":"list","data":[]}`,
		"entry no id":   `{"object":"list","data":[{"object":"model","created":735790403}]}`,
		"entry not obj": `{"object":"list","data":["meta/llama-3.2-1b-instruct"]}`,
		"most no id":    `{"object":"list","data":[{"id":"meta/llama-3.2-1b-instruct"},{"object":"model"},{"id":7}]}`,
		"error body":    `{"status":401,"title":"Unauthorized","detail":"Authentication failed"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseNVIDIAModels(Response{Body: []byte(body)}, []string{nimLlama})
			if err == nil {
				t.Errorf("%s: no error", name)
			}
		})
	}
	_, err := ParseNVIDIAModels(Response{Body: []byte(`{"object":"list","data":[]}`)}, []string{nimLlama})
	if !errors.Is(err, ErrMarkup) {
		t.Errorf("empty data: %v does not wrap ErrMarkup", err)
	}
}

// TestParseNVIDIAModelsRowWarnings: an entry the parser cannot read is
// left out with a warning; the others stand.
func TestParseNVIDIAModelsRowWarnings(t *testing.T) {
	body := `{"object":"list","data":[{"id":"meta/llama-3.2-1b-instruct"},{"object":"model"},{"id":"a/b"},{"id":"c/d"}]}`
	p, err := ParseNVIDIAModels(Response{Body: []byte(body)}, []string{nimLlama})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || p.Warnings[0] != "entry 1 has no id" {
		t.Errorf("warnings %q", p.Warnings)
	}
	if l := find(p.Observations, nimLlama, catalog.FieldListed); len(l) != 1 {
		t.Errorf("Llama 3.2 1B listed %+v", l)
	}
}

func TestParseNVIDIAReferenceGolden(t *testing.T) {
	body := fixtureBody(t, "2026-04-23", "docs.api.nvidia.com/nim/reference/meta-llama-3_2-1b-instruct.html")
	p, err := ParseNVIDIAReference(nimLlama, Response{URL: nimRefURL, Status: 200, Body: body, RetrievedAt: fixtureTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q", p.Warnings)
	}
	obs := p.Observations
	golden.Assert(t, filepath.Join("testdata", "nvidia_reference_llama-3.2-1b-instruct.golden.json"), observationsJSON(t, obs))
	want := map[catalog.Field]string{
		catalog.FieldReleased:        "September 25, 2024",
		catalog.FieldParameters:      "1B (1.23B)",
		catalog.FieldContext:         "128k",
		catalog.FieldKnowledgeCutoff: "December 2023",
		catalog.FieldLicence:         "Llama 3.2 Community License",
	}
	for f, v := range want {
		got := find(obs, nimLlama, f)
		if len(got) != 1 || got[0].Value != v || got[0].Authority != catalog.AuthorityProvider || got[0].Provider != "" {
			t.Errorf("%s = %+v, want %q as a model fact at provider authority", f, got, v)
		}
	}
	// The 3B page reads the 3B row; its spanned cells come from the row above.
	page3 := strings.ReplaceAll(string(body), "meta / llama-3.2-1b-instruct", "meta / llama-3.2-3b-instruct")
	p3, err := ParseNVIDIAReference("meta/llama-3.2-3b-instruct", Response{Body: []byte(page3)})
	if err != nil {
		t.Fatal(err)
	}
	obs3 := p3.Observations
	if p := find(obs3, "meta/llama-3.2-3b-instruct", catalog.FieldParameters); len(p) != 1 || p[0].Value != "3B (3.21B)" {
		t.Errorf("3B parameters %+v", p)
	}
	if c := find(obs3, "meta/llama-3.2-3b-instruct", catalog.FieldKnowledgeCutoff); len(c) != 1 || c[0].Value != "December 2023" {
		t.Errorf("3B cutoff (a spanned cell) %+v", c)
	}
	// A header without the empty cell over the row labels still reads by
	// position (aligned from the right).
	noCorner := strings.Replace(string(body), "<tr><th></th><th>Training Data</th>", "<tr><th>Training Data</th>", 1)
	p, err = ParseNVIDIAReference(nimLlama, Response{Body: []byte(noCorner)})
	if err != nil {
		t.Fatal(err)
	}
	if c := find(p.Observations, nimLlama, catalog.FieldContext); len(c) != 1 || c[0].Value != "128k" {
		t.Errorf("context without the corner cell %+v", c)
	}
}

func TestParseNVIDIAReferenceErrors(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-23", "docs.api.nvidia.com/nim/reference/meta-llama-3_2-1b-instruct.html"))
	for name, body := range map[string]string{
		"not found page": `<html><head><title>Page not found</title></head><body><h1>404</h1><p>We couldn't find the page you were looking for.</p></body></html>`,
		"another model":  strings.ReplaceAll(page, "meta / llama-3.2-1b-instruct", "meta / llama-3.1-8b-instruct"),
		"nothing stated": `<html><body><h1>meta / llama-3.2-1b-instruct</h1><p>Coming soon.</p></body></html>`,
		"table no rows":  `<h1>meta/llama-3.2-1b-instruct</h1><table><tr><th>Params</th><th>Context Length</th></tr></table>`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseNVIDIAReference(nimLlama, Response{URL: nimRefURL, Body: []byte(body)})
			if !errors.Is(err, ErrMarkup) {
				t.Errorf("%s: error %v, want ErrMarkup", name, err)
			}
		})
	}
}

// TestParseNVIDIAReferenceRowWarnings: a spec table without the model's
// size is a warning; the labelled facts stand.
func TestParseNVIDIAReferenceRowWarnings(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-23", "docs.api.nvidia.com/nim/reference/meta-llama-3_2-1b-instruct.html"))
	p, err := ParseNVIDIAReference(nimLlama, Response{URL: nimRefURL, Body: []byte(strings.NewReplacer("1B (1.23B)", "8B (8.03B)", "3B (3.21B)", "70B").Replace(page))})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 1 || !strings.HasPrefix(p.Warnings[0], `spec table has no row for size "1B"`) {
		t.Errorf("warnings %q", p.Warnings)
	}
	for _, f := range []catalog.Field{catalog.FieldReleased, catalog.FieldLicence} {
		if got := find(p.Observations, nimLlama, f); len(got) != 1 {
			t.Errorf("%s: %+v", f, got)
		}
	}
	if got := find(p.Observations, nimLlama, catalog.FieldParameters); len(got) != 0 {
		t.Errorf("parameters read from another size's row: %+v", got)
	}
}

func TestLicenceName(t *testing.T) {
	for in, want := range map[string]string{
		"Use of Llama 3.2 is governed by the Llama 3.2 Community License (a custom, commercial license agreement).": "Llama 3.2 Community License",
		"Apache 2.0":                       "Apache 2.0",
		"MIT License.":                     "MIT License",
		"NVIDIA Open Model License (link)": "NVIDIA Open Model License",
		"The use of this model is governed by the NVIDIA Community Model License Agreement.": "NVIDIA Community Model License Agreement",
	} {
		t.Run(want, func(t *testing.T) {
			if got := licenceName(in); got != want {
				t.Errorf("licenceName(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestNVIDIAParseDispatch(t *testing.T) {
	s := &NVIDIA{Models: []string{nimLlama}}
	if _, err := s.Parse("reference", Response{URL: "https://docs.api.nvidia.com/nim/reference/other"}); err == nil {
		t.Error("a reference page of no configured model was parsed")
	}
	if _, err := s.Parse("pricing", Response{URL: nimListURL}); err == nil {
		t.Error("unknown kind accepted")
	}
}

func FuzzParseNVIDIAModels(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-24", "integrate.api.nvidia.com/v1/models.json"))
	f.Add([]byte(`{"data":[{"id":"meta/llama-3.2-1b-instruct"},{"id":"meta/llama-3.2-1b-instruct"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseNVIDIAModels(Response{URL: nimListURL, Body: body}, []string{nimLlama})
		obs := p.Observations
		if err != nil {
			return
		}
		if len(obs) != 0 && len(obs) != 3 {
			t.Fatalf("%d observations, want none (not listed) or listed + two free prices", len(obs))
		}
		for _, o := range obs {
			if o.Subject != nimLlama || o.Provider != NVIDIAProvider {
				t.Fatalf("observation about something not configured: %+v", o)
			}
		}
	})
}

func FuzzParseNVIDIAReference(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "docs.api.nvidia.com/nim/reference/meta-llama-3_2-1b-instruct.html"))
	f.Add([]byte(`<h1>meta / llama-3.2-1b-instruct</h1><p>License: MIT</p><table><tr><th>Params<td>1B<tr><td rowspan=9>x<td colspan=3>y</table>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseNVIDIAReference(nimLlama, Response{URL: nimRefURL, Body: body})
		if err == nil {
			checkParsed(t, p)
		}
	})
}

func BenchmarkParseNVIDIAReference(b *testing.B) {
	body := fixtureBody(b, "2026-04-23", "docs.api.nvidia.com/nim/reference/meta-llama-3_2-1b-instruct.html")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseNVIDIAReference(nimLlama, Response{URL: nimRefURL, Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
