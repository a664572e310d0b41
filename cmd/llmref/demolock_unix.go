//go:build unix

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// lockDemoFolder takes the demo folder for this process, without waiting:
// two demos in one folder would remove each other's database and export.
// release gives the folder back.
func lockDemoFolder(dir string) (release func(), err error) {
	f, err := os.OpenFile(filepath.Join(dir, demoMarker+".lock"), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("demo: another demo is running in %s; wait for it, or give this one its own --dir", dir)
	}
	return func() { f.Close() }, nil
}
