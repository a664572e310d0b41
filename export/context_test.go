package export

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmref/llmref/catalog"
)

// TestWriteContextStops: a generation whose context ends (the run's
// deadline, a signal) stops at its next file, is removed, and the
// published tree stays exactly as it was.
func TestWriteContextStops(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Write(out, sampleSnapshot(), catalog.Run{ID: 1}); err != nil {
		t.Fatal(err)
	}
	before := readTree(t, out+"/")
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("run deadline")
	section := func(tr *Tree) error {
		if err := tr.Put("first.json", []byte("{}\n")); err != nil {
			return err
		}
		cancel(stop) // the deadline passes while the section writes
		return tr.Put("second.json", []byte("{}\n"))
	}
	_, err := WriteContext(ctx, out, sampleSnapshot(), catalog.Run{ID: 2}, section)
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "export stopped: run deadline") {
		t.Fatalf("err = %v, want the generation stopped by its context", err)
	}
	after := readTree(t, out+"/")
	if len(after) != len(before) {
		t.Errorf("%d files published after a stopped generation, %d before", len(after), len(before))
	}
	for p, b := range before {
		if !bytes.Equal(b, after[p]) {
			t.Errorf("%s changed after a stopped generation", p)
		}
	}
	gens, err := os.ReadDir(filepath.Join(filepath.Dir(out), ".site.generations"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 1 {
		t.Errorf("%d generations on disk, want the published one alone", len(gens))
	}
}
