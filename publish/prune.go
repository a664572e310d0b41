package publish

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"sort"
)

// prune deletes the generations past Keep that were replaced more than
// Grace ago, the generations never published (a sync cut short) made more
// than Grace ago, and the objects that only they held. ptr is the pointer
// now published, gens the generations stored, cur the listing of the
// published generation. A failure is logged, never fatal: the tree is
// published, and the next sync prunes again.
//
// Which objects only they held is read from the deltas: walking from the
// published generation back through each generation's delta (what it
// added to and removed from its base, the one before it) says whether an
// object is in any kept generation, without reading their listings.
func (r *Remote) prune(ctx context.Context, ptr *Pointer, gens map[string]bool, cur *treeListing, st *RemoteStats) {
	pruned, deleted, err := r.pruneGenerations(ctx, ptr, gens, cur)
	st.Pruned, st.Deleted = pruned, deleted
	if err != nil {
		r.log().Warn("pruning old generations failed; the next publish tries again", "location", r.Store.String(), "err", err)
		return
	}
	if pruned > 0 {
		r.log().Info("pruned generations", "location", r.Store.String(), "generations", pruned, "objects", deleted)
	}
}

func (r *Remote) pruneGenerations(ctx context.Context, ptr *Pointer, gens map[string]bool, cur *treeListing) (pruned, deleted int, err error) {
	now, grace := r.now(), r.Grace
	// The history, newest first: the published generations still stored.
	var hist []GenerationRef
	published := map[string]bool{}
	for _, g := range ptr.Generations {
		if gens[g.Generation] && !published[g.Generation] {
			hist = append(hist, g)
			published[g.Generation] = true
		}
	}
	if len(hist) == 0 || hist[0].Generation != ptr.Generation {
		return 0, 0, fmt.Errorf("%s does not list its own generation first", PointerFile)
	}
	// hist[:j] are kept: the newest Keep, and any replaced within Grace.
	j := len(hist)
	for i := r.keep(); i < len(hist); i++ {
		if now.Sub(hist[i-1].PublishedAt) >= grace {
			j = i
			break
		}
	}
	// Generations never published: dropped once Grace has passed since
	// they were begun (another publisher may still be uploading one).
	var dropAbandoned []*delta
	protect := map[string]bool{}
	var abandoned []string
	for g := range gens {
		if !published[g] {
			abandoned = append(abandoned, g)
		}
	}
	sort.Strings(abandoned)
	for _, g := range abandoned {
		d, err := r.readDelta(ctx, g)
		if errors.Is(err, fs.ErrNotExist) {
			// Its delta is written first and deleted last: without
			// one it holds at most an index, and nothing of its own.
			d, err = &delta{Generation: g, CreatedAt: now.Add(-grace)}, nil
		}
		if err != nil {
			return 0, 0, err
		}
		if now.Sub(d.CreatedAt) >= grace {
			dropAbandoned = append(dropAbandoned, d)
			continue
		}
		for _, k := range d.Added {
			protect[k] = true
		}
	}
	if j == len(hist) && len(dropAbandoned) == 0 {
		return 0, 0, nil
	}

	// The deltas of every published generation but the oldest.
	deltas := make([]*delta, len(hist))
	for i := 0; i+1 < len(hist); i++ {
		d, err := r.readDelta(ctx, hist[i].Generation)
		if err != nil {
			return 0, 0, err
		}
		if d.Base != hist[i+1].Generation {
			return 0, 0, fmt.Errorf("generation %s was made on %q, not on %s, the one published before it", hist[i].Generation, d.Base, hist[i+1].Generation)
		}
		deltas[i] = d
	}
	// Candidates: the objects of a dropped generation that the kept
	// generation after it lacks (found in the deltas between them), and
	// those a dropped unpublished generation added.
	cand := map[string]bool{}
	for i := j - 1; i+1 < len(hist); i++ {
		for _, k := range deltas[i].Removed {
			cand[k] = true
		}
	}
	for _, d := range dropAbandoned {
		for _, k := range d.Added {
			cand[k] = true
		}
	}
	curKeys := make(map[string]bool, len(cand))
	for b := range cur.blobs {
		if k := b.key(); cand[k] {
			curKeys[k] = true
		}
	}
	added := make([]map[string]bool, j)
	removed := make([]map[string]bool, j)
	for i := 0; i+1 < j; i++ {
		added[i], removed[i] = toSet(deltas[i].Added), toSet(deltas[i].Removed)
	}
	var doomed []string
	for k := range cand {
		if protect[k] || inKept(k, curKeys[k], j, added, removed) {
			continue
		}
		doomed = append(doomed, k)
	}
	slices.Sort(doomed)
	if err := r.Store.Delete(ctx, doomed); err != nil {
		return 0, 0, err
	}
	deleted = len(doomed)
	// Then the dropped generations, oldest first, each index before its
	// delta: a prune cut short finds what is left and goes on.
	var drop []string
	for i := len(hist) - 1; i >= j; i-- {
		drop = append(drop, hist[i].Generation)
	}
	for _, d := range dropAbandoned {
		drop = append(drop, d.Generation)
	}
	for _, g := range drop {
		if err := r.Store.Delete(ctx, []string{IndexKey(g)}); err != nil {
			return pruned, deleted, err
		}
		if err := r.Store.Delete(ctx, []string{deltaKey(g)}); err != nil {
			return pruned, deleted, err
		}
		deleted += 2
		pruned++
	}
	return pruned, deleted, nil
}

// inKept reports whether the object k is in one of the kept generations
// hist[0..j-1], given whether it is in hist[0] and each kept generation's
// delta against the one before it.
func inKept(k string, inCurrent bool, j int, added, removed []map[string]bool) bool {
	in := inCurrent
	for i := 0; !in && i+1 < j; i++ {
		// in hist[i+1]: in hist[i] and not added by it, or removed by it
		in = in && !added[i][k] || removed[i][k]
	}
	return in
}

func toSet(keys []string) map[string]bool {
	s := make(map[string]bool, len(keys))
	for _, k := range keys {
		s[k] = true
	}
	return s
}

func (r *Remote) readDelta(ctx context.Context, gen string) (*delta, error) {
	var d delta
	if err := r.getJSON(ctx, deltaKey(gen), &d); err != nil {
		return nil, fmt.Errorf("generation %s: %w", gen, err)
	}
	if d.Generation != gen {
		return nil, fmt.Errorf("generation %s: its delta names %q", gen, d.Generation)
	}
	return &d, nil
}
