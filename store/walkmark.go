package store

import (
	"bytes"
	"fmt"
	"os"
)

// The walk of a file's structure (integrity.go) costs a page fault or more
// per page of its tree, and every command opening the database made it:
// ~35 ms of a 0.36-second nothing-changed refresh at 2,000 pages, and
// growing with the file (bench/README.md, ninth session). lastWalk spares
// a process a second walk of a state it walked or wrote itself; the walk
// mark spares the next process the same: beside the file, <file>.walked
// names the last state of the file known sound (the same file, size, time
// of last write and transaction) — walked and found sound, or left by
// this program's own transactions from such a state (see trustOwnWrite).
// A file changed by anything else no longer has that state, and the next
// open walks it. `llmref check` and the weekly full check always walk.
//
// The mark is a hint: written with a rename, never synced; a missing,
// unreadable or stale one means a walk; a directory that cannot be
// written to means a walk at every open, as before.

// walkMarkSuffix is the mark's name beside the database file.
const walkMarkSuffix = ".walked"

// walkMarkMagic opens the mark's one line.
const walkMarkMagic = "llmref-walked 1"

// markLine is the mark's line for key; false when the key cannot be
// written down (a platform without device and inode numbers).
func markLine(key fileKey) (string, bool) {
	dev, ino, ok := fileIdentity(key.fi)
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%s %d %d %d %d %d\n", walkMarkMagic, dev, ino, key.size, key.mod.UnixNano(), key.txid), true
}

// markedSound reports whether the mark beside path names the state key.
func markedSound(path string, key fileKey) bool {
	want, ok := markLine(key)
	if !ok {
		return false
	}
	got, err := os.ReadFile(path + walkMarkSuffix)
	return err == nil && bytes.Equal(got, []byte(want))
}

// markSound writes the mark naming the state key as sound, unless it
// already does. Failing to write it is not an error: the next open walks.
func markSound(path string, key fileKey) {
	line, ok := markLine(key)
	if !ok {
		return
	}
	mark := path + walkMarkSuffix
	if got, err := os.ReadFile(mark); err == nil && string(got) == line {
		return
	}
	// One temporary name: a crash leaves at most one behind, replaced by
	// the next mark; two processes marking at once may garble it, which
	// only means a walk.
	tmp := mark + ".tmp"
	if os.WriteFile(tmp, []byte(line), 0o644) != nil || os.Rename(tmp, mark) != nil {
		os.Remove(tmp)
	}
}
