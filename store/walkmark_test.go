package store

import (
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// forgetWalks is a new process: nothing walked in this one.
func forgetWalks() {
	lastWalk.Lock()
	clear(lastWalk.by)
	lastWalk.Unlock()
}

// TestWalkMarkSparesTheNextOpen: a store closed on a sound file leaves the
// walk mark; the next process opening the file in that state does not
// walk it; damage written from outside afterwards is found; a check asked
// for walks whatever the mark says; a copy of the file with the mark
// beside it is another file and is walked.
func TestWalkMarkSparesTheNextOpen(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no device and inode numbers: no mark")
	}
	path, _ := filledFile(t)
	forgetWalks()
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: time.Date(2026, 4, 27, 2, 0, 0, 0, time.UTC), Status: catalog.RunOK}}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + walkMarkSuffix); err != nil {
		t.Fatalf("no walk mark after a sound close: %v", err)
	}

	forgetWalks()
	before := walks.Load()
	s, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if n := walks.Load() - before; n != 0 {
		t.Fatalf("opening the file in its marked state walked it %d times", n)
	}
	problems, err := s.Check()
	if err != nil || len(problems) > 0 {
		t.Fatalf("check: %v %v", err, problems)
	}
	if n := walks.Load() - before; n != 1 {
		t.Fatalf("a check asked for walked the file %d times, want 1", n)
	}
	s.Close()

	// A copy, its mark copied beside it: another file, walked.
	cp := copyFile(t, path)
	mark, _ := os.ReadFile(path + walkMarkSuffix)
	if err := os.WriteFile(cp+walkMarkSuffix, mark, 0o644); err != nil {
		t.Fatal(err)
	}
	forgetWalks()
	before = walks.Load()
	if s, err := Open(cp, Options{ReadOnly: true}); err != nil {
		t.Fatal(err)
	} else {
		s.Close()
	}
	if n := walks.Load() - before; n != 1 {
		t.Fatalf("a copy with the original's mark beside it was walked %d times, want 1", n)
	}

	// Damage from outside: the mark no longer names the file's state; the
	// open walks and refuses.
	damageFromOutside(t, path)
	forgetWalks()
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "says it is page") {
		t.Fatalf("open after damage from outside: %v, want the damage found", err)
	}
}

// TestWalkMarkIsAHint: a mark that is stale, garbage or unwritable means
// a walk, never an error.
func TestWalkMarkIsAHint(t *testing.T) {
	path, _ := filledFile(t)
	for name, content := range map[string]string{
		"garbage": "not a mark\n",
		"stale":   walkMarkMagic + " 1 2 3 4 5\n",
		"empty":   "",
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(path+walkMarkSuffix, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			forgetWalks()
			before := walks.Load()
			s, err := Open(path, Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			s.Close()
			if n := walks.Load() - before; n != 1 {
				t.Fatalf("walked %d times with a %s mark, want 1", n, name)
			}
		})
	}
	// The mark in the way as a directory: no mark written, no error.
	os.Remove(path + walkMarkSuffix)
	if err := os.Mkdir(path+walkMarkSuffix, 0o755); err != nil {
		t.Fatal(err)
	}
	forgetWalks()
	s, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("close with the mark unwritable: %v", err)
	}
}
