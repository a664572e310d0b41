//go:build unix

package store

import (
	"os"
	"syscall"
)

// fileIdentity is the device and inode numbers of the file fi describes.
func fileIdentity(fi os.FileInfo) (dev, ino uint64, ok bool) {
	if fi == nil {
		return 0, 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return uint64(st.Dev), uint64(st.Ino), true //nolint:unconvert // Dev is int32 on some unixes
}
