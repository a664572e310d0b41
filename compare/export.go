package compare

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/export"
)

// ManifestFile is the comparisons manifest: the blend, each model's input
// fingerprint and every comparison file with its hash. index.json lists it
// (and names it a manifest) instead of listing the records one by one.
const ManifestFile = "comparisons.json"

// ManifestVersion is the version of the manifest's schema.
const ManifestVersion = 1

// File is the tree path of a pair's record, in canonical order:
// comparisons/<a>--vs--<b>.json.
func File(x, y string) string { return "comparisons/" + catalog.ComparisonStem(x, y) + ".json" }

// ExportStats say what an export of the comparisons did.
type ExportStats struct {
	// Pairs is the number of records in the tree.
	Pairs int `json:"pairs"`
	// Built are the records computed and written in this run; Kept those
	// whose inputs had not changed and were linked from the published tree
	// without being computed.
	Built int `json:"built"`
	Kept  int `json:"kept"`
	// Changed are the models whose fingerprint changed (or that are new).
	Changed int `json:"changed"`
}

// Section is the export section of every pair of snap's models. See Export.
func Section(snap *catalog.Snapshot, o Options) export.Section {
	return func(t *export.Tree) error {
		_, err := Export(t, snap, o)
		return err
	}
}

// ManifestModel is one model's row of the manifest.
type ManifestModel struct {
	ID          string `json:"id"`
	Fingerprint string `json:"fingerprint"`
}

// Export writes the record of every pair of snap's models into t, with the
// manifest that lists them. Only pairs touching a model whose fingerprint
// changed since the published tree are computed; the rest are hard-linked
// from it, keeping their bytes and modification time. Records are streamed:
// a few batches are in memory at a time, never all of them.
func Export(t *export.Tree, snap *catalog.Snapshot, o Options) (ExportStats, error) {
	sides, err := Sides(snap, o)
	if err != nil {
		return ExportStats{}, err
	}
	prev := loadPrevious(t)
	n := len(sides)
	st := ExportStats{Pairs: n * (n - 1) / 2}
	changed := make([]bool, n)
	for i, s := range sides {
		if prev.fingerprints[s.Model.ID] != s.Fingerprint {
			changed[i] = true
			st.Changed++
		}
	}
	t.SetCount("comparisons", st.Pairs)

	w, err := t.Create(ManifestFile)
	if err != nil {
		return st, err
	}
	var mw manifestWriter
	mw.begin(o.blend(), st.Pairs)

	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		i   int
		out chan rowResult
	}
	jobs := make(chan job)
	// futures hold the batches' results in pair order; its capacity bounds
	// how many batches are in flight, so records are streamed, not held.
	futures := make(chan chan rowResult, 2*workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- buildRow(t, sides, changed, prev, j.i, o)
			}
		}()
	}
	go func() {
		defer close(futures)
		defer close(jobs)
		for i := 0; i < n-1; i++ {
			out := make(chan rowResult, 1)
			select {
			case jobs <- job{i, out}:
			case <-stop:
				return
			}
			futures <- out // every future sent has a job, so it resolves
		}
	}()
	var firstErr error
	for fut := range futures {
		r := <-fut
		if firstErr != nil {
			continue
		}
		if r.err == nil {
			for _, e := range r.rows {
				mw.file(e)
			}
			r.err = mw.flush(w)
		}
		if r.err != nil {
			firstErr = r.err
			close(stop)
			continue
		}
		st.Built += r.built
		st.Kept += r.kept
	}
	wg.Wait()
	if firstErr == nil {
		mw.end(sides)
		firstErr = mw.flush(w)
	}
	if err := w.Close(); firstErr == nil {
		firstErr = err
	}
	if firstErr != nil {
		return st, fmt.Errorf("export comparisons: %w", firstErr)
	}
	t.AddManifest(ManifestFile)
	return st, nil
}

type rowResult struct {
	rows        []export.FileEntry
	built, kept int
	err         error
}

// buildRow writes the records of every pair (i, j > i): linked from the
// published tree when neither model changed, built otherwise.
func buildRow(t *export.Tree, sides []*Side, changed []bool, prev *prevState, i int, o Options) rowResult {
	r := rowResult{rows: make([]export.FileEntry, 0, len(sides)-1-i)}
	a := sides[i]
	prefix := "comparisons/" + catalog.FileStem(a.Model.ID) + "--vs--"
	for j := i + 1; j < len(sides); j++ {
		b := sides[j]
		path := prefix + catalog.FileStem(b.Model.ID) + ".json"
		if !changed[i] && !changed[j] {
			if pf, ok := prev.lookup(path); ok && t.LinkUnlisted(path) == nil {
				r.rows = append(r.rows, export.FileEntry{Path: path, SHA256: hex.EncodeToString(pf.sum[:]), Bytes: pf.bytes})
				r.kept++
				continue
			}
		}
		data, err := Encode(a, b, o)
		if err != nil {
			r.err = fmt.Errorf("%s: %w", path, err)
			return r
		}
		e, err := t.PutUnlisted(path, data)
		if err != nil {
			r.err = err
			return r
		}
		r.rows = append(r.rows, e)
		r.built++
	}
	return r
}

// prevState is what the published tree's manifest says.
type prevState struct {
	fingerprints map[string]string
	files        map[uint64]prevFile
	seed         maphash.Seed
}

type prevFile struct {
	sum   [32]byte
	bytes int
}

func (p *prevState) lookup(path string) (prevFile, bool) {
	if p.files == nil {
		return prevFile{}, false
	}
	f, ok := p.files[maphash.String(p.seed, path)]
	return f, ok
}

// loadPrevious reads the published manifest, streaming its file list into
// a compact table (a 64-bit hash of the path → hash and size). A tree
// without one, or a manifest that does not read, means every pair is built.
func loadPrevious(t *export.Tree) *prevState {
	p := &prevState{fingerprints: map[string]string{}, seed: maphash.MakeSeed()}
	f, err := t.OpenPrevious(ManifestFile)
	if err != nil {
		return p
	}
	defer f.Close()
	files := map[uint64]prevFile{}
	fps := map[string]string{}
	if err := export.ReadManifest(f, func(e export.FileEntry) error {
		var pf prevFile
		if b, err := hex.DecodeString(e.SHA256); err != nil || len(b) != 32 {
			return fmt.Errorf("file %s: bad sha256", e.Path)
		} else {
			copy(pf.sum[:], b)
		}
		pf.bytes = e.Bytes
		files[maphash.String(p.seed, e.Path)] = pf
		return nil
	}, func(key string, dec *json.Decoder) error {
		if key != "models" {
			var skip json.RawMessage
			return dec.Decode(&skip)
		}
		var ms []ManifestModel
		if err := dec.Decode(&ms); err != nil {
			return err
		}
		for _, m := range ms {
			fps[m.ID] = m.Fingerprint
		}
		return nil
	}); err != nil {
		return p
	}
	p.files, p.fingerprints = files, fps
	return p
}

// manifestWriter builds the manifest as canonical JSON (sorted keys,
// two-space indentation), exactly as export.Canonical would write the whole
// value, without holding its file list.
type manifestWriter struct {
	b     strings.Builder
	files int
}

func (m *manifestWriter) begin(w catalog.Blend, pairs int) {
	fmt.Fprintf(&m.b, "{\n  \"blend\": {\n    \"input_pct\": %d,\n    \"output_pct\": %d\n  },\n  \"count\": %d,\n  \"files\": [", w.InputPct, w.OutputPct, pairs)
}

func (m *manifestWriter) file(e export.FileEntry) {
	if m.files > 0 {
		m.b.WriteByte(',')
	}
	m.files++
	m.b.WriteString("\n    {\n      \"bytes\": ")
	m.b.WriteString(strconv.Itoa(e.Bytes))
	m.b.WriteString(",\n      \"path\": ")
	m.b.WriteString(jsonString(e.Path))
	m.b.WriteString(",\n      \"sha256\": ")
	m.b.WriteString(jsonString(e.SHA256))
	m.b.WriteString("\n    }")
}

func (m *manifestWriter) end(sides []*Side) {
	if m.files > 0 {
		m.b.WriteString("\n  ")
	}
	m.b.WriteString("],\n  \"generator\": ")
	m.b.WriteString(jsonString(Generator))
	m.b.WriteString(",\n  \"models\": [")
	for i, s := range sides {
		if i > 0 {
			m.b.WriteByte(',')
		}
		m.b.WriteString("\n    {\n      \"fingerprint\": ")
		m.b.WriteString(jsonString(s.Fingerprint))
		m.b.WriteString(",\n      \"id\": ")
		m.b.WriteString(jsonString(s.Model.ID))
		m.b.WriteString("\n    }")
	}
	if len(sides) > 0 {
		m.b.WriteString("\n  ")
	}
	fmt.Fprintf(&m.b, "],\n  \"schema_version\": %d\n}\n", ManifestVersion)
}

// flush moves what was built to w.
func (m *manifestWriter) flush(w io.Writer) error {
	_, err := io.WriteString(w, m.b.String())
	m.b.Reset()
	return err
}

func jsonString(s string) string {
	var e encoder
	e.quote(s)
	return string(e.buf)
}
