package scrapers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

const acmeURL = "https://api.acme.example/v1/models"

// acmeSpec reads an OpenAI-style list: {"data":[{"id":…,"pricing":{…}}]}.
func acmeSpec() JSONListSpec {
	return JSONListSpec{
		Name: "acme", URL: acmeURL, Provider: "acme", Unit: catalog.PerMillion, List: "data",
		Fields: map[string]string{
			ColModelID: "id", ColName: "display_name", ColInput: "pricing.input", ColOutput: "pricing.output",
			ColCachedInput: "pricing.cached_input", ColContext: "limits.context",
		},
	}
}

func mustJSONList(t testing.TB, spec JSONListSpec) *JSONList {
	t.Helper()
	j, err := NewJSONList(spec)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

const acmeBody = `{"object":"list","data":[
 {"id":"meta-llama/llama-3.2-1b-instruct","display_name":"Llama 3.2 1B","pricing":{"input":0.027,"output":"0.20","cached_input":null},"limits":{"context":131072}},
 {"id":"openai/gpt-5.3-codex","display_name":"GPT-5.3-Codex","pricing":{"input":"1.75","output":14,"cached_input":1.75e-1}},
 {"id":"acme/free-one","pricing":{"input":0,"output":"0"}}
]}`

func TestParseJSONList(t *testing.T) {
	p, err := mustJSONList(t, acmeSpec()).ParseJSONList(Response{URL: acmeURL, Body: []byte(acmeBody)})
	if err != nil {
		t.Fatal(err)
	}
	checkParsed(t, p)
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %v", p.Warnings)
	}
	for _, tc := range []struct {
		name, subject string
		field         catalog.Field
		want          string // "" for no observation
	}{
		{"a number as written, never a float", "meta-llama/llama-3.2-1b-instruct", catalog.FieldPriceInput, "0.027"},
		{"a decimal string", "meta-llama/llama-3.2-1b-instruct", catalog.FieldPriceOutput, "0.20"},
		{"null states nothing", "meta-llama/llama-3.2-1b-instruct", catalog.FieldPriceCachedInput, ""},
		{"context", "meta-llama/llama-3.2-1b-instruct", catalog.FieldOfferingContext, "131072"},
		{"name", "meta-llama/llama-3.2-1b-instruct", catalog.FieldName, "Llama 3.2 1B"},
		{"an integer", "openai/gpt-5.3-codex", catalog.FieldPriceOutput, "14"},
		{"an exponent kept for the exact normaliser", "openai/gpt-5.3-codex", catalog.FieldPriceCachedInput, "1.75e-1"},
		{"absent states nothing", "openai/gpt-5.3-codex", catalog.FieldOfferingContext, ""},
		{"zero, the normaliser's free tier", "acme/free-one", catalog.FieldPriceInput, "0"},
		{"listed", "acme/free-one", catalog.FieldListed, "acme/free-one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := find(p.Observations, tc.subject, tc.field)
			switch {
			case tc.want == "" && len(got) != 0:
				t.Errorf("%s %s: %+v, want nothing", tc.subject, tc.field, got)
			case tc.want != "" && (len(got) != 1 || got[0].Value != tc.want):
				t.Errorf("%s %s: %+v, want %q", tc.subject, tc.field, got, tc.want)
			}
			for _, o := range got {
				if o.Field.IsPrice() && o.Unit != catalog.PerMillion || o.Field != catalog.FieldName && o.Provider != "acme" || o.Authority != catalog.AuthorityProvider {
					t.Errorf("observation %+v", o)
				}
			}
		})
	}
}

func TestParseJSONListObjectList(t *testing.T) {
	spec := JSONListSpec{Name: "keyed", URL: acmeURL, Provider: "acme", Unit: catalog.PerToken, List: "providers.acme.models",
		Fields: map[string]string{ColModelID: JSONKey, ColInput: "cost.0", ColOutput: "cost.1"}}
	body := `{"providers":{"acme":{"models":{"b/two":{"cost":["2e-7","0.0000004"]},"a/one":{"cost":[1e-7,3e-7]}}}}}`
	p, err := mustJSONList(t, spec).ParseJSONList(Response{URL: acmeURL, Body: []byte(body)})
	if err != nil {
		t.Fatal(err)
	}
	if in := find(p.Observations, "a/one", catalog.FieldPriceInput); len(in) != 1 || in[0].Value != "1e-7" || in[0].Unit != catalog.PerToken {
		t.Errorf("a/one input %+v", in)
	}
	if p.Observations[0].Subject != "a/one" {
		t.Errorf("entries not in key order: %+v", p.Observations[0])
	}
	arr := spec
	arr.List = "list"
	if _, err := mustJSONList(t, arr).ParseJSONList(Response{Body: []byte(`{"list":[{"cost":[1,2]},{"cost":[1,2]}]}`)}); err == nil || !strings.Contains(err.Error(), JSONKey) {
		t.Errorf("$key on an array list: %v", err)
	}
}

func TestParseJSONListErrors(t *testing.T) {
	j := mustJSONList(t, acmeSpec())
	many := `{"data":[` + strings.TrimSuffix(strings.Repeat(`{"id":"x","pricing":{"input":1}},`, 3), ",") + `]}`
	for name, body := range map[string]string{
		"not JSON":                 `<html>maintenance</html>`,
		"two documents":            `{"data":[]} {"data":[]}`,
		"list path gone":           `{"models":[{"id":"a","pricing":{"input":1}}]}`,
		"list not a list":          `{"data":"soon"}`,
		"empty list":               `{"data":[]}`,
		"most entries unreadable":  `{"data":[{"id":"a","pricing":{"input":1}},{"id":"b","price":1},{"id":"c","price":2}]}`,
		"every entry not a object": `{"data":[1,2,3]}`,
		"prices moved":             `{"data":[{"id":"a","cost":{"input":1}},{"id":"b","cost":{"input":2}}]}`,
		"duplicates only warn":     many, // not an error: see below
	} {
		t.Run(name, func(t *testing.T) {
			p, err := j.ParseJSONList(Response{URL: acmeURL, Body: []byte(body)})
			if name == "duplicates only warn" {
				if err != nil || len(find(p.Observations, "x", catalog.FieldListed)) != 1 || len(p.Warnings) != 2 {
					t.Errorf("err %v, warnings %v", err, p.Warnings)
				}
				return
			}
			if !errors.Is(err, ErrMarkup) {
				t.Errorf("err %v, want ErrMarkup (parsed %+v)", err, p)
			}
		})
	}
	t.Run("more rows than max_rows", func(t *testing.T) {
		spec := acmeSpec()
		spec.MaxRows = 2
		_, err := mustJSONList(t, spec).ParseJSONList(Response{Body: []byte(many)})
		if !errors.Is(err, ErrMarkup) || !strings.Contains(err.Error(), "max_rows 2") {
			t.Errorf("err %v", err)
		}
	})
}

// TestParseJSONListRowWarnings: an entry it cannot place is a warning and
// the rest of the list stands.
func TestParseJSONListRowWarnings(t *testing.T) {
	long := strings.Repeat("n", MaxJSONValueLen+1)
	for name, tc := range map[string]struct{ entry, warn string }{
		"no id":              {`{"pricing":{"input":1}}`, "no model id"},
		"id null":            {`{"id":null,"pricing":{"input":1}}`, "no model id"},
		"no price":           {`{"id":"z","pricing":{}}`, "no input or output price"},
		"price an object":    {`{"id":"z","pricing":{"input":{"usd":1}}}`, "field input (pricing.input): an object, not a string or a number"},
		"price a boolean":    {`{"id":"z","pricing":{"input":true}}`, "a boolean"},
		"a list, not entry":  {`["z",1]`, "an array, not an object"},
		"a name too long":    {`{"id":"z","display_name":"` + long + `","pricing":{"input":1}}`, fmt.Sprintf("the limit is %d", MaxJSONValueLen)},
		"id an array":        {`{"id":["z"],"pricing":{"input":1}}`, "field model_id (id): an array"},
		"pricing not object": {`{"id":"z","pricing":"1"}`, `"pricing" holds a string`},
	} {
		t.Run(name, func(t *testing.T) {
			body := `{"data":[{"id":"a","pricing":{"input":1}},` + tc.entry + `,{"id":"b","pricing":{"output":"2"}}]}`
			p, err := mustJSONList(t, acmeSpec()).ParseJSONList(Response{URL: acmeURL, Body: []byte(body)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "entry 2: ") || !strings.Contains(p.Warnings[0], tc.warn) {
				t.Errorf("warnings %q, want one about entry 2 saying %q", p.Warnings, tc.warn)
			}
			if len(find(p.Observations, "a", catalog.FieldListed)) != 1 || len(find(p.Observations, "b", catalog.FieldListed)) != 1 {
				t.Errorf("the other entries did not stand: %+v", p.Observations)
			}
		})
	}
}

func TestNewJSONListErrors(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(*JSONListSpec)
		want string
	}{
		"no id":           {func(s *JSONListSpec) { delete(s.Fields, ColModelID) }, "fields.model_id: required"},
		"no price":        {func(s *JSONListSpec) { delete(s.Fields, ColInput); delete(s.Fields, ColOutput) }, "fields: map at least one"},
		"unknown field":   {func(s *JSONListSpec) { s.Fields["price"] = "p" }, "fields.price: unknown field"},
		"empty part":      {func(s *JSONListSpec) { s.Fields[ColInput] = "pricing..input" }, "fields.input: path"},
		"empty path":      {func(s *JSONListSpec) { s.Fields[ColInput] = "" }, "fields.input: empty path"},
		"list empty part": {func(s *JSONListSpec) { s.List = ".data" }, "list: path"},
		"long path":       {func(s *JSONListSpec) { s.List = strings.Repeat("a", MaxJSONPathLen+1) }, "list: path of"},
		"deep path":       {func(s *JSONListSpec) { s.List = strings.Repeat("a.", MaxJSONPathSegments) + "a" }, "parts; the limit"},
		"unit":            {func(s *JSONListSpec) { s.Unit = "per_hour" }, "unit:"},
		"max rows":        {func(s *JSONListSpec) { s.MaxRows = MaxJSONListRows + 1 }, "max_rows:"},
	} {
		t.Run(name, func(t *testing.T) {
			spec := acmeSpec()
			tc.edit(&spec)
			if _, err := NewJSONList(spec); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want %q", err, tc.want)
			}
		})
	}
}

func TestJSONListSource(t *testing.T) {
	j := mustJSONList(t, acmeSpec())
	if d := j.Describe(); d.Name != "acme" || d.Authority != catalog.AuthorityProvider || len(d.URLs) != 1 || d.URLs[0] != acmeURL {
		t.Errorf("describe %+v", d)
	}
	if _, err := j.Parse("table", Response{}); err == nil {
		t.Error("unknown kind accepted")
	}
}

// TestJSONListOverCollector reads a list through the real collector from a
// loopback server: one request, the entries as observations, the bad entry
// a warning in the run's stats.
func TestJSONListOverCollector(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/v1/models":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, strings.Replace(acmeBody, `{"id":"acme/free-one"`, `{"id":["broken"]},{"id":"acme/free-one"`, 1))
		default:
			t.Errorf("unexpected request %s", r.RequestURI)
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	spec := acmeSpec()
	spec.URL = srv.URL + "/v1/models"
	out, err := Crawl(context.Background(), testOptions(), []Source{mustJSONList(t, spec)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st := statsOf(out, "acme")
	if st.Status != catalog.SourceOK || len(st.Errors) > 0 || len(st.Warnings) != 1 || !strings.Contains(st.Warnings[0], "entry 3") {
		t.Fatalf("stats %+v", st)
	}
	if len(out.Pages) != 1 || len(find(out.Pages[0].Observations, "openai/gpt-5.3-codex", catalog.FieldPriceInput)) != 1 {
		t.Errorf("pages %+v", out.Pages)
	}
}

// openRouterAsJSONList is the README's example: OpenRouter's public model
// list read declaratively.
func openRouterAsJSONList() JSONListSpec {
	return JSONListSpec{Name: "openrouter-list", URL: "https://openrouter.ai/api/v1/models", Provider: "openrouter", Unit: catalog.PerToken, List: "data",
		Fields: map[string]string{ColModelID: "id", ColName: "name", ColInput: "pricing.prompt", ColOutput: "pricing.completion",
			ColCachedInput: "pricing.input_cache_read", ColContext: "context_length", ColMaxOutput: "top_provider.max_completion_tokens"}}
}

// TestJSONListRealOpenRouter reads OpenRouter's real list (the bundled day,
// and ../shared/realdata's 364 entries when it is there) with the README's
// declarative entry: the same prices as the built-in parser reads.
func TestJSONListRealOpenRouter(t *testing.T) {
	bodies := map[string][]byte{"bundled day": fixtureBody(t, "2026-04-23", "openrouter.ai/api/v1/models.json")}
	if b, err := os.ReadFile("../../shared/realdata/openrouter/from-anomalyco-models.dev/models.json"); err == nil {
		bodies["realdata"] = b
	}
	j := mustJSONList(t, openRouterAsJSONList())
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			r := Response{URL: "https://openrouter.ai/api/v1/models", Body: body}
			p, err := j.ParseJSONList(r)
			if err != nil {
				t.Fatal(err)
			}
			builtin, err := ParseOpenRouterModels(r)
			if err != nil {
				t.Fatal(err)
			}
			price := func(obs []catalog.Observation) map[string]string {
				m := map[string]string{}
				for _, o := range obs {
					if o.Field == catalog.FieldPriceInput || o.Field == catalog.FieldPriceOutput {
						m[o.Subject+" "+string(o.Field)] = o.Value
					}
				}
				return m
			}
			got, want := price(p.Observations), price(builtin.Observations)
			if len(got) == 0 || len(got) != len(want) {
				t.Fatalf("%d prices, the built-in parser reads %d (warnings %v)", len(got), len(want), p.Warnings)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %q, built-in %q", k, got[k], v)
				}
			}
			listed := 0
			for _, o := range p.Observations {
				if o.Field == catalog.FieldListed {
					listed++
				}
			}
			t.Logf("%d entries read, %d warnings", listed, len(p.Warnings))
		})
	}
}

func FuzzParseJSONList(f *testing.F) {
	f.Add([]byte(acmeBody))
	f.Add([]byte(`{"data":[{"id":"a","pricing":{"input":1e400,"output":"-1"}},{"id":"a"},null,{"id":"\u0000","pricing":{"input":[]}}]}`))
	f.Add([]byte(`{"data":{"a":{"id":"b","pricing":{"output":0.1}}}}`))
	j := mustJSONList(f, acmeSpec())
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := j.ParseJSONList(Response{URL: acmeURL, Body: body})
		if err != nil {
			if !errors.Is(err, ErrMarkup) {
				t.Fatalf("error %v does not say the structure is gone", err)
			}
			return
		}
		checkParsed(t, p)
		for _, o := range p.Observations {
			if o.Field.IsPrice() && o.Unit != catalog.PerMillion || len(o.Value) > MaxJSONValueLen || o.Subject == "" {
				t.Fatalf("observation %+v", o)
			}
		}
	})
}
