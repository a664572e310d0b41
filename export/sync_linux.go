//go:build linux

package export

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncTree flushes the filesystem holding dir in one call.
func syncTree(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return unix.Syncfs(int(d.Fd()))
}
