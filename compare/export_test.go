package compare_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/publish"
)

func exportOnce(t testing.TB, out string, snap *catalog.Snapshot, o compare.Options) export.BulkStats {
	t.Helper()
	var st export.BulkStats
	_, err := export.Write(out, snap, catalog.Run{ID: 1, FinishedAt: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)}, func(tr *export.Tree) error {
		var err error
		st, err = publish.WriteComparisons(tr, snap, o)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

type manifest struct {
	Blend         catalog.Blend      `json:"blend"`
	Count         int                `json:"count"`
	Files         []export.FileEntry `json:"files"`
	Generator     string             `json:"generator"`
	Models        []export.BulkInput `json:"models"`
	Pairs         map[string]any     `json:"pairs"`
	SchemaVersion int                `json:"schema_version"`
}

// TestExportIncremental exports every pair of a small catalogue, checks the
// streamed manifest against export.Canonical and the records against
// compare.Build, then changes one price: only that model's pairs are
// rebuilt, every other file keeps its bytes and modification time.
func TestExportIncremental(t *testing.T) {
	const n = 12
	snap := synthetic(n)
	out := filepath.Join(t.TempDir(), "site")
	o := compare.Options{Workers: 3}
	st := exportOnce(t, out, snap, o)
	if st.Files != n*(n-1)/2 || st.Built != st.Files || st.Kept != 0 || st.Changed != n {
		t.Fatalf("first export %+v", st)
	}
	raw, err := os.ReadFile(filepath.Join(out, compare.ManifestFile))
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	canon, _ := export.Canonical(m)
	if !bytes.Equal(raw, canon) {
		t.Fatalf("the streamed manifest is not canonical JSON:\n%s", raw[:min(len(raw), 600)])
	}
	if len(m.Files) != st.Files || m.Count != st.Files || len(m.Models) != n || m.Blend != catalog.DefaultBlend() {
		t.Fatalf("manifest: %d files, count %d, %d models, blend %+v", len(m.Files), m.Count, len(m.Models), m.Blend)
	}
	ids := snap.ModelIDs()
	for _, f := range m.Files[:5] {
		data, err := os.ReadFile(filepath.Join(out, f.Path))
		if err != nil || len(data) != f.Bytes {
			t.Fatalf("%s: %d bytes, %v", f.Path, len(data), err)
		}
	}
	want, _ := compare.Compare(snap, ids[3], ids[7], o)
	wantJSON, _ := export.CanonicalCompact(want)
	got, _ := os.ReadFile(filepath.Join(out, compare.File(ids[7], ids[3])))
	if !bytes.Equal(got, wantJSON) {
		t.Error("the exported record differs from compare.Compare's")
	}
	var idx export.Index
	b, _ := os.ReadFile(filepath.Join(out, export.IndexFile))
	json.Unmarshal(b, &idx)
	if idx.Counts["comparisons"] != st.Files || len(idx.Manifests) != 1 || idx.Manifests[0] != compare.ManifestFile {
		t.Errorf("index counts %v, manifests %v", idx.Counts, idx.Manifests)
	}
	for _, f := range idx.Files {
		if filepath.Dir(f.Path) == "comparisons" {
			t.Fatalf("index.json lists %s: records belong in the manifest", f.Path)
		}
	}

	mtimes := map[string]time.Time{}
	for _, f := range m.Files {
		fi, err := os.Stat(filepath.Join(out, f.Path))
		if err != nil {
			t.Fatal(err)
		}
		mtimes[f.Path] = fi.ModTime()
	}
	time.Sleep(20 * time.Millisecond)
	// Nothing changed: nothing is built, the manifest is kept too.
	st = exportOnce(t, out, snap, o)
	if st.Built != 0 || st.Kept != st.Files || st.Changed != 0 {
		t.Fatalf("same data again: %+v", st)
	}
	raw2, _ := os.ReadFile(filepath.Join(out, compare.ManifestFile))
	if !bytes.Equal(raw, raw2) {
		t.Error("same data gave a different manifest")
	}

	changed := ids[5]
	setInput(snap, changed, 123_456)
	st = exportOnce(t, out, snap, o)
	if st.Built != n-1 || st.Kept != st.Files-(n-1) || st.Changed != 1 {
		t.Fatalf("one changed price: %+v; want %d pairs built", st, n-1)
	}
	for path, before := range mtimes {
		fi, err := os.Stat(filepath.Join(out, path))
		if err != nil {
			t.Fatal(err)
		}
		touches := path == compare.File(changed, ids[0]) || bytes.Contains([]byte(path), []byte(catalog.FileStem(changed)+"--vs--")) ||
			bytes.HasSuffix([]byte(path), []byte("--vs--"+catalog.FileStem(changed)+".json"))
		if !touches && !fi.ModTime().Equal(before) {
			t.Errorf("%s was rewritten though neither model changed", path)
		}
	}
	c, _ := compare.Compare(snap, changed, ids[0], o)
	fresh, _ := export.CanonicalCompact(c)
	got, _ = os.ReadFile(filepath.Join(out, compare.File(changed, ids[0])))
	if !bytes.Equal(got, fresh) {
		t.Error("a pair of the changed model was not regenerated")
	}

	// Other weights change every fingerprint: every pair is rebuilt.
	st = exportOnce(t, out, snap, compare.Options{Blend: catalog.Blend{InputPct: 50, OutputPct: 50}})
	if st.Built != st.Files {
		t.Errorf("new weights: %+v; want every pair rebuilt", st)
	}
}

// TestEncodeMatchesCanonical holds the fast encoder to the reference,
// export.Canonical(Build(a, b)) and its compact form, for every pair of a
// small catalogue.
func TestEncodeMatchesCanonical(t *testing.T) {
	for _, o := range []compare.Options{compare.DefaultOptions(), {Blend: catalog.Blend{InputPct: 25, OutputPct: 75}}} {
		snap := synthetic(14)
		// Edge cases: a model without offerings, one with no fixed price.
		for _, k := range snap.OfferingKeys() {
			if off := snap.Offerings[k]; off.ModelID == snap.ModelIDs()[0] {
				delete(snap.Offerings, k)
			}
		}
		for _, off := range snap.OfferingsOf(snap.ModelIDs()[1]) {
			off.Output = catalog.Fact[catalog.Price]{}
		}
		sides, err := compare.Sides(snap, o)
		if err != nil {
			t.Fatal(err)
		}
		for i := range sides {
			for j := range sides {
				if i == j {
					continue
				}
				c := compare.Build(sides[i], sides[j], o)
				want, err := export.Canonical(c)
				if err != nil {
					t.Fatal(err)
				}
				got, err := compare.EncodeIndented(sides[i], sides[j], o)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("EncodeIndented(%s, %s) differs from Canonical(Build):\n%s", sides[i].Model.ID, sides[j].Model.ID, firstDiff(want, got))
				}
				want, _ = export.CanonicalCompact(c)
				got, err = compare.Encode(sides[i], sides[j], o)
				if err != nil || !bytes.Equal(got, want) {
					t.Fatalf("Encode(%s, %s) differs from CanonicalCompact(Build): %v\n%.300s\n%.300s", sides[i].Model.ID, sides[j].Model.ID, err, want, got)
				}
			}
		}
	}
}

func firstDiff(want, got []byte) string {
	wl, gl := bytes.Split(want, []byte("\n")), bytes.Split(got, []byte("\n"))
	for i := 0; i < len(wl) && i < len(gl); i++ {
		if !bytes.Equal(wl[i], gl[i]) {
			return fmt.Sprintf("line %d:\nwant %s\ngot  %s", i+1, wl[i], gl[i])
		}
	}
	return fmt.Sprintf("lengths %d vs %d lines", len(wl), len(gl))
}
