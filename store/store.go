// Package store keeps llmref's state in one bbolt file: runs, the pages each
// source read with their raw bodies (content-addressed), the published
// catalogue (models, offerings, unmatched ids) and every offering's price
// history. One process writes at a time; everything a run writes is
// committed in one transaction.
package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"
	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the version of the bucket layout this code writes.
const SchemaVersion = 5

// readableFrom is the oldest layout this code reads without migrating it
// first (a read-only open): version 3 differs only in its plain change
// sets, version 4 in its page lists, all kept whole, which still read.
const readableFrom = 3

// ErrLocked reports that another process holds the database.
var ErrLocked = errors.New("database is in use by another llmref process")

// ErrNotFound reports a missing record.
var ErrNotFound = errors.New("not found")

// Buckets.
var (
	bMeta      = []byte("meta")
	bRuns      = []byte("runs")      // run id (u64 BE) → catalog.Run
	bRunPages  = []byte("run_pages") // run id (u64 BE) → []pageRef: what each run read, for rebuild
	bPages     = []byte("pages")     // url → catalog.Page (current record, without its observations or check time: see pages.go)
	bBodies    = []byte("bodies")    // sha256 hex → gzip(body)
	bModels    = []byte("models")    // model id → catalog.Model (published)
	bOfferings = []byte("offerings") // offering key → catalog.Offering (published)
	bUnmatched = []byte("unmatched") // "all" → []catalog.Unmatched
	bHistory   = []byte("history")   // offering key \x00 run id (u64 BE) → catalog.PricePoint
	keySchema  = []byte("schema_version")
)

// buckets are every bucket the store uses. Each file of this package
// registers the buckets it owns; Open creates any that are missing.
var buckets = [][]byte{bMeta, bRuns, bRunPages, bPages, bBodies, bModels, bOfferings, bUnmatched, bHistory}

// registerBuckets adds buckets that Open must create (call from init).
func registerBuckets(names ...[]byte) { buckets = append(buckets, names...) }

// Options tune Open.
type Options struct {
	// ReadOnly opens for reading only (a shared lock).
	ReadOnly bool
	// MustExist opens for writing a database that is already there: an
	// absent file fails (ErrNoDatabase) instead of being created. For the
	// commands that change a catalogue (approve, reject, mark-reviewed,
	// rebuild): a mistyped --db must not leave a new empty database behind.
	MustExist bool
	// Timeout is how long to wait for another process's lock before
	// failing with ErrLocked; default 2s.
	Timeout time.Duration

	// metaDamageOK opens a file whose only damage is one meta page (bbolt
	// reads the other): for Compact, which rewrites it.
	metaDamageOK bool
}

// Store is an open llmref database.
type Store struct {
	db   *bolt.DB
	path string
	// created is set when Open created the file: every record in it was
	// written by this store (see checkBeforeCommit).
	created bool
	// trim paces the trims of bbolt's map (see mapped.go).
	trim mapTrim
}

// Open opens (creating if needed, unless read-only) the database at path and
// migrates it to SchemaVersion. A database held by another process fails
// within the timeout with ErrLocked.
//
// Before bbolt maps the file, Open checks its structure without mapping it
// (see integrity.go): a file shorter than its meta page says fails with
// ErrTruncated, a damaged one with a *CorruptError (ErrCorrupt) naming the
// first damaged page. Nothing reads or writes a damaged file through bbolt.
func Open(path string, o Options) (*Store, error) {
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second
	}
	if err := lookAt(path, o.ReadOnly || o.MustExist); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if !o.ReadOnly && !o.MustExist {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("open database: %w", err)
		}
	}
	created, err := checkBeforeOpen(path, o)
	if err != nil {
		return nil, err
	}
	noteFileFloor()              // see mapped.go
	db, err := openBolt(path, o) // see compact.go: the file may be replaced while we wait
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open database %s: %w", path, ErrLocked)
		}
		if errors.Is(err, ErrTruncated) || errors.Is(err, ErrCorrupt) {
			return nil, err
		}
		if !o.ReadOnly && (errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)) {
			// The file read sound (its walk above); it cannot be written:
			// a read-only mount, a file of another user.
			return nil, fmt.Errorf("open database %s for writing: %w", path, err)
		}
		return nil, fmt.Errorf("open database %s: not a readable llmref database: %w", path, err)
	}
	s := &Store{db: db, path: path, created: created && !o.ReadOnly}
	if o.ReadOnly {
		if err := s.checkVersion(); err != nil {
			db.Close()
			return nil, err
		}
		return s, nil
	}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// ErrNoDatabase is returned (wrapped) when a command that reads or
// changes a catalogue finds no database file where it looks; the error is
// fs.ErrNotExist too.
var ErrNoDatabase = errors.New("no database")

// noDatabase is ErrNoDatabase for one path, saying what creates one.
type noDatabase struct {
	path string
	err  error // the stat's
}

func (e *noDatabase) Error() string {
	return fmt.Sprintf("no database at %s (run `llmref refresh` or `llmref demo` first)", e.path)
}

func (e *noDatabase) Unwrap() []error { return []error{ErrNoDatabase, e.err} }

// lookAt checks what is at path before anything opens it: with
// mustExist, an absent file fails with ErrNoDatabase; a folder fails
// (bbolt read one as a file whose meta pages lie past its end, and the
// message sent the operator to a backup for a mistyped --db); a path that
// cannot be looked at fails with the stat's error.
func lookAt(path string, mustExist bool) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if mustExist {
			return &noDatabase{path, err}
		}
		return nil
	case err != nil:
		return err
	case fi.IsDir():
		return fmt.Errorf("%s is a folder, not a database file (the database is a file: --db %s)", path, filepath.Join(path, "llmref.db"))
	}
	return nil
}

// checkBeforeOpen checks the structure of the file at path (an absent or
// empty one is fine: bbolt creates it, and created says so).
func checkBeforeOpen(path string, o Options) (created bool, err error) {
	st, res, err := checkUnopened(path, o.Timeout)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	case errors.Is(err, errNotBolt):
		return false, fmt.Errorf("open database %s: not a readable llmref database: %w", path, err)
	case errors.Is(err, ErrTruncated) || errors.Is(err, ErrCorrupt):
		return false, err
	case err != nil:
		return false, fmt.Errorf("open database %s: %w", path, err)
	}
	if st.size == 0 {
		return true, nil
	}
	if o.metaDamageOK {
		res = res.beyondMeta()
	}
	return false, res.err(path)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error {
	err := s.db.Close()
	if err == nil {
		s.markIfSound()
	}
	return err
}

func (s *Store) checkVersion() error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bMeta)
		if b == nil {
			return fmt.Errorf("database %s: empty (no llmref data yet)", s.path)
		}
		v := b.Get(keySchema)
		if len(v) != 8 {
			return fmt.Errorf("database %s: no schema version", s.path)
		}
		if n := binary.BigEndian.Uint64(v); n > SchemaVersion {
			return fmt.Errorf("database %s: schema version %d is newer than this llmref (%d)", s.path, n, SchemaVersion)
		} else if n < readableFrom {
			return fmt.Errorf("database %s: schema version %d needs migrating: open it once for writing (llmref refresh)", s.path, n)
		}
		return nil
	})
}

// migrations[i] upgrades a database from version i to i+1: data
// transformations. Buckets are created by Open whatever the version.
var migrations = map[uint64]func(tx *bolt.Tx) error{
	0: func(tx *bolt.Tx) error { return nil }, // version 1: the first layout
	1: splitPages,                             // version 2: pages apart from their observations
	2: checkedApart,                           // version 3: pages' check times apart from their records
	3: func(tx *bolt.Tx) error { return nil }, // version 4: change sets gzip-compressed (plain ones still read)
	// version 5: a run's page list kept as its difference from the last
	// full one (runpages.go; whole lists still read), and webhook
	// deliveries that count omitted changes. Nothing to rewrite: the
	// version keeps an older llmref, whose check would call the new
	// records damaged, from opening the file ("schema version 5 is newer
	// than this llmref").
	4: func(tx *bolt.Tx) error { return nil },
}

// migrate brings the database to SchemaVersion with every bucket. A
// database that is there already is only read: opening it costs no write
// transaction (and no fsync), which every command would otherwise pay.
func (s *Store) migrate() error {
	current := false
	err := s.view(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bMeta)
		if meta == nil {
			return nil
		}
		if raw := meta.Get(keySchema); len(raw) != 8 || binary.BigEndian.Uint64(raw) != SchemaVersion {
			return nil
		}
		for _, name := range buckets {
			if tx.Bucket(name) == nil {
				return nil
			}
		}
		current = true
		return nil
	})
	if err != nil || current {
		return err
	}
	return s.update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bMeta)
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		var v uint64
		if raw := meta.Get(keySchema); len(raw) == 8 {
			v = binary.BigEndian.Uint64(raw)
		}
		if v > SchemaVersion {
			return fmt.Errorf("database %s: schema version %d is newer than this llmref (%d)", s.path, v, SchemaVersion)
		}
		for _, name := range buckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		for ; v < SchemaVersion; v++ {
			if err := migrations[v](tx); err != nil {
				return fmt.Errorf("migrate schema %d → %d: %w", v, v+1, err)
			}
		}
		return meta.Put(keySchema, u64(SchemaVersion))
	})
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func putJSON(b *bolt.Bucket, key []byte, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	return b.Put(key, data)
}

// getJSON decodes a value; the bytes are only valid inside the transaction,
// and decoding copies them out.
func getJSON(b *bolt.Bucket, key []byte, v any) error {
	data := b.Get(key)
	if data == nil {
		return ErrNotFound
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("decode %s/%s: %w", "record", key, err)
	}
	return nil
}

// gzWriters are reused: a new gzip writer allocates and clears its
// compression tables, which cost more than compressing a 30 KB page. They
// are klauspost/compress's gzip: the same format as compress/gzip (which
// reads what it writes, and what older versions wrote) at about twice the
// speed at BestSpeed, measured on the benchmark site's 33 KB pages: 60 µs
// a page against 135 µs, 5.7 KB against 5.6 KB. Raw bodies are a tenth of
// a first refresh's CPU.
var gzWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed)
	return w
}}

func gz(body []byte) ([]byte, error) {
	buf := gzBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 { // a rare large body's buffer is not kept
			gzBuffers.Put(buf)
		}
	}()
	buf.Reset()
	w := gzWriters.Get().(*gzip.Writer)
	defer gzWriters.Put(w)
	w.Reset(buf)
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return bytes.Clone(buf.Bytes()), nil
}

// gzBuffers are gz's scratch buffers: a body is compressed into one and
// copied out at its compressed size, which a new buffer for each body
// (grown to a third of the body, then kept whole while the body waited
// for its batch) did not do: clearing those buffers' memory was a third
// of the cost of keeping a first refresh's bodies.
var gzBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func gunzip(data []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}
