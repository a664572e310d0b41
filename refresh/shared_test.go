package refresh

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/hostilepage"
	"github.com/llmref/llmref/scrapers"
)

// TestSharedURL: two configured sources on one page (a custom table
// pointed at another source's address). Run together, the first reads it
// and the second fails, named: the run is partial, not silently short.
// Run alone (--source), the second reads the page the first stored, which
// becomes its record: one page per URL, no panic, and the first's record
// is not carried beside it.
func TestSharedURL(t *testing.T) {
	const url = "https://shared.example/pricing"
	table := func(name string) scrapers.Source {
		tbl, err := scrapers.NewTable(scrapers.TableSpec{Name: name, URL: url, Provider: name, Unit: catalog.PerMillion, Rows: "tr",
			Columns: map[string]scrapers.TableColumn{scrapers.ColModelID: {Attr: "data-id"}, scrapers.ColInput: {Selector: "td"}}})
		if err != nil {
			t.Fatal(err)
		}
		return tbl
	}
	options := func() Options {
		o := replayOptions(t, "2026-04-23")
		o.Fetch.Transport = serveAt{url: url, body: hostilepage.DeepTable(2, 3), next: o.Fetch.Transport}
		o.Sources = append(o.Sources, table("first"), table("second"))
		return o
	}
	st := openStore(t)
	res, err := Run(context.Background(), st, options())
	if !errors.Is(err, ErrPartial) {
		t.Fatalf("run together: %v; want partial", err)
	}
	for _, s := range res.Run.Sources {
		if s.Source == "second" && (s.Status != catalog.SourceFailed || len(s.Errors) != 1 || !strings.Contains(s.Errors[0], `source "first" reads this page`)) {
			t.Errorf("second: %s %q; want failed, naming first", s.Status, s.Errors)
		}
		if s.Source != "second" && s.Status == catalog.SourceFailed {
			t.Errorf("%s failed: %q", s.Source, s.Errors)
		}
	}

	o := options()
	o.Only = []string{"second"}
	if _, err := Run(context.Background(), st, o); err != nil {
		t.Fatalf("run second alone: %v", err)
	}
	pages, err := st.Pages()
	if err != nil {
		t.Fatal(err)
	}
	if p := pages[url]; p.Source != "second" || p.Stale || p.ObservationCount() != 6 {
		t.Errorf("the page: source %q, stale %v, %d observations; want second's, 6", p.Source, p.Stale, p.ObservationCount())
	}
}
