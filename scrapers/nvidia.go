package scrapers

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/PuerkitoBio/goquery"

	"github.com/llmref/llmref/catalog"
)

// NVIDIA reads NVIDIA's hosted API catalog ("NIM"): the model list
// (GET /v1/models on integrate.api.nvidia.com) says which configured models
// are offered, and each configured model's reference page on
// docs.api.nvidia.com gives its release date, parameters, context length,
// knowledge cutoff and licence, at provider authority.
//
// The hosted catalog is a free endpoint (trial credits, rate-limited); a
// listed model's prices are recorded as free, never as $0. Only configured
// models and, planned (Plan), the listed models that are tracked produce
// observations, and only theirs have their reference pages read: the list
// holds a hundred unrelated models, embedding and reward models among them.
type NVIDIA struct {
	// BaseURL is the API root; default https://integrate.api.nvidia.com.
	BaseURL string
	// DocsURL is the documentation root; default https://docs.api.nvidia.com.
	DocsURL string
	// Models are NIM model ids ("meta/llama-3.2-1b-instruct").
	Models []string

	// tracked, when planned, says which listed models are tracked.
	tracked *Tracked
}

var (
	_ Source    = (*NVIDIA)(nil)
	_ Planner   = (*NVIDIA)(nil)
	_ PlanKeyer = (*NVIDIA)(nil)
	_ Derived   = (*NVIDIA)(nil)
)

// Plan reads, besides the configured models, every listed model that is
// tracked: its offering from the list, and its reference page, linked from
// the list.
func (s *NVIDIA) Plan(t Tracked) Source {
	return &NVIDIA{BaseURL: s.BaseURL, DocsURL: s.DocsURL, Models: slices.Clone(s.Models), tracked: &t}
}

// PlanStage is TrackIDs.
func (s *NVIDIA) PlanStage() TrackStage { return TrackIDs }

// PlanKey names the configured models and the tracked set for the model
// list, which together say which listed models are read; the reference
// pages do not depend on them.
func (s *NVIDIA) PlanKey(kind string) string {
	if kind != "models" || s.tracked == nil {
		return ""
	}
	return planKey(append(slices.Clone(s.Models), "\x00"+s.tracked.Key()))
}

// Derived reports whether a URL is a reference page linked for a tracked
// model, which may have none.
func (s *NVIDIA) Derived(url string) bool {
	return s.tracked != nil && strings.HasPrefix(url, s.docs()+"/nim/reference/") && !slices.ContainsFunc(s.Models, func(m string) bool { return s.ReferenceURL(m) == url })
}

// NVIDIAProvider is the provider id of NVIDIA's hosted API catalog.
const NVIDIAProvider = "nvidia-nim"

// Name is "nvidia-nim".
func (s *NVIDIA) Name() string { return "nvidia-nim" }

func (s *NVIDIA) base() string {
	return strings.TrimRight(orDefault(s.BaseURL, "https://integrate.api.nvidia.com"), "/")
}

func (s *NVIDIA) docs() string {
	return strings.TrimRight(orDefault(s.DocsURL, "https://docs.api.nvidia.com"), "/")
}

// ListURL is the model list.
func (s *NVIDIA) ListURL() string { return s.base() + "/v1/models" }

// ReferenceURL is a model's reference page: the org and the model name joined
// by a hyphen, dots written as underscores ("meta/llama-3.2-1b-instruct" →
// /nim/reference/meta-llama-3_2-1b-instruct).
func (s *NVIDIA) ReferenceURL(id string) string {
	return s.docs() + "/nim/reference/" + strings.ReplaceAll(strings.Replace(id, "/", "-", 1), ".", "_")
}

// Describe presents the source.
func (s *NVIDIA) Describe() Description {
	d := Description{Name: s.Name(), Title: "NVIDIA NIM API catalog: model list and reference pages",
		Authority: catalog.AuthorityProvider, Format: "JSON + HTML", URLs: []string{s.ListURL()}}
	for _, m := range s.Models {
		d.URLs = append(d.URLs, s.ReferenceURL(m))
	}
	return d
}

// Requests asks for the model list and every configured model's reference
// page.
func (s *NVIDIA) Requests() []Request {
	out := []Request{{URL: s.ListURL(), Kind: "models"}}
	for _, m := range s.Models {
		out = append(out, Request{URL: s.ReferenceURL(m), Kind: "reference", Subject: m})
	}
	return out
}

// Parse reads the model list or a reference page.
func (s *NVIDIA) Parse(kind string, r Response) (Parsed, error) {
	switch kind {
	case "models":
		if s.tracked == nil {
			return ParseNVIDIAModels(r, s.Models)
		}
		t := s.tracked
		return parseNVIDIAModels(r, s.Models, func(id string) bool {
			_, ok := t.resolve(s.Name(), id)
			return ok
		}, s.ReferenceURL)
	case "reference":
		if r.Subject != "" {
			return ParseNVIDIAReference(r.Subject, r)
		}
		for _, m := range s.Models {
			if s.ReferenceURL(m) == r.URL {
				return ParseNVIDIAReference(m, r)
			}
		}
		return Parsed{}, fmt.Errorf("nvidia-nim: %s is the reference page of no configured model", r.URL)
	}
	return Parsed{}, fmt.Errorf("nvidia-nim: unknown page kind %q", kind)
}

type nimModel struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	OwnedBy string `json:"owned_by"`
}

// ParseNVIDIAModels reads the API catalog's model list (an OpenAI-style
// {"object":"list","data":[...]}) and says, for each of models that the list
// holds, that NVIDIA offers it for free. The list's `created` is the same
// placeholder for every model and is never read; duplicate ids are read
// once (the live list repeats some). A configured model absent from the
// list gives nothing: it is not offered.
//
// Its anchor is the "data" array. An entry it cannot read (not an object,
// no id) is left out with a warning. It fails when the body is not JSON,
// when the array is missing or empty, or when most entries are unreadable.
func ParseNVIDIAModels(r Response, models []string) (Parsed, error) {
	return parseNVIDIAModels(r, models, nil, nil)
}

// parseNVIDIAModels is ParseNVIDIAModels reading, besides models, every
// listed id that also says yes to (a tracked model), as the list spells
// it, with a link to its reference page (ref) when ref is set.
func parseNVIDIAModels(r Response, models []string, also func(string) bool, ref func(string) string) (Parsed, error) {
	var doc struct {
		Object string             `json:"object"`
		Data   *[]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		return Parsed{}, fmt.Errorf("parse nvidia-nim models: %w", err)
	}
	if doc.Data == nil {
		return Parsed{}, fmt.Errorf("parse nvidia-nim models: no \"data\" array: %w", ErrMarkup)
	}
	if len(*doc.Data) == 0 {
		return Parsed{}, fmt.Errorf("parse nvidia-nim models: empty \"data\" array: %w", ErrMarkup)
	}
	var tally rowTally
	listed := map[string]bool{}
	var order []string // listed ids as the list spells them, first spelling
	for i, raw := range *doc.Data {
		var m nimModel
		if err := json.Unmarshal(raw, &m); err != nil {
			tally.skip("entry %d: %v", i, err)
			continue
		}
		if m.ID == "" {
			tally.skip("entry %d has no id", i)
			continue
		}
		tally.ok()
		if !listed[strings.ToLower(m.ID)] {
			order = append(order, m.ID)
		}
		listed[strings.ToLower(m.ID)] = true
	}
	if err := tally.unreadable("entries"); err != nil {
		return Parsed{}, fmt.Errorf("parse nvidia-nim models: %w", err)
	}
	var out []catalog.Observation
	var links []catalog.Link
	read := map[string]bool{}
	ids := slices.Clone(models)
	for _, id := range models {
		read[strings.ToLower(id)] = true
	}
	if also != nil {
		for _, id := range order {
			if !read[strings.ToLower(id)] && also(id) {
				read[strings.ToLower(id)] = true
				ids = append(ids, id)
				if ref != nil {
					links = append(links, catalog.Link{URL: ref(id), Kind: "reference", Subject: id})
				}
			}
		}
	}
	for _, id := range ids {
		if !listed[strings.ToLower(id)] {
			continue
		}
		offer := func(f catalog.Field, v string, u catalog.Unit) catalog.Observation {
			return catalog.Observation{Source: "nvidia-nim", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityProvider,
				Subject: id, Provider: NVIDIAProvider, Field: f, Value: v, Unit: u}
		}
		free := func(f catalog.Field) catalog.Observation {
			o := offer(f, "free", catalog.PerMillion)
			o.Note = "hosted API catalog: free endpoint (trial credits, rate-limited)"
			return o
		}
		out = append(out, offer(catalog.FieldListed, id, ""), free(catalog.FieldPriceInput), free(catalog.FieldPriceOutput))
	}
	return Parsed{Observations: out, Links: links, Warnings: tally.Warnings()}, nil
}

var (
	nimLabel       = regexp.MustCompile(`^([A-Z][A-Za-z0-9 /()'-]{1,48}?):\s+(.+)$`)
	nimGovernedBy  = regexp.MustCompile(`(?i)\bgoverned by (?:the )?(.+)$`)
	nimSizeInModel = regexp.MustCompile(`(?i)(?:^|[-_/])(\d+(?:\.\d+)?[bm])(?:[-_]|$)`)
)

// nimLabels maps the reference page's "Label: value" labels (lower case) to
// the model field they state.
var nimLabels = map[string]catalog.Field{
	"model release date":   catalog.FieldReleased,
	"release date":         catalog.FieldReleased,
	"license":              catalog.FieldLicence,
	"licence":              catalog.FieldLicence,
	"license/terms of use": catalog.FieldLicence,
}

// nimColumns maps the spec table's header names (lower case) to fields.
var nimColumns = []struct {
	header string
	field  catalog.Field
}{
	{"params", catalog.FieldParameters},
	{"context length", catalog.FieldContext},
	{"knowledge cutoff", catalog.FieldKnowledgeCutoff},
}

// ParseNVIDIAReference reads a model's reference page on docs.api.nvidia.com
// into provider-authority observations about the model: release date and
// licence from its "Label: value" paragraphs, parameters, context length and
// knowledge cutoff from its spec table, read by header position (the table
// spans rows, so later rows have fewer cells; the row of the model's own size
// is taken).
//
// Its anchor is the model's name on the page ("meta / llama-3.2-1b-instruct")
// and at least one of these facts. A spec table without a row for the
// model's size is a warning (the labelled facts stand). It fails when the
// page does not name the model or states none of the facts.
func ParseNVIDIAReference(model string, r Response) (Parsed, error) {
	lines, err := TextLines(r.Body)
	if err != nil {
		return Parsed{}, fmt.Errorf("parse nvidia-nim reference %s: %w", model, err)
	}
	// The title reads "meta / llama-3.2-1b-instruct" or
	// "meta/llama-3.2-1b-instruct".
	want := strings.ToLower(model)
	named := false
	for _, l := range lines {
		if strings.ReplaceAll(strings.ToLower(l), " ", "") == want {
			named = true
			break
		}
	}
	if !named {
		return Parsed{}, fmt.Errorf("parse nvidia-nim reference %s: the page does not name the model: %w", model, ErrMarkup)
	}
	obs := func(f catalog.Field, v, note string) catalog.Observation {
		return catalog.Observation{Source: "nvidia-nim", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityProvider,
			Subject: model, Field: f, Value: v, Note: note}
	}
	var out []catalog.Observation
	seen := map[catalog.Field]bool{}
	for _, l := range lines {
		m := nimLabel.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		f, ok := nimLabels[strings.ToLower(strings.TrimSpace(m[1]))]
		if !ok || seen[f] {
			continue
		}
		v := strings.TrimSpace(m[2])
		if f == catalog.FieldLicence {
			v = licenceName(v)
		}
		if v == "" {
			continue
		}
		seen[f] = true
		out = append(out, obs(f, v, ""))
	}
	doc, err := Document(r.Body)
	if err != nil {
		return Parsed{}, fmt.Errorf("parse nvidia-nim reference %s: %w", model, err)
	}
	var tally rowTally
	row, err := nimSpecRow(doc, model)
	if err != nil {
		tally.warn("%v: its parameters, context length and knowledge cutoff not read", err)
	}
	for _, c := range nimColumns {
		if v := row[c.header]; v != "" && v != "-" && v != "—" {
			out = append(out, obs(c.field, v, ""))
		}
	}
	if len(out) == 0 {
		return Parsed{}, fmt.Errorf("parse nvidia-nim reference %s: no release date, licence or spec table: %w", model, ErrMarkup)
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
}

// licenceName takes the licence's name out of a sentence such as "Use of
// Llama 3.2 is governed by the Llama 3.2 Community License (a custom,
// commercial license agreement)."; a bare name is kept as it is.
func licenceName(s string) string {
	s = strings.TrimSpace(s)
	if m := nimGovernedBy.FindStringSubmatch(s); m != nil {
		s = m[1]
	}
	// The name ends where an aside or the sentence does ("3.2" has a
	// dot, so a sentence ends at a dot followed by a space or the end).
	for _, sep := range []string{" (", ";", ". "} {
		if i := strings.Index(s, sep); i > 0 {
			s = s[:i]
		}
	}
	return strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "."))
}

// nimSpecRow finds the spec table (the one whose header has a Params
// column) and returns the cells, by lower-case header, of the row for the
// model's size. A page without such a table gives nil; a table without a row
// for the size is a markup error.
func nimSpecRow(doc *goquery.Document, model string) (map[string]string, error) {
	var grid [][]string
	doc.Find("table").EachWithBreak(func(_ int, t *goquery.Selection) bool {
		g := tableGrid(t)
		if len(g) > 0 && headerIndex(g[0], "params") >= 0 {
			grid = g
			return false
		}
		return true
	})
	if grid == nil {
		return nil, nil
	}
	header, rows := grid[0], grid[1:]
	if len(rows) == 0 {
		return nil, fmt.Errorf("spec table has no rows: %w", ErrMarkup)
	}
	size := ""
	if m := nimSizeInModel.FindStringSubmatch(model); m != nil {
		size = strings.ToUpper(m[1])
	}
	for _, cells := range rows {
		// A header without a cell over the rows' label column is aligned
		// to the right: header positions count from the last cell.
		off := len(cells) - len(header)
		if off < 0 {
			continue
		}
		byHeader := map[string]string{}
		for i, h := range header {
			byHeader[strings.ToLower(h)] = cells[i+off]
		}
		params := strings.ToUpper(byHeader["params"])
		if size == "" || params == size || strings.HasPrefix(params, size+" ") || strings.HasPrefix(params, size+"(") {
			return byHeader, nil
		}
	}
	return nil, fmt.Errorf("spec table has no row for size %q: %w", size, ErrMarkup)
}

func headerIndex(header []string, name string) int {
	for i, h := range header {
		if strings.EqualFold(h, name) {
			return i
		}
	}
	return -1
}

// tableGrid reads an HTML table into rows of cell texts with row and column
// spans expanded, so that every cell sits at its header's position. Rows of
// nested tables are not read.
func tableGrid(t *goquery.Selection) [][]string {
	var grid [][]string
	pending := map[int]struct {
		text string
		left int
	}{} // column → a cell spanning down into later rows
	t.Find("tr").Each(func(_ int, tr *goquery.Selection) {
		if tr.ParentsFiltered("table").First().Get(0) != t.Get(0) {
			return
		}
		var row []string
		col := 0
		fill := func() {
			for {
				p, ok := pending[col]
				if !ok {
					return
				}
				row = append(row, p.text)
				if p.left--; p.left == 0 {
					delete(pending, col)
				} else {
					pending[col] = p
				}
				col++
			}
		}
		tr.ChildrenFiltered("th, td").Each(func(_ int, c *goquery.Selection) {
			fill()
			text := CleanText(c.Text())
			cs, rs := spanAttr(c, "colspan"), spanAttr(c, "rowspan")
			for range cs {
				row = append(row, text)
				if rs > 1 {
					pending[col] = struct {
						text string
						left int
					}{text, rs - 1}
				}
				col++
			}
		})
		fill()
		grid = append(grid, row)
	})
	return grid
}

func spanAttr(c *goquery.Selection, name string) int {
	v, ok := c.Attr(name)
	if !ok {
		return 1
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 {
		return 1
	}
	return min(n, 100)
}
