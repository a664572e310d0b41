package export

import (
	"context"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/llmref/llmref/catalog"
)

// Index is index.json: what the tree holds and every file with its hash.
type Index struct {
	SchemaVersion int            `json:"schema_version"`
	GeneratedAt   time.Time      `json:"generated_at"`
	Run           uint64         `json:"run"`
	Counts        map[string]int `json:"counts"`
	Files         []FileEntry    `json:"files"`
	// Manifests are listed files that list further files (written by bulk
	// sections such as comparisons) in the form of Files.
	Manifests []string `json:"manifests,omitempty"`
}

// ModelSummary is one row of models.json.
type ModelSummary struct {
	ID              string                `json:"id"`
	Name            string                `json:"name"`
	Creator         string                `json:"creator"`
	File            string                `json:"file"`
	Providers       []string              `json:"providers"`
	Released        *string               `json:"released"`
	ContextWindow   *int64                `json:"context_window"`
	Parameters      *int64                `json:"parameters"`
	LicenceClass    *catalog.LicenceClass `json:"licence_class"`
	KnowledgeCutoff *string               `json:"knowledge_cutoff"`
}

// ModelsFile is models.json: one summary row per model, in id order.
type ModelsFile struct {
	SchemaVersion int            `json:"schema_version"`
	Models        []ModelSummary `json:"models"`
}

// ModelDoc is models/<creator>--<slug>.json.
type ModelDoc struct {
	SchemaVersion int                 `json:"schema_version"`
	Model         *catalog.Model      `json:"model"`
	Offerings     []*catalog.Offering `json:"offerings"`
}

// ProviderSummary is one row of providers.json.
type ProviderSummary struct {
	catalog.Provider
	Models    int `json:"models"`
	Offerings int `json:"offerings"`
}

// FreshnessFile is when each source's values were last seen.
const FreshnessFile = "freshness.json"

// FreshnessDoc is freshness.json: per source, when llmref last saw its
// values (see catalog.SourceFreshness). Retrieval times move every night
// whether or not a value changed, so they live here and in the model and
// offering files, never in comparison records: a night that changes no
// value rewrites files in proportion to models, not to pairs.
type FreshnessDoc struct {
	SchemaVersion int                       `json:"schema_version"`
	Sources       []catalog.SourceFreshness `json:"sources"`
}

// Section writes one more part of the tree (comparisons, history, change
// reports) into a generation being built.
type Section func(t *Tree) error

// Write publishes the catalogue as a new generation of the tree at out:
// index.json, models.json, providers.json, offerings.json, unmatched.json,
// freshness.json and models/<creator>--<slug>.json, then every section. The run stamps
// generated_at, so the same data and run give the same bytes.
func Write(out string, snap *catalog.Snapshot, run catalog.Run, sections ...Section) (Stats, error) {
	return WriteContext(context.Background(), out, snap, run, sections...)
}

// beforeWait runs once WriteContext has read the tree's run, before it
// waits for the tree's lock (a test's seam).
var beforeWait = func() {}

// WriteContext is Write bounded by ctx: once ctx is done, the next file
// written fails with "export stopped: …", the generation is removed and
// the published tree stays exactly as it was.
//
// A publish that waited for another process's (see beginContext) and
// finds that one published a newer run than run writes nothing: Stats'
// Superseded names that run. Published after it, the older catalogue
// would have replaced the newer one. A tree that held a newer run before
// the wait (a database restored from a backup) is replaced as asked.
func WriteContext(ctx context.Context, out string, snap *catalog.Snapshot, run catalog.Run, sections ...Section) (Stats, error) {
	before := publishedRun(out)
	beforeWait()
	t, err := beginContext(ctx, out)
	if err != nil {
		return Stats{}, err
	}
	if t.prevRun > run.ID && t.prevRun != before {
		t.Abort()
		return Stats{Dir: filepath.Clean(out), Superseded: t.prevRun}, nil
	}
	t.ctx = ctx
	if err := putCatalogue(t, snap); err != nil {
		t.Abort()
		return Stats{}, err
	}
	for _, s := range sections {
		if err := s(t); err != nil {
			t.Abort()
			return Stats{}, err
		}
	}
	counts := map[string]int{"models": len(snap.Models), "offerings": len(snap.Offerings), "unmatched": len(snap.Unmatched)}
	return t.Commit(func(files []FileEntry) any {
		counts["files"] = len(files) + 1
		for k, v := range t.bulk.counts {
			counts[k] = v
		}
		return Index{SchemaVersion: SchemaVersion, GeneratedAt: run.FinishedAt.UTC(), Run: run.ID, Counts: counts, Files: files, Manifests: t.bulk.manifests}
	})
}

// Summary is a model's row of models.json, from the model and its
// offerings.
func Summary(m *catalog.Model, offers []*catalog.Offering) ModelSummary {
	s := ModelSummary{ID: m.ID, Name: m.DisplayName(), Creator: m.Creator, File: ModelFile(m.ID), Providers: []string{}}
	for _, o := range offers {
		if !slices.Contains(s.Providers, o.Provider) {
			s.Providers = append(s.Providers, o.Provider)
		}
	}
	sort.Strings(s.Providers)
	if m.Released.Sourced() {
		v := m.Released.Value.String()
		s.Released = &v
	}
	if m.KnowledgeCutoff.Sourced() {
		v := m.KnowledgeCutoff.Value.String()
		s.KnowledgeCutoff = &v
	}
	if m.ContextWindow.Sourced() {
		v := m.ContextWindow.Value.N
		s.ContextWindow = &v
	}
	if m.Parameters.Sourced() {
		v := m.Parameters.Value.N
		s.Parameters = &v
	}
	if m.Licence.Sourced() {
		v := m.Licence.Value.Class
		s.LicenceClass = &v
	}
	return s
}

func putCatalogue(t *Tree, snap *catalog.Snapshot) error {
	var summaries []ModelSummary
	providers := map[string]*ProviderSummary{}
	offerings := snap.OfferingsByModel()
	for _, id := range snap.ModelIDs() {
		m := snap.Models[id]
		offers := offerings[id]
		if offers == nil {
			offers = []*catalog.Offering{}
		}
		if err := t.PutJSON(ModelFile(id), ModelDoc{SchemaVersion: SchemaVersion, Model: m, Offerings: offers}); err != nil {
			return err
		}
		s := Summary(m, offers)
		for _, id := range s.Providers { // each of the model's providers once
			p := providers[id]
			if p == nil {
				p = &ProviderSummary{Provider: catalog.ProviderOf(id)}
				providers[id] = p
			}
			p.Models++
		}
		for _, o := range offers {
			providers[o.Provider].Offerings++
		}
		summaries = append(summaries, s)
	}
	if summaries == nil {
		summaries = []ModelSummary{}
	}
	if err := t.PutJSON("models.json", ModelsFile{SchemaVersion: SchemaVersion, Models: summaries}); err != nil {
		return err
	}
	var provs []ProviderSummary
	for _, p := range providers {
		provs = append(provs, *p)
	}
	sort.Slice(provs, func(i, j int) bool { return provs[i].ID < provs[j].ID })
	if provs == nil {
		provs = []ProviderSummary{}
	}
	if err := t.PutJSON("providers.json", map[string]any{"schema_version": SchemaVersion, "providers": provs}); err != nil {
		return err
	}
	keys := snap.OfferingKeys()
	if err := t.putList("offerings.json", map[string]any{"schema_version": SchemaVersion}, "offerings", len(keys),
		func(i int) any { return snap.Offerings[keys[i]] }); err != nil {
		return err
	}
	if err := t.PutJSON(FreshnessFile, FreshnessDoc{SchemaVersion: SchemaVersion, Sources: snap.Freshness()}); err != nil {
		return err
	}
	unmatched := snap.Unmatched
	if unmatched == nil {
		unmatched = []catalog.Unmatched{}
	}
	return t.PutJSON("unmatched.json", map[string]any{"schema_version": SchemaVersion, "unmatched": unmatched})
}
