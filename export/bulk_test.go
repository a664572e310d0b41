package export

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// TestBulkSection writes unlisted files with a streamed manifest, then
// keeps them by linking: the index names the manifest, Verify follows it,
// and a kept file keeps its modification time.
func TestBulkSection(t *testing.T) {
	out := filepath.Join(t.TempDir(), "site")
	run := catalog.Run{ID: 1, FinishedAt: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)}
	section := func(keep bool) Section {
		return func(tr *Tree) error {
			var e FileEntry
			var err error
			if keep {
				err = tr.LinkUnlisted("bulk/one.json")
				sum := sha256.Sum256([]byte("{\"n\": 1}\n"))
				e = FileEntry{Path: "bulk/one.json", SHA256: hex.EncodeToString(sum[:]), Bytes: 9}
			} else {
				e, err = tr.PutUnlisted("bulk/one.json", []byte("{\"n\": 1}\n"))
			}
			if err != nil {
				return err
			}
			if _, err := tr.PutUnlisted("bulk/one.json", []byte("again")); err == nil {
				t.Error("an unlisted file written twice")
			}
			w, err := tr.Create("bulk.json")
			if err != nil {
				return err
			}
			w.WriteString("{\n  \"files\": [\n    {\n      \"bytes\": 9,\n      \"path\": \"bulk/one.json\",\n      \"sha256\": \"" + e.SHA256 + "\"\n    }\n  ]\n}\n")
			if err := w.Close(); err != nil {
				return err
			}
			tr.AddManifest("bulk.json")
			tr.SetCount("bulk", 1)
			return nil
		}
	}
	st, err := Write(out, sampleSnapshot(), run, section(false))
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != 10 {
		t.Errorf("stats %+v", st)
	}
	if problems, err := Verify(out); err != nil || len(problems) != 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
	fi1, _ := os.Stat(filepath.Join(out, "bulk/one.json"))
	time.Sleep(20 * time.Millisecond)
	if _, err := Write(out, sampleSnapshot(), run, section(true)); err != nil {
		t.Fatal(err)
	}
	fi2, err := os.Stat(filepath.Join(out, "bulk/one.json"))
	if err != nil || !fi2.ModTime().Equal(fi1.ModTime()) {
		t.Errorf("a kept file was rewritten: %v", err)
	}
	if problems, err := Verify(out); err != nil || len(problems) != 0 {
		t.Fatalf("verify after keeping: %v %v", problems, err)
	}
	idx, _ := os.ReadFile(filepath.Join(out, IndexFile))
	if !bytes.Contains(idx, []byte(`"manifests": [`)) || !bytes.Contains(idx, []byte(`"bulk": 1`)) || bytes.Contains(idx, []byte("bulk/one.json")) {
		t.Errorf("index.json:\n%s", idx)
	}
	// A damaged file is reported through the manifest.
	os.WriteFile(filepath.Join(out, "bulk/one.json"), []byte("{}"), 0o644)
	problems, _ := Verify(out)
	if len(problems) == 0 || !strings.Contains(strings.Join(problems, "\n"), "bulk/one.json") {
		t.Errorf("a damaged unlisted file passed: %v", problems)
	}
}

// FuzzReadManifest: a damaged manifest is an error, never a panic.
func FuzzReadManifest(f *testing.F) {
	f.Add([]byte(`{"files":[{"path":"a","sha256":"00","bytes":1}],"models":[{"id":"a/b"}]}`))
	f.Add([]byte(`{"files":[`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := 0
		ReadManifest(bytes.NewReader(b), func(FileEntry) error { n++; return nil }, nil)
	})
}
