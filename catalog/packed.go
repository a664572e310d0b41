package catalog

import (
	"encoding/binary"
	"iter"
	"strings"
	"time"
)

// Packed is a page's observations in a compact, immutable form: one string
// holding each observation as what changed from the one before it. A page
// says most of its observations of one subject, at one time, from one URL,
// so an observation packs to its field, value and a few bytes (~35 bytes
// against the 224 of an Observation and its strings' headers). A crawl holds
// every page's parse results until the run normalises them: packed, 16,000
// pages held ~20 MB instead of ~110 (see Page.Pack).
//
// Unpacking copies the strings out (an observation's string that is the
// one before it's is shared): a catalogue that keeps a few of a page's
// strings must not keep its whole packed form alive.
type Packed struct {
	s string
	n int
}

// Fields of an observation in their packed order; an observation's mask
// has bit i set when field i differs from the observation before it's.
const (
	packSource = iota
	packURL
	packSubject
	packSubjectName
	packProvider
	packRegion
	packVariant
	packField
	packValue
	packUnit
	packNote
	packStrings // the number of string fields
	packAuthority
	packRetrievedAt
)

// packStrs are an observation's string fields in their packed order.
func packStrs(o *Observation) [packStrings]*string {
	return [packStrings]*string{&o.Source, &o.URL, &o.Subject, &o.SubjectName, &o.Provider, &o.Region,
		&o.Variant, (*string)(&o.Field), &o.Value, (*string)(&o.Unit), &o.Note}
}

// Pack packs obs. An observation's RetrievedAt is kept exactly (its
// location too), but for a monotonic clock reading, which a stored time
// never has either.
func Pack(obs []Observation) Packed {
	if len(obs) == 0 {
		return Packed{}
	}
	size := 0
	for i := range obs {
		size += 4 + len(obs[i].Field) + len(obs[i].Value)
	}
	var b strings.Builder
	b.Grow(size + 128)
	var buf [binary.MaxVarintLen64]byte
	uvarint := func(v uint64) { b.Write(buf[:binary.PutUvarint(buf[:], v)]) }
	var prev Observation
	for i := range obs {
		o := &obs[i]
		cur, was := packStrs(o), packStrs(&prev)
		var mask uint64
		for f := range packStrings {
			if *cur[f] != *was[f] {
				mask |= 1 << f
			}
		}
		if o.Authority != prev.Authority {
			mask |= 1 << packAuthority
		}
		if o.RetrievedAt != prev.RetrievedAt {
			mask |= 1 << packRetrievedAt
		}
		uvarint(mask)
		for f := range packStrings {
			if mask&(1<<f) != 0 {
				uvarint(uint64(len(*cur[f])))
				b.WriteString(*cur[f])
			}
		}
		if mask&(1<<packAuthority) != 0 {
			b.Write(buf[:binary.PutVarint(buf[:], int64(o.Authority))])
		}
		if mask&(1<<packRetrievedAt) != 0 {
			t, err := o.RetrievedAt.MarshalBinary()
			if err != nil { // a zone offset that is not whole minutes: kept in UTC
				t, _ = o.RetrievedAt.UTC().MarshalBinary()
			}
			uvarint(uint64(len(t)))
			b.Write(t)
		}
		prev = *o
	}
	return Packed{s: b.String(), n: len(obs)}
}

// Len is the number of observations packed.
func (p Packed) Len() int { return p.n }

// All yields the packed observations in order. Each is a fresh value the
// loop may keep.
func (p Packed) All() iter.Seq[Observation] { return p.all(strings.Clone) }

// Shared is All for a reader that keeps no string of what it reads (an
// encoder): the strings are the packed form's own memory, not copies.
func (p Packed) Shared() iter.Seq[Observation] { return p.all(func(s string) string { return s }) }

func (p Packed) all(str func(string) string) iter.Seq[Observation] {
	return func(yield func(Observation) bool) {
		r := packReader{s: p.s}
		var o Observation
		for range p.n {
			mask := r.uvarint()
			strs := packStrs(&o)
			for f := range packStrings {
				if mask&(1<<f) != 0 {
					*strs[f] = str(r.str())
				}
			}
			if mask&(1<<packAuthority) != 0 {
				u := r.uvarint() // zigzag, as binary.PutVarint wrote it
				o.Authority = Authority(int64(u>>1) ^ -int64(u&1))
			}
			if mask&(1<<packRetrievedAt) != 0 {
				var t time.Time
				_ = t.UnmarshalBinary([]byte(r.str())) // Pack's own bytes
				o.RetrievedAt = t
			}
			if !yield(o) {
				return
			}
		}
	}
}

// packReader reads what Pack wrote.
type packReader struct{ s string }

func (r *packReader) uvarint() uint64 {
	var v uint64
	for shift := 0; ; shift += 7 {
		c := r.s[0]
		r.s = r.s[1:]
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
}

func (r *packReader) str() string {
	n := int(r.uvarint())
	s := r.s[:n]
	r.s = r.s[n:]
	return s
}

// Unpack is the packed observations in a slice of their own.
func (p Packed) Unpack() []Observation {
	if p.n == 0 {
		return nil
	}
	out := make([]Observation, 0, p.n)
	for o := range p.All() {
		out = append(out, o)
	}
	return out
}
