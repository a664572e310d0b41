package export

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sync"
	"sync/atomic"
)

// Bulk sections (one comparison record per model pair: 499,500 files for
// 1,000 models) cannot list every file in index.json, nor hold their list in
// memory. They write their files unlisted (PutUnlisted, LinkUnlisted) and
// list them in a manifest of their own, streamed with Create and named by
// AddManifest: index.json lists the manifest with its hash under "files"
// and names it under "manifests"; the manifest's own "files" list every
// file it covers in index.json's form (path, sha256, bytes).

// bulkState is what bulk sections add to a generation.
type bulkState struct {
	mu        sync.Mutex
	counts    map[string]int
	manifests []string
	dirs      sync.Map // directories already made
	written   atomic.Int64
	linked    atomic.Int64
}

// PutUnlisted writes data at rel without listing it in index.json (a
// manifest lists it) and returns its entry. A file whose bytes equal the
// published one should be kept with LinkUnlisted instead, so that it keeps
// its modification time. It is safe for concurrent use with itself and
// LinkUnlisted, but not with Put.
func (t *Tree) PutUnlisted(rel string, data []byte) (FileEntry, error) {
	dst, err := t.bulkPath(rel)
	if err != nil {
		return FileEntry{}, err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return FileEntry{}, fmt.Errorf("export %s: %w", rel, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return FileEntry{}, fmt.Errorf("export %s: %w", rel, err)
	}
	if err := f.Close(); err != nil {
		return FileEntry{}, fmt.Errorf("export %s: %w", rel, err)
	}
	t.bulk.written.Add(1)
	sum := sha256.Sum256(data)
	return FileEntry{Path: rel, SHA256: hex.EncodeToString(sum[:]), Bytes: len(data)}, nil
}

// LinkUnlisted keeps the published generation's file at rel, unlisted, by
// hard-linking it into the new generation: same bytes, same modification
// time. It fails (with fs.ErrNotExist) when there is no such file.
func (t *Tree) LinkUnlisted(rel string) error {
	dst, err := t.bulkPath(rel)
	if err != nil {
		return err
	}
	if t.prevDir == "" {
		return fmt.Errorf("export %s: %w", rel, fs.ErrNotExist)
	}
	if err := os.Link(filepath.Join(t.prevDir, filepath.FromSlash(rel)), dst); err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	t.bulk.linked.Add(1)
	return nil
}

func (t *Tree) bulkPath(rel string) (string, error) {
	if t.done {
		return "", errors.New("export: tree already committed or aborted")
	}
	if !fs.ValidPath(rel) || rel == "." || rel == IndexFile {
		return "", fmt.Errorf("export: bad file path %q", rel)
	}
	dir := path.Dir(rel)
	if _, ok := t.bulk.dirs.Load(dir); !ok {
		if err := os.MkdirAll(filepath.Join(t.dir, filepath.FromSlash(dir)), 0o755); err != nil {
			return "", fmt.Errorf("export %s: %w", rel, err)
		}
		t.bulk.dirs.Store(dir, true)
	}
	return filepath.Join(t.dir, filepath.FromSlash(rel)), nil
}

// OpenPrevious opens the published generation's file at rel, for a section
// that reads what it published last time (an error wrapping fs.ErrNotExist
// when there is none).
func (t *Tree) OpenPrevious(rel string) (*os.File, error) {
	if t.prevDir == "" {
		return nil, fmt.Errorf("export %s: no published tree: %w", rel, fs.ErrNotExist)
	}
	if !fs.ValidPath(rel) {
		return nil, fmt.Errorf("export: bad file path %q", rel)
	}
	return os.Open(filepath.Join(t.prevDir, filepath.FromSlash(rel)))
}

// ReadPrevious reads the published generation's file at rel, once it is
// found to hold what the published index lists (its size and SHA-256): for
// a section that trusts what it published last time (an error wrapping
// fs.ErrNotExist when the index does not list it; another when the file is
// not what the index lists, damaged or edited by hand).
func (t *Tree) ReadPrevious(rel string) ([]byte, error) {
	entry, ok := t.prevSums[rel]
	if !ok {
		return nil, fmt.Errorf("export %s: not in the published tree: %w", rel, fs.ErrNotExist)
	}
	b, err := os.ReadFile(filepath.Join(t.prevDir, filepath.FromSlash(rel)))
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", rel, err)
	}
	if sum := sha256.Sum256(b); len(b) != entry.Bytes || hex.EncodeToString(sum[:]) != entry.SHA256 {
		return nil, fmt.Errorf("export %s: the published file is not what its index lists", rel)
	}
	return b, nil
}

// AddManifest names a listed file as a manifest in index.json: a file whose
// "files" list, in index.json's form, covers files written unlisted.
func (t *Tree) AddManifest(rel string) {
	t.bulk.mu.Lock()
	defer t.bulk.mu.Unlock()
	t.bulk.manifests = append(t.bulk.manifests, rel)
}

// SetCount sets one of index.json's counts ("comparisons").
func (t *Tree) SetCount(name string, n int) {
	t.bulk.mu.Lock()
	defer t.bulk.mu.Unlock()
	if t.bulk.counts == nil {
		t.bulk.counts = map[string]int{}
	}
	t.bulk.counts[name] = n
}

// FileWriter streams one listed file into a generation; see Create.
type FileWriter struct {
	t   *Tree
	rel string
	dst string
	f   *os.File
	bw  *bufio.Writer
	h   hash.Hash
	n   int
}

// Create starts a listed file written as a stream, for a file too large to
// hold in memory (a bulk section's manifest). Close lists it; when its bytes
// equal the published file's, the published file is linked in its place.
// The caller must write canonical JSON itself.
func (t *Tree) Create(rel string) (*FileWriter, error) {
	if _, dup := t.files[rel]; dup {
		return nil, fmt.Errorf("export: %s written twice", rel)
	}
	dst, err := t.bulkPath(rel)
	if err != nil {
		return nil, err
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", rel, err)
	}
	return &FileWriter{t: t, rel: rel, dst: dst, f: f, bw: bufio.NewWriterSize(f, 256<<10), h: sha256.New()}, nil
}

// Write writes to the file.
func (w *FileWriter) Write(p []byte) (int, error) {
	w.h.Write(p)
	n, err := w.bw.Write(p)
	w.n += n
	return n, err
}

// WriteString writes s to the file.
func (w *FileWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

// Close finishes the file and lists it.
func (w *FileWriter) Close() error {
	err := w.bw.Flush()
	if cerr := w.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", w.rel, err)
	}
	t := w.t
	sum := hex.EncodeToString(w.h.Sum(nil))
	t.files[w.rel] = FileEntry{Path: w.rel, SHA256: sum, Bytes: w.n}
	if prev := filepath.Join(t.prevDir, filepath.FromSlash(w.rel)); t.prevSums[w.rel].SHA256 == sum && sameAsListed(prev, t.files[w.rel]) == nil {
		// The published file, still what its index lists (see Put), is
		// kept in place of the one written, for its modification time.
		tmp := w.dst + ".new"
		if os.Link(prev, tmp) == nil {
			if os.Rename(tmp, w.dst) == nil {
				t.linked++
				return nil
			}
			os.Remove(tmp)
		}
	}
	t.written++
	return nil
}

// ReadManifest streams a manifest (or index.json): it calls file for each
// entry of its "files" list, and other with the decoder positioned at the
// value of every other key, which other must consume (nil skips them).
func ReadManifest(r io.Reader, file func(FileEntry) error, other func(key string, dec *json.Decoder) error) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		switch {
		case key == "files":
			if err := expectDelim(dec, '['); err != nil {
				return err
			}
			for dec.More() {
				var e FileEntry
				if err := dec.Decode(&e); err != nil {
					return err
				}
				if err := file(e); err != nil {
					return err
				}
			}
			if err := expectDelim(dec, ']'); err != nil {
				return err
			}
		case other != nil:
			if err := other(key, dec); err != nil {
				return err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
		}
	}
	return expectDelim(dec, '}')
}

func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("manifest: got %v, want %v", tok, d)
	}
	return nil
}

// manifestFiles are the entries of the tree's manifests, for Verify.
func manifestFiles(root string, manifests []string, bad func(format string, args ...any)) []FileEntry {
	var out []FileEntry
	for _, m := range manifests {
		if !fs.ValidPath(m) {
			bad("%s: names a bad manifest path %q", IndexFile, m)
			continue
		}
		f, err := os.Open(filepath.Join(root, filepath.FromSlash(m)))
		if err != nil {
			bad("%s: manifest unreadable: %v", m, err)
			continue
		}
		err = ReadManifest(f, func(e FileEntry) error { out = append(out, e); return nil }, nil)
		f.Close()
		if err != nil {
			bad("%s: manifest does not decode: %v", m, err)
		}
	}
	return out
}
