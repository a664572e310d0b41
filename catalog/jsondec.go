package catalog

import (
	"encoding/json"
	"sync"
	"time"
	"unsafe"

	"github.com/llmref/llmref/internal/jsonread"
)

// The store reads the whole published catalogue at the start of every run
// that changes something (to compare and to carry dates), and every
// command that shows or exports it does too: encoding/json's reflection
// there took 3.6 s of a 16,000-page night (4.3 s of CPU, a quarter of the
// run's) and left as much garbage as the catalogue itself. Models and
// offerings are read here by hand, in one pass (jsonread), as AppendJSON
// writes them; whatever the hand reader does not accept (anything
// AppendJSON never writes: an escaped key, a null fact, a duplicate key)
// goes to encoding/json, which decides. FuzzDecodeModel and
// FuzzDecodeOffering hold the two equal.

// Decoder reads models and offerings, as json.Unmarshal would, sharing
// one copy of each string that repeats across records (a price's display
// and raw text, a provider's name): a catalogue read by encoding/json held
// each fact's strings apart. It is safe for concurrent use; let it go with
// the last record read, and the table goes with it.
type Decoder struct {
	mu   sync.Mutex
	strs map[string]string
}

// NewDecoder returns a Decoder with an empty string table.
func NewDecoder() *Decoder { return &Decoder{strs: map[string]string{}} }

// Model reads a model's JSON (as AppendJSON writes it) into a zero m.
func (d *Decoder) Model(data []byte, m *Model) error {
	if readModel(&dec{jsonread.New(data), d}, m) {
		return nil
	}
	*m = Model{}
	return json.Unmarshal(data, m)
}

// Offering reads an offering's JSON (as AppendJSON writes it) into a
// zero o.
func (d *Decoder) Offering(data []byte, o *Offering) error {
	if readOffering(&dec{jsonread.New(data), d}, o) {
		return nil
	}
	*o = Offering{}
	return json.Unmarshal(data, o)
}

// shared is the table's copy of b, made the first time.
func (d *Decoder) shared(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	s, ok := d.strs[string(b)]
	if !ok {
		s = string(b)
		d.strs[s] = s
	}
	return s
}

// dec is one record's reader and the decoder's table.
type dec struct {
	r *jsonread.Reader
	d *Decoder
}

// sharedField reads a string field as StringField does, into the table's
// copy.
func (x *dec) sharedField(dst *string) {
	if !x.r.Null() {
		b := x.r.StringBytes()
		*dst = x.d.shared(b)
	}
}

// transient reads a string without a copy: valid only while the record's
// text is (for a lookup or a parse).
func (x *dec) transient() string {
	b := x.r.StringBytes()
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// modelFields are a model's keys, in Model's order.
var modelFields = []string{"id", "creator", "name", "aliases", "released", "context_window", "max_output",
	"parameters", "architecture", "licence", "knowledge_cutoff", "input_modalities", "output_modalities",
	"capabilities", "benchmarks"}

// readModel reads a model by hand; false leaves it to encoding/json.
func readModel(x *dec, m *Model) bool {
	r := x.r
	f := jsonread.Fields{Names: modelFields}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&m.ID)
		case 1:
			x.sharedField(&m.Creator)
		case 2:
			readFact(x, &m.Name)
		case 3:
			m.Aliases = readAliases(x)
		case 4:
			readFact(x, &m.Released)
		case 5:
			readFact(x, &m.ContextWindow)
		case 6:
			readFact(x, &m.MaxOutput)
		case 7:
			readFact(x, &m.Parameters)
		case 8:
			readFact(x, &m.Architecture)
		case 9:
			readFact(x, &m.Licence)
		case 10:
			readFact(x, &m.KnowledgeCutoff)
		case 11:
			readFact(x, &m.InputModalities)
		case 12:
			readFact(x, &m.OutputModality)
		case 13:
			m.Capabilities = readCapabilities(x)
		case 14:
			m.Benchmarks = nil
			if !r.Null() {
				m.Benchmarks = []Fact[BenchmarkResult]{}
				r.Array(func() {
					var b Fact[BenchmarkResult]
					readFact(x, &b)
					m.Benchmarks = append(m.Benchmarks, b)
				})
			}
		default:
			r.Skip()
		}
	})
	return r.End() && r.OK
}

// readAliases reads a model's aliases: null is nil, [] an empty list.
func readAliases(x *dec) []Alias {
	r := x.r
	if r.Null() {
		return nil
	}
	out := []Alias{}
	r.Array(func() {
		var a Alias
		f := jsonread.Fields{Names: []string{"source", "id"}}
		r.Object(func(key []byte) {
			switch f.Match(r, key) {
			case 0:
				x.sharedField(&a.Source)
			case 1:
				r.StringField(&a.ID)
			default:
				r.Skip()
			}
		})
		out = append(out, a)
	})
	return out
}

// readCapabilities reads a model's capabilities: null is nil.
func readCapabilities(x *dec) map[Capability]Fact[bool] {
	if x.r.Null() {
		return nil
	}
	out := map[Capability]Fact[bool]{}
	x.r.Object(func(key []byte) {
		var f Fact[bool]
		readFact(x, &f)
		out[Capability(x.d.shared(key))] = f
	})
	return out
}

// offeringFields are an offering's keys, in Offering's order.
var offeringFields = []string{"model", "provider", "provider_model_id", "region", "variant", "input", "output",
	"cached_input", "cache_write", "batch_input", "batch_output", "context", "max_output", "tiers"}

// readOffering reads an offering by hand; false leaves it to encoding/json.
func readOffering(x *dec, o *Offering) bool {
	r := x.r
	f := jsonread.Fields{Names: offeringFields}
	r.Object(func(key []byte) {
		switch i := f.Match(r, key); i {
		case 0:
			x.sharedField(&o.ModelID)
		case 1:
			x.sharedField(&o.Provider)
		case 2:
			r.StringField(&o.ProviderModelID)
		case 3:
			x.sharedField(&o.Region)
		case 4:
			x.sharedField(&o.Variant)
		case 5, 6, 7, 8, 9, 10:
			readFact(x, [...]*Fact[Price]{&o.Input, &o.Output, &o.CachedInput, &o.CacheWrite, &o.BatchInput, &o.BatchOutput}[i-5])
		case 11:
			readFact(x, &o.Context)
		case 12:
			readFact(x, &o.MaxOutput)
		case 13:
			readJSON(r, &o.Tiers) // rare: encoding/json's
		default:
			r.Skip()
		}
	})
	return r.End() && r.OK
}

// readJSON reads a value into *v with encoding/json (for the rare parts);
// an error fails the reader.
func readJSON[T any](r *jsonread.Reader, v *T) {
	raw := r.Value()
	if raw == nil {
		return // the reader gave up
	}
	if err := json.Unmarshal(raw, v); err != nil {
		r.Fail()
	}
}

// jsonValue reads a value with encoding/json (for the rare parts); an
// error fails the reader. Its result is a copy, so that the caller's
// variable stays on its stack.
func jsonValue[T any](r *jsonread.Reader) T {
	var v T
	readJSON(r, &v)
	return v
}

// factFields are a fact's keys, in factJSON's order.
var factFields = []string{"status", "value", "display", "raw", "source", "retrieved_at", "changed_at",
	"reviewed_at", "stale", "conflicts", "flags"}

// readFact reads a fact as Fact.UnmarshalJSON does, into a zero *f; the
// reader fails wherever that would return an error (and where the hand
// reader leaves the text to it).
func readFact[T any](x *dec, f *Fact[T]) {
	r := x.r
	if r.Peek() != '{' {
		r.Fail() // a null fact is an error, left to encoding/json
		return
	}
	var (
		status, display, raw string
		value                T
		hasValue             bool
		src                  Source
		hasSource            bool
		times                [3]Stamp
		stale                bool
		conflicts            []Conflict
		flags                []Flag
	)
	fs := jsonread.Fields{Names: factFields}
	r.Object(func(key []byte) {
		switch i := fs.Match(r, key); i {
		case 0:
			if !r.Null() {
				switch string(r.StringBytes()) {
				case StatusSourced:
					status = StatusSourced
				case StatusNotYetSourced:
					status = StatusNotYetSourced
				default:
					r.Fail()
				}
			}
		case 1:
			hasValue = readValue(x, &value)
		case 2:
			x.sharedField(&display)
		case 3:
			x.sharedField(&raw)
		case 4:
			src, hasSource = readSource(x)
		case 5, 6, 7:
			times[i-5] = readStamp(r)
		case 8:
			r.BoolField(&stale)
		case 9:
			conflicts = jsonValue[[]Conflict](r)
		case 10:
			flags = jsonValue[[]Flag](r)
		default:
			r.Skip()
		}
	})
	switch {
	case !r.OK:
		return
	case status == StatusNotYetSourced:
		*f = Fact[T]{}
	case status != StatusSourced || !hasSource || !hasValue:
		r.Fail()
	default:
		*f = Fact[T]{Value: value, Display: display, Raw: raw, Source: src, Stale: stale,
			RetrievedAt: times[0], ChangedAt: times[1], ReviewedAt: times[2]}
		f.setNotes(conflicts, flags)
	}
}

// readStamp reads a fact's time: null is the zero Stamp; a time outside a
// Stamp's range fails, as Fact.UnmarshalJSON refuses it.
func readStamp(r *jsonread.Reader) Stamp {
	if r.Null() {
		return Stamp{}
	}
	raw := r.Value()
	var t time.Time
	if raw == nil || t.UnmarshalJSON(raw) != nil {
		r.Fail()
		return Stamp{}
	}
	st, ok := stampOf(t)
	if !ok {
		r.Fail()
	}
	return st
}

// readValue reads a fact's value and reports whether there was one: a null
// (no value, an error for a sourced fact) fails.
func readValue[T any](x *dec, v *T) bool {
	r := x.r
	if r.Peek() == 'n' {
		r.Fail()
		return false
	}
	switch p := any(v).(type) {
	case *Price:
		readPrice(r, p)
	case *string:
		*p = x.d.shared(r.StringBytes())
	case *bool:
		r.BoolField(p)
	case *Tokens:
		readCounted(x, "tokens", &p.N, &p.Display)
	case *Count:
		readCounted(x, "count", &p.N, &p.Display)
	case *Date:
		if s := x.transient(); r.OK && s != "" {
			d, err := ParseISODate(s)
			if err != nil {
				r.Fail()
			}
			*p = d
		}
	case *[]string:
		*p = []string{}
		r.Array(func() {
			var s string
			x.sharedField(&s)
			*p = append(*p, s)
		})
	default:
		*v = jsonValue[T](r)
	}
	return r.OK
}

// readCounted reads a Tokens or a Count: {"<numKey>":N,"display":"…"}.
func readCounted(x *dec, numKey string, n *int64, display *string) {
	r := x.r
	if r.Peek() != '{' {
		r.Fail()
		return
	}
	f := jsonread.Fields{Names: []string{numKey, "display"}}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			jsonread.IntField(r, n)
		case 1:
			x.sharedField(display)
		default:
			r.Skip()
		}
	})
}

// readPrice reads a price as Price.UnmarshalJSON does.
func readPrice(r *jsonread.Reader, p *Price) {
	if r.Peek() != '{' {
		r.Fail()
		return
	}
	var (
		usd, micros       int64
		hasUSD, hasMicros bool
	)
	f := jsonread.Fields{Names: []string{"kind", "usd_per_mtok", "micro_usd_per_mtok", "rounded"}}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			if r.Peek() != '"' {
				r.Fail() // null, or another type: encoding/json's
				return
			}
			if p.Kind.UnmarshalText(r.StringBytes()) != nil {
				r.Fail()
			}
		case 1:
			if c := r.Peek(); c != '-' && (c < '0' || c > '9') {
				r.Fail()
				return
			}
			m, err := parseUSD(r.Number())
			if err != nil {
				r.Fail()
			}
			usd, hasUSD = int64(m), true
		case 2:
			if r.Peek() == 'n' {
				r.Fail()
				return
			}
			jsonread.IntField(r, &micros)
			hasMicros = true
		case 3:
			r.BoolField(&p.Rounded)
		default:
			r.Skip()
		}
	})
	switch {
	case hasMicros:
		p.Amount = Money(micros)
	case hasUSD:
		p.Amount = Money(usd)
	}
	if p.Kind == PriceFixed && !hasMicros && !hasUSD {
		r.Fail()
	}
}

// readSource reads a fact's source and reports whether it names one (a
// sourced fact must); a null fails. The reference's strings are read in place: Source
// keeps its own copy of a reference it has not seen.
func readSource(x *dec) (Source, bool) {
	r := x.r
	if r.Peek() != '{' {
		r.Fail()
		return Source{}, false
	}
	var s SourceRef
	f := jsonread.Fields{Names: []string{"name", "url", "authority", "note"}}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			if !r.Null() {
				s.Name = x.transient()
			}
		case 1:
			if !r.Null() {
				s.URL = x.transient()
			}
		case 2:
			a, ok := authorityNamed(x.transient())
			if !ok {
				r.Fail()
			}
			s.Authority = a
		case 3:
			if !r.Null() {
				s.Note = x.transient()
			}
		default:
			r.Skip()
		}
	})
	if !r.OK || s.Name == "" {
		return Source{}, false // a source without a name is none
	}
	return SourceOf(s), true
}
