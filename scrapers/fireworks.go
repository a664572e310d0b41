package scrapers

import (
	"fmt"
	"math/big"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// Fireworks reads Fireworks AI's serverless pricing docs page, in its
// Markdown form (docs.fireworks.ai/serverless/pricing.md): the per-model
// rows (input / cached input / output, with Fast, Priority and US/EU
// variants), the named models of the embeddings table, and the
// parameter-size tiers that price every other text model. A model without
// a row of its own is priced by its tier, which its observations name
// ("tier: Less than 4B parameters"): each configured model (with its size),
// and, planned (Plan), each tracked open-weights model that Fireworks is
// known to serve (OpenRouter routes it there, or a price map lists it at
// Fireworks) and whose parameter count and architecture (dense or
// mixture-of-experts) are sourced. A tier prices a model Fireworks serves;
// it never says that Fireworks serves one.
//
// Its anchor is the per-model table (Model | Standard …, or Model | Input
// …) and the size-tier table; it fails when either is missing, when no
// row is priced, or when most rows are unreadable. Anything less is a
// warning: a row with an unreadable price, a row sharing another's link
// with words that name no variant, a duplicate row, a tracked model in
// no tier.
type Fireworks struct {
	// BaseURL is the docs root; default https://docs.fireworks.ai.
	BaseURL string
	// Models are the tracked Fireworks models.
	Models []FireworksModel

	// resolve, when planned, maps a row's Fireworks id to a tracked
	// model, so that a model with a row is never also priced by its tier.
	resolve func(source, id string) (string, bool)
	key     string
}

// FireworksModel is a tracked Fireworks model and what its size tier needs.
type FireworksModel struct {
	// ID is the Fireworks model id
	// ("accounts/fireworks/models/llama-v3p2-1b-instruct").
	ID string
	// Parameters is the model's parameter count (1_230_000_000).
	Parameters int64
	// MoE is set for a mixture-of-experts model, priced by the MoE tiers.
	MoE bool
	// Canonical is the model's canonical id, when a plan derived it.
	Canonical string
}

var (
	_ Source    = (*Fireworks)(nil)
	_ Planner   = (*Fireworks)(nil)
	_ PlanKeyer = (*Fireworks)(nil)
)

// FireworksProvider is Fireworks AI's provider id.
const FireworksProvider = "fireworks"

// Plan prices, besides the configured models, every tracked open-weights
// model Fireworks is known to serve whose size and architecture are
// sourced, by its size tier, under the id Fireworks is known to give it
// (or its canonical id when only an OpenRouter endpoint names Fireworks).
// A configured model stands for its own (its size and architecture win).
func (s *Fireworks) Plan(t Tracked) Source {
	p := &Fireworks{BaseURL: s.BaseURL, Models: slices.Clone(s.Models), resolve: t.Resolve}
	configured := map[string]bool{}
	for _, m := range s.Models {
		configured[strings.ToLower(m.ID)] = true
		if c, ok := t.resolve(s.Name(), m.ID); ok {
			configured[c] = true
		}
	}
	for _, m := range t.Models {
		id, served := m.Offered[FireworksProvider]
		if !served || !m.OpenWeights || m.Parameters <= 0 || (m.Architecture != ArchDense && m.Architecture != ArchMoE) ||
			configured[m.ID] || configured[strings.ToLower(id)] {
			continue
		}
		if id == "" {
			id = m.ID
		}
		fm := FireworksModel{ID: id, Parameters: m.Parameters, MoE: m.Architecture == ArchMoE, Canonical: m.ID}
		p.Models = append(p.Models, fm)
	}
	// The key names every model the page is parsed for, configured ones
	// included: their sizes pick their tiers in the same parse.
	keys := make([]string, 0, len(p.Models)+1)
	for _, fm := range p.Models {
		keys = append(keys, fmt.Sprintf("%s|%s|%d|%t", fm.ID, fm.Canonical, fm.Parameters, fm.MoE))
	}
	p.key = planKey(append(keys, "\x00"+t.Fingerprint))
	return p
}

// PlanStage is TrackFacts: the tiers need today's sizes and architectures.
func (s *Fireworks) PlanStage() TrackStage { return TrackFacts }

// PlanKey names the models the pricing page is parsed for (configured and
// planned, with their sizes and architectures), for the pricing page.
func (s *Fireworks) PlanKey(kind string) string {
	if kind != "pricing" {
		return ""
	}
	return s.key
}

// Name is "fireworks".
func (s *Fireworks) Name() string { return "fireworks" }

func (s *Fireworks) base() string {
	return strings.TrimRight(orDefault(s.BaseURL, "https://docs.fireworks.ai"), "/")
}

// PricingURL is the Markdown form of the serverless pricing page.
func (s *Fireworks) PricingURL() string { return s.base() + "/serverless/pricing.md" }

// Describe presents the source.
func (s *Fireworks) Describe() Description {
	return Description{Name: s.Name(), Title: "Fireworks AI serverless pricing", Authority: catalog.AuthorityProvider,
		Format: "Markdown", URLs: []string{s.PricingURL()}}
}

// Requests asks for the pricing page.
func (s *Fireworks) Requests() []Request {
	return []Request{{URL: s.PricingURL(), Kind: "pricing"}}
}

// Parse reads the pricing page.
func (s *Fireworks) Parse(kind string, r Response) (Parsed, error) {
	if kind != "pricing" {
		return Parsed{}, fmt.Errorf("fireworks: unknown page kind %q", kind)
	}
	return parseFireworksPricing(s.Models, s.resolve, r)
}

// fwTier is one row of the size-tier table.
type fwTier struct {
	label  string
	moe    bool
	lo, hi int64 // parameter bounds; hi < 0 means none
	loOpen bool  // "more than lo"
	hiOpen bool  // "less than hi"
	price  string
	cached string
}

func (t fwTier) holds(params int64, moe bool) bool {
	if t.moe != moe {
		return false
	}
	if params < t.lo || t.loOpen && params == t.lo {
		return false
	}
	if t.hi >= 0 && (params > t.hi || t.hiOpen && params == t.hi) {
		return false
	}
	return true
}

// fwPrices are one offering's prices from one cell or row.
type fwPrices struct{ in, cached, out string }

var (
	fwAmount    = regexp.MustCompile(`^\$?(\d[\d,]*(?:\.\d+)?|\.\d+)$`)
	fwAnyAmount = regexp.MustCompile(`\$\s*(\d[\d,]*(?:\.\d+)?)`)
	fwLabelled  = regexp.MustCompile(`(?i)\$\s*(\d[\d,]*(?:\.\d+)?)\s*(input|cached(?:\s+input)?|output)`)
	fwBillions  = regexp.MustCompile(`(?i)(\d+(?:\.\d+)?)\s*b\b`)
	fwBatch     = regexp.MustCompile(`(?i)batch(?: inference)?[^.\n]*?\b(\d{1,3})\s*%\s*of\s+(?:the\s+)?(?:base\s+)?serverless`)
	fwMDLink    = regexp.MustCompile(`^\[([^\]]*)\]\(([^)\s]*)(?:\s+"[^"]*")?\)(.*)$`)
	fwModelPath = regexp.MustCompile(`^/models/([^/]+)/([^/?#]+)/?$`)
	fwParenNote = regexp.MustCompile(`\s*\([^)]*\)`)
	// fwSizeRange is a size tier's label in the embeddings table ("up to
	// 150M", "150M - 350M parameters"), not a model's name.
	fwSizeRange = regexp.MustCompile(`(?i)^(?:(?:up to|less than|under|below|more than|over|above|greater than)\s+)?\d+(?:\.\d+)?\s*[mb](?:\s*(?:-|to)\s*\d+(?:\.\d+)?\s*[mb])?(?:\s+param(?:eter)?s)?$`)
)

// fwRow is one per-model row, read: the model's name without its
// serving-path words, the model id, and the prices of each serving path.
type fwRow struct {
	cell, name, base, id, region, variant string
	offers                                []fwOffer
}

// ParseFireworksPricing reads the serverless pricing page (Markdown) into
// provider-authority offering observations at "fireworks" (USD per 1M
// tokens): every per-model row (Standard prices as the offering, the
// Priority column as variant "priority"; "—" means not offered), each
// named model of the embeddings table (an input price), and for each
// tracked model without a row, its parameter-size tier's price, the tier
// named in the Note. Where the page says batch inference costs a
// percentage of serverless pricing, standard and tier prices also give
// batch prices, with a Note saying so (for the base offering only: Fast,
// Priority and US/EU serving paths are not batch paths).
//
// Words after a row's name name its serving path, with or without
// parentheses, in any order: "Fast" is variant "fast", "US" and "EU" are
// regions ("Kimi K3 Fast", "Kimi K3 US", "Kimi K3 (US)", "GLM 5.2 Fast
// US"). Such rows share their model's link and are offerings of it.
// Other words after a name that shares another row's link name no
// variant llmref knows: the row is left out with a warning. A suffix
// with a link of its own ("DeepSeek V4 Flash (0731)", "… (Preview)") is
// a model of its own, by its link. A row listed twice is read once: with
// the same prices the second is dropped, with others the first is kept
// (the page does list the offering, and leaving both out would publish it
// as gone) and a warning names both.
//
// It fails when the per-model table or the tier table is missing, when
// no row is priced, or when most rows are unreadable; a row it cannot
// place, and a tracked model in no tier or in two, are warnings.
func ParseFireworksPricing(models []FireworksModel, r Response) (Parsed, error) {
	return parseFireworksPricing(models, nil, r)
}

// parseFireworksPricing is ParseFireworksPricing, resolve telling a row's
// model: a model with a row of its own under another id (a derived model
// is named by its canonical id) is not priced by its tier.
func parseFireworksPricing(models []FireworksModel, resolve func(source, id string) (string, bool), r Response) (Parsed, error) {
	text := strings.ReplaceAll(string(r.Body), "\r\n", "\n")
	tables := mdTables(text)
	batchPct := int64(0)
	if m := fwBatch.FindStringSubmatch(mdBold.Replace(text)); m != nil {
		batchPct, _ = strconv.ParseInt(m[1], 10, 64)
		if batchPct <= 0 || batchPct > 100 {
			batchPct = 0
		}
	}
	var out []catalog.Observation
	obs := func(subject, name, region, variant string, f catalog.Field, v, note string) catalog.Observation {
		u := catalog.Unit("")
		if f.IsPrice() {
			u = catalog.PerMillion
		}
		return catalog.Observation{Source: "fireworks", URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: catalog.AuthorityProvider,
			Subject: subject, SubjectName: name, Provider: "fireworks", Region: region, Variant: variant, Field: f, Value: v, Unit: u, Note: note}
	}
	batchNote := fmt.Sprintf("batch: %d%% of serverless pricing, as the page states", batchPct)
	emit := func(subject, name, region, variant string, p fwPrices, note string) error {
		join := func(a, b string) string {
			if a == "" {
				return b
			}
			return a + "; " + b
		}
		var batch []catalog.Observation
		if batchPct > 0 && variant == "" && region == "" {
			bi, err := scaleUSD(p.in, batchPct)
			if err != nil {
				return err
			}
			bo, err := scaleUSD(p.out, batchPct)
			if err != nil {
				return err
			}
			batch = append(batch, obs(subject, name, region, variant, catalog.FieldPriceBatchInput, bi, join(note, batchNote)),
				obs(subject, name, region, variant, catalog.FieldPriceBatchOutput, bo, join(note, batchNote)))
		}
		out = append(out, obs(subject, name, region, variant, catalog.FieldListed, subject, note))
		out = append(out, obs(subject, name, region, variant, catalog.FieldPriceInput, p.in, note))
		if p.cached != "" {
			out = append(out, obs(subject, name, region, variant, catalog.FieldPriceCachedInput, p.cached, note))
		}
		out = append(out, obs(subject, name, region, variant, catalog.FieldPriceOutput, p.out, note))
		out = append(out, batch...)
		return nil
	}

	var rowsTables, embeddingTables []*mdTable
	var tierTable *mdTable
	var tiers []fwTier
	var tierRejects []string
	for i := range tables {
		t := &tables[i]
		switch {
		case strings.Contains(strings.ToLower(t.heading), "embedding"):
			embeddingTables = append(embeddingTables, t)
		case fwIsRowsTable(t.header):
			rowsTables = append(rowsTables, t)
		case tierTable == nil:
			if ts, rejects := fwTiers(t); len(ts) > 0 {
				tierTable, tiers, tierRejects = t, ts, rejects
			}
		}
	}
	if len(rowsTables) == 0 {
		return Parsed{}, fmt.Errorf("parse fireworks pricing: per-model price table (Model | Standard … or Model | Input …) not found: %w", ErrMarkup)
	}
	if tierTable == nil {
		return Parsed{}, fmt.Errorf("parse fireworks pricing: parameter-size tier table not found: %w", ErrMarkup)
	}
	var tally rowTally
	tally.read += len(tiers)
	for _, why := range tierRejects {
		tally.skip("%s", why)
	}

	// Per-model rows: read each, then place them. Rows that share a link
	// are one model's serving paths; the shortest name among them is the
	// model's.
	var rows []fwRow
	for _, rowsTable := range rowsTables {
		for _, row := range rowsTable.rows {
			if len(row) == 0 || row[0] == "" {
				continue
			}
			name, link := mdCellLink(row[0])
			base, region, variant := fwQualifiers(name)
			id := fwModelID(link, base)
			if id == "" {
				tally.skip("row %q: no model id in its link or name", clip.String(row[0]))
				continue
			}
			offers, err := fwRowPrices(rowsTable.header, row)
			if err != nil {
				tally.skip("row %q: %v", clip.String(name), err)
				continue
			}
			rows = append(rows, fwRow{cell: row[0], name: name, base: base, id: id, region: region, variant: variant, offers: offers})
		}
	}
	modelName := map[string]string{} // id → the model's name: the shortest base among its rows
	for _, row := range rows {
		if n, ok := modelName[row.id]; !ok || len(row.base) < len(n) {
			modelName[row.id] = row.base
		}
	}
	rowIDs := map[string]bool{}
	type placed struct {
		name   string
		offers []fwOffer
	}
	seen := map[string]placed{} // id|region|variant → the row placed there
	n := 0
	for _, row := range rows {
		if model := modelName[row.id]; !strings.EqualFold(row.base, model) {
			extra := strings.TrimSpace(row.base[min(len(model), len(row.base)):])
			if !strings.HasPrefix(strings.ToLower(row.base), strings.ToLower(model)) {
				extra = row.base
			}
			tally.skip("row %q shares the link of %q, and %q names no serving path llmref knows (Fast, US, EU): left out",
				clip.String(row.name), clip.String(model), clip.String(extra))
			continue
		}
		key := row.id + "|" + row.region + "|" + row.variant
		if prev, dup := seen[key]; dup {
			if fwSameOffers(prev.offers, row.offers) {
				tally.warn("row %q lists %s again with the same prices: the second row dropped", clip.String(row.name), fwPath(row))
			} else {
				tally.warn("row %q lists %s again with other prices (%s, against %s in row %q): the first row kept",
					clip.String(row.name), fwPath(row), clip.String(fwOffersText(row.offers)), clip.String(fwOffersText(prev.offers)), clip.String(prev.name))
			}
			continue
		}
		seen[key] = placed{name: row.name, offers: row.offers}
		tally.ok()
		rowIDs[strings.ToLower(row.id)] = true
		if resolve != nil {
			if c, ok := resolve(FireworksProvider, row.id); ok {
				rowIDs[c] = true
			}
		}
		for _, o := range row.offers {
			v := row.variant
			if o.variant != "" {
				v = strings.TrimPrefix(row.variant+"/"+o.variant, "/")
			}
			if err := emit(row.id, row.base, row.region, v, o.prices, ""); err != nil {
				return Parsed{}, fmt.Errorf("parse fireworks pricing: row %q: %w", clip.String(row.name), err)
			}
			n++
		}
	}
	if n == 0 {
		if err := tally.unreadable("rows"); err != nil {
			return Parsed{}, fmt.Errorf("parse fireworks pricing: %w", err)
		}
		return Parsed{}, fmt.Errorf("parse fireworks pricing: the per-model table has no priced row: %w", ErrMarkup)
	}

	// Embeddings: the named models' input prices; the size tiers there
	// price embedding models, which no tracked model is.
	for _, t := range embeddingTables {
		for _, row := range t.rows {
			if len(row) < 2 || row[0] == "" {
				continue
			}
			name, link := mdCellLink(row[0])
			if link == "" && fwSizeRange.MatchString(dashes.Replace(name)) {
				continue
			}
			id := fwModelID(link, name)
			price, err := fwPrice(row[1])
			if id == "" || err != nil {
				tally.skip("embeddings row %q: no model id or no readable price", clip.String(row[0]))
				continue
			}
			tally.ok()
			note := "embeddings: priced per input token"
			out = append(out, obs(id, name, "", "", catalog.FieldListed, id, note), obs(id, name, "", "", catalog.FieldPriceInput, price, note))
		}
	}
	if err := tally.unreadable("rows"); err != nil {
		return Parsed{}, fmt.Errorf("parse fireworks pricing: %w", err)
	}

	// Tracked models without a row: their size tier.
	for _, m := range models {
		if rowIDs[strings.ToLower(m.ID)] || m.Canonical != "" && rowIDs[m.Canonical] {
			continue
		}
		var match []fwTier
		for _, t := range tiers {
			if t.holds(m.Parameters, m.MoE) {
				match = append(match, t)
			}
		}
		kind := "dense"
		if m.MoE {
			kind = "MoE"
		}
		switch len(match) {
		case 0:
			tally.warn("%s (%s, %s parameters) has no row and falls in no size tier of the page: not priced",
				m.ID, kind, catalog.CompactCount(m.Parameters))
			continue
		case 1:
		default:
			tally.warn("%s (%s parameters) has no row and falls in %d size tiers (%q, %q): not priced",
				m.ID, catalog.CompactCount(m.Parameters), len(match), clip.String(match[0].label), clip.String(match[1].label))
			continue
		}
		t := match[0]
		if err := emit(m.ID, "", "", "", fwPrices{in: t.price, cached: t.cached, out: t.price}, TierNotePrefix+t.label); err != nil {
			return Parsed{}, fmt.Errorf("parse fireworks pricing: %s: %w", m.ID, err)
		}
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
}

// fwQualifiers splits a row's name into the model's name and the serving
// path its trailing words name, with or without parentheses and in any
// order: "Kimi K3 Fast" → fast; "Kimi K3 US", "Kimi K3 (US)" → region
// us; "GLM 5.2 Fast US", "GLM 5.2 (Fast, US)" → both. Other words stay
// in the name.
func fwQualifiers(name string) (base, region, variant string) {
	base = strings.TrimSpace(name)
	for {
		var tail, rest string
		if strings.HasSuffix(base, ")") {
			i := strings.LastIndexByte(base, '(')
			if i < 0 {
				return base, region, variant
			}
			tail, rest = base[i+1:len(base)-1], base[:i]
		} else {
			i := strings.LastIndexByte(base, ' ')
			if i < 0 {
				return base, region, variant
			}
			tail, rest = base[i+1:], base[:i]
		}
		words := strings.FieldsFunc(tail, func(r rune) bool { return r == ' ' || r == ',' || r == '/' || r == '+' })
		reg, vari := region, variant
		ok := len(words) > 0
		for _, w := range words {
			switch lw := strings.ToLower(w); {
			case lw == "fast" && vari == "":
				vari = "fast"
			case (lw == "us" || lw == "eu") && reg == "":
				reg = lw
			default:
				ok = false
			}
		}
		rest = strings.TrimSpace(rest)
		if !ok || rest == "" {
			return base, region, variant
		}
		base, region, variant = rest, reg, vari
	}
}

// fwPath names a row's offering in a warning ("accounts/…/kimi-k3, fast, us").
func fwPath(r fwRow) string {
	s := r.id
	if r.variant != "" {
		s += ", " + r.variant
	}
	if r.region != "" {
		s += ", " + r.region
	}
	return s
}

func fwSameOffers(a, b []fwOffer) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fwOffersText writes a row's prices for a warning ("$3.00 / $0.30 / $15.00; priority $3.75 / …").
func fwOffersText(offers []fwOffer) string {
	if len(offers) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(offers))
	for _, o := range offers {
		p := o.prices.in
		if o.prices.cached != "" {
			p += " / " + o.prices.cached
		}
		p += " / " + o.prices.out
		if o.variant != "" {
			p = o.variant + " " + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// mdTable is one Markdown table: its header cells and body rows, cleaned.
type mdTable struct {
	heading string
	header  []string
	rows    [][]string
}

// mdTables finds every pipe table of a Markdown text, with the heading it
// sits under. Cells are cleaned: "\$" unescaped, emphasis markers removed,
// white space collapsed; links are kept for mdCellLink.
func mdTables(text string) []mdTable {
	var out []mdTable
	var cur *mdTable
	heading := ""
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "|") {
			cur = nil
			if strings.HasPrefix(t, "#") {
				heading = strings.TrimSpace(strings.TrimLeft(t, "#"))
			}
			continue
		}
		cells := splitMDRow(t)
		for i, c := range cells {
			cells[i] = mdCleanCell(c)
		}
		if cur == nil {
			out = append(out, mdTable{heading: heading, header: cells})
			cur = &out[len(out)-1]
			continue
		}
		if isMDSeparator(cells) {
			continue
		}
		cur.rows = append(cur.rows, cells)
	}
	return out
}

var (
	mdBold = strings.NewReplacer("**", "", "__", "")
	dashes = strings.NewReplacer("–", "-", "—", "-", "‒", "-")
)

var mdEmphasis = strings.NewReplacer(`\$`, "$", `\*`, "*", `\_`, "_", "**", "", "__", "", "`", "")

func mdCleanCell(c string) string { return CleanText(mdEmphasis.Replace(c)) }

// mdCellLink splits a cell that is a Markdown link into its text and URL.
func mdCellLink(c string) (text, link string) {
	if m := fwMDLink.FindStringSubmatch(c); m != nil {
		return CleanText(m[1] + m[3]), m[2]
	}
	return c, ""
}

var fwSlugDrop = strings.NewReplacer("(", " ", ")", " ", ",", " ")

// fwModelID is a row's Fireworks model id: from its link
// (app.fireworks.ai/models/fireworks/kimi-k3 → accounts/fireworks/models/kimi-k3),
// or else its name as a slug ("Kimi K2.6" → "kimi-k2.6").
func fwModelID(link, name string) string {
	if link != "" {
		if u, err := url.Parse(link); err == nil {
			if m := fwModelPath.FindStringSubmatch(u.Path); m != nil {
				return "accounts/" + m[1] + "/models/" + m[2]
			}
		}
	}
	// "DeepSeek V4 Flash (0731)" → "deepseek-v4-flash-0731".
	slug := strings.ToLower(strings.Join(strings.Fields(fwSlugDrop.Replace(name)), "-"))
	if strings.ContainsAny(slug, "/|$") {
		return ""
	}
	return slug
}

func fwIsRowsTable(header []string) bool {
	if len(header) < 2 || !strings.EqualFold(header[0], "model") {
		return false
	}
	for _, h := range header[1:] {
		switch strings.ToLower(h) {
		case "standard", "input", "price":
			return true
		}
	}
	return false
}

type fwOffer struct {
	variant string
	prices  fwPrices
}

// fwRowPrices reads a per-model row: either a cell per serving path
// ("Standard", "Priority"), each "in / cached / out", or separate Input,
// Cached input and Output columns.
func fwRowPrices(header, row []string) ([]fwOffer, error) {
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(h)] = i
	}
	cell := func(name string) (string, bool) {
		i, ok := col[name]
		if !ok || i >= len(row) {
			return "", false
		}
		return row[i], true
	}
	var out []fwOffer
	if _, ok := col["input"]; ok {
		in, _ := cell("input")
		o, _ := cell("output")
		c, _ := cell("cached input")
		if fwNotOffered(in) && fwNotOffered(o) {
			return nil, nil
		}
		p := fwPrices{}
		var err error
		if p.in, err = fwPrice(in); err != nil {
			return nil, fmt.Errorf("input: %w", err)
		}
		if p.out, err = fwPrice(o); err != nil {
			return nil, fmt.Errorf("output: %w", err)
		}
		if !fwNotOffered(c) {
			if p.cached, err = fwPrice(c); err != nil {
				return nil, fmt.Errorf("cached input: %w", err)
			}
		}
		return []fwOffer{{prices: p}}, nil
	}
	for _, path := range []struct{ col, variant string }{{"standard", ""}, {"price", ""}, {"priority", "priority"}} {
		c, ok := cell(path.col)
		if !ok || fwNotOffered(c) {
			continue
		}
		p, err := fwCellPrices(c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.col, err)
		}
		out = append(out, fwOffer{variant: path.variant, prices: p})
	}
	return out, nil
}

func fwNotOffered(c string) bool {
	switch strings.ToLower(strings.TrimSpace(c)) {
	case "", "—", "–", "-", "n/a", "not available":
		return true
	}
	return false
}

// fwPrice reads one amount ("$0.10", "\$3.00" once cleaned, "0.07").
func fwPrice(c string) (string, error) {
	c = strings.TrimSpace(c)
	if !fwAmount.MatchString(c) {
		return "", fmt.Errorf("price %q unreadable: %w", clip.String(c), ErrMarkup)
	}
	if !strings.HasPrefix(c, "$") {
		c = "$" + c
	}
	return c, nil
}

// fwCellPrices reads a serving path's cell: "in / cached / out",
// "in / out", "$0.56 input, $0.28 cached, $1.68 output", or one amount
// for both directions.
func fwCellPrices(c string) (fwPrices, error) {
	if ms := fwLabelled.FindAllStringSubmatch(c, -1); len(ms) > 0 {
		var p fwPrices
		for _, m := range ms {
			v := "$" + m[1]
			switch l := strings.ToLower(m[2]); {
			case l == "input":
				p.in = v
			case l == "output":
				p.out = v
			default:
				p.cached = v
			}
		}
		if p.in == "" || p.out == "" {
			return fwPrices{}, fmt.Errorf("%q names no input and output price: %w", clip.String(c), ErrMarkup)
		}
		return p, nil
	}
	parts := strings.Split(c, "/")
	vals := make([]string, len(parts))
	for i, p := range parts {
		v, err := fwPrice(p)
		if err != nil {
			return fwPrices{}, err
		}
		vals[i] = v
	}
	switch len(vals) {
	case 1:
		return fwPrices{in: vals[0], out: vals[0]}, nil
	case 2:
		return fwPrices{in: vals[0], out: vals[1]}, nil
	case 3:
		return fwPrices{in: vals[0], cached: vals[1], out: vals[2]}, nil
	}
	return fwPrices{}, fmt.Errorf("%q: want input / cached input / output: %w", clip.String(c), ErrMarkup)
}

// fwTiers reads a table as the size-tier table: rows whose label states a
// parameter range in billions ("Less than 4B parameters", "4B – 16B
// parameters", "MoE 56.1B - 176B parameters (e.g. DBRX)", "up to 16B") and
// whose price is one amount, optionally with a cached one ("$0.10, $0.05
// cached"). It returns the tiers, and why each other row is not one.
func fwTiers(t *mdTable) ([]fwTier, []string) {
	if len(t.header) < 2 || !strings.Contains(strings.ToLower(strings.Join(t.header, " ")), "1m") {
		return nil, nil
	}
	var out []fwTier
	var rejects []string
	for _, row := range t.rows {
		if len(row) < 2 {
			rejects = append(rejects, fmt.Sprintf("tier row %q: no price cell", clip.String(strings.Join(row, " | "))))
			continue
		}
		tier, ok := fwTierLabel(row[0])
		if !ok {
			rejects = append(rejects, fmt.Sprintf("tier row %q states no parameter range llmref reads", clip.String(row[0])))
			continue
		}
		amounts := fwAnyAmount.FindAllStringSubmatchIndex(row[1], -1)
		if len(amounts) == 0 {
			rejects = append(rejects, fmt.Sprintf("tier row %q: price %q unreadable", clip.String(row[0]), clip.String(row[1])))
			continue
		}
		tier.price = "$" + row[1][amounts[0][2]:amounts[0][3]]
		if len(amounts) > 1 && strings.Contains(strings.ToLower(row[1][amounts[1][1]:]), "cached") {
			tier.cached = "$" + row[1][amounts[1][2]:amounts[1][3]]
		}
		out = append(out, tier)
	}
	return out, rejects
}

// fwTierLabel reads a tier's range from its label.
func fwTierLabel(label string) (fwTier, bool) {
	t := fwTier{label: label, hi: -1}
	s := strings.ToLower(fwParenNote.ReplaceAllString(label, ""))
	s = dashes.Replace(s)
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "parameters"))
	if rest, ok := strings.CutPrefix(s, "moe"); ok {
		t.moe, s = true, strings.TrimSpace(rest)
	}
	nums := fwBillions.FindAllStringSubmatch(s, -1)
	if len(nums) == 0 || len(nums) > 2 || strings.ContainsAny(fwBillions.ReplaceAllString(s, ""), "0123456789") {
		return t, false
	}
	vals := make([]int64, len(nums))
	for i, m := range nums {
		v, ok := billions(m[1])
		if !ok {
			return t, false
		}
		vals[i] = v
	}
	switch {
	case len(vals) == 2 && strings.Contains(s, "-"):
		t.lo, t.hi = vals[0], vals[1]
	case len(vals) == 1 && (strings.HasPrefix(s, "less than") || strings.HasPrefix(s, "under") || strings.HasPrefix(s, "below")):
		t.hi, t.hiOpen = vals[0], true
	case len(vals) == 1 && (strings.HasPrefix(s, "up to") || strings.HasPrefix(s, "<=")):
		t.hi = vals[0]
	case len(vals) == 1 && (strings.HasPrefix(s, "more than") || strings.HasPrefix(s, "over") || strings.HasPrefix(s, "greater than") || strings.HasPrefix(s, "above")):
		t.lo, t.loOpen = vals[0], true
	default:
		return t, false
	}
	if t.hi >= 0 && t.hi < t.lo {
		return t, false
	}
	return t, true
}

// billions reads "16.1" (billions) as an exact count: 16_100_000_000.
func billions(s string) (int64, bool) {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return 0, false
	}
	r.Mul(r, new(big.Rat).SetInt64(1_000_000_000))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, false
	}
	return r.Num().Int64(), true
}

// scaleUSD returns "$x" × pct / 100, exactly, as a "$" decimal.
func scaleUSD(v string, pct int64) (string, error) {
	s := strings.ReplaceAll(strings.TrimPrefix(v, "$"), ",", "")
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return "", fmt.Errorf("price %q unreadable: %w", clip.String(v), ErrMarkup)
	}
	r.Mul(r, big.NewRat(pct, 100))
	digits := 2
	if _, frac, ok := strings.Cut(s, "."); ok {
		digits += len(frac)
	}
	out := r.FloatString(digits)
	if strings.Contains(out, ".") {
		out = strings.TrimRight(strings.TrimRight(out, "0"), ".")
	}
	return "$" + out, nil
}

// TierNotePrefix starts the source note of a price read from a
// parameter-size tier ("tier: 4B - 16B"): a tier prices a model a provider
// serves, and never says by itself that it serves it.
const TierNotePrefix = "tier: "
