package changes

import (
	"time"

	"github.com/llmref/llmref/catalog"
)

// Carry gives the changes of a run that found every page unchanged and so
// kept the published catalogue without normalising again. What the sources
// say is then what they said in the last run, so the differences still
// standing between it and the published state are the last run's changes
// that did not publish: held ones whose hold is still pending, and rejected
// ones the source still repeats. Each keeps its hold, as the hold stands
// now (an operator may have decided it since: an approved value is
// published, a withdrawn one gone). The holds it returns were seen again at
// at; the store stamps them with the run.
func Carry(last catalog.ChangeSet, holds []catalog.Hold, at time.Time) (catalog.ChangeSet, []catalog.Hold) {
	byID := make(map[uint64]catalog.Hold, len(holds))
	for _, h := range holds {
		byID[h.ID] = h
	}
	out := catalog.ChangeSet{At: at, Changes: []catalog.RunChange{}}
	seen := map[uint64]bool{}
	var again []catalog.Hold
	for _, c := range last.Changes {
		if c.Hold == 0 || c.Status == catalog.ChangePublished {
			continue
		}
		h, ok := byID[c.Hold]
		switch {
		case !ok:
			continue // decided since, or closed: no longer a difference
		case h.Status == catalog.HoldPending:
			c.Status = catalog.ChangeHeld
		case h.Status == catalog.HoldRejected:
			c.Status = catalog.ChangeRejected
		default:
			continue
		}
		out.Changes = append(out.Changes, c)
		if !seen[h.ID] {
			seen[h.ID] = true
			h.LastSeen = at
			again = append(again, h)
		}
	}
	return out, again
}
