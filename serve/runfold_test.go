package serve

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/store"
)

// wholeHistory is what /healthz and /metrics took from every run record
// before the fold: the oracle the fold must agree with.
func wholeHistory(runs []catalog.Run, now time.Time, staleAfter time.Duration) (byStatus map[catalog.RunStatus]int, stats map[string]catalog.SourceStats, health []SourceHealth, last, lastCommitted *catalog.Run) {
	byStatus, stats = map[catalog.RunStatus]int{}, map[string]catalog.SourceStats{}
	for _, r := range runs {
		if r.Status != catalog.RunRunning {
			byStatus[r.Status]++
		}
		for _, ss := range r.Sources {
			if ss.Status != catalog.SourceSkipped {
				stats[ss.Source] = ss
			}
		}
	}
	by := map[string]*SourceHealth{}
	for i := len(runs) - 1; i >= 0; i-- {
		r := runs[i]
		for _, ss := range r.Sources {
			if ss.Status == catalog.SourceSkipped || ss.Status == catalog.SourceReparsed {
				continue
			}
			h := by[ss.Source]
			if h == nil {
				errs, more := ss.ShownErrors()
				h = &SourceHealth{Name: ss.Source, LastStatus: ss.Status, LastRun: r.ID, Errors: errs, ErrorsMore: more}
				by[ss.Source] = h
			}
			if h.LastSuccess == nil && (ss.Status == catalog.SourceOK || ss.Status == catalog.SourceUnchanged) {
				t := r.FinishedAt
				h.LastSuccess = &t
			}
		}
	}
	for _, h := range by {
		h.Stale = h.LastStatus == catalog.SourceFailed || h.LastSuccess == nil || now.Sub(*h.LastSuccess) > staleAfter
		health = append(health, *h)
	}
	sort.Slice(health, func(i, j int) bool { return health[i].Name < health[j].Name })
	if n := len(runs); n > 0 {
		last = &runs[n-1]
	}
	for i := len(runs) - 1; i >= 0; i-- {
		if r := &runs[i]; r.Status == catalog.RunOK || r.Status == catalog.RunPartial {
			lastCommitted = r
			break
		}
	}
	return
}

// TestRunFoldAgreesWithTheWholeHistory records random runs (statuses,
// sources failing, skipped, re-parsed, named twice, a crashed run left
// running, one in progress) and reads the fold after random steps: it
// says what reading every record says. A database replaced under it
// (another file at the same path, fewer runs) is folded anew.
func TestRunFoldAgreesWithTheWholeHistory(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 19))
	statuses := []catalog.RunStatus{catalog.RunOK, catalog.RunOK, catalog.RunPartial, catalog.RunFailed, catalog.RunRunning}
	srcStatuses := []catalog.SourceStatus{catalog.SourceOK, catalog.SourceUnchanged, catalog.SourceFailed, catalog.SourceSkipped, catalog.SourceReparsed}
	names := []string{"openrouter", "huggingface", "openai", "fireworks"}
	at := time.Date(2026, 4, 24, 2, 0, 0, 0, time.UTC)
	now := at.Add(400 * time.Hour)
	for trial := range 6 {
		db := filepath.Join(t.TempDir(), "llmref.db")
		st, err := store.Open(db, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var f runFold
		for i := range 60 {
			start := at.Add(time.Duration(i) * time.Hour)
			run := catalog.Run{StartedAt: start, FinishedAt: start.Add(time.Minute), Status: statuses[rng.IntN(len(statuses))]}
			for _, n := range names {
				if rng.IntN(4) == 0 {
					continue
				}
				ss := catalog.SourceStats{Source: n, Status: srcStatuses[rng.IntN(len(srcStatuses))], Requests: rng.IntN(50)}
				if ss.Status == catalog.SourceFailed {
					ss.Errors = []string{fmt.Sprintf("https://%s.example/: HTTP 503 (run %d)", n, i)}
				}
				run.Sources = append(run.Sources, ss)
				if rng.IntN(10) == 0 { // named twice
					ss.Status = srcStatuses[rng.IntN(len(srcStatuses))]
					run.Sources = append(run.Sources, ss)
				}
			}
			if run.Status == catalog.RunRunning {
				run.FinishedAt = time.Time{}
			}
			if _, err := st.CommitRun(store.Commit{Run: run}); err != nil {
				t.Fatal(err)
			}
			if rng.IntN(3) != 0 && i != 59 {
				continue
			}
			v, err := f.read(st)
			if err != nil {
				t.Fatal(err)
			}
			runs, err := st.Runs()
			if err != nil {
				t.Fatal(err)
			}
			byStatus, stats, health, last, lastCommitted := wholeHistory(runs, now, 48*time.Hour)
			got := v.sources(now, 48*time.Hour)
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(v.byStatus, byStatus) || !reflect.DeepEqual(v.stats, stats) || !reflect.DeepEqual(got, health) ||
				!reflect.DeepEqual(v.lastRun, last) || !reflect.DeepEqual(v.lastCommitted, lastCommitted) {
				t.Fatalf("trial %d, after run %d: the fold says\n%v\n%v\n%+v\nlast %+v, committed %+v\nthe whole history\n%v\n%v\n%+v\nlast %+v, committed %+v",
					trial, i+1, v.byStatus, v.stats, got, v.lastRun, v.lastCommitted, byStatus, stats, health, last, lastCommitted)
			}
		}
		// Another database at the fold's back: fewer runs, other records.
		st.Close()
		other := filepath.Join(t.TempDir(), "llmref.db")
		st2, err := store.Open(other, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		run := catalog.Run{StartedAt: at, FinishedAt: at.Add(time.Minute), Status: catalog.RunFailed, Sources: []catalog.SourceStats{{Source: "openai", Status: catalog.SourceFailed}}}
		if _, err := st2.CommitRun(store.Commit{Run: run}); err != nil {
			t.Fatal(err)
		}
		v, err := f.read(st2)
		if err != nil {
			t.Fatal(err)
		}
		if v.byStatus[catalog.RunFailed] != 1 || len(v.byStatus) != 1 || len(v.health) != 1 || v.lastCommitted != nil {
			t.Errorf("trial %d: the replaced database read as %v, %v, committed %v", trial, v.byStatus, v.health, v.lastCommitted)
		}
		st2.Close()
	}
}
