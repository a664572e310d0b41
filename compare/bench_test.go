package compare_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/compare"
	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/publish"
)

// BenchmarkBuild is one record: built, then encoded as the export writes it.
func BenchmarkBuild(b *testing.B) {
	snap := synthetic(50)
	sides, err := compare.Sides(snap, compare.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	o := compare.DefaultOptions()
	var size int
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		data, err := export.Canonical(compare.Build(sides[i%50], sides[(i*7+1)%50], o))
		if err != nil {
			b.Fatal(err)
		}
		size = len(data)
	}
	b.ReportMetric(float64(size), "bytes/record")
}

// BenchmarkCanonical is the encoding of one record alone.
func BenchmarkCanonical(b *testing.B) {
	snap := synthetic(2)
	ids := snap.ModelIDs()
	c, err := compare.Compare(snap, ids[0], ids[1], compare.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := export.Canonical(c); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExport writes every pair of a synthetic catalogue of
// LLMREF_BENCH_MODELS models (default 200; bench/compare.sh sets 1000, which
// is 499,500 records) through the export, then changes one model's price
// and exports again: only that model's pairs are built.
func BenchmarkExport(b *testing.B) {
	n, dir := benchScale(b)
	o := compare.DefaultOptions()
	run := catalog.Run{ID: 1, FinishedAt: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)}
	for i := 0; b.Loop(); i++ {
		snap := synthetic(n)
		out := filepath.Join(dir, "site-"+strconv.Itoa(i))
		var sectionTime time.Duration
		exp := func() (export.BulkStats, time.Duration) {
			var st export.BulkStats
			start := time.Now()
			_, err := export.Write(out, snap, run, func(t *export.Tree) error {
				var err error
				s := time.Now()
				st, err = publish.WriteComparisons(t, snap, o)
				sectionTime = time.Since(s)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			return st, time.Since(start)
		}
		full, fullTime := exp()
		fullSection := sectionTime
		if full.Built != n*(n-1)/2 {
			b.Fatalf("full export %+v", full)
		}
		setInput(snap, snap.ModelIDs()[n/2], 77_777)
		incr, incrTime := exp()
		if incr.Built != n-1 || incr.Kept != full.Files-(n-1) {
			b.Fatalf("one changed price: %+v; want %d built", incr, n-1)
		}
		b.ReportMetric(float64(full.Files), "pairs")
		b.ReportMetric(fullTime.Seconds(), "full-s")
		b.ReportMetric(float64(full.Files)/fullTime.Seconds(), "records/s")
		b.ReportMetric(fullSection.Seconds(), "full-records-s")
		b.ReportMetric(float64(incr.Built), "rebuilt")
		b.ReportMetric(incrTime.Seconds(), "one-change-s")
		b.Logf("%d models: %d pairs in %s (records built and written in %s, the rest is the catalogue files, index and the flush to disk); one changed price: %d built, %d kept in %s",
			n, full.Files, fullTime.Round(time.Millisecond), fullSection.Round(time.Millisecond), incr.Built, incr.Kept, incrTime.Round(time.Millisecond))
		os.RemoveAll(out)
		os.RemoveAll(filepath.Join(dir, ".site-"+strconv.Itoa(i)+".generations"))
	}
}

// benchScale reads the models of a catalogue benchmark from
// LLMREF_BENCH_MODELS (default 200) and its folder from LLMREF_BENCH_DIR
// (default a temporary one).
func benchScale(b *testing.B) (models int, dir string) {
	models = 200
	if s := os.Getenv("LLMREF_BENCH_MODELS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 2 {
			b.Fatalf("LLMREF_BENCH_MODELS=%q: want a count of at least 2", s)
		}
		models = v
	}
	if dir = os.Getenv("LLMREF_BENCH_DIR"); dir == "" {
		dir = b.TempDir()
	}
	return models, dir
}

// BenchmarkEncode is one record as the export writes it: built, with its
// sides' parts rendered once and spliced in (see compare.Encode).
func BenchmarkEncode(b *testing.B) {
	snap := synthetic(50)
	o := compare.DefaultOptions()
	sides, err := compare.Sides(snap, o)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := compare.Encode(sides[i%50], sides[(i*7+1)%50], o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCanonicalTwoPass is the encoding Canonical used before it was
// made one pass: marshal, decode into interface values, encode again.
func BenchmarkCanonicalTwoPass(b *testing.B) {
	snap := synthetic(2)
	ids := snap.ModelIDs()
	c, err := compare.Compare(snap, ids[0], ids[1], compare.DefaultOptions())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		raw, err := json.Marshal(c)
		if err != nil {
			b.Fatal(err)
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil {
			b.Fatal(err)
		}
	}
}
