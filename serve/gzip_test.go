package serve

import (
	"bytes"
	"compress/gzip"
	"io"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/llmref/llmref/internal/fixturetest"
	"github.com/llmref/llmref/store"
)

// TestGzipOnceForReadersAtOnce: readers asking at once for a file the
// cache does not hold yet (a new generation's comparisons.json, every CDN
// edge at once) wait for one compression and all get it.
func TestGzipOnceForReadersAtOnce(t *testing.T) {
	dir := t.TempDir()
	db, out := filepath.Join(dir, "llmref.db"), filepath.Join(dir, "export")
	fixturetest.Replay(t, db, out, "2026-04-23")
	s, err := New(Options{DB: store.NewDB(db, time.Second), ExportDir: out})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s)
	defer srv.Close()
	const readers = 8
	gzBeforeCompress = func() { // hold the first compression until the others wait for it
		for deadline := time.Now().Add(10 * time.Second); s.gz.waits.Load() < readers-1 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}
	defer func() { gzBeforeCompress = nil }()
	want, err := os.ReadFile(filepath.Join(out, "comparisons.json"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range readers {
		wg.Go(func() {
			resp, body := getURL(t, srv.URL+"/v1/comparisons.json", "Accept-Encoding", "gzip")
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil || resp.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("GET: %d %v %v", resp.StatusCode, resp.Header, err)
				return
			}
			if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, want) {
				t.Errorf("a reader got %d bytes (%v), not the file's %d", len(got), err, len(want))
			}
		})
	}
	wg.Wait()
	if made, waited := s.gz.made.Load(), s.gz.waits.Load(); made != 1 || waited != readers-1 {
		t.Errorf("%d readers at once: %d compressions, %d waited; want 1 and %d", readers, made, waited, readers-1)
	}
}

// TestGzipCacheLetsTheLeastRecentlyUsedGo: a full cache makes room by
// dropping what was used longest ago, not everything; what was just asked
// for stays.
func TestGzipCacheLetsTheLeastRecentlyUsedGo(t *testing.T) {
	c := &gzCache{max: 3 << 20}
	// Random bytes do not compress: sizes in the cache are the files'.
	rng := rand.NewChaCha8([32]byte{19})
	rnd := func(name string, size int) {
		t.Helper()
		b := make([]byte, size)
		rng.Read(b)
		if _, err := c.get(t.Context(), name, bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	rnd("big", 2<<20)
	rnd("a", 512<<10)
	rnd("big", 2<<20) // used again: the most recent
	made := c.made.Load()
	rnd("b", 900<<10) // no room for all three: "a" goes, "big" stays
	c.mu.Lock()
	_, bigKept := c.m["big"]
	_, aKept := c.m["a"]
	held := c.bytes
	c.mu.Unlock()
	if !bigKept || aKept || held > 3<<20 || c.made.Load() != made+1 {
		t.Errorf("big kept %v, a kept %v, %d bytes held", bigKept, aKept, held)
	}
	rnd("huge", 4<<20) // larger than the cache: served, not kept
	c.mu.Lock()
	_, hugeKept := c.m["huge"]
	_, bigStill := c.m["big"]
	c.mu.Unlock()
	if hugeKept || !bigStill {
		t.Errorf("an encoding larger than the cache was kept (%v) or pushed others out (big kept %v)", hugeKept, bigStill)
	}
}
