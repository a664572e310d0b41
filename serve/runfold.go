package serve

import (
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/store"
)

// runFold is what /healthz and /metrics need of the run records, folded
// as runs are recorded, so that an answer reads only the runs recorded
// since the last one. Reading every record for every answer cost time and
// memory with the history: 20,000 runs (two years of an hourly schedule)
// made /healthz take 0.85-1.03 s and 170 MB, past a load balancer's or
// Kubernetes' one-second probe.
//
// Finished runs never change; a run still marked running is folded once a
// later one is recorded (a process that crashed left it so), and until
// then read again with each answer.
type runFold struct {
	mu sync.Mutex
	// upTo is the last run folded, and sig its record's status and times,
	// by which a database replaced under the server (restored from a
	// backup) is told apart: it is folded again from the start.
	upTo uint64
	sig  string
	acc  runAcc
}

// runAcc is the fold's state.
type runAcc struct {
	byStatus      map[catalog.RunStatus]int
	health        map[string]SourceHealth        // by source: the newest run that read it
	stats         map[string]catalog.SourceStats // by source: its newest figures not skipped
	last          *catalog.Run
	lastCommitted *catalog.Run
}

// runsView is the runs' part of a health or metrics answer.
type runsView struct {
	byStatus      map[catalog.RunStatus]int // finished runs (a run still running is not counted)
	stats         map[string]catalog.SourceStats
	health        map[string]SourceHealth
	lastRun       *catalog.Run
	lastCommitted *catalog.Run
}

// committed reports whether any run committed a catalogue.
func (v runsView) committed() bool { return v.lastCommitted != nil }

func runSig(r catalog.Run) string {
	return fmt.Sprintf("%s %d %d", r.Status, r.StartedAt.UnixNano(), r.FinishedAt.UnixNano())
}

// read folds the runs recorded since the last read and returns the view.
func (f *runFold) read(db *store.Store) (runsView, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.upTo > 0 {
		if r, err := db.Run(f.upTo); err != nil || runSig(r) != f.sig {
			f.upTo, f.sig, f.acc = 0, "", runAcc{} // another database: fold it anew
		}
	}
	if f.acc.byStatus == nil {
		f.acc = runAcc{byStatus: map[catalog.RunStatus]int{}, health: map[string]SourceHealth{}, stats: map[string]catalog.SourceStats{}}
	}
	var tail *catalog.Run // the newest run, not folded while it runs
	err := db.EachRunAfter(f.upTo, func(r catalog.Run) error {
		if tail != nil {
			f.fold(*tail)
		}
		tail = &r
		return nil
	})
	if err != nil {
		return runsView{}, err
	}
	if tail != nil && tail.Status != catalog.RunRunning {
		f.fold(*tail)
		tail = nil
	}
	v := runsView{byStatus: maps.Clone(f.acc.byStatus), stats: maps.Clone(f.acc.stats), health: maps.Clone(f.acc.health),
		lastRun: f.acc.last, lastCommitted: f.acc.lastCommitted}
	if tail != nil { // in progress: its figures so far, not counted
		addSources(v.health, v.stats, *tail)
		v.lastRun = tail
	}
	return v, nil
}

// fold adds a run to the state.
func (f *runFold) fold(r catalog.Run) {
	if r.Status != catalog.RunRunning {
		f.acc.byStatus[r.Status]++
	}
	addSources(f.acc.health, f.acc.stats, r)
	f.acc.last = &r
	if r.Status == catalog.RunOK || r.Status == catalog.RunPartial {
		f.acc.lastCommitted = &r
	}
	f.upTo, f.sig = r.ID, runSig(r)
}

// addSources records a run, newer than every one recorded before, in each
// source's health (the newest run that read it; the newest success) and
// figures (the newest not skipped).
func addSources(health map[string]SourceHealth, stats map[string]catalog.SourceStats, r catalog.Run) {
	seen := map[string]bool{}
	for _, ss := range r.Sources {
		if ss.Status != catalog.SourceSkipped {
			stats[ss.Source] = ss // the run's last figures of a source named twice
		}
		if ss.Status == catalog.SourceSkipped || ss.Status == catalog.SourceReparsed {
			continue // not read in that run: it says nothing of the source
		}
		h := health[ss.Source]
		if !seen[ss.Source] { // a source named twice: its first figures
			seen[ss.Source] = true
			errs, more := ss.ShownErrors()
			h.Name, h.LastStatus, h.LastRun, h.Errors, h.ErrorsMore = ss.Source, ss.Status, r.ID, errs, more
		}
		if ss.Status == catalog.SourceOK || ss.Status == catalog.SourceUnchanged {
			t := r.FinishedAt
			h.LastSuccess = &t
		}
		health[ss.Source] = h
	}
}

// sources is each source's health at now, by name: stale when it failed
// last, never succeeded, or last succeeded more than staleAfter ago.
func (v runsView) sources(now time.Time, staleAfter time.Duration) []SourceHealth {
	out := make([]SourceHealth, 0, len(v.health))
	for _, h := range v.health {
		h.Stale = h.LastStatus == catalog.SourceFailed || h.LastSuccess == nil || now.Sub(*h.LastSuccess) > staleAfter
		out = append(out, h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
