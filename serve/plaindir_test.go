package serve

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/store"
)

// TestServePlainDirectory: `serve --export` of a plain directory holding a
// tree (a copy, a mounted volume) serves it, as it serves the published
// link; an empty directory is "no export yet", not an error.
func TestServePlainDirectory(t *testing.T) {
	f := newFixture(t, testToken)
	gen, err := filepath.EvalSymlinks(f.export)
	if err != nil {
		t.Fatal(err)
	}
	plain := filepath.Join(t.TempDir(), "copy")
	if err := os.CopyFS(plain, os.DirFS(gen)); err != nil {
		t.Fatal(err)
	}
	empty := t.TempDir()
	for _, tc := range []struct {
		name, dir string
		index     int
	}{
		{"a copy", plain, 200},
		{"an empty volume", empty, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(Options{DB: store.NewDB(f.db, time.Second), ExportDir: tc.dir, Token: testToken})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			resp, body := getURL(t, srv.URL+"/v1/index.json")
			if resp.StatusCode != tc.index {
				t.Fatalf("GET /v1/index.json: %d %s; want %d", resp.StatusCode, body, tc.index)
			}
			if tc.index != 200 {
				return
			}
			var idx export.Index
			if err := json.Unmarshal(body, &idx); err != nil || len(idx.Files) == 0 {
				t.Fatalf("index: %v", err)
			}
			fe := idx.Files[0]
			r, _ := getURL(t, srv.URL+"/v1/"+fe.Path)
			if r.StatusCode != 200 || r.Header.Get("ETag") != `"`+fe.SHA256+`"` {
				t.Errorf("GET %s: %d ETag %s; want 200 and its sha256", fe.Path, r.StatusCode, r.Header.Get("ETag"))
			}
		})
	}
}
