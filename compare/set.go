package compare

import "github.com/llmref/llmref/catalog"

// ManifestFile is the comparisons manifest: the blend, each model's input
// fingerprint and every comparison file with its hash. index.json lists it
// (and names it a manifest) instead of listing the records one by one.
const ManifestFile = "comparisons.json"

// ManifestVersion is the version of the manifest's schema: the tree's
// (export.SchemaVersion), which the manifest's JSON Schema holds it to.
const ManifestVersion = 2

// File is the tree path of a pair's record, in canonical order:
// comparisons/<a>--vs--<b>.json.
func File(x, y string) string { return "comparisons/" + catalog.ComparisonStem(x, y) + ".json" }

// Set is the comparison records of a catalogue: one per pair of its
// models, in rows (row i pairs model i with every later model), each
// record built only when asked. The export decides which records to build
// and writes them; the set only says what they are and how they read.
type Set struct {
	// Sides are the models, in id order, each with its fingerprint: a
	// record changes only when one of its two sides' does.
	Sides []*Side
	o     Options
}

// NewSet prepares the records of every pair of snap's models.
func NewSet(snap *catalog.Snapshot, o Options) (*Set, error) {
	sides, err := Sides(snap, o)
	if err != nil {
		return nil, err
	}
	return &Set{Sides: sides, o: o}, nil
}

// Blend is the weights the records blend prices with.
func (s *Set) Blend() catalog.Blend { return s.o.blend() }

// Pairs is how many records the set holds.
func (s *Set) Pairs() int { n := len(s.Sides); return n * (n - 1) / 2 }

// Rows is how many rows the records come in.
func (s *Set) Rows() int { return max(len(s.Sides)-1, 0) }

// Record is one pair's record: its tree path, the indexes of its two
// sides in Sides, and Encode for its bytes.
type Record struct {
	Path string
	A, B int
	set  *Set
}

// Row is the records pairing side i with every later side, in path order.
func (s *Set) Row(i int) []Record {
	a := s.Sides[i]
	prefix := "comparisons/" + catalog.FileStem(a.Model.ID) + "--vs--"
	out := make([]Record, 0, len(s.Sides)-1-i)
	for j := i + 1; j < len(s.Sides); j++ {
		out = append(out, Record{Path: prefix + catalog.FileStem(s.Sides[j].Model.ID) + ".json", A: i, B: j, set: s})
	}
	return out
}

// Encode builds the record's bytes (see Encode).
func (r Record) Encode() ([]byte, error) { return Encode(r.set.Sides[r.A], r.set.Sides[r.B], r.set.o) }
