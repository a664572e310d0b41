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

// HuggingFace reads the Hugging Face Hub for each configured repository:
// the model info API (/api/models/{repo}: parameter count from safetensors,
// licence from the card data, gating) and the card text (YAML front matter
// and Markdown). The configured repositories are the creators' own, so the
// card's facts carry creator authority; the API's are computed by Hugging
// Face (a safetensors total counts tied embeddings once, a card rounds), so
// they carry aggregator authority and the card keeps winning.
type HuggingFace struct {
	// BaseURL is the Hub root; default https://huggingface.co.
	BaseURL string
	// Repos are the repositories to read ("meta-llama/Llama-3.2-1B-Instruct").
	Repos []string
}

var _ Source = (*HuggingFace)(nil)

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

// Parse reads an API record ("api") or a card ("card").
func (s *HuggingFace) Parse(kind string, r Response) (Parsed, error) {
	switch kind {
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
		return ParseHFModelAPI(repo, r)
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
// quantised dtypes misleads) and the licence from cardData.license (a string
// or a list; "other" gives license_name), its note saying whether the
// repository is gated.
//
// Its anchor is the record's "id", which must be repo's. A count or a
// licence it cannot read is left out with a warning. It fails when the
// body is not JSON, when the id is missing or another repository's, or
// when it reads neither a parameter count nor a licence.
func ParseHFModelAPI(repo string, r Response) (Parsed, error) {
	var m hfModelInfo
	if err := json.Unmarshal(r.Body, &m); err != nil {
		return Parsed{}, fmt.Errorf("parse huggingface api %s: %w", repo, err)
	}
	if m.ID == nil || *m.ID == "" {
		return Parsed{}, fmt.Errorf("parse huggingface api %s: no \"id\": %w", repo, ErrMarkup)
	}
	if !strings.EqualFold(*m.ID, repo) {
		return Parsed{}, fmt.Errorf("parse huggingface api %s: the record is of %q (renamed? configure the new name)", repo, clip.String(*m.ID))
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
	if len(out) == 0 {
		why := ""
		if tally.first != "" {
			why = " (" + tally.first + ")"
		}
		return Parsed{}, fmt.Errorf("parse huggingface api %s: neither safetensors.total nor cardData.license%s: %w", repo, why, ErrMarkup)
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
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
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
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
