package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"

	"github.com/llmref/llmref/export"
)

// Verify checks the tree as a reader finds it: the pointer, the index it
// names (its hash), and every file the index and its manifests list,
// fetched from its object and checked as export.Verify checks a local
// tree (size, SHA-256, JSON, each validator). It returns one line per
// problem, in order; an error only when nothing is published or the
// store cannot be read.
func (r *Remote) Verify(ctx context.Context, validators ...export.Validator) ([]string, error) {
	ptr, err := r.readPointer(ctx)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", r.Store, err)
	}
	if ptr == nil {
		return nil, fmt.Errorf("verify %s: %w (no %s)", r.Store, export.ErrNoTree, PointerFile)
	}
	index, err := r.fetch(ctx, ptr.Index)
	if err != nil {
		return nil, fmt.Errorf("verify %s: generation %s: %w", r.Store, ptr.Generation, err)
	}
	var problems []string
	var mu sync.Mutex
	bad := func(lines ...string) {
		mu.Lock()
		problems = append(problems, lines...)
		mu.Unlock()
	}
	if sum := sha256.Sum256(index); hex.EncodeToString(sum[:]) != ptr.IndexSHA256 {
		bad(fmt.Sprintf("%s: SHA-256 %x, %s says %s", ptr.Index, sum[:6], PointerFile, export.ShortHash(ptr.IndexSHA256)))
	}
	var idx export.Index
	if err := json.Unmarshal(index, &idx); err != nil {
		return append(problems, fmt.Sprintf("%s: does not decode: %v", ptr.Index, err)), nil
	}
	if idx.Run != ptr.Run {
		bad(fmt.Sprintf("%s: run %d, %s says %d", export.IndexFile, idx.Run, PointerFile, ptr.Run))
	}
	sum := sha256.Sum256(index)
	bad(export.CheckFile(export.FileEntry{Path: export.IndexFile, SHA256: hex.EncodeToString(sum[:]), Bytes: len(index)}, index, validators...)...)

	// Manifests are fetched first, to list their files.
	files := idx.Files
	fetched := map[string][]byte{}
	for _, m := range idx.Manifests {
		i := slices.IndexFunc(idx.Files, func(f export.FileEntry) bool { return f.Path == m })
		if i < 0 {
			bad(fmt.Sprintf("%s: names manifest %s, which it does not list", export.IndexFile, m))
			continue
		}
		e := idx.Files[i]
		data, err := r.fetch(ctx, ObjectKey(e.SHA256, e.Path))
		if err != nil {
			continue // reported with the file
		}
		fetched[m] = data
		err = export.ReadManifest(bytes.NewReader(data), func(f export.FileEntry) error { files = append(files, f); return nil }, nil)
		if err != nil {
			bad(fmt.Sprintf("%s: manifest does not decode: %v", m, err))
		}
	}
	todo, _, listing := idx.Listing(files)
	bad(listing...)
	jobs := make(chan export.FileEntry)
	var wg sync.WaitGroup
	for range r.parallelism() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range jobs {
				data, ok := fetched[f.Path]
				if !ok {
					var err error
					if data, err = r.fetch(ctx, ObjectKey(f.SHA256, f.Path)); err != nil {
						bad(fmt.Sprintf("%s: listed but unreadable: %v", f.Path, err))
						continue
					}
				}
				bad(export.CheckFile(f, data, validators...)...)
			}
		}()
	}
	for _, f := range todo {
		jobs <- f
	}
	close(jobs)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("verify %s: %w", r.Store, err)
	}
	sort.Strings(problems)
	return problems, nil
}

// fetch reads a whole object (at most maxDocument bytes).
func (r *Remote) fetch(ctx context.Context, key string) ([]byte, error) {
	rc, err := r.Store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, maxDocument+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxDocument {
		return nil, fmt.Errorf("%s: larger than %d bytes", key, maxDocument)
	}
	return data, nil
}
