package compare

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/export"
)

// Encode writes the record of two sides as export.Canonical(Build(x, y, o))
// would, byte for byte, but fast: the parts of a record that belong to one
// side (its model, specs, prices, providers, sources) are rendered once per
// side, at the depth they sit at, and spliced into every record of that
// side; only the pair's own parts (capabilities, dates, price comparison,
// text) are encoded per record. A test holds the two equal.
func Encode(x, y *Side, o Options) ([]byte, error) {
	a, b := x, y
	if b.Model.ID < a.Model.ID {
		a, b = b, a
	}
	ja, err := a.json()
	if err != nil {
		return nil, err
	}
	jb, err := b.json()
	if err != nil {
		return nil, err
	}
	c := Build(a, b, o)
	e := encoder{buf: make([]byte, 0, 2*(ja.size+jb.size)+16<<10)}
	e.str("{\n  \"benchmarks\": ")
	e.value(c.Benchmarks, 1)
	e.str(",\n  \"capabilities\": ")
	e.value(c.Capabilities, 1)
	e.str(",\n  \"dates\": ")
	e.value(c.Dates, 1)
	e.str(",\n  \"id\": ")
	e.quote(c.ID)
	e.str(",\n  \"models\": {\n    \"a\": ")
	e.raw(ja.model)
	e.str(",\n    \"b\": ")
	e.raw(jb.model)
	p := c.Pricing
	e.str("\n  },\n  \"pricing\": {\n    \"blend\": ")
	e.value(p.Blend, 2)
	if p.DifferenceDisplay != "" {
		e.str(",\n    \"blended_difference_display\": ")
		e.quote(p.DifferenceDisplay)
	}
	e.str(",\n    \"blended_difference_usd_per_mtok\": ")
	if p.Difference == nil {
		e.str("null")
	} else {
		e.str(p.Difference.USD())
	}
	e.str(",\n    \"cheaper\": ")
	e.quote(string(p.Cheaper))
	e.str(",\n    \"formula\": ")
	e.quote(p.Formula)
	e.str(",\n    \"models\": {\n      \"a\": ")
	e.raw(ja.pricing)
	e.str(",\n      \"b\": ")
	e.raw(jb.pricing)
	e.str("\n    },\n    \"ratios\": ")
	e.value(p.Ratios, 2)
	e.str("\n  },\n  \"providers\": {\n    \"a\": ")
	e.raw(ja.providers)
	e.str(",\n    \"b\": ")
	e.raw(jb.providers)
	e.str("\n  },\n  \"schema_version\": " + strconv.Itoa(c.SchemaVersion) + ",\n  \"sources\": [")
	for i, src := range c.Sources {
		if i > 0 {
			e.str(",")
		}
		e.str("\n    ")
		frag, ok := ja.sources[src]
		if !ok {
			frag = jb.sources[src]
		}
		e.raw(frag)
	}
	if len(c.Sources) > 0 {
		e.str("\n  ")
	}
	e.str("],\n  \"specs\": {")
	for i, k := range specKeys {
		if i > 0 {
			e.str(",")
		}
		e.str("\n    \"" + k + "\": {\n      \"a\": ")
		e.raw(ja.specs[i])
		e.str(",\n      \"b\": ")
		e.raw(jb.specs[i])
		e.str("\n    }")
	}
	e.str("\n  },\n  \"text\": ")
	e.value(c.Text, 1)
	e.str("\n}\n")
	if e.err != nil {
		return nil, e.err
	}
	return e.buf, nil
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

func (s *Side) json() (*sideJSON, error) {
	s.once.Do(func() { s.enc, s.encErr = newSideJSON(s) })
	return s.enc, s.encErr
}

func newSideJSON(s *Side) (*sideJSON, error) {
	m := s.Model
	var e encoder
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

// encoder appends canonical JSON to buf, keeping the first error.
type encoder struct {
	buf []byte
	err error
}

func (e *encoder) str(s string) { e.buf = append(e.buf, s...) }

func (e *encoder) raw(b []byte) { e.buf = append(e.buf, b...) }

// quote writes s as a JSON string, without HTML escapes (as Canonical).
func (e *encoder) quote(s string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil && e.err == nil {
		e.err = err
	}
	e.buf = append(e.buf, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}

// value writes v canonically as the value of a key at the given depth.
func (e *encoder) value(v any, depth int) { e.buf = append(e.buf, e.render(v, depth)...) }

// render is v in canonical form, indented as a value at depth.
func (e *encoder) render(v any, depth int) []byte {
	b, err := export.Canonical(v)
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
