package serve

import (
	"bytes"
	"compress/gzip"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/llmref/llmref/export"
)

// generation is one published generation of the export tree, with the
// sha256 of each file from its index.json.
type generation struct {
	dir   string
	sums  map[string]string
	sizes map[string]int64
	run   uint64
	at    time.Time
}

// genCache keeps the last generations seen, by directory.
type genCache struct {
	mu   sync.Mutex
	gens map[string]*generation
}

// errNoExport reports that there is no published tree (yet).
var errNoExport = errors.New("no export published")

// generation resolves the published link once: a request is served from
// that generation alone, even if a refresh swaps the link meanwhile.
func (s *Server) generation() (*generation, error) {
	if s.o.ExportDir == "" {
		return nil, errNoExport
	}
	out := filepath.Clean(s.o.ExportDir)
	target, key, err := exportTarget(out)
	if err != nil {
		return nil, err
	}
	c := &s.gens
	c.mu.Lock()
	defer c.mu.Unlock()
	if g, ok := c.gens[key]; ok {
		return g, nil
	}
	raw, err := os.ReadFile(filepath.Join(target, export.IndexFile))
	if err != nil {
		return nil, err
	}
	var idx export.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	g := &generation{dir: target, sums: map[string]string{export.IndexFile: hex.EncodeToString(sum[:])},
		sizes: map[string]int64{export.IndexFile: int64(len(raw))}, run: idx.Run, at: idx.GeneratedAt}
	for _, f := range idx.Files {
		g.sums[f.Path], g.sizes[f.Path] = f.SHA256, int64(f.Bytes)
	}
	if c.gens == nil || len(c.gens) >= 4 {
		c.gens = map[string]*generation{}
	}
	c.gens[key] = g
	return g, nil
}

// serveExport serves one file of the published tree. The file is opened
// through an os.Root on the generation, which refuses ".." and symbolic
// links that lead out of it; a directory, a missing file or an escape is
// 404.
func (s *Server) serveExport(w http.ResponseWriter, r *http.Request) {
	rel := strings.TrimPrefix(r.URL.Path, "/v1/")
	if !fs.ValidPath(rel) || rel == "." {
		http.NotFound(w, r)
		return
	}
	g, err := s.generation()
	if errors.Is(err, errNoExport) {
		http.Error(w, "no export has been published yet", http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("export tree", "err", err)
		http.Error(w, "the export tree cannot be read", http.StatusServiceUnavailable)
		return
	}
	if sum, ok := g.sums[rel]; ok && match(r.Header.Get("If-None-Match"), sum) {
		// Revalidation, the polling downstream sites do: answered from the
		// index's hashes alone, without touching the file.
		h := w.Header()
		h.Set("Cache-Control", "no-cache")
		h.Set("Vary", "Accept-Encoding")
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
		h.Set("ETag", etag(sum, gzipped(r, g.sizes[rel])))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	root, err := os.OpenRoot(g.dir)
	if err != nil {
		s.log.Error("export generation", "dir", g.dir, "err", err)
		http.Error(w, "the export tree cannot be read", http.StatusServiceUnavailable)
		return
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(rel))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	sum, ok := g.sums[rel]
	if !ok {
		// Not listed in the index (none should be): hash it.
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			http.Error(w, "read error", http.StatusInternalServerError)
			return
		}
		sum = hex.EncodeToString(h.Sum(nil))
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			http.Error(w, "read error", http.StatusInternalServerError)
			return
		}
	}
	h := w.Header()
	ctype := mime.TypeByExtension(path.Ext(rel))
	if path.Ext(rel) == ".json" || ctype == "" {
		ctype = "application/json; charset=utf-8"
	}
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-cache")
	h.Set("Vary", "Accept-Encoding")
	h.Set("Access-Control-Allow-Origin", "*") // public data, read-only
	h.Set("Access-Control-Expose-Headers", "ETag, Last-Modified")
	h.Set("X-Llmref-Run", strconv.FormatUint(g.run, 10))
	modtime := fi.ModTime().UTC()

	if gzipped(r, fi.Size()) {
		h.Set("ETag", etag(sum, true))
		if match(r.Header.Get("If-None-Match"), sum) {
			h.Set("Last-Modified", modtime.Format(http.TimeFormat))
			w.WriteHeader(http.StatusNotModified)
			return
		}
		z, err := s.gz.get(r.Context(), sum, f)
		if err != nil {
			http.Error(w, "read error", http.StatusInternalServerError)
			return
		}
		h.Set("Content-Encoding", "gzip")
		http.ServeContent(w, r, "", modtime, bytes.NewReader(z))
		return
	}
	h.Set("ETag", etag(sum, false))
	http.ServeContent(w, r, "", modtime, f)
}

// gzipped reports whether a file of this size is sent gzip-encoded.
func gzipped(r *http.Request, size int64) bool { return size > 512 && acceptsGzip(r) }

// etag is a file's tag: its sha256, strong for the file's own bytes. The
// gzip representation carries the weak form of the same tag: If-None-Match
// compares weakly, so either tag revalidates either.
func etag(sum string, gz bool) string {
	if gz {
		return `W/"` + sum + `"`
	}
	return `"` + sum + `"`
}

// gzCache keeps gzip-encoded files by their sha256 (content-addressed: a
// file unchanged across generations keeps its entry), up to a total size,
// letting the least recently used go first (it started afresh when full:
// with traffic over a large tree's many small files, the largest and most
// asked for, comparisons.json, was dropped again and again and compressed
// anew each time, 2-3 s of CPU). A file is compressed once however many ask
// for it at once: the others wait for it (a 1,000-model tree's
// comparisons.json is ~110 MB, 2-3 s of CPU and a 25 MB result, and every
// CDN edge asks for it as soon as a generation is published).
type gzCache struct {
	mu     sync.Mutex
	m      map[string]*list.Element // of *gzEntry, in lru
	lru    list.List                // most recently used first
	bytes  int
	max    int // 0: gzCacheMax
	flight map[string]*gzCall
	made   atomic.Int64 // compressions made (tests)
	waits  atomic.Int64 // requests that waited for one (tests)
}

// gzEntry is a file's gzip encoding in the cache.
type gzEntry struct {
	sum string
	z   []byte
}

// gzBeforeCompress, when set, runs before each compression (tests).
var gzBeforeCompress func()

// gzCall is a compression in progress; done is closed once z or err is
// set.
type gzCall struct {
	done chan struct{}
	z    []byte
	err  error
}

const gzCacheMax = 32 << 20

// get is the gzip encoding of the file with the given sha256, read from r
// unless held or being made (then waited for, within ctx).
func (c *gzCache) get(ctx context.Context, sum string, r io.Reader) ([]byte, error) {
	c.mu.Lock()
	if e, ok := c.m[sum]; ok {
		c.lru.MoveToFront(e)
		c.mu.Unlock()
		return e.Value.(*gzEntry).z, nil
	}
	if call := c.flight[sum]; call != nil {
		c.mu.Unlock()
		c.waits.Add(1)
		select {
		case <-call.done:
			return call.z, call.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if c.flight == nil {
		c.flight = map[string]*gzCall{}
	}
	call := &gzCall{done: make(chan struct{})}
	c.flight[sum] = call
	c.mu.Unlock()
	call.z, call.err = c.compress(sum, r)
	close(call.done)
	return call.z, call.err
}

// compress gzips r and keeps the result under sum.
func (c *gzCache) compress(sum string, r io.Reader) ([]byte, error) {
	defer func() {
		c.mu.Lock()
		delete(c.flight, sum)
		c.mu.Unlock()
	}()
	c.made.Add(1)
	if gzBeforeCompress != nil {
		gzBeforeCompress()
	}
	var buf bytes.Buffer
	zw := gzipPool.Get().(*gzip.Writer)
	zw.Reset(&buf)
	_, err := io.Copy(zw, r)
	if err == nil {
		err = zw.Close()
	}
	gzipPool.Put(zw)
	if err != nil {
		return nil, err
	}
	z := buf.Bytes()
	c.mu.Lock()
	c.keep(sum, z)
	c.mu.Unlock()
	return z, nil
}

// keep puts z in the cache under sum, letting the least recently used
// entries go until the cache holds at most its size (gzCacheMax; an
// encoding larger than that alone is not kept). c.mu is held.
func (c *gzCache) keep(sum string, z []byte) {
	most := c.max
	if most == 0 {
		most = gzCacheMax
	}
	if len(z) > most {
		return
	}
	if c.m == nil {
		c.m = map[string]*list.Element{}
	}
	if _, ok := c.m[sum]; ok {
		return
	}
	for c.bytes+len(z) > most {
		last := c.lru.Back()
		e := c.lru.Remove(last).(*gzEntry)
		delete(c.m, e.sum)
		c.bytes -= len(e.z)
	}
	c.m[sum] = c.lru.PushFront(&gzEntry{sum: sum, z: z})
	c.bytes += len(z)
}

var gzipPool = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression)
	return w
}}

// acceptsGzip reports whether the request accepts gzip (q > 0).
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") && strings.TrimSpace(name) != "*" {
			continue
		}
		q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// match reports whether an If-None-Match header matches the tag sum,
// comparing weakly (RFC 9110 §13.1.2).
func match(header, sum string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return true
		}
		tag = strings.TrimPrefix(tag, "W/")
		if tag == `"`+sum+`"` {
			return true
		}
	}
	return false
}
