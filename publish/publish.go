// Package publish writes what llmref publishes: the JSON tree downstream
// sites read (the catalogue, comparison records, price history, change
// reports, schemas) and the change report sent to an operator's webhook.
//
// One Publisher is built from the configuration and used by everything
// that changes what is published — refresh, rebuild, export, approve,
// reject, mark-reviewed and the daemon's review pages — so they all write
// the same tree with the same settings.
package publish

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/export/schema"
	"github.com/llmref/llmref/internal/filelock"
	"github.com/llmref/llmref/internal/memlimit"
	"github.com/llmref/llmref/store"
	"github.com/llmref/llmref/webhook"
)

// Publisher publishes the catalogue of a store.
type Publisher struct {
	// Dir is where the tree is published (a symbolic link swapped per
	// generation); empty publishes no tree. With a Remote, it is where
	// each generation is built before it is synced there.
	Dir string
	// Remote, when set, is the object storage the tree is published to.
	Remote *Remote
	// Compare configures the comparison records (the blend, the pairs).
	Compare compare.Options
	// Validators check the tree's files in Verify; Default sets the JSON
	// Schemas of the tree.
	Validators []export.Validator
	// Webhook, when its URL is set, receives each run's JSON change report
	// after the run commits, if the run has changes.
	Webhook webhook.Webhook
	// Logger receives what was published; nil discards it.
	Logger *slog.Logger
}

// New returns a Publisher of the tree at dir with the given comparison
// options and webhook, checking trees against the tree's JSON Schemas.
func New(dir string, co compare.Options, w webhook.Webhook) *Publisher {
	return &Publisher{Dir: dir, Compare: co, Webhook: w, Validators: []export.Validator{schema.Validate}}
}

// Enabled reports whether p publishes a tree.
func (p *Publisher) Enabled() bool { return p != nil && p.Dir != "" }

// Location is where readers find the tree: the folder, or the object
// storage (s3://BUCKET/PREFIX).
func (p *Publisher) Location() string {
	if p.Remote != nil {
		return p.Remote.Store.String()
	}
	return p.Dir
}

func (p *Publisher) log() *slog.Logger {
	if p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

// ErrNoRun is returned when the database has no run to publish.
var ErrNoRun = errors.New("the database has no committed run yet (run `llmref refresh` first)")

// Publish writes the published catalogue of st, as of its last committed
// run (a failed run committed nothing, so the tree never names it). It
// returns nil stats when p publishes no tree.
func (p *Publisher) Publish(ctx context.Context, st *store.Store) (*export.Stats, error) {
	if !p.Enabled() {
		return nil, nil
	}
	// The whole catalogue read back and published: under the limit a
	// refresh's stages run under (16,000 models: 483 MB peak at GOGC=100).
	limit := memlimit.Stages()
	defer limit.Restore()
	snap, err := st.SnapshotContext(ctx)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	run, err := st.LastCommittedRun()
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("publish: %w", ErrNoRun)
	}
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	return p.PublishSnapshot(ctx, st, snap, run)
}

// PublishSnapshot writes snap, the published catalogue of st as of run: the
// catalogue files and every further section (schemas, comparisons, change
// reports, price history). With a Remote, the generation built in Dir is
// then synced to it, and the stats say what was uploaded there. It
// returns nil stats when p publishes no tree. Once ctx is done (a run's
// deadline, a signal) the generation being written is abandoned at its
// next file ("export stopped: …") and the published tree stays as it was;
// the comparison records, the costliest section, stop with it.
func (p *Publisher) PublishSnapshot(ctx context.Context, st *store.Store, snap *catalog.Snapshot, run catalog.Run) (*export.Stats, error) {
	if !p.Enabled() {
		return nil, nil
	}
	var prev string
	if p.Remote != nil {
		// One publish to object storage at a time from this machine, from
		// the build through the upload to the pointer: the export's own
		// lock (one generation of the cache at a time, a newer run never
		// replaced by an older) ends when the generation is built, and two
		// uploads at once left the pointer to whichever finished last, the
		// older run as well.
		lock, err := filelock.Exclusive(ctx, filepath.Join(filepath.Dir(p.Dir), "."+filepath.Base(p.Dir)+".sync.lock"))
		if err != nil {
			return nil, fmt.Errorf("publish: wait for another llmref publishing %s: %w", p.Location(), err)
		}
		defer lock.Unlock()
		prev, _ = filepath.EvalSymlinks(p.Dir) // the local generation this one replaces, if any
	}
	stats, err := export.WriteContext(ctx, p.Dir, snap, run,
		schema.Section, // schema/*.schema.json
		comparisonsSection(snap, p.Compare, p.log()), // comparisons.json and comparisons/<a>--vs--<b>.json
		changesSection(st, run.ID, p.log()),          // changes.json, changes/<run-id>.json
		historySection(st),                           // history/<creator>--<slug>.json
		coverageSection(snap),                        // coverage.json
	)
	if err != nil {
		return nil, err
	}
	if stats.Superseded != 0 { // a newer run was published meanwhile: nothing to send either
		p.log().Info("not exported: a newer run was published while this one waited", "dir", stats.Dir, "run", run.ID, "published", stats.Superseded)
		return &stats, nil
	}
	p.log().Info("exported", "dir", stats.Dir, "files", stats.Files, "written", stats.Written, "unchanged", stats.Unchanged)
	if p.Remote == nil {
		return &stats, nil
	}
	gen, err := filepath.EvalSymlinks(p.Dir)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	r := *p.Remote
	if r.Logger == nil {
		r.Logger = p.Logger
	}
	rs, err := r.Sync(ctx, gen, prev, run)
	if err != nil {
		return nil, err
	}
	return &export.Stats{Dir: rs.Location, Files: rs.Files, Written: rs.Uploaded, Unchanged: rs.Files - rs.Uploaded}, nil
}

// Verify checks the tree published at dir against its index and the
// Publisher's validators; see export.Verify.
func (p *Publisher) Verify(dir string) ([]string, error) {
	return export.Verify(dir, p.Validators...)
}

// VerifyPublished checks the tree where readers find it: in the Remote
// when there is one (see Remote.Verify), else at Dir.
func (p *Publisher) VerifyPublished(ctx context.Context) ([]string, error) {
	if p.Remote != nil {
		return p.Remote.Verify(ctx, p.Validators...)
	}
	return p.Verify(p.Dir)
}
