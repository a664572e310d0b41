package scrapers

import "github.com/llmref/llmref/catalog"

// declaredRow turns one row of a declarative source (an HTML table's row, a
// JSON list's entry) into observations of the provider's offering of the
// row's model: listed, each mapped value that is stated (vals, by column
// key), prices in unit. The row's name is a model fact. base carries the
// source, URL, retrieval time, authority and provider.
func declaredRow(base catalog.Observation, id string, vals map[string]string, unit catalog.Unit) []catalog.Observation {
	base.Subject, base.SubjectName = id, vals[ColName]
	obs := func(f catalog.Field, v string, u catalog.Unit) catalog.Observation {
		o := base
		o.Field, o.Value, o.Unit = f, v, u
		return o
	}
	out := []catalog.Observation{obs(catalog.FieldListed, id, "")}
	for _, c := range tableColumns {
		v, ok := vals[c.key]
		if !ok {
			continue
		}
		switch {
		case c.key == ColName:
			o := obs(c.field, v, "")
			o.Provider = "" // a model fact
			out = append(out, o)
		case c.price:
			out = append(out, obs(c.field, v, unit))
		default:
			out = append(out, obs(c.field, v, ""))
		}
	}
	return out
}
