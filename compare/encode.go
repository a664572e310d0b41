package compare

import (
	"bytes"
	"strconv"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/canonjson"
	"github.com/llmref/llmref/internal/jsonstr"
)

// Encode writes the record of two sides as export.CanonicalCompact(Build(x,
// y, o)) would, byte for byte, but fast: the parts of a record that belong
// to one side (its model, specs, prices, providers, sources) are rendered
// once per side and spliced into every record of that side; only the pair's
// own parts (capabilities, dates, price comparison, text) are encoded per
// record, by hand. Tests hold the two equal. The export writes records in
// this compact form.
func Encode(x, y *Side, o Options) ([]byte, error) { return encode(x, y, o, false) }

// EncodeIndented is Encode in export.Canonical's indented form.
func EncodeIndented(x, y *Side, o Options) ([]byte, error) { return encode(x, y, o, true) }

func encode(x, y *Side, o Options, pretty bool) ([]byte, error) {
	a, b := x, y
	if b.Model.ID < a.Model.ID {
		a, b = b, a
	}
	ja, err := a.json(pretty)
	if err != nil {
		return nil, err
	}
	jb, err := b.json(pretty)
	if err != nil {
		return nil, err
	}
	c := Build(a, b, o)
	e := encoder{pretty: pretty, buf: make([]byte, 0, ja.size+jb.size+8<<10)}
	e.str("{")
	e.key(1, "benchmarks")
	e.value(c.Benchmarks, 1)
	e.str(",")
	e.key(1, "capabilities")
	e.capabilities(&c.Capabilities, 1)
	e.str(",")
	e.key(1, "dates")
	e.dates(&c.Dates, 1)
	e.str(",")
	e.key(1, "id")
	e.quote(c.ID)
	e.str(",")
	e.key(1, "models")
	e.pair(ja.model, jb.model, 1)
	p := c.Pricing
	e.str(",")
	e.key(1, "pricing")
	e.str("{")
	e.key(2, "blend")
	e.str("{")
	e.key(3, "input_pct")
	e.str(strconv.Itoa(p.Blend.InputPct) + ",")
	e.key(3, "output_pct")
	e.str(strconv.Itoa(p.Blend.OutputPct))
	e.nl(2)
	e.str("},")
	if p.DifferenceDisplay != "" {
		e.key(2, "blended_difference_display")
		e.quote(p.DifferenceDisplay)
		e.str(",")
	}
	e.key(2, "blended_difference_usd_per_mtok")
	if p.Difference == nil {
		e.str("null,")
	} else {
		e.str(p.Difference.USD() + ",")
	}
	e.key(2, "cheaper")
	e.quote(string(p.Cheaper))
	e.str(",")
	e.key(2, "formula")
	e.quote(p.Formula)
	e.str(",")
	e.key(2, "models")
	e.pair(ja.pricing, jb.pricing, 2)
	e.str(",")
	e.key(2, "ratios")
	e.ratios(p.Ratios, 2)
	e.nl(1)
	e.str("},")
	e.key(1, "providers")
	e.pair(ja.providers, jb.providers, 1)
	e.str(",")
	e.key(1, "schema_version")
	e.str(strconv.Itoa(c.SchemaVersion) + ",")
	e.key(1, "sources")
	e.array(len(c.Sources), 1, func(i int) {
		frag, ok := ja.sources[c.Sources[i]]
		if !ok {
			frag = jb.sources[c.Sources[i]]
		}
		e.raw(frag)
	})
	e.str(",")
	e.key(1, "specs")
	e.str("{")
	for i, k := range specKeys {
		if i > 0 {
			e.str(",")
		}
		e.key(2, k)
		e.pair(ja.specs[i], jb.specs[i], 2)
	}
	e.nl(1)
	e.str("},")
	e.key(1, "text")
	e.text(&c.Text, 1)
	e.nl(0)
	e.str("}")
	if pretty {
		e.str("\n")
	}
	if e.err != nil {
		return nil, e.err
	}
	return e.buf, nil
}

// pair writes {"a": a, "b": b} as the value of a key at depth.
func (e *encoder) pair(a, b []byte, depth int) {
	e.str("{")
	e.key(depth+1, "a")
	e.raw(a)
	e.str(",")
	e.key(depth+1, "b")
	e.raw(b)
	e.nl(depth)
	e.str("}")
}

// specKeys are the keys of a record's specs, in canonical (sorted) order.
var specKeys = [...]string{"architecture", "context_window", "input_modalities", "knowledge_cutoff", "licence", "parameters", "released"}

// sideJSON is one side's parts of every record, rendered canonically at the
// depth they sit at in a record.
type sideJSON struct {
	model     []byte
	pricing   []byte
	providers []byte
	specs     [len(specKeys)][]byte
	sources   map[catalog.SourceRef][]byte
	size      int // bytes of all parts, to size buffers
}

func (s *Side) json(pretty bool) (*sideJSON, error) {
	i := 0
	if pretty {
		i = 1
	}
	s.once[i].Do(func() { s.enc[i], s.encErr[i] = newSideJSON(s, pretty) })
	return s.enc[i], s.encErr[i]
}

func newSideJSON(s *Side, pretty bool) (*sideJSON, error) {
	m := s.Model
	e := encoder{pretty: pretty}
	j := &sideJSON{sources: map[catalog.SourceRef][]byte{}}
	j.model = e.render(catalog.ComparedModel{ID: m.ID, Name: m.DisplayName(), Creator: m.Creator}, 2)
	j.pricing = e.render(s.Pricing, 3)
	j.providers = e.render(s.Providers, 2)
	for i, v := range []any{m.Architecture, m.ContextWindow, m.InputModalities, m.KnowledgeCutoff, m.Licence, m.Parameters, m.Released} {
		j.specs[i] = e.render(v, 3)
	}
	n := len(j.model) + len(j.pricing) + len(j.providers)
	for _, src := range s.prov.sources {
		j.sources[src] = e.render(src, 2)
		n += len(j.sources[src])
	}
	for _, sp := range j.specs {
		n += len(sp)
	}
	j.size = n
	return j, e.err
}

// encoder appends canonical JSON to buf, compact or indented, keeping the
// first error.
type encoder struct {
	buf    []byte
	err    error
	pretty bool
}

func (e *encoder) str(s string) { e.buf = append(e.buf, s...) }

func (e *encoder) raw(b []byte) { e.buf = append(e.buf, b...) }

// quote writes s as a JSON string, as Canonical does.
func (e *encoder) quote(s string) { e.buf = jsonstr.Append(e.buf, s) }

// nl starts a line at depth (nothing in the compact form).
func (e *encoder) nl(depth int) {
	if !e.pretty {
		return
	}
	e.buf = append(e.buf, '\n')
	for range depth {
		e.buf = append(e.buf, ' ', ' ')
	}
}

// key starts a member at depth: a new line, the key and ": ".
func (e *encoder) key(depth int, k string) {
	e.nl(depth)
	e.buf = append(e.buf, '"')
	e.buf = append(e.buf, k...)
	e.buf = append(e.buf, '"', ':')
	if e.pretty {
		e.buf = append(e.buf, ' ')
	}
}

// array writes n elements as a JSON array that sits at depth; elem writes
// element i, which sits at depth+1.
func (e *encoder) array(n, depth int, elem func(i int)) {
	if n == 0 {
		e.str("[]")
		return
	}
	e.str("[")
	for i := range n {
		if i > 0 {
			e.str(",")
		}
		e.nl(depth + 1)
		elem(i)
	}
	e.nl(depth)
	e.str("]")
}

func (e *encoder) strings(list []string, depth int) {
	e.array(len(list), depth, func(i int) { e.quote(list[i]) })
}

func (e *encoder) caps(list []catalog.Capability, depth int) {
	e.array(len(list), depth, func(i int) { e.quote(string(list[i])) })
}

func (e *encoder) capabilities(cc *catalog.CapabilityComparison, d int) {
	e.str("{")
	e.key(d+1, "neither")
	e.caps(cc.Neither, d+1)
	e.str(",")
	e.key(d+1, "only_a")
	e.caps(cc.OnlyA, d+1)
	e.str(",")
	e.key(d+1, "only_b")
	e.caps(cc.OnlyB, d+1)
	e.str(",")
	e.key(d+1, "rows")
	e.array(len(cc.Rows), d+1, func(i int) {
		r := cc.Rows[i]
		e.str("{")
		e.key(d+3, "a")
		e.quote(string(r.A))
		e.str(",")
		e.key(d+3, "b")
		e.quote(string(r.B))
		e.str(",")
		e.key(d+3, "capability")
		e.quote(string(r.Capability))
		e.str(",")
		e.key(d+3, "label")
		e.quote(r.Label)
		e.nl(d + 2)
		e.str("}")
	})
	e.str(",")
	e.key(d+1, "shared")
	e.caps(cc.Shared, d+1)
	e.str(",")
	e.key(d+1, "unsettled")
	e.caps(cc.Unsettled, d+1)
	e.nl(d)
	e.str("}")
}

func (e *encoder) time(t *time.Time) {
	if t == nil {
		e.str("null")
		return
	}
	b, err := t.MarshalJSON()
	if err != nil && e.err == nil {
		e.err = err
	}
	e.buf = append(e.buf, b...)
}

func (e *encoder) dates(dt *catalog.ComparisonDates, d int) {
	e.str("{")
	e.key(d+1, "changed_at")
	e.time(dt.ChangedAt)
	e.str(",")
	e.key(d+1, "facts")
	e.str(strconv.Itoa(dt.Facts) + ",")
	e.key(d+1, "reviewed_at")
	e.time(dt.ReviewedAt)
	e.str(",")
	e.key(d+1, "unreviewed")
	e.str(strconv.Itoa(dt.Unreviewed))
	e.nl(d)
	e.str("}")
}

func (e *encoder) ratios(rs []catalog.PriceRatio, d int) {
	e.array(len(rs), d, func(i int) {
		r := rs[i]
		e.str("{")
		e.key(d+2, "basis")
		e.quote(r.Basis)
		e.str(",")
		e.key(d+2, "cheaper")
		e.quote(string(r.Cheaper))
		e.str(",")
		e.key(d+2, "cheaper_usd_per_mtok")
		e.str(r.Cheapest.USD() + ",")
		e.key(d+2, "display")
		e.quote(r.Display)
		e.str(",")
		e.key(d+2, "pricier_usd_per_mtok")
		e.str(r.Pricier.USD() + ",")
		e.key(d+2, "times")
		if r.Times == nil {
			e.str("null")
		} else {
			e.quote(*r.Times)
		}
		e.nl(d + 1)
		e.str("}")
	})
}

func (e *encoder) text(t *catalog.ComparisonText, d int) {
	e.str("{")
	e.key(d+1, "deep_dive")
	e.strings(t.DeepDive, d+1)
	e.str(",")
	e.key(d+1, "faq")
	e.array(len(t.FAQ), d+1, func(i int) {
		q := t.FAQ[i]
		e.str("{")
		e.key(d+3, "answer")
		e.quote(q.Answer)
		e.str(",")
		e.key(d+3, "question")
		e.quote(q.Question)
		e.str(",")
		e.key(d+3, "topic")
		e.quote(q.Topic)
		e.nl(d + 2)
		e.str("}")
	})
	e.str(",")
	e.key(d+1, "summary")
	e.quote(t.Summary)
	e.str(",")
	e.key(d+1, "title")
	e.quote(t.Title)
	e.nl(d)
	e.str("}")
}

// value writes v canonically as the value of a key at the given depth.
func (e *encoder) value(v any, depth int) { e.buf = append(e.buf, e.render(v, depth)...) }

// render is v in canonical form, indented as a value at depth.
func (e *encoder) render(v any, depth int) []byte {
	if !e.pretty {
		b, err := canonjson.Compact(v)
		if err != nil && e.err == nil {
			e.err = err
		}
		return b
	}
	b, err := canonjson.Marshal(v)
	if err != nil {
		if e.err == nil {
			e.err = err
		}
		return nil
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	if depth == 0 || bytes.IndexByte(b, '\n') < 0 {
		return b
	}
	pad := make([]byte, 1+2*depth)
	pad[0] = '\n'
	for i := 1; i < len(pad); i++ {
		pad[i] = ' '
	}
	return bytes.ReplaceAll(b, []byte("\n"), pad)
}
