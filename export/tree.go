// Package export writes the JSON tree downstream sites read: index.json,
// models.json, providers.json, offerings.json, unmatched.json and one file
// per model, with sorted keys and stable number formatting, so that the same
// data always gives the same bytes.
//
// A tree is published atomically: every generation is written into a
// directory of its own, unchanged files are hard-linked from the previous
// generation (same bytes, same modification time), and the output path is a
// symbolic link swapped onto the new generation with one rename. A reader
// sees the whole old tree or the whole new one, never half of each.
package export

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
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/llmref/llmref/internal/canonjson"
	"github.com/llmref/llmref/internal/filelock"
)

// SchemaVersion is the version of the exported tree's schema, written in
// index.json and every file but the change reports. Version 2: comparison
// records carry no retrieval times (they are in the model and offering
// files and freshness.json), so a night that changes no value rewrites no
// record.
const SchemaVersion = 2

// IndexFile is the tree's table of contents.
const IndexFile = "index.json"

// FileEntry lists one file of the tree in index.json.
type FileEntry struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
	Bytes  int    `json:"bytes"`
}

// Tree is one generation being written. Put every file, then Commit; Abort
// (or a crash) leaves the published tree as it was.
type Tree struct {
	out      string               // the published path (a symbolic link)
	gensDir  string               // where generations live
	dir      string               // this generation
	prevDir  string               // the published generation, if any
	prevRun  uint64               // its run, 0 when unknown
	prevSums map[string]FileEntry // the published index's entries, by path
	files    map[string]FileEntry
	written  int
	linked   int
	done     bool
	bulk     bulkState       // unlisted files, manifests and counts of bulk sections
	ctx      context.Context // bounds the generation (see WriteContext); nil: nothing does
	// lock is held from Begin to Commit or Abort: one generation of a
	// tree is built at a time (see beginContext).
	lock *filelock.Lock
}

// Begin starts a new generation of the tree published at out.
func Begin(out string) (*Tree, error) { return beginContext(context.Background(), out) }

// beginContext is Begin, waiting until ctx is done for another process's
// generation of the same tree to be committed or aborted: each process
// holds the tree's lock file (.NAME.lock beside it) from the start of its
// generation to its end. Two at once (cron's refresh and an operator's
// export, two overlapping crons) each pruned the other's generation: both
// said they had published, and the tree was a link to a folder no longer
// there.
func beginContext(ctx context.Context, out string) (t *Tree, err error) {
	out = filepath.Clean(out)
	parent, base := filepath.Dir(out), filepath.Base(out)
	if err := CheckFolder(out); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if _, err := examine(out); err != nil { // refused before anything is made beside it
		return nil, err
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	lock, err := filelock.Exclusive(ctx, filepath.Join(parent, "."+base+".lock"))
	if err != nil {
		return nil, fmt.Errorf("export: wait for another llmref publishing %s: %w", out, err)
	}
	defer func() {
		if err != nil {
			lock.Unlock()
		}
	}()
	t = &Tree{out: out, gensDir: filepath.Join(parent, "."+base+".generations"), files: map[string]FileEntry{}, prevSums: map[string]FileEntry{}, lock: lock}
	found, err := examine(out) // again, under the lock: what another process left is what counts
	if err != nil {
		return nil, err
	}
	switch {
	case found.link != "":
		t.prevDir = found.link
		t.loadPrevIndex()
	case found.emptyDir:
		if err := os.Remove(out); err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
	}
	if err := os.MkdirAll(t.gensDir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	t.dir, err = os.MkdirTemp(t.gensDir, "gen-")
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if err := os.Chmod(t.dir, 0o755); err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	return t, nil
}

// CheckFolder refuses a path a tree cannot be published at: one that
// names no folder of its own ('.', '..', the root), which the tree's link
// would have to replace.
func CheckFolder(out string) error {
	out = filepath.Clean(out)
	switch base := filepath.Base(out); {
	case base == "." || base == ".." || base == string(filepath.Separator) || filepath.Dir(out) == out:
		return fmt.Errorf("%s cannot be published to: name a folder of its own (it becomes a link to the tree)", out)
	}
	return nil
}

// target is what is at a tree's path: the generation its link names, an
// empty folder (made by hand, taken over), or nothing.
type target struct {
	link     string
	emptyDir bool
}

// examine says what is at out, refusing what a publish must not replace: a
// folder with files in it (llmref did not publish it), or a file.
func examine(out string) (target, error) {
	fi, err := os.Lstat(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return target{}, nil
	case err != nil:
		return target{}, fmt.Errorf("export: %w", err)
	case fi.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(out)
		if err != nil {
			return target{}, fmt.Errorf("export: %w", err)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(out), link)
		}
		return target{link: link}, nil
	case fi.IsDir():
		entries, err := os.ReadDir(out)
		if err != nil {
			return target{}, fmt.Errorf("export: %w", err)
		}
		if len(entries) > 0 {
			return target{}, fmt.Errorf("export: %s is a directory llmref did not publish; remove it or choose another --out", out)
		}
		return target{emptyDir: true}, nil
	}
	return target{}, fmt.Errorf("export: %s exists and is not an export tree", out)
}

func (t *Tree) loadPrevIndex() {
	b, err := os.ReadFile(filepath.Join(t.prevDir, IndexFile))
	if err != nil {
		return
	}
	var idx struct {
		Run   uint64      `json:"run"`
		Files []FileEntry `json:"files"`
	}
	if json.Unmarshal(b, &idx) != nil {
		return
	}
	t.prevRun = idx.Run
	for _, f := range idx.Files {
		t.prevSums[f.Path] = f
	}
}

// publishedRun is the run of the tree published at out; 0 when there is
// none or its index does not read.
func publishedRun(out string) uint64 {
	b, err := os.ReadFile(filepath.Join(out, IndexFile))
	if err != nil {
		return 0
	}
	var idx struct {
		Run uint64 `json:"run"`
	}
	if json.Unmarshal(b, &idx) != nil {
		return 0
	}
	return idx.Run
}

// PutJSON writes v as canonical JSON at rel (a slash path inside the tree).
func (t *Tree) PutJSON(rel string, v any) error {
	data, err := Canonical(v)
	if err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	return t.Put(rel, data)
}

// mayList says why a file cannot be listed at rel in this generation (the
// generation is over or stopped, the path is bad or taken), or nil.
func (t *Tree) mayList(rel string) error {
	if t.done {
		return errors.New("export: tree already committed or aborted")
	}
	if err := t.stopped(); err != nil {
		return err
	}
	if !fs.ValidPath(rel) || rel == "." || rel == IndexFile {
		return fmt.Errorf("export: bad file path %q", rel)
	}
	if _, dup := t.files[rel]; dup {
		return fmt.Errorf("export: %s written twice", rel)
	}
	return nil
}

// Put writes data at rel. A file whose bytes equal the published one is
// hard-linked instead, keeping its modification time.
func (t *Tree) Put(rel string, data []byte) error {
	if err := t.mayList(rel); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	hexsum := hex.EncodeToString(sum[:])
	dst := filepath.Join(t.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	t.files[rel] = FileEntry{Path: rel, SHA256: hexsum, Bytes: len(data)}
	if t.prevSums[rel].SHA256 == hexsum {
		// Linked only when the published file holds these bytes: the index
		// says what it held, and a file damaged since (or edited by hand)
		// would otherwise be linked into every generation after.
		prev := filepath.Join(t.prevDir, filepath.FromSlash(rel))
		if b, err := os.ReadFile(prev); err == nil && bytes.Equal(b, data) && os.Link(prev, dst) == nil {
			t.linked++
			return nil
		}
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	t.written++
	return nil
}

// Keep lists the published generation's file at rel in this one, as the
// published index listed it, hard-linking it in (same bytes, same
// modification time) without its bytes being made again: for a section
// that knows the file would come out the same, its inputs unchanged. It
// fails, keeping nothing, when the published index does not list rel, or
// its file is gone, no longer holds what the index says (damaged, edited
// by hand) or cannot be linked; the caller then puts the file.
func (t *Tree) Keep(rel string) error {
	if err := t.mayList(rel); err != nil {
		return err
	}
	prev, ok := t.prevSums[rel]
	if !ok {
		return fmt.Errorf("export %s: not in the published tree: %w", rel, fs.ErrNotExist)
	}
	src := filepath.Join(t.prevDir, filepath.FromSlash(rel))
	if err := sameAsListed(src, prev); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	dst := filepath.Join(t.dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	if err := os.Link(src, dst); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	t.files[rel] = prev
	t.linked++
	return nil
}

// copyBufs are sameAsListed's read buffers.
var copyBufs = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// sameAsListed checks that the file at path holds what entry lists: its
// size and SHA-256.
func sameAsListed(path string, entry FileEntry) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	buf := copyBufs.Get().(*[]byte)
	defer copyBufs.Put(buf)
	n, err := io.CopyBuffer(h, struct{ io.Reader }{f}, *buf) // hidden WriterTo: it would copy through a buffer of its own
	if err != nil {
		return err
	}
	if n != int64(entry.Bytes) || hex.EncodeToString(h.Sum(nil)) != entry.SHA256 {
		return errors.New("the published file is not what its index lists")
	}
	return nil
}

// Files lists the files put so far, in path order.
func (t *Tree) Files() []FileEntry {
	out := make([]FileEntry, 0, len(t.files))
	for _, f := range t.files {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Stats are what a commit wrote.
type Stats struct {
	Dir       string `json:"dir"`
	Files     int    `json:"files"`
	Written   int    `json:"written"`
	Unchanged int    `json:"unchanged"`
	// Superseded is the newer run another process published at Dir while
	// this publish waited for it (see WriteContext): nothing was written.
	Superseded uint64 `json:"superseded,omitempty"`
}

// Commit writes index.json (made by index from the files put), flushes the
// generation to disk and swaps the published link onto it. Generations older
// than the one it replaces are removed.
func (t *Tree) Commit(index func(files []FileEntry) any) (Stats, error) {
	if t.done {
		return Stats{}, errors.New("export: tree already committed or aborted")
	}
	if err := t.stopped(); err != nil {
		t.Abort()
		return Stats{}, err
	}
	data, err := Canonical(index(t.Files()))
	if err != nil {
		t.Abort()
		return Stats{}, fmt.Errorf("export index: %w", err)
	}
	if bytes.Equal(data, t.prevIndex()) {
		if err := os.Link(filepath.Join(t.prevDir, IndexFile), filepath.Join(t.dir, IndexFile)); err != nil {
			err = os.WriteFile(filepath.Join(t.dir, IndexFile), data, 0o644)
			if err != nil {
				t.Abort()
				return Stats{}, fmt.Errorf("export index: %w", err)
			}
			t.written++
		} else {
			t.linked++
		}
	} else {
		if err := os.WriteFile(filepath.Join(t.dir, IndexFile), data, 0o644); err != nil {
			t.Abort()
			return Stats{}, fmt.Errorf("export index: %w", err)
		}
		t.written++
	}
	if err := syncTree(t.dir); err != nil {
		t.Abort()
		return Stats{}, fmt.Errorf("export: flush: %w", err)
	}
	rel, err := filepath.Rel(filepath.Dir(t.out), t.dir)
	if err != nil {
		t.Abort()
		return Stats{}, fmt.Errorf("export: %w", err)
	}
	tmpLink := t.out + ".swap"
	_ = os.Remove(tmpLink)
	if err := os.Symlink(rel, tmpLink); err != nil {
		t.Abort()
		return Stats{}, fmt.Errorf("export: %w", err)
	}
	if err := os.Rename(tmpLink, t.out); err != nil {
		os.Remove(tmpLink)
		t.Abort()
		return Stats{}, fmt.Errorf("export: publish: %w", err)
	}
	if d, err := os.Open(filepath.Dir(t.out)); err == nil {
		d.Sync()
		d.Close()
	}
	t.done = true
	t.prune()
	t.lock.Unlock()
	bw, bl := int(t.bulk.written.Load()), int(t.bulk.linked.Load())
	return Stats{Dir: t.out, Files: len(t.files) + 1 + bw + bl, Written: t.written + bw, Unchanged: t.linked + bl}, nil
}

func (t *Tree) prevIndex() []byte {
	if t.prevDir == "" {
		return nil
	}
	b, _ := os.ReadFile(filepath.Join(t.prevDir, IndexFile))
	return b
}

// Abort removes the unpublished generation.
func (t *Tree) Abort() {
	if t.done {
		return
	}
	t.done = true
	os.RemoveAll(t.dir)
	t.lock.Unlock()
}

// prune removes generations other than the new one and the one it replaced
// (a reader may still be inside that one).
func (t *Tree) prune() {
	entries, err := os.ReadDir(t.gensDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		p := filepath.Join(t.gensDir, e.Name())
		if !strings.HasPrefix(e.Name(), "gen-") || p == t.dir || p == filepath.Clean(t.prevDir) {
			continue // only generations: nothing else an operator put there
		}
		os.RemoveAll(p)
	}
}

// Canonical encodes v as JSON with sorted keys, two-space indentation, no
// HTML escaping and numbers exactly as their types wrote them, ending in a
// newline: the same value always gives the same bytes.
func Canonical(v any) ([]byte, error) { return canonjson.Marshal(v) }

// CanonicalCompact encodes v as Canonical does, without the indentation and
// the final newline (see canonjson.Compact).
func CanonicalCompact(v any) ([]byte, error) { return canonjson.Compact(v) }

// ModelFile is the tree path of a model's file.
func ModelFile(id string) string { return path.Join("models", fileStem(id)+".json") }

func fileStem(id string) string { return strings.Replace(id, "/", "--", 1) }
