package store

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// bigSnapshot is a catalogue of n models, each with every model fact
// sourced and three offerings with five price and limit facts each: about
// 32 facts per model. It returns the snapshot and its number of facts.
func bigSnapshot(n int, at time.Time) (*catalog.Snapshot, int) {
	snap := catalog.NewSnapshot()
	facts := 0
	creator := catalog.SourceRef{Name: "openai", URL: "https://developers.openai.com/api/docs/models/x", Authority: catalog.AuthorityCreator}
	str := func(v string) catalog.Fact[string] {
		facts++
		return catalog.Fact[string]{Value: v, Display: v, Raw: v, Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
	}
	tok := func(v int64) catalog.Fact[catalog.Tokens] {
		facts++
		d := catalog.CompactCount(v)
		return catalog.Fact[catalog.Tokens]{Value: catalog.Tokens{N: v, Display: d}, Display: d, Raw: fmt.Sprint(v), Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
	}
	date := func(s string) catalog.Fact[catalog.Date] {
		facts++
		d, _ := catalog.ParseISODate(s)
		return catalog.Fact[catalog.Date]{Value: d, Display: s, Raw: s, Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
	}
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("openai/gpt-bench-%05d", i)
		m := &catalog.Model{ID: id, Creator: "openai", Name: str(fmt.Sprintf("GPT Bench %05d", i)),
			Aliases:  []catalog.Alias{{Source: "openrouter", ID: fmt.Sprintf("openai/gpt-bench-%05d", i)}},
			Released: date("2026-02-24"), ContextWindow: tok(400_000), MaxOutput: tok(128_000),
			Architecture: str("transformer"), KnowledgeCutoff: date("2025-08"),
			Capabilities: map[catalog.Capability]catalog.Fact[bool]{}}
		facts++
		m.Parameters = catalog.Fact[catalog.Count]{Value: catalog.Count{N: 1_230_000_000, Display: "1.23B"}, Display: "1.23B", Raw: "1.23B", Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		facts++
		m.Licence = catalog.Fact[catalog.Licence]{Value: catalog.Licence{Name: "Proprietary", Class: catalog.Proprietary}, Display: "Proprietary", Raw: "proprietary", Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		facts += 2
		m.InputModalities = catalog.Fact[[]string]{Value: []string{"text", "image"}, Display: "text, image", Raw: "text,image", Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		m.OutputModality = catalog.Fact[[]string]{Value: []string{"text"}, Display: "text", Raw: "text", Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		for _, c := range catalog.Capabilities {
			facts++
			m.Capabilities[c] = catalog.Fact[bool]{Value: i%2 == 0, Display: "yes", Raw: "Supported", Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
		}
		snap.Models[id] = m
		for k, prov := range []string{"openai", "openrouter", "azure"} {
			price := func(micros int64) catalog.Fact[catalog.Price] {
				facts++
				p := catalog.Fixed(catalog.Money(micros))
				return catalog.Fact[catalog.Price]{Value: p, Display: p.String(), Raw: fmt.Sprint(micros), Source: catalog.SourceOf(creator), RetrievedAt: catalog.StampOf(at), ChangedAt: catalog.StampOf(at)}
			}
			o := &catalog.Offering{ModelID: id, Provider: prov, ProviderModelID: id,
				Input: price(int64(1_750_000 + i + k)), Output: price(14_000_000), CachedInput: price(175_000),
				Context: tok(400_000), MaxOutput: tok(128_000)}
			snap.Offerings[o.Key()] = o
		}
	}
	return snap, facts
}

// BenchmarkCommitRun100k commits the next nightly run of a catalogue of
// about 100,000 facts (3,000 models, 9,000 offerings) into a database that
// holds the previous one: every fact re-stamped, every record rewritten,
// price history checked for every offering. bench/run.sh reports it.
func BenchmarkCommitRun100k(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "llmref.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	day := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	snap, facts := bigSnapshot(3000, day)
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day, Status: catalog.RunOK}, Snapshot: snap}); err != nil {
		b.Fatal(err)
	}
	snaps := make([]*catalog.Snapshot, b.N)
	for i := range snaps {
		snaps[i], _ = bigSnapshot(3000, day.Add(time.Duration(i+1)*24*time.Hour))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		at := day.Add(time.Duration(i+1) * 24 * time.Hour)
		if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: at, Status: catalog.RunOK}, Snapshot: snaps[i]}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(facts), "facts")
}

// benchDatabase is a closed database holding two nightly runs of the
// ~100,000-fact catalogue of BenchmarkCommitRun100k.
func benchDatabase(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "llmref.db")
	s, err := Open(path, Options{})
	if err != nil {
		b.Fatal(err)
	}
	day := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	for i := range 2 {
		at := day.Add(time.Duration(i) * 24 * time.Hour)
		snap, _ := bigSnapshot(3000, at)
		if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: at, Status: catalog.RunOK}, Snapshot: snap}); err != nil {
			b.Fatal(err)
		}
	}
	s.Close()
	return path
}

// BenchmarkWalkStructure is the structural check every Open makes (and
// every run's commit, when the file changed): the meta pages, the size,
// every branch and leaf page, the freelist. Compare BenchmarkTxCheck.
func BenchmarkWalkStructure(b *testing.B) {
	path := benchDatabase(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		lastWalk.Lock()
		clear(lastWalk.by)
		lastWalk.Unlock()
		if _, res, err := walkStructure(path); err != nil || len(res.found) > 0 {
			b.Fatal(err, res.problems())
		}
	}
}

// BenchmarkTxCheck is bbolt's own consistency check of the same file,
// through a read-only handle opened for it as a command would.
func BenchmarkTxCheck(b *testing.B) {
	path := benchDatabase(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		db, err := bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true, InitialMmapSize: initialMmapSize})
		if err != nil {
			b.Fatal(err)
		}
		_ = db.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				b.Fatal(err)
			}
			return nil
		})
		db.Close()
	}
}

// BenchmarkFullCheck is Check: the structure, bbolt's check and every
// record (the weekly check before a run's commit; see checkBeforeCommit).
func BenchmarkFullCheck(b *testing.B) {
	path := benchDatabase(b)
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if problems, err := s.Check(); err != nil || len(problems) > 0 {
			b.Fatal(err, problems)
		}
	}
}

// BenchmarkKeepBody compresses a page of the benchmark site's size for the
// raw body store, as the crawl's workers do for every new body (see
// BodyStream.Put): its time and what it allocates (the compressed copy).
func BenchmarkKeepBody(b *testing.B) {
	var page []byte
	for i := 0; len(page) < 33_000; i++ {
		page = fmt.Appendf(page, "<tr><td>gpt-bench-%05d</td><td>$%d.%02d / 1M tokens</td><td>%d tokens</td></tr>\n", i, i%7, i%100, 1000*(i%400))
	}
	b.SetBytes(int64(len(page)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := gz(page); err != nil {
			b.Fatal(err)
		}
	}
}
