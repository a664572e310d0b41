package publish

import (
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/store"
)

// BenchmarkChangesSection exports changes/<run>.json for a history of
// sets of 50 price changes each (every tenth with two held), as a
// daemon's nights leave them; each iteration is one export of the section
// into a tree whose previous generation holds the same reports.
func BenchmarkChangesSection(b *testing.B) {
	for _, sets := range []int{100, 1000} {
		b.Run(fmt.Sprintf("sets=%d", sets), func(b *testing.B) {
			st, err := store.Open(filepath.Join(b.TempDir(), "llmref.db"), store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			start := time.Date(2024, 1, 1, 2, 0, 0, 0, time.UTC)
			for r := range sets {
				at := start.Add(time.Duration(r) * 24 * time.Hour)
				cs := &catalog.ChangeSet{At: at}
				var holds []catalog.Hold
				for i := range 50 {
					model := fmt.Sprintf("meta-llama/llama-%d-%d", r, i)
					op, np := catalog.Fixed(catalog.Money(100_000+i)), catalog.Fixed(catalog.Money(110_000+i))
					ch := catalog.Change{Kind: catalog.ChangePrice, Model: model, Provider: "openrouter", Field: "output", OldPrice: &op, NewPrice: &np,
						Source: catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator})}
					rc := catalog.RunChange{Change: ch, Status: catalog.ChangePublished}
					if r%10 == 0 && i < 2 {
						key := "price:" + catalog.OfferingKey(model, "openrouter", "", "") + "#output"
						h := catalog.Hold{Kind: catalog.HoldPrice, Key: key, Value: "fixed:" + np.Amount.USD(), Status: catalog.HoldPending,
							Reasons: []string{"max_factor: bench"}, Changes: []catalog.Change{ch}, Field: "output", FirstSeen: at, LastSeen: at}
						holds = append(holds, h)
						rc.Status, rc.HoldKey, rc.Reasons = catalog.ChangeHeld, key, h.Reasons
					}
					cs.Changes = append(cs.Changes, rc)
				}
				if _, err := st.CommitRun(store.Commit{Run: catalog.Run{StartedAt: at, FinishedAt: at, Status: catalog.RunOK}, Changes: cs, Holds: holds}); err != nil {
					b.Fatal(err)
				}
			}
			out := filepath.Join(b.TempDir(), "tree")
			export1 := func() export.Stats {
				t, err := export.Begin(out)
				if err != nil {
					b.Fatal(err)
				}
				if err := changesSection(st, math.MaxUint64, slog.New(slog.DiscardHandler))(t); err != nil {
					b.Fatal(err)
				}
				stats, err := t.Commit(func(files []export.FileEntry) any { return map[string]any{"files": files} })
				if err != nil {
					b.Fatal(err)
				}
				return stats
			}
			export1()
			b.ReportAllocs()
			b.ResetTimer()
			var last export.Stats
			for b.Loop() {
				last = export1()
			}
			b.ReportMetric(float64(last.Written), "written/op")
		})
	}
}
