package normalize

import (
	"strings"

	"github.com/llmref/llmref/catalog"
)

// HFSource is the source that reads Hugging Face repositories: its
// observations name a repository, which a catalogue's catalog.FieldHFRepo
// links to the model whose weights it holds.
const HFSource = "huggingface"

// HFRepos returns, by canonical model id, the Hugging Face repository of
// each model's weights that the pages or the alias table name: an alias
// "huggingface:<owner/name>" first (the operator's word), then a
// catalogue's hf_repo observation (OpenRouter's hugging_face_id), the
// repository as the catalogue spells it. A model linked to two
// repositories keeps the one that sorts first.
func HFRepos(pages []catalog.Page, s Settings) map[string]string {
	r := s.Resolver()
	out := map[string]string{}
	keep := func(m map[string]string, id, repo string) {
		if prev, seen := m[id]; !seen || strings.ToLower(repo) < strings.ToLower(prev) {
			m[id] = repo
		}
	}
	links := hfLinks(pages, r)
	for i := range pages {
		for o := range pages[i].Observed() {
			if o.Field != catalog.FieldHFRepo || o.Authority < catalog.AuthorityAggregator {
				continue
			}
			repo := strings.TrimSpace(o.Value)
			if id, ok := links[strings.ToLower(repo)]; ok && id == resolvedID(r, o) {
				keep(out, id, repo)
			}
		}
	}
	aliased := map[string]string{}
	for k, id := range r.aliases {
		if repo, ok := strings.CutPrefix(k, HFSource+":"); ok && strings.Count(repo, "/") == 1 {
			keep(aliased, id, repo)
		}
	}
	for id, repo := range aliased {
		out[id] = repo
	}
	return out
}

// resolvedID is the canonical id an observation's subject resolves to, or "".
func resolvedID(r *Resolver, o catalog.Observation) string {
	rid, err := r.Resolve(o.Source, o.Subject)
	if err != nil {
		return ""
	}
	return rid.ID
}

// HFLinks are the pages' Hugging Face links, for Input.Links: only their
// hf_repo observations are read.
func HFLinks(pages []catalog.Page, s Settings) map[string]string {
	return hfLinks(pages, s.Resolver())
}

// hfLinks maps each linked repository (lower case) to its model: the
// inverse of HFRepos over the pages' hf_repo observations. The alias table
// is not needed here, the resolver applies it. A repository two models
// name goes to the one whose id sorts first.
//
// The pages' observations are read in place (ObservedShared), and only
// what is kept copied out: reading every packed page whole, every string
// copied, to find a few hf_repo values was ~18 ms of a first 2,000-page
// refresh, before anything else of the normalisation.
func hfLinks(pages []catalog.Page, r *Resolver) map[string]string {
	links := map[string]string{}
	for i := range pages {
		for o := range pages[i].ObservedShared() {
			if o.Field != catalog.FieldHFRepo || o.Authority < catalog.AuthorityAggregator {
				continue
			}
			rid, err := r.Resolve(o.Source, o.Subject)
			if err != nil {
				continue
			}
			k := strings.ToLower(strings.TrimSpace(o.Value))
			if prev, seen := links[k]; !seen || rid.ID < prev {
				links[strings.Clone(k)] = strings.Clone(rid.ID)
			}
		}
	}
	return links
}

// linked resolves a Hugging Face repository that a catalogue links to a
// model, unless the operator's alias table names the repository (the
// alias wins).
func (m *merger) linked(source, id string) (Resolved, bool) {
	if source != HFSource || len(m.links) == 0 {
		return Resolved{}, false
	}
	low := strings.ToLower(strings.TrimSpace(id))
	if _, aliased := m.resolver.alias(source, low); aliased {
		return Resolved{}, false
	}
	v, ok := m.links[low]
	return Resolved{ID: v}, ok
}
