package hostilesuite

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/testbin"
	"github.com/llmref/llmref/store"
)

// TestRebuildSourceDeadline runs the real binary's `llmref rebuild` over a
// stored deep page whose table source's row selector became costly since
// it was read ("tr" then, "section div td" now): re-parsing it fails that
// source alone at fetch.source_timeout, named, while every other source is
// re-read and the run commits, exit 3, long before run_timeout.
func TestRebuildSourceDeadline(t *testing.T) {
	bin := testbin.LLMRef(t)
	s, cfg, db := deadlineSite(t, "deep")
	costly, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cheap := bytes.Replace(costly, []byte("rows: 'section div td'"), []byte("rows: 'tr'"), 1)
	if bytes.Equal(cheap, costly) {
		t.Fatal("no row selector to replace in the configuration")
	}
	if err := os.WriteFile(cfg, cheap, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--config", cfg, "--db", db, "refresh").CombinedOutput(); exitCode(t, err) != 0 {
		t.Fatalf("refresh with the cheap selector: %v\n%s", err, out)
	}
	if err := os.WriteFile(cfg, costly, 0o644); err != nil {
		t.Fatal(err)
	}
	partialWithin(t, exec.Command(bin, "--config", cfg, "--db", db, "rebuild"), sourceTimeout) // the selector runs for minutes on the page
	st, err := store.Open(db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	last, err := st.LastRun()
	if err != nil {
		t.Fatal(err)
	}
	if snap, err := st.Snapshot(); err != nil || snap.Models["openai/"+healthy(s)] == nil {
		t.Errorf("the healthy facts are missing after the rebuild (%v)", err)
	}
	if last.Status != catalog.RunPartial || last.Replay != "rebuild" {
		t.Errorf("run %s (%s); want a partial rebuild", last.Status, last.Replay)
	}
	for _, src := range last.Sources {
		switch {
		case src.Source == "deep":
			if src.Status != catalog.SourceFailed || len(src.Errors) != 1 || !strings.Contains(src.Errors[0], "deadline exceeded (fetch.source_timeout 3s) while parsing table page") {
				t.Errorf("deep: %s %q; want failed at its deadline", src.Source, src.Errors)
			}
		case src.Status != catalog.SourceReparsed && src.Status != catalog.SourceSkipped:
			t.Errorf("%s: %s %q beside the late one; want reparsed", src.Source, src.Status, src.Errors)
		}
	}
}
