package scrapers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// HuggingFace reads the Hugging Face Hub for each repository it is given —
// the configured ones and, planned (Plan), the repository of every tracked
// model whose weights a catalogue or the alias table names: the model info
// API (/api/models/{repo}: parameter count from safetensors, licence from
// the card data, gating, the files), the card text (YAML front matter and
// Markdown), and the repository's config.json when the API lists one and
// the repository is not gated (gated files answer 401 anonymously).
//
// The card is the creator's own prose, so its facts carry creator
// authority. The API's values are computed by Hugging Face (a safetensors
// total counts tied embeddings once, a card rounds), and config.json is
// the weights' machine declaration, whose max_position_embeddings is a
// positional limit rather than the context the model was trained or is
// served at (Qwen2.5's 32,768 where the card states 131,072 with YaRN;
// a limit above what the card supports elsewhere): both carry aggregator
// authority, so a card (or a provider's reference page) that states a
// context or an architecture wins, and config.json speaks where they say
// nothing.
type HuggingFace struct {
	// BaseURL is the Hub root; default https://huggingface.co.
	BaseURL string
	// Repos are the repositories to read ("meta-llama/Llama-3.2-1B-Instruct").
	Repos []string

	derived derivedSet
}

var (
	_ Source  = (*HuggingFace)(nil)
	_ Planner = (*HuggingFace)(nil)
	_ Derived = (*HuggingFace)(nil)
)

// Name is "huggingface".
func (s *HuggingFace) Name() string { return "huggingface" }

func (s *HuggingFace) base() string {
	return strings.TrimRight(orDefault(s.BaseURL, "https://huggingface.co"), "/")
}

// CardURL is where a repository's card is read. resolve/ serves the card of
// a gated repository anonymously; raw/ does not.
func (s *HuggingFace) CardURL(repo string) string {
	return s.base() + "/" + repo + "/resolve/main/README.md"
}

// APIURL is the repository's model info in the Hub API. It answers
// anonymously for gated repositories too.
func (s *HuggingFace) APIURL(repo string) string {
	return s.base() + "/api/models/" + repo
}

// ConfigURL is the repository's config.json.
func (s *HuggingFace) ConfigURL(repo string) string {
	return s.base() + "/" + repo + "/resolve/main/config.json"
}

// Plan reads, besides the configured repositories, the repository of
// every tracked model that names one.
func (s *HuggingFace) Plan(t Tracked) Source {
	p := &HuggingFace{BaseURL: s.BaseURL}
	repos := newPlan(s.Repos, true)
	for _, m := range t.Models {
		if m.HFRepo != "" && HFRepoOK(m.HFRepo) {
			repos.add(m.HFRepo, p.APIURL(m.HFRepo), p.CardURL(m.HFRepo))
		}
	}
	p.Repos, p.derived = repos.list, repos.derived
	return p
}

// PlanStage is TrackIDs: the repositories are known once the catalogues
// are read.
func (s *HuggingFace) PlanStage() TrackStage { return TrackIDs }

// Derived reports whether a URL is a planned repository's page, or a
// config.json (which the API record listed): a 404 for it says the
// repository or the file is gone, not that the Hub failed.
func (s *HuggingFace) Derived(url string) bool {
	return s.derived[url] || strings.HasSuffix(url, "/resolve/main/config.json")
}

// Describe presents the source.
func (s *HuggingFace) Describe() Description {
	d := Description{Name: s.Name(), Title: "Hugging Face model API and cards", Authority: catalog.AuthorityCreator, Format: "JSON + Markdown"}
	for _, r := range s.Repos {
		d.URLs = append(d.URLs, s.APIURL(r), s.CardURL(r))
	}
	return d
}

// Requests asks for every configured repository's API record and card.
func (s *HuggingFace) Requests() []Request {
	var out []Request
	for _, r := range s.Repos {
		out = append(out,
			Request{URL: s.APIURL(r), Kind: "api", Subject: r},
			Request{URL: s.CardURL(r), Kind: "card", Subject: r})
	}
	return out
}

// Parse reads an API record ("api"), a card ("card") or a config.json
// ("config").
func (s *HuggingFace) Parse(kind string, r Response) (Parsed, error) {
	switch kind {
	case "config":
		repo, err := repoOfCardURL(s.base(), r.URL)
		if err != nil {
			return Parsed{}, err
		}
		return ParseHFConfig(repo, r)
	case "card":
		repo, err := repoOfCardURL(s.base(), r.URL)
		if err != nil {
			return Parsed{}, err
		}
		return ParseHFCard(repo, r)
	case "api":
		repo, err := repoOfAPIURL(s.base(), r.URL)
		if err != nil {
			return Parsed{}, err
		}
		p, listsConfig, err := parseHFModelAPI(repo, r)
		if err == nil && listsConfig {
			p.Links = append(p.Links, catalog.Link{URL: s.ConfigURL(repo), Kind: "config", Subject: repo})
		}
		return p, err
	}
	return Parsed{}, fmt.Errorf("huggingface: unknown page kind %q", kind)
}

func repoOfCardURL(base, u string) (string, error) {
	rest, ok := strings.CutPrefix(u, base+"/")
	if !ok {
		return "", fmt.Errorf("huggingface: %s is not under %s", u, base)
	}
	parts := strings.Split(rest, "/")
	if len(parts) < 2 {
		return "", fmt.Errorf("huggingface: no repository in %s", u)
	}
	return parts[0] + "/" + parts[1], nil
}

func repoOfAPIURL(base, u string) (string, error) {
	rest, ok := strings.CutPrefix(u, base+"/api/models/")
	if !ok {
		return "", fmt.Errorf("huggingface: %s is not under %s/api/models/", u, base)
	}
	rest, _, _ = strings.Cut(rest, "?")
	parts := strings.Split(rest, "/")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", fmt.Errorf("huggingface: no repository in %s", u)
	}
	return parts[0] + "/" + parts[1], nil
}

// hfGated is the API's "gated": false, or the gating mode as a string
// ("auto", "manual").
type hfGated struct {
	Set  bool
	Mode string
}

// UnmarshalJSON reads false, true or a mode string.
func (g *hfGated) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null" || string(b) == "false":
		*g = hfGated{Set: true}
		return nil
	case string(b) == "true":
		*g = hfGated{Set: true, Mode: "yes"}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("gated: want false or a string, got %s", clip.String(string(b)))
	}
	*g = hfGated{Set: true, Mode: s}
	return nil
}

type hfModelInfo struct {
	ID          *string        `json:"id"`
	Gated       hfGated        `json:"gated"`
	CardData    *hfCardData    `json:"cardData"`
	Safetensors *hfSafetensors `json:"safetensors"`
	// Config is the Hub's reduced copy of config.json (architectures,
	// model_type, sometimes the experts), often {}.
	Config   *hfConfig   `json:"config"`
	Siblings []hfSibling `json:"siblings"`
}

type hfSibling struct {
	RFilename string `json:"rfilename"`
}

// listsConfig reports whether an API record lists a config.json the crawl
// can read anonymously: listed among the files, the repository not gated.
func (m *hfModelInfo) listsConfig() bool {
	if m.Gated.Set && m.Gated.Mode != "" {
		return false
	}
	return slices.ContainsFunc(m.Siblings, func(f hfSibling) bool { return f.RFilename == "config.json" })
}

type hfCardData struct {
	License     json.RawMessage `json:"license"`
	LicenseName string          `json:"license_name"`
}

type hfSafetensors struct {
	Parameters map[string]json.Number `json:"parameters"`
	Total      *json.Number           `json:"total"`
}

// ParseHFModelAPI reads the Hub's model info (/api/models/{repo}) into
// aggregator-authority observations of repo: the parameter count from
// safetensors.total (with its dtypes in the note: a total over mixed or
// quantised dtypes misleads), the licence from cardData.license (a string
// or a list; "other" gives license_name), its note saying whether the
// repository is gated, and, when config.json itself cannot be read (the
// repository is gated or lists none), the architecture from the Hub's
// reduced copy of it ("config").
//
// Its anchor is the record's "id", which must be repo's. A count or a
// licence it cannot read is left out with a warning. It fails when the
// body is not JSON, when the id is missing or another repository's, or
// when it reads no parameter count, licence or architecture.
func ParseHFModelAPI(repo string, r Response) (Parsed, error) {
	p, _, err := parseHFModelAPI(repo, r)
	return p, err
}

// parseHFModelAPI is ParseHFModelAPI, saying too whether the record lists
// a config.json the crawl can read (see listsConfig): one decoding of the
// record for both.
func parseHFModelAPI(repo string, r Response) (Parsed, bool, error) {
	var m hfModelInfo
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return Parsed{}, false, fmt.Errorf("parse huggingface api %s: %w", repo, err)
	}
	if m.ID == nil || *m.ID == "" {
		return Parsed{}, false, fmt.Errorf("parse huggingface api %s: no \"id\": %w", repo, ErrMarkup)
	}
	if !strings.EqualFold(*m.ID, repo) {
		return Parsed{}, false, fmt.Errorf("parse huggingface api %s: the record is of %q (renamed? configure the new name)", repo, clip.String(*m.ID))
	}
	obs := func(f catalog.Field, v, note string) catalog.Observation {
		return catalog.Observation{Source: "huggingface", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityAggregator, Subject: repo, Field: f, Value: v, Note: note}
	}
	var tally rowTally
	var out []catalog.Observation
	if st := m.Safetensors; st != nil && st.Total != nil {
		n, err := strconv.ParseInt(st.Total.String(), 10, 64)
		if err != nil || n <= 0 {
			tally.skip("safetensors.total %q is not a positive count: left out", clip.String(st.Total.String()))
		} else {
			dtypes := make([]string, 0, len(st.Parameters))
			for d := range st.Parameters {
				dtypes = append(dtypes, d)
			}
			slices.Sort(dtypes)
			out = append(out, obs(catalog.FieldParameters, strconv.FormatInt(n, 10), "safetensors total ("+strings.Join(dtypes, ", ")+")"))
		}
	}
	if cd := m.CardData; cd != nil && len(cd.License) > 0 && string(cd.License) != "null" {
		lic, err := hfLicence(cd.License, cd.LicenseName)
		switch {
		case err != nil:
			tally.skip("cardData.license: %v: left out", err)
		case lic != "":
			note := "cardData.license"
			switch {
			case !m.Gated.Set:
			case m.Gated.Mode == "":
				note += "; not gated"
			default:
				note += "; gated (" + m.Gated.Mode + ")"
			}
			out = append(out, obs(catalog.FieldLicence, lic, note))
		}
	}
	listsConfig := m.listsConfig()
	if m.Config != nil && !listsConfig {
		if arch, note := m.Config.architecture(false); arch != "" {
			out = append(out, obs(catalog.FieldArchitecture, arch, "config (the Hub's copy of config.json): "+note))
		}
	}
	if len(out) == 0 {
		why := ""
		if tally.first != "" {
			why = " (" + tally.first + ")"
		}
		return Parsed{}, false, fmt.Errorf("parse huggingface api %s: no safetensors.total, cardData.license or config architecture%s: %w", repo, why, ErrMarkup)
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, listsConfig, nil
}

// hfLicence reads cardData.license: an id, or a list of ids (the first
// wins); "other" stands for license_name.
func hfLicence(raw json.RawMessage, name string) (string, error) {
	var id string
	if err := json.Unmarshal(raw, &id); err != nil {
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return "", fmt.Errorf("want a string or a list of strings, got %s", clip.String(string(raw)))
		}
		if len(list) == 0 {
			return "", nil
		}
		id = list[0]
	}
	id = strings.TrimSpace(id)
	if strings.EqualFold(id, "other") && strings.TrimSpace(name) != "" {
		id = strings.TrimSpace(name)
	}
	return id, nil
}

// hfRepoPart is one part of a repository id as the Hub allows it.
var hfRepoPart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$`)

// HFRepoOK reports whether s is a Hugging Face repository id, owner/name.
func HFRepoOK(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	return ok && hfRepoPart.MatchString(owner) && hfRepoPart.MatchString(name) && !strings.Contains(s, "..")
}

var (
	mdBoldLabel = regexp.MustCompile(`^\*\*([^*]+?):?\*\*:?\s*(.*)$`)
	mdLink      = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)
	sizeInRepo  = regexp.MustCompile(`(?i)(?:^|[-_])(\d+(?:\.\d+)?[bm])(?:[-_]|$)`)
)

type hfFrontMatter struct {
	License     any    `yaml:"license"`
	LicenseName string `yaml:"license_name"`
	PipelineTag string `yaml:"pipeline_tag"`
}

// ParseHFCard reads a model card (YAML front matter, then Markdown) of repo
// into creator-authority observations: licence, release date, architecture,
// parameters, context length, knowledge cutoff and modalities. A card that
// covers several sizes in one table gives the row of the repository's size.
//
// Its anchor is at least one of those facts. Front matter that is not
// YAML, and a spec table without a row for the repository's size, are
// warnings (the rest of the card is read). It fails when the front matter
// is never closed or when the card states none of the facts.
func ParseHFCard(repo string, r Response) (Parsed, error) {
	text := strings.ReplaceAll(string(r.Body), "\r\n", "\n")
	var tally rowTally
	fm, body, err := splitFrontMatter(text)
	if errors.Is(err, errFrontMatterYAML) {
		tally.warn("%v: the front matter's licence id not read", err)
	} else if err != nil {
		return Parsed{}, fmt.Errorf("parse huggingface card %s: %w", repo, err)
	}
	obs := func(f catalog.Field, v, note string) catalog.Observation {
		return catalog.Observation{Source: "huggingface", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityCreator, Subject: repo, Field: f, Value: v, Note: note}
	}
	var out []catalog.Observation
	labels := map[string]string{}
	for _, line := range strings.Split(body, "\n") {
		if m := mdBoldLabel.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			key := strings.ToLower(strings.TrimSpace(m[1]))
			if _, dup := labels[key]; !dup {
				labels[key] = CleanText(m[2])
			}
		}
	}
	// Licence: the card's own sentence names it; the front matter has its id.
	licID := ""
	switch l := fm.License.(type) {
	case string:
		licID = l
	case []any:
		if len(l) > 0 {
			licID = fmt.Sprint(l[0])
		}
	}
	if licID == "other" && fm.LicenseName != "" {
		licID = fm.LicenseName
	}
	if s, ok := labels["license"]; ok {
		if m := mdLink.FindStringSubmatch(s); m != nil {
			out = append(out, obs(catalog.FieldLicence, m[1], "license: "+licID))
		} else if licID != "" {
			out = append(out, obs(catalog.FieldLicence, licID, ""))
		}
	} else if licID != "" {
		out = append(out, obs(catalog.FieldLicence, licID, ""))
	}
	if s, ok := labels["model release date"]; ok && s != "" {
		out = append(out, obs(catalog.FieldReleased, s, ""))
	}
	if s, ok := labels["model architecture"]; ok && s != "" {
		out = append(out, obs(catalog.FieldArchitecture, firstSentence(mdLink.ReplaceAllString(s, "$1")), ""))
	}
	row, err := cardSpecRow(body, repo)
	if err != nil {
		tally.warn("%v: its parameters, context length, cutoff and modalities not read", err)
	}
	for _, c := range []struct {
		col   string
		field catalog.Field
	}{
		{"params", catalog.FieldParameters},
		{"context length", catalog.FieldContext},
		{"knowledge cutoff", catalog.FieldKnowledgeCutoff},
		{"input modalities", catalog.FieldInputModalities},
		{"output modalities", catalog.FieldOutputModalities},
	} {
		if v := row[c.col]; v != "" {
			out = append(out, obs(c.field, v, ""))
		}
	}
	if len(out) == 0 {
		return Parsed{}, fmt.Errorf("parse huggingface card %s: no licence, release date or spec table: %w", repo, ErrMarkup)
	}
	evals, evalWarnings := cardEvalObservations(repo, body, obs, r.URL) // hfevals.go
	return Parsed{Observations: append(out, evals...), Warnings: append(tally.Warnings(), evalWarnings...)}, nil
}

func splitFrontMatter(text string) (hfFrontMatter, string, error) {
	var fm hfFrontMatter
	if !strings.HasPrefix(text, "---\n") {
		return fm, text, nil
	}
	end := strings.Index(text[4:], "\n---")
	if end < 0 {
		return fm, "", fmt.Errorf("front matter never closed: %w", ErrMarkup)
	}
	rest := text[4+end+4:]
	if err := yaml.Unmarshal([]byte(text[4:4+end]), &fm); err != nil {
		return hfFrontMatter{}, rest, fmt.Errorf("%w: %s", errFrontMatterYAML, clip.String(err.Error()))
	}
	return fm, rest, nil
}

// errFrontMatterYAML is wrapped when a card's front matter is not YAML:
// the card's text is still read.
var errFrontMatterYAML = errorString("front matter is not YAML")

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

// cardSpecRow finds the card's spec table (the one with a Params column) and
// returns, by lower-case column name, the cells of the row for the repo's
// size. Cells a later row leaves empty are taken from the rows above, as the
// table's row spans mean.
func cardSpecRow(body, repo string) (map[string]string, error) {
	var header []string
	var rows [][]string
	for _, line := range strings.Split(body, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if header != nil {
				break
			}
			continue
		}
		cells := splitMDRow(line)
		if header == nil {
			for _, c := range cells {
				if strings.EqualFold(c, "params") {
					header = cells
					break
				}
			}
			continue
		}
		if isMDSeparator(cells) {
			continue
		}
		rows = append(rows, cells)
	}
	if header == nil {
		return nil, nil // a card without a spec table is legitimate
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("spec table has no rows: %w", ErrMarkup)
	}
	size := ""
	if m := sizeInRepo.FindStringSubmatch(repo); m != nil {
		size = strings.ToUpper(m[1])
	}
	merged := map[string]string{}
	var chosen map[string]string
	for _, cells := range rows {
		for i, h := range header {
			if i < len(cells) && cells[i] != "" {
				merged[strings.ToLower(h)] = cells[i]
			}
		}
		params := strings.ToUpper(merged["params"])
		if chosen == nil && (size == "" || strings.HasPrefix(params, size+" ") || params == size || strings.HasPrefix(params, size+"(")) {
			chosen = map[string]string{}
			for k, v := range merged {
				chosen[k] = v
			}
		}
	}
	if chosen == nil {
		return nil, fmt.Errorf("spec table has no row for size %q: %w", size, ErrMarkup)
	}
	return chosen, nil
}

func splitMDRow(line string) []string {
	line = strings.TrimPrefix(strings.TrimSuffix(line, "|"), "|")
	parts := strings.Split(line, "|")
	for i, p := range parts {
		parts[i] = CleanText(p)
	}
	return parts
}

func isMDSeparator(cells []string) bool {
	for _, c := range cells {
		if strings.Trim(c, ":- ") != "" {
			return false
		}
	}
	return true
}
