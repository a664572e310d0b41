package changes

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/golden"
)

// sampleReport is one run's report with every kind of change: an ordinary
// price move, a ×1000 slip (held), a price falling to free (held, since
// approved), offerings and a model added and removed, a spec change, a
// stale source, a conflict and an unmatched id.
func sampleReport(t *testing.T) Report {
	t.Helper()
	named := func(s *catalog.Snapshot, id, name string) {
		s.Models[id].Name = catalog.Fact[string]{Value: name, Display: name, Source: catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator}}
	}
	prev := snapshot(
		offer("meta/llama-3.2-1b-instruct", fixed(27_000), fixed(200_000)),
		offer("openai/gpt-oss-20b", fixed(30_000), fixed(140_000)),
		offer("meta/llama-guard-3-8b", fixed(480_000), fixed(30_000)),
	)
	next := snapshot(
		offer("meta/llama-3.2-1b-instruct", fixed(27_000_000), fixed(201_000)),
		offer("openai/gpt-oss-20b", fixed(30_000), free),
		offer("deepseek/deepseek-v4-flash", fixed(126_000), fixed(252_000)),
	)
	for _, s := range []*catalog.Snapshot{prev, next} {
		for id := range s.Models {
			named(s, id, map[string]string{"meta/llama-3.2-1b-instruct": "Llama 3.2 1B Instruct", "openai/gpt-oss-20b": "gpt-oss-20b",
				"meta/llama-guard-3-8b": "Llama Guard 3 8B", "deepseek/deepseek-v4-flash": "DeepSeek V4 Flash"}[id])
		}
	}
	hf := catalog.SourceRef{Name: "huggingface", URL: "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct", Authority: catalog.AuthorityCreator}
	prev.Models["meta/llama-3.2-1b-instruct"].Released = catalog.Fact[catalog.Date]{Value: catalog.DayDate(2024, 9, 25), Display: "2024-09-25", Source: hf}
	next.Models["meta/llama-3.2-1b-instruct"].Released = catalog.Fact[catalog.Date]{Value: catalog.DayDate(2024, 10, 24), Display: "2024-10-24", Source: hf,
		Conflicts: []catalog.Conflict{{Display: "2024-09-25", Raw: "1727222400", Source: catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityAggregator}}}}
	next.Unmatched = []catalog.Unmatched{{Source: "openrouter", ID: "openrouter/auto", Reason: "a router, not a model", URL: "https://openrouter.ai/api/v1/models"}}
	run := catalog.Run{ID: 2, StartedAt: day, Status: catalog.RunPartial, Replay: "bundled:2026-04-24",
		Sources: []catalog.SourceStats{{Source: "fireworks", Status: catalog.SourceFailed, Errors: []string{"https://fireworks.ai/pricing: HTTP 503"}}}}
	out := Review(Input{Published: prev, Next: next, Run: run, Rules: DefaultRules()})
	// Number the holds as the store would, and approve the free one.
	holds := map[uint64]catalog.Hold{}
	ids := map[string]uint64{}
	for i := range out.Seen {
		h := out.Seen[i]
		h.ID, h.FirstRun, h.LastRun = uint64(i+1), 2, 2
		ids[h.Key] = h.ID
		if h.Field == "output" {
			h.Status = catalog.HoldApproved
			h.Decision = &catalog.Decision{Action: catalog.ActionApprove, At: day.Add(7 * time.Hour), Note: "OpenRouter made it free", Holds: []uint64{h.ID}}
		}
		holds[h.ID] = h
	}
	out.Changes.Run = 2
	for i := range out.Changes.Changes {
		if k := out.Changes.Changes[i].HoldKey; k != "" {
			out.Changes.Changes[i].Hold = ids[k]
		}
	}
	return NewReport([]catalog.ChangeSet{out.Changes}, map[uint64]catalog.Run{2: run}, holds)
}

func TestReportGolden(t *testing.T) {
	r := sampleReport(t)
	golden.Assert(t, "testdata/report.golden.md", []byte(r.Markdown()))
	h, err := r.HTML()
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/report.golden.html", h)
	j, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, "testdata/report.golden.json", append(j, '\n'))
}

func TestReportContents(t *testing.T) {
	r := sampleReport(t)
	md := r.Markdown()
	for _, want := range []string{
		"| **#1** | Llama 3.2 1B Instruct at OpenRouter — input price | $0.027 | $27.00 | +99900.0% |",
		"| Llama 3.2 1B Instruct | output price | $0.20 | $0.201 | +$0.001 | +0.5% | [openrouter](https://openrouter.ai/api/v1/models) |  |",
		"| gpt-oss-20b | output price | $0.14 | free | — | — | [openrouter](https://openrouter.ai/api/v1/models) | approved #2 |",
		"| fireworks | 0 facts kept stale | 0 facts (0 offerings) carried over from earlier runs; https://fireworks.ai/pricing: HTTP 503 |",
		"`openrouter/auto`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	// Largest moves first: the ×1000 slip, then the move to free, then +0.5%.
	i1, i2, i3 := strings.Index(md, "| Llama 3.2 1B Instruct | input price"), strings.Index(md, "| gpt-oss-20b | output price"), strings.Index(md, "| Llama 3.2 1B Instruct | output price")
	if !(i1 < i2 && i2 < i3) {
		t.Errorf("provider table not ordered by the size of the move: %d %d %d", i1, i2, i3)
	}
	h, _ := r.HTML()
	for _, bad := range []string{"<script", "<link", "src=\"http", "@import"} {
		if bytes.Contains(h, []byte(bad)) {
			t.Errorf("HTML report is not self-contained: has %q", bad)
		}
	}
	if !bytes.Contains(h, []byte(`<span class="badge held">HELD #1</span>`)) || !bytes.Contains(h, []byte("<style>")) {
		t.Error("HTML report lacks the held badge or its inline style")
	}
	if len(r.Held()) != 1 || r.Counts["price_changed"] != 3 || r.Statuses["held"] != 2 {
		t.Errorf("held %d, counts %v, statuses %v", len(r.Held()), r.Counts, r.Statuses)
	}
}
