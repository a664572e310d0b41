package catalog

import (
	"encoding/json"
	"sort"
	"strconv"
	"time"

	"github.com/llmref/llmref/internal/jsonstr"
)

// The store writes every fact of the catalogue on every run that changes
// it; a fact's JSON is written here by hand (encoding/json's reflection was
// most of a commit's cost). It decodes with encoding/json like any other.

// appendTime appends t in UTC as a JSON RFC 3339 string, as encoding/json
// writes a time.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendSourceRef(b []byte, s SourceRef) []byte {
	b = append(b, `{"name":`...)
	b = jsonstr.Append(b, s.Name)
	b = append(b, `,"url":`...)
	b = jsonstr.Append(b, s.URL)
	b = append(b, `,"authority":`...)
	b = jsonstr.Append(b, s.Authority.String())
	if s.Note != "" {
		b = append(b, `,"note":`...)
		b = jsonstr.Append(b, s.Note)
	}
	return append(b, '}')
}

// appendPrice appends p as Price.MarshalJSON writes it.
func appendPrice(b []byte, p Price) []byte {
	b = append(b, `{"kind":`...)
	b = jsonstr.Append(b, p.Kind.String())
	if p.Kind == PriceFixed {
		b = append(b, `,"usd_per_mtok":`...)
		b = append(b, p.Amount.USD()...)
		b = append(b, `,"micro_usd_per_mtok":`...)
		b = strconv.AppendInt(b, int64(p.Amount), 10)
	}
	if p.Rounded {
		b = append(b, `,"rounded":true`...)
	}
	return append(b, '}')
}

// appendValue appends a fact's value, by hand for the common kinds.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case Price:
		return appendPrice(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return jsonstr.Append(b, x), nil
	case Tokens:
		b = append(b, `{"tokens":`...)
		b = strconv.AppendInt(b, x.N, 10)
		b = append(b, `,"display":`...)
		b = jsonstr.Append(b, x.Display)
		return append(b, '}'), nil
	case Count:
		b = append(b, `{"count":`...)
		b = strconv.AppendInt(b, x.N, 10)
		b = append(b, `,"display":`...)
		b = jsonstr.Append(b, x.Display)
		return append(b, '}'), nil
	case Date:
		return jsonstr.Append(b, x.String()), nil
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, s)
		}
		return append(b, ']'), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}

// MarshalJSON writes a sourced fact with its provenance, or
// {"status":"not_yet_sourced","reviewed_at":null}.
func (f Fact[T]) MarshalJSON() ([]byte, error) { return f.appendJSON(make([]byte, 0, 320)) }

func (f *Fact[T]) appendJSON(b []byte) ([]byte, error) {
	if !f.Sourced() {
		return append(b, `{"status":"not_yet_sourced","reviewed_at":null}`...), nil
	}
	b = append(b, `{"status":"sourced","value":`...)
	b, err := appendValue(b, any(f.Value))
	if err != nil {
		return nil, err
	}
	if f.Display != "" {
		b = append(b, `,"display":`...)
		b = jsonstr.Append(b, f.Display)
	}
	if f.Raw != "" {
		b = append(b, `,"raw":`...)
		b = jsonstr.Append(b, f.Raw)
	}
	b = append(b, `,"source":`...)
	b = appendSourceRef(b, f.Source.Ref())
	if !f.RetrievedAt.IsZero() {
		b = append(b, `,"retrieved_at":`...)
		b = appendTime(b, f.RetrievedAt.Time())
	}
	if !f.ChangedAt.IsZero() {
		b = append(b, `,"changed_at":`...)
		b = appendTime(b, f.ChangedAt.Time())
	}
	b = append(b, `,"reviewed_at":`...)
	if f.ReviewedAt.IsZero() {
		b = append(b, "null"...)
	} else {
		b = appendTime(b, f.ReviewedAt.Time())
	}
	if f.Stale {
		b = append(b, `,"stale":true`...)
	}
	if cs := f.Conflicts(); len(cs) > 0 {
		j, err := json.Marshal(cs)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"conflicts":`...)
		b = append(b, j...)
	}
	if fl := f.Flags(); len(fl) > 0 {
		j, err := json.Marshal(fl)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"flags":`...)
		b = append(b, j...)
	}
	return append(b, '}'), nil
}

// field appends a key and a fact.
func appendFactField[T any](b []byte, key string, f *Fact[T], err error) ([]byte, error) {
	if err != nil {
		return b, err
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return f.appendJSON(b)
}

// AppendJSON appends the model as encoding/json would write it (the store
// writes every model of the catalogue on every run that changes it).
func (m *Model) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = jsonstr.Append(b, m.ID)
	b = append(b, `,"creator":`...)
	b = jsonstr.Append(b, m.Creator)
	b, err := appendFactField(b, "name", &m.Name, nil)
	b = append(b, `,"aliases":`...)
	if m.Aliases == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, a := range m.Aliases {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"source":`...)
			b = jsonstr.Append(b, a.Source)
			b = append(b, `,"id":`...)
			b = jsonstr.Append(b, a.ID)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b, err = appendFactField(b, "released", &m.Released, err)
	b, err = appendFactField(b, "context_window", &m.ContextWindow, err)
	b, err = appendFactField(b, "max_output", &m.MaxOutput, err)
	b, err = appendFactField(b, "parameters", &m.Parameters, err)
	b, err = appendFactField(b, "architecture", &m.Architecture, err)
	b, err = appendFactField(b, "licence", &m.Licence, err)
	b, err = appendFactField(b, "knowledge_cutoff", &m.KnowledgeCutoff, err)
	b, err = appendFactField(b, "input_modalities", &m.InputModalities, err)
	b, err = appendFactField(b, "output_modalities", &m.OutputModality, err)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"capabilities":`...)
	if m.Capabilities == nil {
		b = append(b, "null"...)
	} else {
		keys := make([]string, 0, len(m.Capabilities))
		for c := range m.Capabilities {
			keys = append(keys, string(c))
		}
		sort.Strings(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.Append(b, k)
			b = append(b, ':')
			f := m.Capabilities[Capability(k)]
			if b, err = f.appendJSON(b); err != nil {
				return nil, err
			}
		}
		b = append(b, '}')
	}
	if len(m.Benchmarks) > 0 {
		b = append(b, `,"benchmarks":[`...)
		for i := range m.Benchmarks {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = m.Benchmarks[i].appendJSON(b); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// AppendJSON appends the offering as encoding/json would write it.
func (o *Offering) AppendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"model":`...)
	b = jsonstr.Append(b, o.ModelID)
	b = append(b, `,"provider":`...)
	b = jsonstr.Append(b, o.Provider)
	b = append(b, `,"provider_model_id":`...)
	b = jsonstr.Append(b, o.ProviderModelID)
	if o.Region != "" {
		b = append(b, `,"region":`...)
		b = jsonstr.Append(b, o.Region)
	}
	if o.Variant != "" {
		b = append(b, `,"variant":`...)
		b = jsonstr.Append(b, o.Variant)
	}
	b, err := appendFactField(b, "input", &o.Input, nil)
	b, err = appendFactField(b, "output", &o.Output, err)
	b, err = appendFactField(b, "cached_input", &o.CachedInput, err)
	b, err = appendFactField(b, "cache_write", &o.CacheWrite, err)
	b, err = appendFactField(b, "batch_input", &o.BatchInput, err)
	b, err = appendFactField(b, "batch_output", &o.BatchOutput, err)
	b, err = appendFactField(b, "context", &o.Context, err)
	b, err = appendFactField(b, "max_output", &o.MaxOutput, err)
	if err != nil {
		return nil, err
	}
	if len(o.Tiers) > 0 {
		j, err := json.Marshal(o.Tiers)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"tiers":`...)
		b = append(b, j...)
	}
	return append(b, '}'), nil
}

// AppendJSON appends the point as encoding/json would write it (the store
// writes one for every offering whose prices moved: every offering, on a
// first run).
func (p *PricePoint) AppendJSON(b []byte) []byte {
	b = append(b, `{"run":`...)
	b = strconv.AppendUint(b, p.Run, 10)
	b = append(b, `,"at":"`...)
	b = p.At.AppendFormat(b, time.RFC3339Nano) // in its own zone, as time.Time.MarshalJSON
	b = append(b, '"')
	for _, f := range [...]struct {
		key string
		v   *Price
	}{{`,"input":`, p.Input}, {`,"output":`, p.Output}, {`,"cached_input":`, p.CachedInput}} {
		if f.v != nil {
			b = append(b, f.key...)
			b = appendPrice(b, *f.v)
		}
	}
	if p.Removed {
		b = append(b, `,"removed":true`...)
	}
	if p.Source != "" {
		b = append(b, `,"source":`...)
		b = jsonstr.Append(b, p.Source)
	}
	return append(b, '}')
}

// AppendJSON appends the change byte for byte as json.Marshal writes it. A
// first run's change report names every model and offering it added, and
// the store writes the report in its commit: encoding/json's reflection
// was most of what writing it cost.
func (c *RunChange) AppendJSON(b []byte) []byte {
	b = append(b, `{"kind":`...)
	b = jsonstr.AppendHTML(b, string(c.Kind))
	b = appendOptHTML(b, `,"model":`, c.Model)
	b = appendOptHTML(b, `,"provider":`, c.Provider)
	b = appendOptHTML(b, `,"region":`, c.Region)
	b = appendOptHTML(b, `,"variant":`, c.Variant)
	b = appendOptHTML(b, `,"field":`, c.Field)
	b = appendOptHTML(b, `,"old":`, c.Old)
	b = appendOptHTML(b, `,"new":`, c.New)
	for _, p := range [...]struct {
		key string
		v   *Price
	}{{`,"old_price":`, c.OldPrice}, {`,"new_price":`, c.NewPrice}} {
		if p.v != nil {
			b = append(b, p.key...)
			b = appendPrice(b, *p.v)
		}
	}
	if c.Delta != nil {
		b = append(b, `,"delta_usd_per_mtok":`...)
		b = append(b, c.Delta.USD()...)
	}
	b = appendOptHTML(b, `,"delta_pct":`, c.DeltaPct)
	src := c.Source.Ref()
	b = append(b, `,"source":{"name":`...)
	b = jsonstr.AppendHTML(b, src.Name)
	b = append(b, `,"url":`...)
	b = jsonstr.AppendHTML(b, src.URL)
	b = append(b, `,"authority":`...)
	b = jsonstr.AppendHTML(b, src.Authority.String())
	b = appendOptHTML(b, `,"note":`, src.Note)
	b = append(b, '}')
	b = appendOptHTML(b, `,"detail":`, c.Detail)
	b = appendOptHTML(b, `,"model_name":`, c.ModelName)
	b = append(b, `,"status":`...)
	b = jsonstr.AppendHTML(b, string(c.Status))
	if c.Hold != 0 {
		b = append(b, `,"hold":`...)
		b = strconv.AppendUint(b, c.Hold, 10)
	}
	if len(c.Reasons) > 0 {
		b = append(b, `,"reasons":[`...)
		for i, r := range c.Reasons {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonstr.AppendHTML(b, r)
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

// appendOptHTML appends key and v, as json.Marshal writes an omitempty
// string field, unless v is empty.
func appendOptHTML(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return jsonstr.AppendHTML(append(b, key...), v)
}
