package export

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"io"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/llmref/llmref/internal/jsonstr"
)

// A BulkSet is a bulk section: many files, each derived from a few named
// inputs (a comparison record from its two models), listed in a manifest
// of their own rather than in index.json. The manifest holds every input's
// fingerprint, so the next generation knows which inputs changed: a file
// whose inputs all kept their fingerprints is hard-linked from the
// published generation without being built again.
//
// The producer (compare, for comparisons) says what the files are and how
// to build each one; WriteBulk owns every write: which files are built and
// which linked, the parallel building, the manifest.
type BulkSet struct {
	// Manifest is the manifest's tree path ("comparisons.json").
	Manifest string
	// Count names the set's count in index.json ("comparisons").
	Count string
	// InputsKey is the manifest's key for the inputs ("models").
	InputsKey string
	// Inputs are the inputs, in the manifest's order.
	Inputs []BulkInput
	// Fields are the manifest's further top-level members (each encoded
	// canonically), beside "count", "files" and InputsKey.
	Fields map[string]any
	// Total is how many files the set holds.
	Total int
	// Rows is how many rows the files come in; Row(i) gives row i's files,
	// in manifest order. Rows are built concurrently, in any order; the
	// manifest lists them in row order.
	Rows int
	Row  func(i int) []BulkRecord
	// Workers is how many rows are built at once; zero means one per CPU.
	Workers int
}

// BulkInput is one input of a bulk set: its id and the fingerprint of
// everything the set's files read of it.
type BulkInput struct {
	ID          string `json:"id"`
	Fingerprint string `json:"fingerprint"`
}

// BulkRecord is one file of a bulk set.
type BulkRecord struct {
	// Path is the file's tree path.
	Path string
	// Inputs index the set's Inputs the file derives from.
	Inputs []int
	// Build returns the file's bytes; it is called only when the file
	// cannot be kept from the published generation.
	Build func() ([]byte, error)
}

// BulkStats say what writing a bulk set did.
type BulkStats struct {
	// Files is the number of files in the set.
	Files int `json:"files"`
	// Built are the files built and written in this generation; Kept
	// those whose inputs had not changed, linked from the published one.
	Built int `json:"built"`
	Kept  int `json:"kept"`
	// Changed are the inputs whose fingerprint changed (or that are new).
	Changed int `json:"changed"`
}

// WriteBulk writes every file of s into t with the manifest that lists
// them. Files are streamed: a few rows are in memory at a time, never the
// whole set.
func (t *Tree) WriteBulk(s BulkSet) (BulkStats, error) {
	prev := t.previousBulk(s.Manifest, s.InputsKey)
	st := BulkStats{Files: s.Total}
	changed := make([]bool, len(s.Inputs))
	for i, in := range s.Inputs {
		if prev.fingerprints[in.ID] != in.Fingerprint {
			changed[i] = true
			st.Changed++
		}
	}
	if s.Count != "" {
		t.SetCount(s.Count, s.Total)
	}
	w, err := t.Create(s.Manifest)
	if err != nil {
		return st, err
	}
	mw, err := newBulkManifest(s)
	if err != nil {
		w.Close()
		return st, err
	}
	err = t.writeRows(s, changed, prev, mw, w, &st)
	if err == nil {
		mw.end(s.Inputs)
		err = mw.flush(w)
	}
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return st, fmt.Errorf("export %s: %w", s.Manifest, err)
	}
	t.AddManifest(s.Manifest)
	return st, nil
}

// writeRows builds the rows on s.Workers goroutines and lists their files
// in row order.
func (t *Tree) writeRows(s BulkSet, changed []bool, prev *prevBulk, mw *bulkManifest, w io.Writer, st *BulkStats) error {
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	type job struct {
		i   int
		out chan rowResult
	}
	jobs := make(chan job)
	// futures hold the rows' results in row order; its capacity bounds how
	// many rows are in flight, so files are streamed, not held.
	futures := make(chan chan rowResult, 2*workers)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- t.writeRow(s.Row(j.i), changed, prev)
			}
		}()
	}
	go func() {
		defer close(futures)
		defer close(jobs)
		for i := range s.Rows {
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
			for _, e := range r.files {
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
	return firstErr
}

type rowResult struct {
	files       []FileEntry
	built, kept int
	err         error
}

// writeRow writes one row's files: linked from the published generation
// when none of a file's inputs changed, built otherwise.
func (t *Tree) writeRow(recs []BulkRecord, changed []bool, prev *prevBulk) rowResult {
	if err := t.stopped(); err != nil {
		return rowResult{err: err}
	}
	r := rowResult{files: make([]FileEntry, 0, len(recs))}
	for _, rec := range recs {
		if unchangedInputs(rec.Inputs, changed) {
			if pf, ok := prev.lookup(rec.Path); ok && t.LinkUnlisted(rec.Path) == nil {
				r.files = append(r.files, FileEntry{Path: rec.Path, SHA256: hex.EncodeToString(pf.sum[:]), Bytes: pf.bytes})
				r.kept++
				continue
			}
		}
		data, err := rec.Build()
		if err != nil {
			r.err = fmt.Errorf("%s: %w", rec.Path, err)
			return r
		}
		e, err := t.PutUnlisted(rec.Path, data)
		if err != nil {
			r.err = err
			return r
		}
		r.files = append(r.files, e)
		r.built++
	}
	return r
}

func unchangedInputs(inputs []int, changed []bool) bool {
	for _, i := range inputs {
		if changed[i] {
			return false
		}
	}
	return true
}

// prevBulk is what the published generation's manifest says.
type prevBulk struct {
	fingerprints map[string]string
	files        map[uint64]prevFile
	seed         maphash.Seed
}

type prevFile struct {
	sum   [32]byte
	bytes int
}

func (p *prevBulk) lookup(path string) (prevFile, bool) {
	if p.files == nil {
		return prevFile{}, false
	}
	f, ok := p.files[maphash.String(p.seed, path)]
	return f, ok
}

// previousBulk reads the published manifest, streaming its file list into
// a compact table (a 64-bit hash of the path → hash and size). A tree
// without one, or a manifest that does not read, means every file is built.
func (t *Tree) previousBulk(manifest, inputsKey string) *prevBulk {
	p := &prevBulk{fingerprints: map[string]string{}, seed: maphash.MakeSeed()}
	f, err := t.OpenPrevious(manifest)
	if err != nil {
		return p
	}
	defer f.Close()
	files := map[uint64]prevFile{}
	fps := map[string]string{}
	if err := ReadManifest(f, func(e FileEntry) error {
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
		if key != inputsKey {
			var skip json.RawMessage
			return dec.Decode(&skip)
		}
		var ins []BulkInput
		if err := dec.Decode(&ins); err != nil {
			return err
		}
		for _, in := range ins {
			fps[in.ID] = in.Fingerprint
		}
		return nil
	}); err != nil {
		return p
	}
	p.files, p.fingerprints = files, fps
	return p
}

// bulkManifest builds a manifest as canonical JSON (sorted keys, two-space
// indentation), exactly as Canonical would write the whole value, without
// holding its file list: the members sorting before "files" are written
// first, the files as their rows complete, then the rest.
type bulkManifest struct {
	b     strings.Builder
	files int
	after []bulkMember // the members after "files", in key order
}

type bulkMember struct {
	key    string
	value  string // canonical JSON, indented for depth 1
	inputs bool   // the inputs list, written by end
}

func newBulkManifest(s BulkSet) (*bulkManifest, error) {
	members := []bulkMember{{key: "count", value: strconv.Itoa(s.Total)}, {key: "files"}, {key: s.InputsKey, inputs: true}}
	for k, v := range s.Fields {
		if k == "count" || k == "files" || k == s.InputsKey {
			return nil, fmt.Errorf("manifest field %q is the set's own", k)
		}
		raw, err := Canonical(v)
		if err != nil {
			return nil, fmt.Errorf("manifest field %q: %w", k, err)
		}
		members = append(members, bulkMember{key: k, value: strings.ReplaceAll(strings.TrimSuffix(string(raw), "\n"), "\n", "\n  ")})
	}
	sort.Slice(members, func(i, j int) bool { return members[i].key < members[j].key })
	m := &bulkManifest{}
	m.b.WriteString("{")
	for i, mem := range members {
		if mem.key == "files" {
			if i > 0 {
				m.b.WriteByte(',')
			}
			m.b.WriteString("\n  \"files\": [")
			m.after = members[i+1:]
			break
		}
		m.member(i, mem, nil)
	}
	return m, nil
}

// member writes one member other than "files" (the i-th of the object).
func (m *bulkManifest) member(i int, mem bulkMember, inputs []BulkInput) {
	if i > 0 {
		m.b.WriteByte(',')
	}
	m.b.WriteString("\n  ")
	m.b.WriteString(jsonString(mem.key))
	m.b.WriteString(": ")
	if !mem.inputs {
		m.b.WriteString(mem.value)
		return
	}
	m.b.WriteByte('[')
	for j, in := range inputs {
		if j > 0 {
			m.b.WriteByte(',')
		}
		m.b.WriteString("\n    {\n      \"fingerprint\": ")
		m.b.WriteString(jsonString(in.Fingerprint))
		m.b.WriteString(",\n      \"id\": ")
		m.b.WriteString(jsonString(in.ID))
		m.b.WriteString("\n    }")
	}
	if len(inputs) > 0 {
		m.b.WriteString("\n  ")
	}
	m.b.WriteByte(']')
}

func (m *bulkManifest) file(e FileEntry) {
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

// end closes the file list and writes the members after it.
func (m *bulkManifest) end(inputs []BulkInput) {
	if m.files > 0 {
		m.b.WriteString("\n  ")
	}
	m.b.WriteByte(']')
	for _, mem := range m.after {
		m.member(1, mem, inputs)
	}
	m.b.WriteString("\n}\n")
}

// flush moves what was built to w.
func (m *bulkManifest) flush(w io.Writer) error {
	_, err := io.WriteString(w, m.b.String())
	m.b.Reset()
	return err
}

// jsonString is s as a JSON string, as Canonical writes it.
func jsonString(s string) string { return string(jsonstr.Append(nil, s)) }
