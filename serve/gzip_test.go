package serve

import (
	"bytes"
	"compress/gzip"
	"io"
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
