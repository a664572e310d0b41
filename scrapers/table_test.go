package scrapers

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

const bitdeerURL = "https://www.bitdeer.ai/en/pricing"

// bitdeerSpec is the shipped Bitdeer AI table (config's default).
func bitdeerSpec() TableSpec {
	return TableSpec{
		Name: "bitdeer", URL: bitdeerURL, Provider: "bitdeer", Unit: catalog.PerMillion,
		Rows: `table.pricing-table[data-category="llm"] tbody tr.pricing-row`,
		Columns: map[string]TableColumn{
			ColModelID:     {Attr: "data-model-id"},
			ColName:        {Selector: "td.model .model-name"},
			ColContext:     {Selector: "td.context"},
			ColInput:       {Selector: "td.price-input"},
			ColCachedInput: {Selector: "td.price-cached"},
			ColOutput:      {Selector: "td.price-output"},
		},
	}
}

func mustTable(t testing.TB, spec TableSpec) *Table {
	t.Helper()
	tbl, err := NewTable(spec)
	if err != nil {
		t.Fatal(err)
	}
	return tbl
}

func TestParseTableBitdeerGolden(t *testing.T) {
	tbl := mustTable(t, bitdeerSpec())
	body := fixtureBody(t, "2026-04-23", "www.bitdeer.ai/en/pricing.html")
	p, err := tbl.ParseTable(Response{URL: bitdeerURL, Status: 200, Body: body, RetrievedAt: fixtureTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Warnings) != 0 {
		t.Errorf("warnings %q", p.Warnings)
	}
	obs := p.Observations
	golden.Assert(t, filepath.Join("testdata", "table_bitdeer.golden.json"), observationsJSON(t, obs))
	const llama = "meta-llama/Llama-3.2-1B-Instruct"
	for f, v := range map[catalog.Field]string{catalog.FieldPriceInput: "$0.06", catalog.FieldPriceOutput: "$0.24"} {
		got := find(obs, llama, f)
		if len(got) != 1 || got[0].Value != v || got[0].Unit != catalog.PerMillion || got[0].Provider != "bitdeer" || got[0].Authority != catalog.AuthorityProvider {
			t.Errorf("%s = %+v, want %s per 1M at bitdeer", f, got, v)
		}
	}
	if got := find(obs, llama, catalog.FieldPriceCachedInput); len(got) != 0 {
		t.Errorf("a \"—\" cell gave a price: %+v", got)
	}
	if got := find(obs, llama, catalog.FieldName); len(got) != 1 || got[0].Value != "Llama 3.2 1B Instruct" || got[0].Provider != "" {
		t.Errorf("name %+v", got)
	}
	// Only the LLM table's rows: not the embeddings, not the GPU hours.
	listed := 0
	for _, o := range obs {
		if o.Field == catalog.FieldListed {
			listed++
		}
		if strings.Contains(o.Value, "GPU") || strings.HasPrefix(o.Subject, "BAAI/") {
			t.Errorf("a row outside the model table was read: %+v", o)
		}
	}
	if listed != 5 {
		t.Errorf("%d models listed, want the table's 5", listed)
	}
	// The same table through a text column for the id and nth-child cells.
	spec := bitdeerSpec()
	spec.Columns = map[string]TableColumn{
		ColModelID: {Selector: "td:nth-child(1) code.model-id"},
		ColInput:   {Selector: "td:nth-child(3)"},
		ColOutput:  {Selector: "td:nth-child(5)"},
	}
	p2, err := mustTable(t, spec).ParseTable(Response{URL: bitdeerURL, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	if got := find(p2.Observations, llama, catalog.FieldPriceOutput); len(got) != 1 || got[0].Value != "$0.24" {
		t.Errorf("output by position %+v", got)
	}
}

func TestNewTableErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*TableSpec)
		want string
	}{
		{"bad row selector", func(s *TableSpec) { s.Rows = "table[data-category=" }, `rows: bad selector "table[data-category="`},
		{"empty rows", func(s *TableSpec) { s.Rows = " " }, "rows: empty selector"},
		{"bad cell selector", func(s *TableSpec) { s.Columns[ColInput] = TableColumn{Selector: "td..price"} }, `columns.input: bad selector "td..price"`},
		{"unknown column", func(s *TableSpec) { s.Columns["inptu"] = TableColumn{Selector: "td"} }, "columns.inptu: unknown column"},
		{"no model id", func(s *TableSpec) { delete(s.Columns, ColModelID) }, "columns.model_id: required"},
		{"no price", func(s *TableSpec) { delete(s.Columns, ColInput); delete(s.Columns, ColOutput) }, "at least one of input and output"},
		{"empty column", func(s *TableSpec) { s.Columns[ColContext] = TableColumn{} }, "columns.context: neither a selector nor an attribute"},
		{"bad unit", func(s *TableSpec) { s.Unit = "usd/hour" }, `unit: "usd/hour"`},
		{"no provider", func(s *TableSpec) { s.Provider = "" }, "provider: empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := bitdeerSpec()
			tt.edit(&spec)
			_, err := NewTable(spec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
			}
		})
	}
}

func TestParseTableErrors(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-23", "www.bitdeer.ai/en/pricing.html"))
	tbl := mustTable(t, bitdeerSpec())
	for name, body := range map[string]string{
		"layout changed":  strings.ReplaceAll(page, `data-category="llm"`, `data-category="text"`),
		"challenge page":  `<html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>`,
		"most rows no id": strings.ReplaceAll(page, ` data-model-id=`, ` data-id=`),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tbl.ParseTable(Response{URL: bitdeerURL, Body: []byte(body)})
			if !errors.Is(err, ErrMarkup) {
				t.Errorf("error %v, want ErrMarkup", err)
			}
			if err != nil && !strings.Contains(err.Error(), "bitdeer") {
				t.Errorf("error %v does not name the source", err)
			}
		})
	}
}

// TestParseTableRowWarnings: a row the table cannot read, or a model id in
// a second row, is left out with a warning; the other rows stand.
func TestParseTableRowWarnings(t *testing.T) {
	page := string(fixtureBody(t, "2026-04-23", "www.bitdeer.ai/en/pricing.html"))
	tbl := mustTable(t, bitdeerSpec())
	const llama = "meta-llama/Llama-3.2-1B-Instruct"
	for name, c := range map[string]struct {
		body, warning string
		listed        int
	}{
		"cell missing": {strings.Replace(page, `<td class="price price-output">$0.24</td>`, ``, 1),
			`row 5 (meta-llama/Llama-3.2-1B-Instruct): column output: selector "td.price-output" matches nothing: left out`, 4},
		"id attr gone": {strings.Replace(page, ` data-model-id="openai/gpt-oss-120b"`, ``, 1), `column model_id: no attribute "data-model-id": left out`, 4},
		"empty id":     {strings.Replace(page, `data-model-id="openai/gpt-oss-120b"`, `data-model-id=" "`, 1), "empty model id: left out", 4},
		"duplicate id": {strings.Replace(page, `data-model-id="openai/gpt-oss-120b"`, `data-model-id="deepseek-ai/DeepSeek-V3.2"`, 1),
			`model id "deepseek-ai/DeepSeek-V3.2" again (first in row`, 4},
	} {
		t.Run(name, func(t *testing.T) {
			p, err := tbl.ParseTable(Response{URL: bitdeerURL, Body: []byte(c.body)})
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], c.warning) {
				t.Errorf("warnings %q, want one saying %q", p.Warnings, c.warning)
			}
			listed := 0
			for _, o := range p.Observations {
				if o.Field == catalog.FieldListed {
					listed++
				}
			}
			if listed != c.listed {
				t.Errorf("%d rows read, want %d", listed, c.listed)
			}
			if got := find(p.Observations, "openai/gpt-oss-120b", catalog.FieldListed); name == "cell missing" && len(got) != 1 {
				t.Errorf("the other rows are not read: %+v", got)
			}
			if got := find(p.Observations, llama, catalog.FieldPriceInput); name != "cell missing" && (len(got) != 1 || got[0].Value != "$0.06") {
				t.Errorf("Llama 3.2 1B input %+v", got)
			}
		})
	}
}

func TestTableSource(t *testing.T) {
	tbl := mustTable(t, bitdeerSpec())
	d := tbl.Describe()
	if d.Name != "bitdeer" || d.Authority != catalog.AuthorityProvider || len(d.URLs) != 1 || d.URLs[0] != bitdeerURL {
		t.Errorf("describe %+v", d)
	}
	if r := tbl.Requests(); len(r) != 1 || r[0].Kind != "table" {
		t.Errorf("requests %+v", r)
	}
	if _, err := tbl.Parse("model", Response{}); err == nil {
		t.Error("unknown kind accepted")
	}
}

func FuzzParseTable(f *testing.F) {
	f.Add(fixtureBody(f, "2026-04-23", "www.bitdeer.ai/en/pricing.html"))
	f.Add([]byte(`<table class="pricing-table" data-category="llm"><tbody><tr class="pricing-row" data-model-id="a/b"><td class="model"><span class="model-name">x</span></td><td class="context">—</td><td class="price-input">$1</td><td class="price-cached"></td><td class="price-output">2</td></tr></tbody></table>`))
	tbl := mustTable(f, bitdeerSpec())
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := tbl.ParseTable(Response{URL: bitdeerURL, Body: body})
		if err != nil {
			return
		}
		checkParsed(t, p)
		for _, o := range p.Observations {
			if o.Field.IsPrice() && o.Unit != catalog.PerMillion {
				t.Fatalf("price without the table's unit: %+v", o)
			}
		}
	})
}

func BenchmarkParseTable(b *testing.B) {
	tbl := mustTable(b, bitdeerSpec())
	body := fixtureBody(b, "2026-04-23", "www.bitdeer.ai/en/pricing.html")
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := tbl.ParseTable(Response{URL: bitdeerURL, Body: body}); err != nil {
			b.Fatal(err)
		}
	}
}
