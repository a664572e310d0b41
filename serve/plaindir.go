package serve

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/llmref/llmref/export"
)

// exportTarget resolves the published tree at out to the directory to
// serve, with the key its generation is cached under.
//
// out is normally the symbolic link `refresh` swaps onto each generation:
// the target directory is served, and a new generation is a new key. It
// may also be a plain directory holding a tree (a copy, a mounted volume):
// that is served as it is, keyed by its index.json's size and
// modification time, so a tree copied over it is read anew. (A copy is
// not swapped atomically: a request during one may see files of both.)
func exportTarget(out string) (dir, key string, err error) {
	target, err := os.Readlink(out)
	if err == nil {
		if !filepath.IsAbs(target) {
			target = filepath.Join(filepath.Dir(out), target)
		}
		return target, target, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", errNoExport
	}
	fi, serr := os.Stat(out)
	if serr != nil || !fi.IsDir() {
		return "", "", fmt.Errorf("export %s: neither the published link nor a directory: %w", out, err)
	}
	idx, err := os.Stat(filepath.Join(out, export.IndexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", errNoExport // an empty volume: nothing published yet
	}
	if err != nil {
		return "", "", fmt.Errorf("export %s: %w", out, err)
	}
	return out, fmt.Sprintf("%s@%d/%d", out, idx.Size(), idx.ModTime().UnixNano()), nil
}
