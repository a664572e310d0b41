package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// BackupStats say what Backup copied.
type BackupStats struct {
	Path  string `json:"path"`
	To    string `json:"to"`
	Bytes int64  `json:"bytes"`
	// Run is the last run the copy holds; 0 when none.
	Run        uint64 `json:"run"`
	DurationMS int64  `json:"duration_ms"`
}

// Backup copies the database, as of one read transaction, to the file to,
// which must not exist: a whole, consistent copy while other llmref
// processes read it (a daemon's writer waits for it, as for any reader:
// a copy is a sequential read, a second or two for 500 MB). The copy is
// written beside to, flushed, its structure walked as opening it would,
// then renamed to to; anything that stops it on the way (an error, ctx
// done) leaves no file at to. A file copied while a writer wrote it (cp
// beside cron's refresh) can be torn; this cannot.
func (s *Store) Backup(ctx context.Context, to string) (BackupStats, error) {
	start := time.Now()
	st := BackupStats{Path: s.path, To: to}
	if err := backupTarget(to); err != nil {
		return st, err
	}
	if r, err := s.LastRun(); err == nil {
		st.Run = r.ID
	}
	tmp, err := os.CreateTemp(filepath.Dir(to), "."+filepath.Base(to)+".backup-*")
	if err != nil {
		return st, fmt.Errorf("backup: %w", err)
	}
	tmpPath := tmp.Name()
	done := false
	defer func() {
		if !done {
			tmp.Close()
			os.Remove(tmpPath)
		}
	}()
	err = s.guard(func() error {
		return s.db.View(func(tx *bolt.Tx) error {
			n, err := tx.WriteTo(ctxWriter{ctx, tmp})
			st.Bytes = n
			return err
		})
	})
	if ctx.Err() != nil {
		return st, fmt.Errorf("backup stopped (%w): nothing written to %s", context.Cause(ctx), to)
	}
	if err != nil {
		return st, fmt.Errorf("backup: copy: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return st, fmt.Errorf("backup: flush: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return st, fmt.Errorf("backup: %w", err)
	}
	if err := checkCopy(tmpPath); err != nil {
		return st, fmt.Errorf("backup: the copy fails its check, nothing written to %s: %w", to, err)
	}
	if err := placeCopy(tmpPath, to); err != nil {
		return st, err
	}
	done = true
	if err := syncFile(filepath.Dir(to)); err != nil {
		return st, fmt.Errorf("backup: flush folder: %w", err)
	}
	st.DurationMS = time.Since(start).Milliseconds()
	return st, nil
}

// placeCopy names the finished copy at to: a hard link, so that a file
// made at to meanwhile is not replaced, or, on a file system without
// links (FAT, some network shares), a rename once to is seen free.
func placeCopy(tmpPath, to string) error {
	err := os.Link(tmpPath, to)
	switch {
	case err == nil:
		os.Remove(tmpPath)
		return nil
	case errors.Is(err, fs.ErrExist):
		return targetExists(to)
	}
	if _, serr := os.Lstat(to); !errors.Is(serr, fs.ErrNotExist) {
		return targetExists(to)
	}
	if rerr := os.Rename(tmpPath, to); rerr != nil {
		return fmt.Errorf("backup: %w (and a link: %v)", rerr, err)
	}
	return nil
}

// backupTarget refuses a target that exists (a backup never overwrites
// another) or whose folder does not.
func backupTarget(to string) error {
	if _, err := os.Lstat(to); err == nil {
		return targetExists(to)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	if fi, err := os.Stat(filepath.Dir(to)); err != nil || !fi.IsDir() {
		return fmt.Errorf("backup: no folder %s for %s", filepath.Dir(to), to)
	}
	return nil
}

// checkCopy walks a copy's structure as opening it would (see
// checkStructure): what a restore would find.
func checkCopy(path string) error {
	_, res, err := walkStructure(path)
	if err != nil {
		return err
	}
	if len(res.found) > 0 {
		return fmt.Errorf("%d problems, the first: %s", len(res.found)+res.more, res.found[0].problem())
	}
	return nil
}

// ctxWriter fails its writes once ctx is done, which stops a copy.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(p)
}

// targetExists is the refusal of a backup target that exists.
func targetExists(to string) error {
	return fmt.Errorf("backup: %s exists: give a new file (a backup never replaces one)", to)
}
