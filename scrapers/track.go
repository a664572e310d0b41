package scrapers

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Tracked is the set of models a run follows, as the run computes it from
// what the defining sources name (OpenRouter's model list) under the
// operator's tracking policy, with what is known of each model so far.
// Planned sources derive their requests from it, so that a model new on the
// catalogue reaches every source that can say something about it with no
// configuration.
type Tracked struct {
	// Models are the tracked models, by canonical id.
	Models []TrackedModel
	// Resolve maps a source's own id of a model ("meta.llama3-2-1b-instruct-v1:0",
	// "accounts/fireworks/models/kimi-k2p6") to the canonical id of a
	// tracked model; ok is false for an id of no tracked model. Nil
	// resolves nothing.
	Resolve func(source, id string) (canonical string, ok bool)
	// Fingerprint names what else decides Resolve (the normalisation
	// settings: the alias table), for Key.
	Fingerprint string
}

// TrackedModel is one tracked model and what the run knows of it.
type TrackedModel struct {
	// ID is the canonical id ("meta/llama-3.2-1b-instruct").
	ID string
	// OpenRouterIDs are the ids OpenRouter lists the model under, variants
	// included ("meta-llama/llama-3.2-3b-instruct", "…:free").
	OpenRouterIDs []string
	// HFRepo is the Hugging Face repository of its weights, when a
	// catalogue or the alias table names it.
	HFRepo string
	// Parameters is its sourced parameter count; 0 when not sourced.
	Parameters int64
	// OpenWeights is set when its sourced licence is open weights or open
	// source.
	OpenWeights bool
	// Architecture is "dense" or "moe" when the sourced architecture says
	// which (a mixture-of-experts model, or another transformer); "" when
	// it is not sourced or says neither.
	Architecture string
	// Offered maps the providers known to serve the model to their own
	// ids of it ("fireworks" → "accounts/fireworks/models/kimi-k2p6"), an
	// empty id when the provider's id is not known (an OpenRouter
	// endpoint routed to it).
	Offered map[string]string
}

// Dense and MoE are the values of TrackedModel.Architecture.
const (
	ArchDense = "dense"
	ArchMoE   = "moe"
)

// Creator is the model's creator: the canonical id's first part.
func (m TrackedModel) Creator() string {
	c, _, _ := strings.Cut(m.ID, "/")
	return c
}

// Slug is the canonical id's second part.
func (m TrackedModel) Slug() string {
	_, s, _ := strings.Cut(m.ID, "/")
	return s
}

// Key names the tracked set's ids and how ids resolve to them: equal sets
// give equal keys.
func (t Tracked) Key() string {
	ids := make([]string, len(t.Models), len(t.Models)+1)
	for i, m := range t.Models {
		ids[i] = m.ID
	}
	return planKey(append(ids, "\x00"+t.Fingerprint))
}

// resolve is Resolve, safe when it is nil.
func (t Tracked) resolve(source, id string) (string, bool) {
	if t.Resolve == nil {
		return "", false
	}
	return t.Resolve(source, id)
}

// planKey is a short fingerprint of a list of strings, in any order.
func planKey(items []string) string {
	s := slices.Clone(items)
	sort.Strings(s)
	h := sha256.New()
	for _, x := range s {
		fmt.Fprintf(h, "%q\n", x)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// TrackStage says when a planned source can be planned: once the defining
// sources are read (the models and their ids), or once every other planned
// source is read too (their parameters, licences, architectures and
// providers, as today's cards and endpoints say).
type TrackStage int

// The stages a planned source can be planned at.
const (
	// TrackIDs plans a source from the tracked models and their ids.
	TrackIDs TrackStage = iota + 1
	// TrackFacts plans a source from what the other planned sources read.
	TrackFacts
)

// Planner is a source whose requests follow the tracked set: besides what
// its configuration lists (kept as additions and overrides), it reads every
// tracked model it can say something about.
type Planner interface {
	Source
	// Plan returns the source as it reads for the tracked set. It never
	// changes the receiver.
	Plan(t Tracked) Source
	// PlanStage says what the plan needs of the tracked set.
	PlanStage() TrackStage
}

// Definer is a source whose list names the models a run tracks.
type Definer interface {
	// DefinesTracked reports whether the source's models are tracked.
	DefinesTracked() bool
}

// PlanKeyer is a planned source whose reading of some kinds of page
// depends on the tracked set (which models of a list it reads, which it
// prices by a size tier). PlanKey names the set for a kind of page, ""
// when the kind does not depend on it: a stored page read under another
// key is fetched and parsed again, never reused.
type PlanKeyer interface {
	PlanKey(kind string) string
}

// Derived is a planned source some of whose requests were derived from the
// tracked set rather than configured: a model's docs page, its repository.
// Such a page may well not exist (not every model has a docs page, a
// catalogue may name a repository that is gone): a 404 or 410 for it is a
// warning in the source's figures, not a failure, unless most of the
// source's stored pages answer so.
type Derived interface {
	Derived(url string) bool
}

// derivedSet is the set of URLs a plan derived, for Derived.
type derivedSet map[string]bool

// plan is a planned source's list in the making: the configured entries
// first, then each tracked one not listed yet, with the URLs derived from
// it. Entries are compared by their lower case when fold is set (a
// repository, a docs slug), else as they are (an OpenRouter id, whose case
// is its own).
type plan struct {
	list    []string
	seen    map[string]bool
	fold    bool
	derived derivedSet
}

// newPlan starts a plan from the configured entries.
func newPlan(configured []string, fold bool) *plan {
	p := &plan{list: slices.Clone(configured), seen: map[string]bool{}, fold: fold, derived: derivedSet{}}
	for _, s := range configured {
		p.seen[p.key(s)] = true
	}
	return p
}

func (p *plan) key(s string) string {
	if p.fold {
		return strings.ToLower(s)
	}
	return s
}

// add lists s, unless it is listed already, and marks the URLs derived
// from it.
func (p *plan) add(s string, urls ...string) {
	if k := p.key(s); !p.seen[k] {
		p.seen[k] = true
		p.list = append(p.list, s)
		for _, u := range urls {
			p.derived[u] = true
		}
	}
}
