package refresh

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/normalize"
	"github.com/llmref/llmref/scrapers"
	"github.com/llmref/llmref/store"
)

// TrackPolicy narrows the models a run tracks: by default every model a
// defining source names (OpenRouter's list; models.dev's when it is set to
// define them). A pattern with a "/" is a glob on canonical ids
// ("meta/*", "*/llama-3*"); one without is a glob on creators ("qwen",
// "mistral*"). A model is tracked when it matches an Include pattern (or
// Include is empty) and no Exclude pattern. Tracking decides what the
// planned sources are asked about; the defining sources' lists are read
// whole, so every model they name stays in the catalogue.
type TrackPolicy struct {
	Include []string
	Exclude []string
}

// CheckTrackPattern reports whether pat is a tracking pattern: a glob on
// creators ("qwen", "mistral*") or on canonical ids ("meta/*").
func CheckTrackPattern(pat string) error {
	if strings.TrimSpace(pat) == "" {
		return errors.New("empty pattern")
	}
	if strings.Count(pat, "/") > 1 {
		return fmt.Errorf("%q: a pattern is creator or creator/slug", pat)
	}
	if _, err := path.Match(strings.ToLower(pat), ""); err != nil {
		return fmt.Errorf("%q: %w", pat, err)
	}
	return nil
}

// Tracks reports whether the policy tracks a canonical id.
func (p TrackPolicy) Tracks(id string) bool {
	return (len(p.Include) == 0 || matchAny(p.Include, id)) && !matchAny(p.Exclude, id)
}

func matchAny(patterns []string, id string) bool {
	id = strings.ToLower(id)
	creator, _, _ := strings.Cut(id, "/")
	for _, pat := range patterns {
		pat = strings.ToLower(strings.TrimSpace(pat))
		subject := id
		if !strings.Contains(pat, "/") {
			subject = creator
		}
		if ok, _ := path.Match(pat, subject); ok {
			return true
		}
	}
	return false
}

// crawlTracked crawls the selected sources in the stages their planning
// needs, through one collector: the sources that plan nothing (the
// defining lists, the price maps and tables) first; then the sources
// planned from the tracked models and their ids; then those planned from
// what the others read (Fireworks' size tiers need today's parameter
// counts). Between stages the tracked set is computed again from every
// page known (this run's, and the stored ones of sources not read yet).
func crawlTracked(ctx context.Context, st *store.Store, o Options, selected []scrapers.Source, prev map[string]catalog.Page, log *slog.Logger) (*scrapers.Outcome, error) {
	first, ahead, next := stages(st, o, selected, prev, log)
	return scrapers.CrawlStaged(ctx, o.Fetch, first, ahead, next, prev)
}

// Record records the configured sources' live responses into a fixture
// day in dir (see scrapers.Record), the planned sources' requests planned
// from what the defining sources answer, as a run plans them: replaying
// the day reads what the live run read.
func Record(ctx context.Context, o Options, dir string) (*scrapers.RecordResult, error) {
	o.defaults()
	selected, err := scrapers.Select(o.Sources, o.Only)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	first, _, next := stages(nil, o, selected, nil, o.Logger)
	return scrapers.RecordStaged(ctx, o.Fetch, first, next, dir)
}

// stages splits the selected sources into the first stage (those that
// plan nothing) and a Next that plans the others, stage by stage, from
// the pages read so far and the stored ones (st may be nil: none). ahead
// are the requests the first planned stage makes whatever the tracked set
// (its sources' configured pages, at most scrapers.AheadMax), which a
// crawl fetches beside the first stage (see scrapers.CrawlStaged): on a
// first run they are read while the list that plans the rest is fetched
// and parsed.
func stages(st *store.Store, o Options, selected []scrapers.Source, prev map[string]catalog.Page, log *slog.Logger) (first []scrapers.Source, ahead []scrapers.Request, next scrapers.Next) {
	planned := map[scrapers.TrackStage][]scrapers.Planner{}
	for _, s := range selected {
		if p, ok := s.(scrapers.Planner); ok {
			planned[p.PlanStage()] = append(planned[p.PlanStage()], p)
			continue
		}
		first = append(first, s)
	}
	if len(planned) == 0 {
		return first, nil, nil
	}
	tr := newTracker(st, o, prev)
	order := []scrapers.TrackStage{scrapers.TrackIDs, scrapers.TrackFacts}
	for _, stage := range order {
		if len(planned[stage]) > 0 {
			ahead = configuredRequests(planned[stage])
			break
		}
	}
	next = func(ctx context.Context, read []catalog.Page) ([]scrapers.Source, error) {
		for len(order) > 0 {
			stage := order[0]
			order = order[1:]
			if len(planned[stage]) == 0 {
				continue
			}
			t, err := tr.tracked(read, stage == scrapers.TrackFacts)
			if err != nil {
				return nil, fmt.Errorf("tracked models: %w", err)
			}
			srcs := planAll(planned[stage], t)
			log.Info("planned", "tracked", len(t.Models), "sources", len(srcs), "requests", countRequests(srcs))
			return srcs, nil
		}
		return nil, nil
	}
	return first, ahead, next
}

// configuredRequests are the requests of the planners planned from no
// tracked model (their configured pages), each naming its source, at most
// scrapers.AheadMax of them.
func configuredRequests(ps []scrapers.Planner) []scrapers.Request {
	var reqs []scrapers.Request
	for _, src := range planAll(ps, scrapers.Tracked{}) {
		for _, r := range src.Requests() {
			if len(reqs) == scrapers.AheadMax {
				return reqs
			}
			r.Source = src.Name()
			reqs = append(reqs, r)
		}
	}
	return reqs
}

func planAll(ps []scrapers.Planner, t scrapers.Tracked) []scrapers.Source {
	out := make([]scrapers.Source, len(ps))
	for i, p := range ps {
		out[i] = p.Plan(t)
	}
	return out
}

func countRequests(srcs []scrapers.Source) int {
	n := 0
	for _, s := range srcs {
		n += len(s.Requests())
	}
	return n
}

// Planned returns every configured source as the next run would start
// it, the planned ones planned from the tracked set the stored pages give
// (what the last runs read; st nil plans from nothing): planning before a
// run cannot see tonight's lists. Pages a source's pages link to (a
// repository's config.json, a listed model's reference page) come on top
// of its requests.
func Planned(st *store.Store, o Options) ([]scrapers.Source, error) {
	var prev map[string]catalog.Page
	if st != nil {
		var err error
		if prev, err = st.Pages(); err != nil {
			return nil, fmt.Errorf("planned sources: %w", err)
		}
	}
	return PlannedFrom(st, o, prev)
}

// PlannedFrom is Planned from the stored pages already read (st.Pages).
func PlannedFrom(st *store.Store, o Options, prev map[string]catalog.Page) ([]scrapers.Source, error) {
	srcs, err := plannedSources(st, o, prev)
	if err != nil {
		return nil, fmt.Errorf("planned sources: %w", err)
	}
	return srcs, nil
}

// plannedSources returns every configured source, the planned ones planned
// from the tracked set the stored pages give: as a rebuild reads them.
func plannedSources(st *store.Store, o Options, prev map[string]catalog.Page) ([]scrapers.Source, error) {
	out := slices.Clone(o.Sources)
	var t *scrapers.Tracked
	facts := false // the facts are read only for a source planned from them
	for _, s := range out {
		if p, ok := s.(scrapers.Planner); ok && p.PlanStage() == scrapers.TrackFacts {
			facts = true
		}
	}
	for i, s := range out {
		p, ok := s.(scrapers.Planner)
		if !ok {
			continue
		}
		if t == nil {
			tt, err := newTracker(st, o, prev).tracked(nil, facts)
			if err != nil {
				return nil, err
			}
			t = &tt
		}
		out[i] = p.Plan(*t)
	}
	return out, nil
}

// tracker computes a run's tracked set from the pages known so far.
type tracker struct {
	st       *store.Store
	policy   TrackPolicy
	settings normalize.Settings
	prev     map[string]catalog.Page
	definers map[string]bool
	// crossChecks names the sources of cross-check authority.
	crossChecks map[string]bool
}

func newTracker(st *store.Store, o Options, prev map[string]catalog.Page) *tracker {
	tr := &tracker{st: st, policy: o.Track, settings: o.Normalization, prev: prev, definers: map[string]bool{}, crossChecks: map[string]bool{}}
	for _, s := range o.Sources {
		if s.Describe().Authority == catalog.AuthorityCrossCheck {
			tr.crossChecks[s.Name()] = true
		}
		if d, ok := s.(scrapers.Definer); ok && d.DefinesTracked() {
			tr.definers[s.Name()] = true
		}
	}
	return tr
}

// tracked computes the tracked set from the pages read so far and the
// stored pages of the rest; with facts, from every source's pages
// (parameters, licences, architectures, who serves each model), else from
// the defining sources' pages alone (the models and their ids).
func (tr *tracker) tracked(read []catalog.Page, facts bool) (scrapers.Tracked, error) {
	published := (*catalog.Snapshot)(nil)
	if facts {
		published = tr.publishedFacts(read)
	}
	pages := make([]catalog.Page, 0, len(read)+len(tr.prev))
	seen := make(map[string]bool, len(read))
	keep := func(p catalog.Page) bool {
		// With the published catalogue standing for the pages' facts, only
		// the defining and cross-check pages are read: the model ids, and
		// who a cross-check says serves each model.
		return tr.definers[p.Source] || facts && (published == nil || tr.crossChecks[p.Source])
	}
	for _, p := range read {
		seen[p.URL] = true
		if keep(p) {
			p.Unpack() // the copy: planning reads its observations several times over
			pages = append(pages, p)
		}
	}
	for u, p := range tr.prev {
		if !seen[u] && keep(p) {
			p.Reused = true // its stored observations
			pages = append(pages, p)
		}
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].URL < pages[j].URL })
	if tr.st != nil {
		// The ids alone are planned from each subject the defining lists
		// name and their Hugging Face repositories (trackedSet, HFRepos):
		// a stored list's rows are read, not its every observation (these
		// pages are the tracker's own copies).
		load := func(pages []catalog.Page) error { return tr.st.LoadRows(pages, catalog.FieldHFRepo) }
		if facts {
			load = tr.st.LoadObservations
		}
		if err := load(pages); err != nil {
			return scrapers.Tracked{}, err
		}
	}
	return trackedSet(pages, tr.definers, tr.policy, tr.settings, facts, published), nil
}

// publishedFacts returns the published catalogue when it already is what
// normalising the pages would give — every page read so far unchanged (a
// 304 or the same content), and the last committed run normalised under
// these settings, as for a run that keeps its catalogue (see unchanged) —
// so that a quiet night does not normalise every stored page a second
// time only to plan its facts stage; nil when the pages must be
// normalised. (The published catalogue leaves out values held for review;
// a tracked set planned from it plans from what is published.)
func (tr *tracker) publishedFacts(read []catalog.Page) *catalog.Snapshot {
	if tr.st == nil {
		return nil
	}
	for _, p := range read {
		if !p.Reused {
			return nil
		}
	}
	last, err := tr.st.LastCommittedRun()
	if err != nil || last.Normalization != tr.settings.Fingerprint() {
		return nil
	}
	snap, err := tr.st.Snapshot()
	if err != nil {
		return nil // normalise the pages instead
	}
	return snap
}

// trackedSet is the tracked set the pages give: every model a defining
// source's page names (its subjects resolved), under the policy, each with
// its OpenRouter ids and its weights' repository, and with facts what the
// pages normalised say of it (parameters, licence class, architecture)
// and who serves it: the providers of its offerings, the upstreams of its
// OpenRouter endpoints ("fireworks/fast" → fireworks) and the providers a
// cross-check lists it at, with their ids for it.
func trackedSet(pages []catalog.Page, definers map[string]bool, policy TrackPolicy, s normalize.Settings, facts bool, published *catalog.Snapshot) scrapers.Tracked {
	r := s.Resolver()
	models := map[string]*scrapers.TrackedModel{}
	// A page says everything of one subject in a row: it is resolved
	// once a row, not once an observation (resolving was a tenth of a
	// nothing-changed refresh's CPU).
	var last struct {
		source, subject string
		rid             normalize.Resolved
		err             error
	}
	for _, p := range pages {
		if !definers[p.Source] {
			continue
		}
		for o := range p.Observed() {
			if o.Source != last.source || o.Subject != last.subject || last.source == "" {
				last.source, last.subject = o.Source, o.Subject
				last.rid, last.err = r.Resolve(o.Source, o.Subject)
			}
			rid, err := last.rid, last.err
			if err != nil || !policy.Tracks(rid.ID) {
				continue
			}
			m := models[rid.ID]
			if m == nil {
				m = &scrapers.TrackedModel{ID: rid.ID}
				models[rid.ID] = m
			}
			if o.Source == "openrouter" && !slices.Contains(m.OpenRouterIDs, o.Subject) {
				m.OpenRouterIDs = append(m.OpenRouterIDs, o.Subject)
			}
		}
	}
	for id, repo := range normalize.HFRepos(pages, s) {
		if m := models[id]; m != nil {
			m.HFRepo = repo
		}
	}
	if facts {
		snap := published
		if snap == nil {
			snap = normalize.Normalize(normalize.Input{Pages: pages, Settings: s}).Snapshot
		}
		addFacts(models, snap, pages, s)
	}
	t := scrapers.Tracked{Fingerprint: s.Fingerprint()}
	for _, m := range models {
		sort.Slice(m.OpenRouterIDs, func(i, j int) bool { // plain ids before variants
			a, b := m.OpenRouterIDs[i], m.OpenRouterIDs[j]
			if strings.Contains(a, ":") != strings.Contains(b, ":") {
				return !strings.Contains(a, ":")
			}
			return a < b
		})
		t.Models = append(t.Models, *m)
	}
	sort.Slice(t.Models, func(i, j int) bool { return t.Models[i].ID < t.Models[j].ID })
	t.Resolve = func(source, id string) (string, bool) {
		rid, err := r.Resolve(source, id)
		if err != nil || models[rid.ID] == nil {
			return "", false
		}
		return rid.ID, true
	}
	return t
}

// addFacts fills in what the catalogue snap (the pages normalised) says of
// each tracked model, and which providers the pages' cross-checks list it
// at.
func addFacts(models map[string]*scrapers.TrackedModel, snap *catalog.Snapshot, pages []catalog.Page, s normalize.Settings) {
	for id, m := range models {
		sm := snap.Models[id]
		if sm == nil {
			continue
		}
		if sm.Parameters.Sourced() {
			m.Parameters = sm.Parameters.Value.N
		}
		if sm.Licence.Sourced() {
			m.OpenWeights = sm.Licence.Value.Class == catalog.OpenWeights || sm.Licence.Value.Class == catalog.OpenSource
		}
		if sm.Architecture.Sourced() {
			switch sm.Architecture.Value { // normalize.Architecture's short forms
			case normalize.ArchMoE:
				m.Architecture = scrapers.ArchMoE
			case normalize.ArchDecoderOnly, normalize.ArchEncoderDecoder:
				m.Architecture = scrapers.ArchDense
			}
		}
	}
	offered := func(id, provider, pid string) {
		m := models[id]
		if m == nil || provider == "" {
			return
		}
		if m.Offered == nil {
			m.Offered = map[string]string{}
		}
		if prev, ok := m.Offered[provider]; !ok || prev == "" && pid != "" {
			m.Offered[provider] = pid
		}
	}
	for _, k := range slices.Sorted(maps.Keys(snap.Offerings)) {
		o := snap.Offerings[k]
		if strings.HasPrefix(o.Input.Source.Note(), scrapers.TierNotePrefix) {
			continue // a size tier prices a model a provider serves; it never says it serves one
		}
		offered(o.ModelID, o.Provider, o.ProviderModelID)
		if o.Provider == "openrouter" && o.Variant != "" {
			upstream, _, _ := strings.Cut(o.Variant, "/")
			upstream, _, _ = strings.Cut(upstream, ":")
			offered(o.ModelID, strings.ToLower(upstream), "")
		}
	}
	r := s.Resolver()
	for i := range pages {
		for o := range pages[i].Observed() {
			if o.Provider == "" || o.Authority > catalog.AuthorityCrossCheck {
				continue
			}
			if rid, err := r.Resolve(o.Source, o.Subject); err == nil {
				offered(rid.ID, o.Provider, o.Subject)
			}
		}
	}
}
