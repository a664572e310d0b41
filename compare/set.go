package compare

import (
	"fmt"

	"github.com/llmref/llmref/catalog"
)

// ManifestFile is the comparisons manifest: the blend, each model's input
// fingerprint and every comparison file with its hash. index.json lists it
// (and names it a manifest) instead of listing the records one by one.
const ManifestFile = "comparisons.json"

// ManifestVersion is the version of the manifest's schema: the tree's
// (export.SchemaVersion), which the manifest's JSON Schema holds it to.
// Version 2 names the pair policy ("pairs").
const ManifestVersion = 2

// File is the tree path of a pair's record, in canonical order:
// comparisons/<a>--vs--<b>.json.
func File(x, y string) string { return "comparisons/" + catalog.ComparisonStem(x, y) + ".json" }

// Set is the comparison records of a catalogue: one per pair of its models
// that the options' pair policy keeps (every pair by default), in rows
// (row i pairs model i with later models), each record built only when
// asked. The export decides which records to build and writes them; the
// set only says what they are and how they read.
type Set struct {
	// Sides are the models, in id order, each with its fingerprint: a
	// record changes only when one of its two sides' does.
	Sides []*Side
	o     Options
	pairs pairing
	empty []string
}

// NewSet prepares the records of snap's pairs under the options' pair
// policy.
func NewSet(snap *catalog.Snapshot, o Options) (*Set, error) {
	if err := o.Pairs.Validate(); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	sides, err := Sides(snap, o)
	if err != nil {
		return nil, err
	}
	s := &Set{Sides: sides, o: o}
	switch o.Pairs.Kind() {
	case PairsGroups:
		g := newGroupPairs(sides, o.Pairs.Groups)
		s.pairs, s.empty = g, g.empty
	case PairsNearest:
		s.pairs = nearestPairs(sides, o.Pairs.Nearest)
	default:
		s.pairs = allPairs{len(sides)}
	}
	return s, nil
}

// Blend is the weights the records blend prices with.
func (s *Set) Blend() catalog.Blend { return s.o.blend() }

// Policy is the pair policy the set follows.
func (s *Set) Policy() PairPolicy { return s.o.Pairs }

// EmptyGroups names the groups of the policy that match no model.
func (s *Set) EmptyGroups() []string { return s.empty }

// Pairs is how many records the set holds: the sum of its rows' lengths.
func (s *Set) Pairs() int { return s.pairs.total() }

// Rows is how many rows the records come in; a row may be empty.
func (s *Set) Rows() int { return max(len(s.Sides)-1, 0) }

// Record is one pair's record: its tree path, the indexes of its two
// sides in Sides, and Encode for its bytes.
type Record struct {
	Path string
	A, B int
	set  *Set
}

// Row is the records pairing side i with the later sides the policy pairs
// it with, in path order.
func (s *Set) Row(i int) []Record {
	a := s.Sides[i]
	prefix := "comparisons/" + catalog.FileStem(a.Model.ID) + "--vs--"
	js := s.pairs.row(i)
	out := make([]Record, 0, len(js))
	for _, j := range js {
		out = append(out, Record{Path: prefix + catalog.FileStem(s.Sides[j].Model.ID) + ".json", A: i, B: j, set: s})
	}
	return out
}

// Encode builds the record's bytes (see Encode).
func (r Record) Encode() ([]byte, error) { return Encode(r.set.Sides[r.A], r.set.Sides[r.B], r.set.o) }
