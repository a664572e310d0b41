package urllist

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestWriteRead: what Write writes Read reads back, in order; no path, a
// missing file and a list with no page are errors; a line without a tab is
// not a page.
func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	want := []Target{{"openai", "http://127.0.0.1:1/api/docs/models/gpt-5"}, {"endpoints", "http://127.0.0.1:1/api/v1/models/a/b/endpoints"}}
	path := filepath.Join(dir, "urls.tsv")
	if err := Write(path, want); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(path); err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %v (%v); want %v", got, err, want)
	}
	empty := filepath.Join(dir, "empty.tsv")
	if err := os.WriteFile(empty, []byte("no tab on this line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", filepath.Join(dir, "absent.tsv"), empty} {
		if got, err := Read(p); err == nil {
			t.Errorf("Read(%q) = %v, no error", p, got)
		}
	}
}
