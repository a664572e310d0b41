package scrapers

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// OpenAI reads OpenAI's model documentation pages
// (developers.openai.com/api/docs/models/{id}) of the configured models and,
// planned (Plan), of every tracked OpenAI model: context window, max output,
// knowledge cutoff, text-token prices, modalities, features and tools. The
// pages are OpenAI's own, so model facts carry creator authority, and the
// prices make the offering at OpenAI.
type OpenAI struct {
	// BaseURL is the docs root; default https://developers.openai.com.
	BaseURL string
	// Models are the model ids to read ("gpt-5.3-codex").
	Models []string

	derived derivedSet
}

var (
	_ Source  = (*OpenAI)(nil)
	_ Planner = (*OpenAI)(nil)
	_ Derived = (*OpenAI)(nil)
)

// Plan reads, besides the configured models, the page of every tracked
// model whose creator is OpenAI, by the id OpenRouter lists it under (the
// API's own id) or else its canonical slug.
func (s *OpenAI) Plan(t Tracked) Source {
	p := &OpenAI{BaseURL: s.BaseURL}
	models := newPlan(s.Models, true)
	for _, m := range t.Models {
		if m.Creator() != "openai" {
			continue
		}
		id := m.Slug()
		for _, or := range m.OpenRouterIDs {
			if a, slug, ok := strings.Cut(or, "/"); ok && a == "openai" {
				id, _, _ = strings.Cut(slug, ":")
				break
			}
		}
		if id != "" && !strings.ContainsAny(id, "/ ?#%:") {
			models.add(id, p.PageURL(id))
		}
	}
	p.Models, p.derived = models.list, models.derived
	return p
}

// PlanStage is TrackIDs.
func (s *OpenAI) PlanStage() TrackStage { return TrackIDs }

// Derived reports whether a URL is a planned model's page: not every id
// OpenRouter lists (a dated snapshot, an alias) has a page of its own.
func (s *OpenAI) Derived(url string) bool { return s.derived[url] }

// Name is "openai".
func (s *OpenAI) Name() string { return "openai" }

func (s *OpenAI) base() string {
	return strings.TrimRight(orDefault(s.BaseURL, "https://developers.openai.com"), "/")
}

// PageURL is the docs page of a model.
func (s *OpenAI) PageURL(id string) string { return s.base() + "/api/docs/models/" + id }

// Describe presents the source.
func (s *OpenAI) Describe() Description {
	d := Description{Name: s.Name(), Title: "OpenAI model pages", Authority: catalog.AuthorityCreator, Format: "HTML"}
	for _, m := range s.Models {
		d.URLs = append(d.URLs, s.PageURL(m))
	}
	return d
}

// Requests asks for every configured model page.
func (s *OpenAI) Requests() []Request {
	var out []Request
	for _, m := range s.Models {
		out = append(out, Request{URL: s.PageURL(m), Kind: "model", Subject: "openai/" + m})
	}
	return out
}

// Parse reads a model page.
func (s *OpenAI) Parse(kind string, r Response) (Parsed, error) {
	if kind != "model" {
		return Parsed{}, fmt.Errorf("openai: unknown page kind %q", kind)
	}
	return ParseOpenAIModelPage(r)
}

var (
	oaContext    = regexp.MustCompile(`(?i)^([\d,]+) context window$`)
	oaMaxOutput  = regexp.MustCompile(`(?i)^([\d,]+) max output tokens$`)
	oaCutoff     = regexp.MustCompile(`(?i)^(.+?) knowledge cutoff$`)
	oaPrice      = regexp.MustCompile(`^\$[\d,]*\.?\d+$`)
	oaPriceLabel = map[string]catalog.Field{
		"input":        catalog.FieldPriceInput,
		"cached input": catalog.FieldPriceCachedInput,
		"output":       catalog.FieldPriceOutput,
	}
	oaSupport = map[string]string{"supported": "true", "not supported": "false"}
	// oaNoPrice are the cells that say a price is not offered.
	oaNoPrice = map[string]bool{"-": true, "—": true, "–": true}
)

// ParseOpenAIModelPage reads the text of a model page, as an HTTP client
// without JavaScript sees it, into observations. The page has no stable
// class names, so the parser reads its lines ("400,000 context window",
// then "Text tokens" / "Input" / "$1.75" ...).
//
// Its anchor is the spec lines (context window, max output, knowledge
// cutoff) and the text-token input and output prices. A text-token price
// it cannot read is left out with a warning (an unreadable input or
// output price leaves the anchor short). It fails when no spec line is
// there, or the input or output price, or their "Per 1M tokens" unit.
func ParseOpenAIModelPage(r Response) (Parsed, error) {
	u, err := url.Parse(r.URL)
	if err != nil {
		return Parsed{}, fmt.Errorf("parse openai model page: %w", err)
	}
	id := path.Base(strings.TrimSuffix(u.Path, "/"))
	if id == "" || id == "." || id == "/" {
		return Parsed{}, fmt.Errorf("parse openai model page: no model id in %s", r.URL)
	}
	lines, err := TextLines(r.Body)
	if err != nil {
		return Parsed{}, fmt.Errorf("parse openai model page %s: %w", id, err)
	}
	subject := "openai/" + id
	// The title is the first line that spells the id in other case
	// ("GPT-5.3-Codex" for gpt-5.3-codex).
	name := ""
	for _, l := range lines {
		if strings.EqualFold(l, id) && l != id {
			name = l
			break
		}
	}
	model := func(f catalog.Field, v string) catalog.Observation {
		return catalog.Observation{Source: "openai", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityCreator, Subject: subject, SubjectName: name, Field: f, Value: v}
	}
	offer := func(f catalog.Field, v string, unit catalog.Unit) catalog.Observation {
		return catalog.Observation{Source: "openai", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityCreator, Subject: subject, SubjectName: name,
			Provider: "openai", Field: f, Value: v, Unit: unit}
	}
	// A model page gives 20-30 observations (26 on the recorded
	// GPT-5.3-Codex page): sized once, not grown five times over (an
	// Observation is 224 bytes; the copies were ~7 KB a page).
	out := make([]catalog.Observation, 0, 32)
	if name != "" {
		out = append(out, model(catalog.FieldName, name))
	}
	specs := 0
	for _, l := range lines {
		switch {
		case hasSuffixFold(l, " context window") && oaContext.MatchString(l):
			v := oaContext.FindStringSubmatch(l)[1]
			out = append(out, model(catalog.FieldContext, v), offer(catalog.FieldOfferingContext, v, ""))
			specs++
		case hasSuffixFold(l, " max output tokens") && oaMaxOutput.MatchString(l):
			v := oaMaxOutput.FindStringSubmatch(l)[1]
			out = append(out, model(catalog.FieldMaxOutput, v), offer(catalog.FieldOfferingMaxOutput, v, ""))
			specs++
		case hasSuffixFold(l, " knowledge cutoff") && oaCutoff.MatchString(l):
			out = append(out, model(catalog.FieldKnowledgeCutoff, oaCutoff.FindStringSubmatch(l)[1]))
			specs++
		case strings.EqualFold(l, "Reasoning token support"):
			out = append(out, model(catalog.FeatureField("reasoning"), "true"))
		}
	}
	if specs == 0 {
		return Parsed{}, fmt.Errorf("parse openai model page %s: no context window, max output or knowledge cutoff line: %w", id, ErrMarkup)
	}

	// Text-token prices: after "Text tokens", label / price pairs until the
	// next section. "Per 1M tokens" states the unit.
	prices, unit := map[catalog.Field]string{}, catalog.Unit("")
	var tally rowTally
	if i := indexOf(lines, "Text tokens", 0); i >= 0 {
		for j := i + 1; j < len(lines) && j < i+16; j++ {
			l := lines[j]
			if strings.EqualFold(l, "Per 1M tokens") {
				unit = catalog.PerMillion
				continue
			}
			f, ok := oaPriceLabel[strings.ToLower(l)]
			if !ok {
				if len(prices) > 0 && !oaPrice.MatchString(l) && l != "-" && l != "—" {
					break
				}
				continue
			}
			if j+1 >= len(lines) {
				continue
			}
			next := lines[j+1]
			switch _, label := oaPriceLabel[strings.ToLower(next)]; {
			case oaPrice.MatchString(next):
				if _, seen := prices[f]; !seen {
					prices[f] = next
				}
				j++
			case !label && !oaNoPrice[next] && !strings.EqualFold(next, "Per 1M tokens"):
				tally.skip("text-token %s price %q unreadable: left out", strings.ToLower(l), clip.String(next))
				j++
			}
		}
	}
	if prices[catalog.FieldPriceInput] == "" || prices[catalog.FieldPriceOutput] == "" {
		why := ""
		if tally.first != "" {
			why = " (" + tally.first + ")"
		}
		return Parsed{}, fmt.Errorf("parse openai model page %s: no text-token input and output prices%s: %w", id, why, ErrMarkup)
	}
	if unit == "" {
		return Parsed{}, fmt.Errorf("parse openai model page %s: prices without a \"Per 1M tokens\" unit: %w", id, ErrMarkup)
	}
	out = append(out, offer(catalog.FieldListed, id, ""))
	for _, f := range []catalog.Field{catalog.FieldPriceInput, catalog.FieldPriceCachedInput, catalog.FieldPriceOutput} {
		if v := prices[f]; v != "" {
			out = append(out, offer(f, v, unit))
		}
	}

	// Modalities: name / "Input and output" | "Input only" | "Output only" | "Not supported".
	if i := indexOf(lines, "Modalities", 0); i >= 0 {
		var in, outm []string
		for j := i + 1; j+1 < len(lines) && j < i+12; j += 2 {
			mod, how := strings.ToLower(lines[j]), strings.ToLower(lines[j+1])
			switch how {
			case "input and output":
				in, outm = append(in, mod), append(outm, mod)
			case "input only":
				in = append(in, mod)
			case "output only":
				outm = append(outm, mod)
			case "not supported":
			default:
				j = len(lines)
			}
		}
		if len(in) > 0 {
			out = append(out, model(catalog.FieldInputModalities, strings.Join(in, ",")))
		}
		if len(outm) > 0 {
			out = append(out, model(catalog.FieldOutputModalities, strings.Join(outm, ",")))
		}
	}
	// Features and Tools: name / "Supported" | "Not supported", after at
	// most two lines of introduction.
	for _, section := range []string{"Features", "Tools"} {
		i := indexOf(lines, section, 0)
		if i < 0 {
			continue
		}
		for j, pairs := i+1, 0; j+1 < len(lines); {
			v, ok := oaSupport[strings.ToLower(lines[j+1])]
			if !ok {
				if pairs > 0 || j > i+2 {
					break
				}
				j++
				continue
			}
			name := lines[j]
			if section == "Tools" {
				name = "tool " + name
			}
			out = append(out, model(catalog.FeatureField(name), v))
			pairs++
			j += 2
		}
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
}

func indexOf(lines []string, want string, from int) int {
	for i := from; i < len(lines); i++ {
		if strings.EqualFold(lines[i], want) {
			return i
		}
	}
	return -1
}

// hasSuffixFold reports whether s ends with the lower-case suffix, in any
// case: a cheap test before a regular expression on every line of a page.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
