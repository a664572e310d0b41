//go:build linux

package store

import (
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// residentFile is the process's resident file-backed (and shared) bytes,
// from /proc/self/statm, or 0 if it cannot be read.
func residentFile() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 3 {
		return 0
	}
	n, err := strconv.ParseInt(string(f[2]), 10, 64)
	if err != nil {
		return 0
	}
	return n * int64(os.Getpagesize())
}

// dropMap lets the resident pages of the n bytes of bbolt's map at addr go
// from the process (MADV_DONTNEED on a shared file map: the page cache
// keeps them). The address comes from bbolt as a number, so the call is
// made as one too.
func dropMap(addr uintptr, n int64) {
	if n > 0 {
		_, _, _ = unix.Syscall(unix.SYS_MADVISE, addr, uintptr(n), unix.MADV_DONTNEED)
	}
}
