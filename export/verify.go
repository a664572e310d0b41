package export

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// ErrNoTree is returned (wrapped) by Verify when nothing is published
// where it looks: no folder, or one with no index.
var ErrNoTree = errors.New("nothing is published there")

// Verify checks a published tree against its own index: index.json reads,
// every file it lists is there with the listed size and SHA-256, every
// file of the tree is listed, and every file is well-formed JSON that its
// kind's JSON Schema (where one is known) accepts: each validator given
// (export/schema's Validate checks the tree's schemas) is run on every file;
// with none, files are only checked to be JSON. It returns one line per
// problem, in path order; an error only when dir holds no tree at all
// (ErrNoTree when there is none to read).
func Verify(dir string, validators ...Validator) ([]string, error) {
	root, err := filepath.EvalSymlinks(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("verify export %s: %w", dir, ErrNoTree)
	}
	if err != nil {
		return nil, fmt.Errorf("verify export: %w", err)
	}
	b, err := os.ReadFile(filepath.Join(root, IndexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("verify export %s: %w (no %s)", dir, ErrNoTree, IndexFile)
	}
	if err != nil {
		return nil, fmt.Errorf("verify export %s: %w", dir, err)
	}
	var idx Index
	if err := json.Unmarshal(b, &idx); err != nil {
		return []string{fmt.Sprintf("%s: does not decode: %v", IndexFile, err)}, nil
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	files := append(idx.Files, manifestFiles(root, idx.Manifests, bad)...) // and those listed by manifests
	todo, listed, listing := idx.Listing(files)
	problems = append(problems, listing...)
	// Each file read, hashed and validated on every CPU: a tree of 1,000
	// models holds half a million comparison records.
	var mu sync.Mutex
	badFile := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		bad(format, args...)
	}
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(todo); i += workers {
				verifyFile(root, todo[i], validators, badFile)
			}
		}()
	}
	wg.Wait()
	if err := validateFile(IndexFile, b, validators); err != nil {
		bad("%s: %v", IndexFile, err)
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			bad("%s: %v", p, err)
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if !listed[filepath.ToSlash(rel)] {
			bad("%s: in the tree but not in %s", filepath.ToSlash(rel), IndexFile)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("verify export %s: %w", dir, err)
	}
	sort.Strings(problems)
	return problems, nil
}

// Listing checks what an index lists, wherever the tree lives: its schema
// version, and each of files (the index's own and its manifests') a valid
// path other than the index, listed once. It returns the files to check,
// every path listed (the index's included) and one line per problem.
func (idx *Index) Listing(files []FileEntry) (todo []FileEntry, listed map[string]bool, problems []string) {
	if idx.SchemaVersion != SchemaVersion {
		problems = append(problems, fmt.Sprintf("%s: schema_version %d, this llmref writes %d", IndexFile, idx.SchemaVersion, SchemaVersion))
	}
	listed = map[string]bool{IndexFile: true}
	for _, f := range files {
		switch {
		case !fs.ValidPath(f.Path) || f.Path == IndexFile:
			problems = append(problems, fmt.Sprintf("%s: lists a bad path %q", IndexFile, f.Path))
		case listed[f.Path]:
			problems = append(problems, fmt.Sprintf("%s: lists %s twice", IndexFile, f.Path))
		default:
			listed[f.Path] = true
			todo = append(todo, f)
		}
	}
	return todo, listed, problems
}

// ShortHash is a SHA-256 (hex) as problem lines quote it: its first 12
// digits.
func ShortHash(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}

// verifyFile checks one listed file against its entry and its schema.
func verifyFile(root string, f FileEntry, validators []Validator, bad func(format string, args ...any)) {
	data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
	if err != nil {
		bad("%s: listed in %s but unreadable: %v", f.Path, IndexFile, err)
		return
	}
	for _, p := range CheckFile(f, data, validators...) {
		bad("%s", p)
	}
}

// CheckFile checks the bytes of one file against its entry in the index
// (or a manifest): size and SHA-256, and for a JSON file its validity and
// each validator. It returns one line per problem, each starting with the
// file's path; none when the file is what its entry says.
func CheckFile(f FileEntry, data []byte, validators ...Validator) []string {
	var problems []string
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
		problems = append(problems, fmt.Sprintf("%s: SHA-256 %s, index says %s", f.Path, got[:12], ShortHash(f.SHA256)))
	}
	if len(data) != f.Bytes {
		problems = append(problems, fmt.Sprintf("%s: %d bytes, index says %d", f.Path, len(data), f.Bytes))
	}
	if strings.HasSuffix(f.Path, ".json") {
		if err := validateFile(f.Path, data, validators); err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", f.Path, err))
		}
	}
	return problems
}

// A Validator checks a file of the tree by its path: it returns an error
// saying why the file is not what its kind's schema says (nil when it is,
// or when the validator does not know the path).
type Validator func(rel string, data []byte) error

func validateFile(rel string, data []byte, validators []Validator) error {
	if !json.Valid(data) {
		return fmt.Errorf("not valid JSON")
	}
	for _, v := range validators {
		if err := v(rel, data); err != nil {
			return err
		}
	}
	return nil
}
