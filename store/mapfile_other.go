//go:build !unix

package store

import "os"

// mapFile reads the first n bytes of f (where mapping is not at hand).
func mapFile(f *os.File, n int64) ([]byte, func(), error) {
	b := make([]byte, n)
	if _, err := f.ReadAt(b, 0); err != nil {
		return nil, nil, err
	}
	return b, func() {}, nil
}

// dropMapped does nothing where mapFile reads the file.
func dropMapped([]byte) {}
