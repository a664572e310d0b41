package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/export"
)

// ObjectStore holds a tree published beyond this machine (an S3 bucket
// under a prefix; see objstore.Bucket). Keys are slash paths relative to
// the tree's prefix; a missing object is fs.ErrNotExist.
type ObjectStore interface {
	// Put stores size bytes of body at key.
	Put(ctx context.Context, key string, body io.Reader, size int64, contentType, cacheControl string) error
	// Get opens the object at key.
	Get(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the objects at keys (a missing one is no error).
	Delete(ctx context.Context, keys []string) error
	// List names what is directly under dir: objects, and folders
	// ending in "/".
	List(ctx context.Context, dir string) ([]string, error)
	// String names the store (s3://BUCKET/PREFIX).
	String() string
}

// The remote tree's layout. S3 has no rename, so a generation becomes
// visible all at once only through immutable objects and one small
// pointer written last:
//
//	current.json                    the pointer (Pointer): the generation and its index
//	generations/<gen>/index.json    the generation's index.json, as exported
//	generations/<gen>/delta.json    the objects it adds and drops against its base
//	objects/<h[:2]>/<h><ext>        every file of the tree by its SHA-256 h (and
//	                                extension): immutable, shared by generations
//
// A reader gets current.json, then its index, then each file it wants at
// ObjectKey(sha256, path) of its entry in the index (or in a manifest the
// index lists, itself such a file). Unchanged bytes keep their key, so a
// generation uploads only the files whose bytes changed.
const (
	PointerFile    = "current.json"
	PointerVersion = 1
	generationsDir = "generations/"
	objectsDir     = "objects/"
	deltaFile      = "delta.json"

	// CacheImmutable is the Cache-Control of every object but the
	// pointer: its key names its bytes, which never change.
	CacheImmutable = "public, max-age=31536000, immutable"
	// CachePointer is the pointer's: caches may keep it a minute.
	CachePointer = "public, max-age=60"
)

// Pointer is current.json, the one object a reader starts from.
type Pointer struct {
	SchemaVersion int `json:"schema_version"`
	// Generation names the published generation.
	Generation string `json:"generation"`
	// Index is the key (relative to the tree's prefix) of its index.json,
	// and IndexSHA256 that file's hash.
	Index       string `json:"index"`
	IndexSHA256 string `json:"index_sha256"`
	// Objects is the folder of the tree's files (see ObjectKey).
	Objects     string    `json:"objects"`
	PublishedAt time.Time `json:"published_at"`
	// Run is the run the generation publishes.
	Run uint64 `json:"run"`
	// Generations are the published generations still stored, newest
	// (this one) first: what pruning reads.
	Generations []GenerationRef `json:"generations"`
}

// GenerationRef is one published generation.
type GenerationRef struct {
	Generation  string    `json:"generation"`
	PublishedAt time.Time `json:"published_at"`
}

// ObjectKey is the key of the file at the tree path p with the given
// SHA-256 (hex): objects/<first two digits>/<digits><extension of p>.
func ObjectKey(sum, p string) string {
	if len(sum) < 2 {
		return objectsDir + sum + path.Ext(p)
	}
	return objectsDir + sum[:2] + "/" + sum + path.Ext(p)
}

// IndexKey is the key of a generation's index.json.
func IndexKey(gen string) string { return generationsDir + gen + "/" + export.IndexFile }

func deltaKey(gen string) string { return generationsDir + gen + "/" + deltaFile }

// Remote publishes the tree to object storage: each generation, built
// locally by the export, is synced to the store (see the layout above).
type Remote struct {
	// Store is where the tree goes.
	Store ObjectStore
	// Keep is how many published generations are kept (at least 1;
	// default 3); older ones are pruned once Grace has passed since they
	// were replaced, so a reader that has just read an old pointer can
	// still finish.
	Keep  int
	Grace time.Duration
	// Parallelism bounds the requests in flight; default 16.
	Parallelism int
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Logger receives what was synced and pruned; nil discards it.
	Logger *slog.Logger
}

// Default remote settings.
const (
	DefaultKeep        = 3
	DefaultGrace       = time.Hour
	DefaultParallelism = 16
)

func (r *Remote) keep() int {
	if r.Keep < 1 {
		return DefaultKeep
	}
	return r.Keep
}

func (r *Remote) parallelism() int {
	if r.Parallelism < 1 {
		return DefaultParallelism
	}
	return r.Parallelism
}

func (r *Remote) now() time.Time {
	if r.Now == nil {
		return time.Now().UTC()
	}
	return r.Now().UTC()
}

func (r *Remote) log() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

// RemoteStats say what a sync did.
type RemoteStats struct {
	// Location is the store (s3://BUCKET/PREFIX); Generation the one
	// the pointer names afterwards.
	Location   string `json:"location"`
	Generation string `json:"generation"`
	// Published is whether a new generation was published; false when
	// the store already published these bytes.
	Published bool `json:"published"`
	// Files are the tree's files (index.json included); Uploaded those
	// whose bytes were sent (the rest were in the store already).
	Files    int `json:"files"`
	Uploaded int `json:"uploaded"`
	// Requests are the objects put: the files uploaded, the generation's
	// delta and the pointer; Bytes what they held.
	Requests int   `json:"requests"`
	Bytes    int64 `json:"bytes"`
	// Pruned are the generations pruned and Deleted the objects deleted.
	Pruned  int `json:"pruned"`
	Deleted int `json:"deleted"`
}

// Sync publishes the generation built at dir: the files whose bytes the
// store's published generation lacks, the generation's delta and index,
// then the pointer, last. prev is the local generation dir replaced (""
// when none): when it is what the store publishes, its listing says what
// the store holds without downloading it. Then old generations are pruned.
// A sync cut short (a crash, a kill) leaves the store's readers on the
// generation published before.
func (r *Remote) Sync(ctx context.Context, dir, prev string, run catalog.Run) (RemoteStats, error) {
	st := RemoteStats{Location: r.Store.String()}
	fail := func(err error) (RemoteStats, error) {
		return st, fmt.Errorf("publish %s: %w", r.Store, err)
	}
	cur, err := localListing(dir)
	if err != nil {
		return fail(err)
	}
	st.Files = cur.files
	ptr, err := r.readPointer(ctx)
	if err != nil {
		return fail(err)
	}
	gens, err := r.generations(ctx)
	if err != nil {
		return fail(err)
	}
	if ptr != nil && ptr.IndexSHA256 == cur.indexSum {
		st.Generation = ptr.Generation
		r.log().Info("published tree unchanged", "location", st.Location, "generation", ptr.Generation)
		r.prune(ctx, ptr, gens, cur, &st)
		return st, nil
	}

	base := &treeListing{blobs: map[blobID]string{}}
	baseGen := ""
	if ptr != nil {
		baseGen = ptr.Generation
		if base, err = r.baseListing(ctx, ptr, prev); err != nil {
			return fail(fmt.Errorf("read the published generation %s (remove %s to publish afresh): %w", ptr.Generation, PointerFile, err))
		}
	}
	now := r.now()
	gen := generationName(now, cur.indexSum, gens)
	d := delta{SchemaVersion: PointerVersion, Generation: gen, Base: baseGen, CreatedAt: now, Added: []string{}, Removed: []string{}}
	var upload []blobID
	for b := range cur.blobs {
		if _, ok := base.blobs[b]; !ok {
			upload = append(upload, b)
			d.Added = append(d.Added, b.key())
		}
	}
	for b := range base.blobs {
		if _, ok := cur.blobs[b]; !ok {
			d.Removed = append(d.Removed, b.key())
		}
	}
	slices.Sort(d.Added)
	slices.Sort(d.Removed)
	slices.SortFunc(upload, func(a, b blobID) int { return strings.Compare(a.key(), b.key()) })

	// The delta first: whatever this sync uploads is listed in it, so a
	// sync cut short leaves nothing that pruning cannot find.
	if err := r.putJSON(ctx, deltaKey(gen), d, &st); err != nil {
		return fail(err)
	}
	if err := r.upload(ctx, dir, cur, upload, &st); err != nil {
		return fail(err)
	}
	if err := r.put(ctx, IndexKey(gen), cur.index, CacheImmutable, &st); err != nil {
		return fail(err)
	}
	st.Uploaded = len(upload) + 1
	next := Pointer{SchemaVersion: PointerVersion, Generation: gen, Index: IndexKey(gen), IndexSHA256: cur.indexSum,
		Objects: objectsDir, PublishedAt: now, Run: run.ID, Generations: []GenerationRef{{Generation: gen, PublishedAt: now}}}
	if ptr != nil {
		for _, g := range ptr.Generations {
			if gens[g.Generation] {
				next.Generations = append(next.Generations, g)
			}
		}
	}
	data, err := export.Canonical(next)
	if err != nil {
		return fail(err)
	}
	if err := r.put(ctx, PointerFile, data, CachePointer, &st); err != nil {
		return fail(err)
	}
	st.Generation, st.Published = gen, true
	gens[gen] = true
	r.log().Info("published tree", "location", st.Location, "generation", gen, "files", st.Files,
		"uploaded", st.Uploaded, "requests", st.Requests, "bytes", st.Bytes)
	r.prune(ctx, &next, gens, cur, &st)
	return st, nil
}

// generationName names a new generation by its time and index hash, so
// names sort by age; a name taken already gets a suffix.
func generationName(at time.Time, indexSum string, taken map[string]bool) string {
	name := at.Format("20060102T150405Z") + "-" + indexSum[:12]
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%s-%d", at.Format("20060102T150405Z"), indexSum[:12], i)
	}
	return name
}

// readPointer reads current.json; nil when the store has none.
func (r *Remote) readPointer(ctx context.Context) (*Pointer, error) {
	var p Pointer
	if err := r.getJSON(ctx, PointerFile, &p); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if p.SchemaVersion != PointerVersion {
		return nil, fmt.Errorf("%s: schema_version %d, this llmref writes %d", PointerFile, p.SchemaVersion, PointerVersion)
	}
	if p.Generation == "" || p.Index != IndexKey(p.Generation) || len(p.IndexSHA256) != 64 {
		return nil, fmt.Errorf("%s: names no generation and index this llmref wrote", PointerFile)
	}
	return &p, nil
}

// generations lists the generations stored (complete or not).
func (r *Remote) generations(ctx context.Context) (map[string]bool, error) {
	names, err := r.Store.List(ctx, strings.TrimSuffix(generationsDir, "/"))
	if err != nil {
		return nil, err
	}
	gens := map[string]bool{}
	for _, n := range names {
		if g, ok := strings.CutPrefix(n, generationsDir); ok && strings.HasSuffix(g, "/") {
			gens[strings.TrimSuffix(g, "/")] = true
		}
	}
	return gens, nil
}

// maxDocument bounds a JSON document read from the store into memory
// (the pointer, a delta); manifests are streamed.
const maxDocument = 1 << 30

func (r *Remote) getJSON(ctx context.Context, key string, v any) error {
	data, err := r.fetch(ctx, key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return nil
}

func (r *Remote) putJSON(ctx context.Context, key string, v any, st *RemoteStats) error {
	data, err := export.Canonical(v)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	return r.put(ctx, key, data, CacheImmutable, st)
}

func (r *Remote) put(ctx context.Context, key string, data []byte, cache string, st *RemoteStats) error {
	if err := r.Store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), contentType(key), cache); err != nil {
		return err
	}
	st.Requests++
	st.Bytes += int64(len(data))
	return nil
}

func contentType(key string) string {
	ext := path.Ext(key)
	if ext == ".json" {
		return "application/json"
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// upload puts the files of blobs, read from the local tree at dir, on
// Parallelism workers; the first error stops the rest.
func (r *Remote) upload(ctx context.Context, dir string, cur *treeListing, blobs []blobID, st *RemoteStats) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	jobs := make(chan blobID)
	var wg sync.WaitGroup
	var sent, nbytes atomic.Int64
	for range min(r.parallelism(), max(len(blobs), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				n, err := r.uploadOne(ctx, dir, cur.blobs[b], b)
				if err != nil {
					cancel(err)
					continue
				}
				sent.Add(1)
				nbytes.Add(n)
			}
		}()
	}
feed:
	for _, b := range blobs {
		select {
		case jobs <- b:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	st.Requests += int(sent.Load())
	st.Bytes += nbytes.Load()
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// uploadOne puts one file, after checking that its bytes are still those
// the listing names (a damaged cache must not publish under a wrong key).
func (r *Remote) uploadOne(ctx context.Context, dir, rel string, b blobID) (int64, error) {
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		return 0, err
	}
	if sha256.Sum256(data) != b.sum {
		return 0, fmt.Errorf("%s: the local tree's file no longer has the bytes its index lists", rel)
	}
	if err := r.Store.Put(ctx, b.key(), bytes.NewReader(data), int64(len(data)), contentType(rel), CacheImmutable); err != nil {
		return 0, err
	}
	return int64(len(data)), nil
}

// delta is generations/<gen>/delta.json: the objects of the generation
// that its base (the generation published when it was made) lacks, and
// those of the base it lacks. Pruning walks the deltas instead of
// reading every generation's listing.
type delta struct {
	SchemaVersion int       `json:"schema_version"`
	Generation    string    `json:"generation"`
	Base          string    `json:"base"`
	CreatedAt     time.Time `json:"created_at"`
	Added         []string  `json:"added"`
	Removed       []string  `json:"removed"`
}

// blobID is an object of the tree: the SHA-256 of its bytes and the
// extension of its path.
type blobID struct {
	sum [32]byte
	ext string
}

func (b blobID) key() string {
	h := hex.EncodeToString(b.sum[:])
	return objectsDir + h[:2] + "/" + h + b.ext
}

func newBlobID(e export.FileEntry) (blobID, error) {
	var b blobID
	raw, err := hex.DecodeString(e.SHA256)
	if err != nil || len(raw) != 32 {
		return b, fmt.Errorf("%s: bad sha256 %q", e.Path, e.SHA256)
	}
	copy(b.sum[:], raw)
	if b.ext = path.Ext(e.Path); b.ext == ".json" {
		b.ext = ".json" // one string for all, not a slice of each path
	}
	return b, nil
}

// treeListing is what a generation holds: its index and every object of
// its files.
type treeListing struct {
	index    []byte
	indexSum string
	files    int // the files, index.json included
	// blobs maps each object to a tree path with those bytes.
	blobs map[blobID]string
}

// listTree reads a generation's listing from its index and the manifests
// it names, opened through open.
func listTree(index []byte, open func(e export.FileEntry) (io.ReadCloser, error)) (*treeListing, error) {
	sum := sha256.Sum256(index)
	t := &treeListing{index: index, indexSum: hex.EncodeToString(sum[:]), files: 1, blobs: map[blobID]string{}}
	var idx export.Index
	if err := json.Unmarshal(index, &idx); err != nil {
		return nil, fmt.Errorf("%s: %w", export.IndexFile, err)
	}
	add := func(e export.FileEntry) error {
		b, err := newBlobID(e)
		if err != nil {
			return err
		}
		t.files++
		if _, dup := t.blobs[b]; !dup {
			t.blobs[b] = e.Path
		}
		return nil
	}
	byPath := map[string]export.FileEntry{}
	for _, e := range idx.Files {
		if err := add(e); err != nil {
			return nil, err
		}
		byPath[e.Path] = e
	}
	for _, m := range idx.Manifests {
		e, ok := byPath[m]
		if !ok {
			return nil, fmt.Errorf("%s: names manifest %s, which it does not list", export.IndexFile, m)
		}
		rc, err := open(e)
		if err != nil {
			return nil, err
		}
		err = export.ReadManifest(rc, add, nil)
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m, err)
		}
	}
	return t, nil
}

// localListing lists the local generation at dir.
func localListing(dir string) (*treeListing, error) {
	index, err := os.ReadFile(filepath.Join(dir, export.IndexFile))
	if err != nil {
		return nil, err
	}
	return listTree(index, localOpener(dir))
}

// localOpener opens the files of the local generation at dir.
func localOpener(dir string) func(e export.FileEntry) (io.ReadCloser, error) {
	return func(e export.FileEntry) (io.ReadCloser, error) {
		return os.Open(filepath.Join(dir, filepath.FromSlash(e.Path)))
	}
}

// baseListing lists the generation ptr publishes: from the local
// generation prev when it is that one (same index bytes), else from the
// store.
func (r *Remote) baseListing(ctx context.Context, ptr *Pointer, prev string) (*treeListing, error) {
	if prev != "" {
		index, err := os.ReadFile(filepath.Join(prev, export.IndexFile))
		if sum := sha256.Sum256(index); err == nil && hex.EncodeToString(sum[:]) == ptr.IndexSHA256 {
			return listTree(index, localOpener(prev))
		}
	}
	index, err := r.fetch(ctx, ptr.Index)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(index); hex.EncodeToString(sum[:]) != ptr.IndexSHA256 {
		return nil, fmt.Errorf("%s: not the index %s names", ptr.Index, PointerFile)
	}
	r.log().Info("reading the published generation's listing from the store", "location", r.Store.String(), "generation", ptr.Generation)
	return listTree(index, func(e export.FileEntry) (io.ReadCloser, error) {
		return r.Store.Get(ctx, ObjectKey(e.SHA256, e.Path))
	})
}
