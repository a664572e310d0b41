package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// CompactStats are the sizes of a database file before and after Compact.
type CompactStats struct {
	Path   string `json:"path"`
	Before int64  `json:"before_bytes"`
	After  int64  `json:"after_bytes"`
	// Repaired names a damaged meta page the copy left behind: the copy
	// holds the transaction of the other one.
	Repaired string `json:"repaired,omitempty"`
}

// compactTxMaxSize bounds one copy transaction of Compact, so a large
// database is copied without holding all of it in memory.
const compactTxMaxSize = 64 << 20

// Compact reclaims the space a bbolt file keeps after deletes and rewrites
// (the file never shrinks by itself). Holding the writer lock, it checks
// the database as Check does and refuses one with any problem (it would
// copy a corrupt record into a file that then looks sound), copies every
// bucket into a new file beside the database, flushes it to disk, checks
// it, and renames it over the database; a crash at any point leaves either
// the old file or the new one, both whole. Other llmref processes wait for
// the lock as usual (see Open) and then open the new file.
//
// One damage it repairs: a meta page that fails its checksum (a torn
// write) beside a sound one. bbolt reads the file as of the sound one's
// transaction, the copy holds that transaction, and CompactStats.Repaired
// says so.
func Compact(path string, o Options) (CompactStats, error) {
	return CompactContext(context.Background(), path, o)
}

// CompactContext is Compact, stopped once ctx is done (a signal): between
// its stages, and within the copy at its next transaction (a few hundred
// milliseconds). A stopped compaction removes its copy and leaves the
// database as it was: "compact stopped (…): the database is as it was".
// Before, a signal left it copying to the end (15 s for a 766 MB file)
// and then replacing the file, as if nothing had asked it to stop.
func CompactContext(ctx context.Context, path string, o Options) (CompactStats, error) {
	if err := lookAt(path, true); err != nil {
		return CompactStats{}, fmt.Errorf("compact: %w", err)
	}
	o.ReadOnly, o.metaDamageOK = false, true
	src, err := Open(path, o)
	if err != nil {
		return CompactStats{}, err
	}
	defer src.Close()
	return src.compact(ctx)
}

// compactStopped is a compaction's error once ctx is done.
func compactStopped(ctx context.Context) error {
	return fmt.Errorf("compact stopped (%w): the database is as it was", context.Cause(ctx))
}

// compact does Compact's work on a store opened for writing.
func (s *Store) compact(ctx context.Context) (CompactStats, error) {
	path := s.path
	st := CompactStats{Path: path}
	fi, err := os.Stat(path)
	if err != nil {
		return st, fmt.Errorf("compact: %w", err)
	}
	st.Before = fi.Size()
	problems, err := s.Check()
	if err != nil {
		return st, fmt.Errorf("compact: %w", err)
	}
	var records []Problem
	for _, p := range problems {
		if p.Bucket == "" && strings.HasPrefix(p.Detail, "meta page ") {
			st.Repaired, _, _ = strings.Cut(p.Detail, " (`llmref compact`")
			continue
		}
		records = append(records, p)
	}
	if len(records) > 0 {
		return st, fmt.Errorf("compact: database %s has %d problems, the first: %s: not copied, left as it was (llmref check lists them; restore a backup)", path, len(records), records[0])
	}
	if ctx.Err() != nil {
		return st, compactStopped(ctx)
	}

	// Copies a killed compaction left behind: we hold the writer lock, so
	// no other compaction is writing them.
	pattern := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".compact-*")
	if stale, err := filepath.Glob(pattern); err == nil {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".compact-*")
	if err != nil {
		return st, fmt.Errorf("compact: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	done := false
	defer func() {
		if !done {
			os.Remove(tmpPath)
		}
	}()
	if err := os.Chmod(tmpPath, fi.Mode().Perm()); err != nil {
		return st, fmt.Errorf("compact: %w", err)
	}
	dst, err := bolt.Open(tmpPath, fi.Mode().Perm(), &bolt.Options{FreelistType: bolt.FreelistMapType, PageSize: newFilePageSize})
	if err != nil {
		return st, fmt.Errorf("compact: new file: %w", err)
	}
	// The copy stops at its next transaction once ctx is done: closing
	// the new file waits for the one under way, and the copy's next one
	// finds the file closed.
	copied := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			dst.Close()
		case <-copied:
		}
	}()
	err = s.guard(func() error { return bolt.Compact(dst, s.db, compactTxMaxSize) })
	close(copied)
	if ctx.Err() != nil {
		dst.Close()
		return st, compactStopped(ctx)
	}
	if err != nil {
		dst.Close()
		return st, fmt.Errorf("compact: copy: %w", err)
	}
	var copyProblems []error
	_ = dst.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			copyProblems = append(copyProblems, err)
		}
		return nil
	})
	if err := dst.Close(); err != nil {
		return st, fmt.Errorf("compact: close new file: %w", err)
	}
	if len(copyProblems) > 0 {
		return st, fmt.Errorf("compact: the copy fails its check, database left as it was: %w", errors.Join(copyProblems...))
	}
	if err := syncFile(tmpPath); err != nil {
		return st, fmt.Errorf("compact: flush: %w", err)
	}
	if ctx.Err() != nil { // the last moment to stop: after it, the file is replaced
		return st, compactStopped(ctx)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return st, fmt.Errorf("compact: replace: %w", err)
	}
	done = true
	if err := syncFile(filepath.Dir(path)); err != nil {
		return st, fmt.Errorf("compact: flush folder: %w", err)
	}
	if fi, err := os.Stat(path); err == nil {
		st.After = fi.Size()
	}
	return st, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// openBolt opens the bbolt file at path, waiting up to o.Timeout for the
// lock. Compact replaces the file by a rename while it holds the lock, so a
// process that opened the old file and waited for its lock would then hold
// a file nobody will read again, and write into it: when the path no longer
// names the file that was locked, open it again.
func openBolt(path string, o Options) (*bolt.DB, error) {
	bo := &bolt.Options{Timeout: o.Timeout, ReadOnly: o.ReadOnly, FreelistType: bolt.FreelistMapType, InitialMmapSize: initialMmapSize, PageSize: newFilePageSize}
	for attempt := 0; ; attempt++ {
		before, statErr := os.Stat(path)
		db, err := guardedOpen(path, bo)
		if err != nil || statErr != nil || attempt >= 3 {
			return db, err
		}
		after, err := os.Stat(path)
		if err == nil && os.SameFile(before, after) {
			return db, nil
		}
		db.Close()
	}
}

// guardedOpen is bolt.Open with its panics and faults made errors: opening
// for writing reads the freelist, and a file that changed since Open
// checked it could make that fail. The file bbolt opened (and locked) is
// closed then, so the lock goes with it; bbolt's mapping cannot be undone.
func guardedOpen(path string, bo *bolt.Options) (db *bolt.DB, err error) {
	var opened *os.File
	o := *bo
	o.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		opened = f
		return f, err
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if opened != nil {
				opened.Close()
			}
			db, err = nil, (&Store{path: path}).damagedAtOpen(recovered(r))
		}
	}()
	return bolt.Open(path, 0o644, &o)
}

// newFilePageSize is the page size of a file the store creates (a file
// keeps the page size it was made with). bbolt writes a transaction's
// dirty pages one write call each, and a catalogue record (2-4 KB) fills
// a 4 KB page badly: with 16 KB pages a first 8,000-page refresh makes a
// quarter of the write calls, and its file is 7% smaller.
const newFilePageSize = 16 << 10

// initialMmapSize is the address space bbolt maps at open (not memory: the
// file is mapped, not read). A write transaction that grows the file past
// the mapping must remap it, which copies every node the transaction holds
// (measured: a sixth of committing 100k facts); mapping 1 GiB up front
// makes that rare. Readers never block a remap they no longer cause.
// A 32-bit process keeps bbolt's default: its address space is too small.
const initialMmapSize = (1 << 30) * (strconv.IntSize / 64)
