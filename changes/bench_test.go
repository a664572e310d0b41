package changes

import (
	"fmt"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// benchSnapshots makes a published catalogue of n models with six
// offerings each, and a next state in which every 20th offering's output
// moved by 2%, every 50th by ×1000 (held) and every 100th left.
func benchSnapshots(n int) (prev, next *catalog.Snapshot) {
	prev, next = catalog.NewSnapshot(), catalog.NewSnapshot()
	i := 0
	for m := range n {
		id := fmt.Sprintf("c%d/model-%d", m%40, m)
		model := &catalog.Model{ID: id, Capabilities: map[catalog.Capability]catalog.Fact[bool]{},
			Name: catalog.Fact[string]{Value: id, Display: id, Source: catalog.SourceOf(catalog.SourceRef{Name: "openrouter"})}}
		prev.Models[id], next.Models[id] = model, model
		for p := range 6 {
			i++
			o := &catalog.Offering{ModelID: id, Provider: fmt.Sprintf("provider-%d", p), Input: fixed(100_000), Output: fixed(200_000)}
			prev.Offerings[o.Key()] = o
			switch {
			case i%100 == 0:
				continue
			case i%50 == 0:
				c := *o
				c.Output = fixed(200_000_000)
				next.Offerings[o.Key()] = &c
			case i%20 == 0:
				c := *o
				c.Output = fixed(204_000)
				next.Offerings[o.Key()] = &c
			default:
				next.Offerings[o.Key()] = o
			}
		}
	}
	return prev, next
}

// BenchmarkReview is the changes stage of a run over 1,000 models and
// 6,000 offerings: a nightly run against the published catalogue, and a
// first run (nothing published: every model and offering is a change).
func BenchmarkReview(b *testing.B) {
	prev, next := benchSnapshots(1000)
	for _, bc := range []struct {
		name string
		in   Input
	}{
		{"nightly", Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()}},
		{"first", Input{Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				out := Review(bc.in)
				if len(out.Changes.Changes) == 0 {
					b.Fatal("no changes")
				}
			}
		})
	}
}

// BenchmarkReportRender renders that run's report as Markdown and HTML.
func BenchmarkReportRender(b *testing.B) {
	prev, next := benchSnapshots(1000)
	out := Review(Input{Published: prev, Next: next, Run: catalog.Run{StartedAt: day}, Rules: DefaultRules()})
	rep := NewReport([]catalog.ChangeSet{out.Changes}, nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		if len(rep.Markdown()) == 0 {
			b.Fatal("empty")
		}
		if _, err := rep.HTML(); err != nil {
			b.Fatal(err)
		}
	}
}
