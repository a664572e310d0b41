package export

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/treetest"
)

// TestWriteContextStops: a generation whose context ends (the run's
// deadline, a signal) stops at its next file, is removed, and the
// published tree stays exactly as it was.
func TestWriteContextStops(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	if _, err := Write(out, sampleSnapshot(), catalog.Run{ID: 1}); err != nil {
		t.Fatal(err)
	}
	before := treetest.Read(t, out+"/")
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("run deadline")
	section := func(tr *Tree) error {
		if err := tr.Put("first.json", []byte("{}\n")); err != nil {
			return err
		}
		cancel(stop) // the deadline passes while the section writes
		return tr.Put("second.json", []byte("{}\n"))
	}
	_, err := WriteContext(ctx, out, sampleSnapshot(), catalog.Run{ID: 2}, section)
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "export stopped: run deadline") {
		t.Fatalf("err = %v, want the generation stopped by its context", err)
	}
	after := treetest.Read(t, out+"/")
	if len(after) != len(before) {
		t.Errorf("%d files published after a stopped generation, %d before", len(after), len(before))
	}
	for p, b := range before {
		if !bytes.Equal(b, after[p]) {
			t.Errorf("%s changed after a stopped generation", p)
		}
	}
	gens, err := os.ReadDir(filepath.Join(filepath.Dir(out), ".site.generations"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gens) != 1 {
		t.Errorf("%d generations on disk, want the published one alone", len(gens))
	}
}

// TestConcurrentGenerationsOneAtATime: two publishes of one tree at once
// (an operator's export beside cron's refresh; another process's, as
// flock(2) locks of two opens exclude each other in one process too) are
// made one after the other: both publish, and the tree is the later one,
// whole. Each pruned the other's generation before: both said they had
// published, and the tree was a link to a folder no longer there.
func TestConcurrentGenerationsOneAtATime(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("flock(2)")
	}
	out := filepath.Join(t.TempDir(), "site")
	inside := make(chan struct{})
	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := Write(out, sampleSnapshot(), catalog.Run{ID: 1}, func(tr *Tree) error {
			close(inside)
			<-release // the second publish starts while this one is building
			return tr.Put("extra.json", []byte("{}\n"))
		})
		first <- err
	}()
	<-inside
	second := make(chan error, 1)
	go func() {
		_, err := Write(out, sampleSnapshot(), catalog.Run{ID: 2})
		second <- err
	}()
	select {
	case err := <-second:
		t.Fatalf("the second publish ran while the first was building (%v)", err)
	case <-time.After(200 * time.Millisecond):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := WriteContext(ctx, out, sampleSnapshot(), catalog.Run{ID: 3}); !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "wait for another llmref publishing") {
		t.Errorf("a publish whose time ran out while waiting: %v", err)
	}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	problems, err := Verify(out)
	if err != nil || len(problems) > 0 {
		t.Fatalf("the tree after two publishes: %v %v", err, problems)
	}
	var idx Index
	if b, err := os.ReadFile(filepath.Join(out, IndexFile)); err != nil || json.Unmarshal(b, &idx) != nil || idx.Run != 2 {
		t.Errorf("the tree holds run %d (%v), want the later publish's 2", idx.Run, err)
	}
	// Nothing but generations is pruned.
	keep := filepath.Join(filepath.Dir(out), ".site.generations", "README")
	os.WriteFile(keep, []byte("mine"), 0o644)
	if _, err := Write(out, sampleSnapshot(), catalog.Run{ID: 4}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file that is no generation was pruned: %v", err)
	}
}

// TestWaitedPublishOfAnOlderRunWritesNothing: a publish that waited for
// another process's and finds a newer run published writes nothing (it
// would have put an older catalogue over a newer one); one that finds a
// newer run there before it waited (a database restored from a backup)
// publishes as asked.
func TestWaitedPublishOfAnOlderRunWritesNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("flock(2)")
	}
	out := filepath.Join(t.TempDir(), "site")
	inside, release, first := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		_, err := Write(out, sampleSnapshot(), catalog.Run{ID: 7}, func(*Tree) error {
			close(inside)
			<-release
			return nil
		})
		first <- err
	}()
	<-inside
	read := make(chan struct{})
	beforeWait = func() { close(read) }
	defer func() { beforeWait = func() {} }()
	second := make(chan Stats, 1)
	go func() {
		st, err := Write(out, sampleSnapshot(), catalog.Run{ID: 5}) // read before run 7 was published
		if err != nil {
			t.Error(err)
		}
		second <- st
	}()
	<-read // the second has seen the tree as it was, and waits
	beforeWait = func() {}
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if st := <-second; st.Superseded != 7 || st.Written != 0 || st.Dir != out {
		t.Errorf("the waited publish of run 5: %+v, want nothing written, superseded by run 7", st)
	}
	if run := publishedRun(out); run != 7 {
		t.Errorf("the tree holds run %d, want 7", run)
	}
	// No wait: an older run replaces the tree as asked.
	if st, err := Write(out, sampleSnapshot(), catalog.Run{ID: 3}); err != nil || st.Superseded != 0 || publishedRun(out) != 3 {
		t.Errorf("publishing run 3 over run 7 with no wait: %+v, %v; the tree holds run %d", st, err, publishedRun(out))
	}
}
