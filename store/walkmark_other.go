//go:build !unix

package store

import "os"

// fileIdentity: without device and inode numbers, no walk mark is kept.
func fileIdentity(fi os.FileInfo) (dev, ino uint64, ok bool) { return 0, 0, false }
