package scrapers

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/llmref/llmref/catalog"
)

// checkDeclared checks what every declarative source must state: its name,
// its URL, the provider whose offerings it lists and the unit of its prices.
func checkDeclared(name, url, provider string, unit catalog.Unit) error {
	switch {
	case name == "":
		return errors.New("name: empty")
	case url == "":
		return errors.New("url: empty")
	case provider == "":
		return errors.New("provider: empty")
	}
	switch unit {
	case catalog.PerToken, catalog.PerThousand, catalog.PerMillion:
		return nil
	}
	return fmt.Errorf("unit: %q is not a price unit", unit)
}

// checkMapped checks a declarative source's map of values (what:
// "columns" or "fields", each a noun): every key a known one
// (TableColumnKeys), the model id mapped, and a price, input or output.
func checkMapped(what, noun string, keys []string) error {
	known := TableColumnKeys()
	for _, k := range slices.Sorted(slices.Values(keys)) {
		if !slices.Contains(known, k) {
			return fmt.Errorf("%s.%s: unknown %s (known: %s)", what, k, noun, strings.Join(known, ", "))
		}
	}
	if !slices.Contains(keys, ColModelID) {
		return fmt.Errorf("%s.%s: required", what, ColModelID)
	}
	if !slices.Contains(keys, ColInput) && !slices.Contains(keys, ColOutput) {
		return fmt.Errorf("%s: map at least one of %s and %s", what, ColInput, ColOutput)
	}
	return nil
}

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
