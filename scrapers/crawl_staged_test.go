package scrapers

import (
	"context"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// TestCrawlStaged replays the bundled day in two stages, as a run plans
// them: OpenRouter's list first, then the sources planned from the models
// it names. The second stage's requests come from what the first read; a
// derived page the day does not hold (a model without an OpenAI docs
// page) is a warning, the source's other pages standing; a planned source
// given nothing to read is skipped.
func TestCrawlStaged(t *testing.T) {
	rt := replayDay(t, "2026-04-23")
	o := testOptions()
	o.Transport = rt
	at := rt.Manifest().RecordedAt
	o.Now = func() time.Time { return at }
	var seen int
	stages := 0
	next := func(ctx context.Context, read []catalog.Page) ([]Source, error) {
		stages++
		if stages > 1 {
			return nil, nil
		}
		seen = len(read)
		tr := Tracked{Models: []TrackedModel{
			{ID: "meta/llama-3.2-1b-instruct", OpenRouterIDs: []string{"meta-llama/llama-3.2-1b-instruct"}, HFRepo: "meta-llama/Llama-3.2-1B-Instruct"},
			{ID: "openai/gpt-5.3-codex", OpenRouterIDs: []string{"openai/gpt-5.3-codex"}},
			{ID: "openai/gpt-oss-nowhere", OpenRouterIDs: []string{"openai/gpt-oss-nowhere"}},
		}}
		return []Source{(&HuggingFace{}).Plan(tr), (&OpenAI{}).Plan(tr), renamed{(&OpenAI{}).Plan(Tracked{}), "openai-empty"}}, nil
	}
	out, err := CrawlStaged(context.Background(), o, []Source{&OpenRouter{}}, nil, next, nil)
	if err != nil {
		t.Fatal(err)
	}
	if seen != 1 {
		t.Errorf("the second stage was planned from %d pages; want the list", seen)
	}
	if st := statsOf(out, "huggingface"); st.Status != catalog.SourceOK || st.Requests != 2 {
		t.Errorf("huggingface %+v", st)
	}
	st := statsOf(out, "openai")
	if st.Status != catalog.SourceOK || st.Requests != 2 || st.Missing != 1 || len(st.MissingPages) != 1 || len(st.Warnings) != 0 {
		t.Errorf("openai %+v; want ok, one page read and one counted missing", st)
	}
	if st := statsOf(out, "openai-empty"); st.Status != catalog.SourceSkipped {
		t.Errorf("a planned source with nothing to read: %+v", st)
	}
}

// renamed is a source under another name, for a crawl holding two.
type renamed struct {
	Source
	name string
}

func (s renamed) Name() string { return s.name }

// TestCrawlStagedDuplicateSource: a source configured twice is refused
// with one "crawl:" prefix, whether the first stage or a later one names
// it again.
func TestCrawlStagedDuplicateSource(t *testing.T) {
	a := func() Source { return renamed{(&OpenAI{}).Plan(Tracked{}), "a"} }
	want := `crawl: source "a" configured twice`
	o := testOptions()
	if _, err := CrawlStaged(context.Background(), o, []Source{a(), a()}, nil, nil, nil); err == nil || err.Error() != want {
		t.Errorf("first stage: error %v, want %q", err, want)
	}
	next := func(context.Context, []catalog.Page) ([]Source, error) { return []Source{a()}, nil }
	if _, err := CrawlStaged(context.Background(), o, []Source{a()}, nil, next, nil); err == nil || err.Error() != want {
		t.Errorf("later stage: error %v, want %q", err, want)
	}
}
