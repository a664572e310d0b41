package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/store"
)

// Behind compares the tree published at dir with st: when the tree holds
// an older run than the database's last committed one (a run whose export
// failed or was stopped, a tree copied from an older one), it says so in
// one line naming both runs; "" when the tree is as of that run (or newer:
// a database restored from a backup is not the tree's problem), or when
// either has no run to compare.
func Behind(st *store.Store, dir string) (string, error) {
	last, err := st.LastCommittedRun()
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("compare export %s with the database: %w", dir, err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, export.IndexFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil // Verify names a missing index
	}
	if err != nil {
		return "", fmt.Errorf("compare export %s with the database: %w", dir, err)
	}
	var idx export.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return "", nil // Verify names an unreadable index
	}
	return behind(idx.Run, last.ID), nil
}

// BehindPublished is Behind for the tree where readers find it: in the
// Remote when there is one (the run its pointer names), else at Dir.
func (p *Publisher) BehindPublished(ctx context.Context, st *store.Store) (string, error) {
	if p.Remote == nil {
		return Behind(st, p.Dir)
	}
	last, err := st.LastCommittedRun()
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("compare export %s with the database: %w", p.Location(), err)
	}
	ptr, err := p.Remote.readPointer(ctx)
	if err != nil || ptr == nil {
		return "", nil // VerifyPublished names a missing or unreadable pointer
	}
	return behind(ptr.Run, last.ID), nil
}

// behind says that a tree of run tree is older than the database's last
// committed run last; "" when it is not.
func behind(tree, last uint64) string {
	if tree >= last {
		return ""
	}
	return fmt.Sprintf("the tree is behind the database: it holds run %d, the database's last committed run is %d (publish it again: llmref export)", tree, last)
}

// CheckPublished checks the tree where readers find it (VerifyPublished)
// and compares it with st (BehindPublished; st is nil when the database
// does not open, and only the tree is checked). Where nothing is published
// yet (export.ErrNoTree), the tree is not a problem while the database has
// no committed run to publish (none is set), and one problem, saying what
// to do, once it has.
func (p *Publisher) CheckPublished(ctx context.Context, st *store.Store) (problems []string, none bool, err error) {
	problems, err = p.VerifyPublished(ctx)
	if errors.Is(err, export.ErrNoTree) {
		if st == nil { // whether a run awaits publishing is not known
			return []string{"nothing is published here"}, false, nil
		}
		last, lerr := st.LastCommittedRun()
		if errors.Is(lerr, store.ErrNotFound) {
			return nil, true, nil
		}
		if lerr != nil {
			return nil, false, fmt.Errorf("compare export %s with the database: %w", p.Location(), lerr)
		}
		return []string{fmt.Sprintf("nothing is published here, and the database's last committed run is %d (publish it: llmref export)", last.ID)}, false, nil
	}
	if err != nil || st == nil {
		return problems, false, err
	}
	behind, err := p.BehindPublished(ctx, st)
	if err != nil {
		return nil, false, err
	}
	if behind != "" {
		problems = append(problems, behind)
	}
	return problems, false, nil
}
