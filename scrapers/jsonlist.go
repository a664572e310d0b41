package scrapers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// Limits of a declarative JSON list.
const (
	// DefaultJSONListRows is how many entries a list may hold unless its
	// spec says otherwise; MaxJSONListRows is the most a spec may allow.
	DefaultJSONListRows = 10_000
	MaxJSONListRows     = 200_000
	// MaxJSONValueLen bounds, in bytes, every value read from an entry
	// (an id, a name, a price): a longer one makes its entry unreadable.
	MaxJSONValueLen = 512
	// MaxJSONPathLen and MaxJSONPathSegments bound a path in the spec.
	MaxJSONPathLen      = 256
	MaxJSONPathSegments = 16
	// JSONKey, as a field's path, is the entry's key when the list is an
	// object of entries keyed by model id ({"gpt-x": {...}}).
	JSONKey = "$key"
)

// JSONListSpec describes a provider's public JSON model list so that
// llmref can read it with no code: the URL, where the list sits in the
// document, where each value sits in an entry, the unit of its prices and
// the provider it prices.
type JSONListSpec struct {
	// Name is the source's unique name ("acme").
	Name string
	// Title presents the source; default "<name> model list".
	Title string
	// URL is the list's address.
	URL string
	// Provider is the provider id of the offerings.
	Provider string
	// Authority ranks the list's values; default provider.
	Authority catalog.Authority
	// List is the path of the list in the document: keys separated by
	// dots, a number indexing an array ("data", "result.models"); empty
	// when the document is the list. The list is an array of entries or
	// an object whose values are the entries (in key order).
	List string
	// Unit is the unit of every price field.
	Unit catalog.Unit
	// Fields maps column keys (ColModelID, ColInput, ...; see
	// TableColumnKeys) to paths within an entry ("pricing.input"), or
	// JSONKey for the entry's key in an object list.
	Fields map[string]string
	// MaxRows bounds the entries; 0 is DefaultJSONListRows.
	MaxRows int
}

// JSONList is a declarative JSON-list source: a JSONListSpec with its paths
// checked. Build one with NewJSONList.
type JSONList struct {
	spec   JSONListSpec
	list   []string
	fields map[string][]string
	// keys are the mapped column keys, in TableColumnKeys order.
	keys []string
}

var _ Source = (*JSONList)(nil)

// SplitJSONPath splits a dotted path into its segments and checks it:
// no empty segment, within MaxJSONPathLen bytes and MaxJSONPathSegments
// segments. The empty path has no segments.
func SplitJSONPath(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if len(p) > MaxJSONPathLen {
		return nil, fmt.Errorf("path of %d bytes; the limit is %d", len(p), MaxJSONPathLen)
	}
	if !utf8.ValidString(p) {
		return nil, fmt.Errorf("path %q is not UTF-8", clip.String(p))
	}
	segs := strings.Split(p, ".")
	if len(segs) > MaxJSONPathSegments {
		return nil, fmt.Errorf("path %q has %d parts; the limit is %d", clip.String(p), len(segs), MaxJSONPathSegments)
	}
	for _, s := range segs {
		if s == "" {
			return nil, fmt.Errorf("path %q has an empty part (keys are separated by single dots)", clip.String(p))
		}
	}
	return segs, nil
}

// NewJSONList checks a spec, so that a bad path or unit fails when the
// configuration loads. Errors name the setting ("list", "fields.input").
func NewJSONList(spec JSONListSpec) (*JSONList, error) {
	j := &JSONList{spec: spec, fields: map[string][]string{}}
	if err := checkDeclared(spec.Name, spec.URL, spec.Provider, spec.Unit); err != nil {
		return nil, err
	}
	if err := checkMapped("fields", "field", slices.Collect(maps.Keys(spec.Fields))); err != nil {
		return nil, err
	}
	if j.spec.Authority == 0 {
		j.spec.Authority = catalog.AuthorityProvider
	}
	switch {
	case spec.MaxRows == 0:
		j.spec.MaxRows = DefaultJSONListRows
	case spec.MaxRows < 0 || spec.MaxRows > MaxJSONListRows:
		return nil, fmt.Errorf("max_rows: %d is not between 1 and %d", spec.MaxRows, MaxJSONListRows)
	}
	list, err := SplitJSONPath(spec.List)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	j.list = list
	for _, key := range slices.Sorted(maps.Keys(spec.Fields)) {
		p := spec.Fields[key]
		if p == "" {
			return nil, fmt.Errorf("fields.%s: empty path", key)
		}
		if p == JSONKey {
			j.fields[key] = nil
			continue
		}
		segs, err := SplitJSONPath(p)
		if err != nil {
			return nil, fmt.Errorf("fields.%s: %w", key, err)
		}
		j.fields[key] = segs
	}
	for _, key := range TableColumnKeys() {
		if _, mapped := j.fields[key]; mapped {
			j.keys = append(j.keys, key)
		}
	}
	return j, nil
}

// Name is the configured name.
func (j *JSONList) Name() string { return j.spec.Name }

// Spec returns the list's description.
func (j *JSONList) Spec() JSONListSpec { return j.spec }

// Describe presents the source.
func (j *JSONList) Describe() Description {
	title := j.spec.Title
	if title == "" {
		title = j.spec.Name + " model list"
	}
	return Description{Name: j.spec.Name, Title: title, Authority: j.spec.Authority, Format: "JSON list (declarative)", URLs: []string{j.spec.URL}}
}

// Requests asks for the list.
func (j *JSONList) Requests() []Request {
	return []Request{{URL: j.spec.URL, Kind: "jsonlist"}}
}

// Parse reads the list.
func (j *JSONList) Parse(kind string, r Response) (Parsed, error) {
	if kind != "jsonlist" {
		return Parsed{}, fmt.Errorf("%s: unknown page kind %q", j.spec.Name, kind)
	}
	return j.ParseJSONList(r)
}

// entry is one entry of a list: its key (an object list's) and value.
type entry struct {
	key string
	val any
}

// ParseJSONList reads every entry of the list into observations of the
// provider's offering of the entry's model: listed, prices in the
// configured unit, cached price, context and max output, and the model's
// name. Numbers are read as the source wrote them (json.Number), never
// through float64; the normaliser turns them into exact micro-dollars.
// A field that is absent or null states nothing.
//
// Its anchor is the list path: it fails (ErrMarkup) when the body is not
// JSON, when the path leads nowhere or to something other than an array or
// object, when the list is empty or longer than the spec's MaxRows, and
// when most entries are unreadable. An entry it cannot read (not an
// object, no model id, no input or output price, a field that is an object
// or a list, a value longer than MaxJSONValueLen) is left out with a
// warning, and so is a model id in a second entry (the first stands).
func (j *JSONList) ParseJSONList(r Response) (Parsed, error) {
	name := j.spec.Name
	fail := func(format string, a ...any) (Parsed, error) {
		return Parsed{}, fmt.Errorf("parse %s list: %s: %w", name, fmt.Sprintf(format, a...), ErrMarkup)
	}
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return fail("not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fail("not one JSON document: more after its end")
	}
	list, where, _, ok := walkJSON(doc, j.list)
	if !ok {
		return fail("list path %q: %s", j.spec.List, where)
	}
	var entries []entry
	switch l := list.(type) {
	case []any:
		if len(l) > j.spec.MaxRows {
			return fail("the list holds %d entries, more than max_rows %d", len(l), j.spec.MaxRows)
		}
		entries = make([]entry, len(l))
		for i, v := range l {
			entries[i] = entry{val: v}
		}
	case map[string]any:
		if len(l) > j.spec.MaxRows {
			return fail("the list holds %d entries, more than max_rows %d", len(l), j.spec.MaxRows)
		}
		for _, k := range slices.Sorted(maps.Keys(l)) {
			entries = append(entries, entry{key: k, val: l[k]})
		}
	default:
		return fail("list path %q holds %s, not an array or object", j.spec.List, jsonKind(list))
	}
	if len(entries) == 0 {
		return fail("list path %q: the list is empty", j.spec.List)
	}
	var out []catalog.Observation
	var tally rowTally
	seen := map[string]int{}
	base := catalog.Observation{Source: name, URL: r.URL, RetrievedAt: r.RetrievedAt, Authority: j.spec.Authority, Provider: j.spec.Provider}
	for i, e := range entries {
		vals, err := j.entryValues(e)
		if err != nil {
			tally.skip("entry %d: %v: left out", i+1, err)
			continue
		}
		id := vals[ColModelID]
		if prev, dup := seen[strings.ToLower(id)]; dup {
			tally.warn("entry %d: model id %q again (first in entry %d): left out, the first stands", i+1, clip.String(id), prev)
			continue
		}
		seen[strings.ToLower(id)] = i + 1
		tally.ok()
		out = append(out, declaredRow(base, id, vals, j.spec.Unit)...)
	}
	if err := tally.unreadable("entries"); err != nil {
		return Parsed{}, fmt.Errorf("parse %s list: %w", name, err)
	}
	return Parsed{Observations: out, Warnings: tally.Warnings()}, nil
}

// entryValues reads an entry's mapped fields, by column key: the stated
// ones (a value absent, null or "—" states nothing). The model id and an
// input or output price must be stated.
func (j *JSONList) entryValues(e entry) (map[string]string, error) {
	obj, ok := e.val.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s, not an object", jsonKind(e.val))
	}
	vals := map[string]string{}
	for _, key := range j.keys {
		segs := j.fields[key]
		var v any = e.key
		if segs == nil {
			if e.key == "" {
				return nil, fmt.Errorf("field %s: %s, but the list is not an object", key, JSONKey)
			}
		} else {
			var where string
			var absent bool
			if v, where, absent, ok = walkJSON(obj, segs); absent {
				continue // not stated
			} else if !ok {
				return nil, fmt.Errorf("field %s: %s", key, where)
			}
		}
		s, stated, err := jsonValue(v)
		if err != nil {
			return nil, fmt.Errorf("field %s (%s): %w", key, clip.String(j.spec.Fields[key]), err)
		}
		if stated && !notListed[strings.ToLower(s)] {
			vals[key] = s
		}
	}
	if vals[ColModelID] == "" {
		return nil, errors.New("no model id")
	}
	if vals[ColInput] == "" && vals[ColOutput] == "" {
		return nil, fmt.Errorf("%s: no input or output price", clip.String(vals[ColModelID]))
	}
	return vals, nil
}

// jsonValue reads a scalar as text: a string as it is (cleaned of
// surrounding space), a number as written. null states nothing; a boolean,
// object or array is an error, and so is a value longer than
// MaxJSONValueLen.
func jsonValue(v any) (s string, stated bool, err error) {
	switch x := v.(type) {
	case nil:
		return "", false, nil
	case string:
		s = x
	case json.Number:
		s = x.String()
	default:
		return "", false, fmt.Errorf("%s, not a string or a number", jsonKind(v))
	}
	if len(s) > MaxJSONValueLen {
		return "", false, fmt.Errorf("a value of %d bytes; the limit is %d", len(s), MaxJSONValueLen)
	}
	return CleanText(s), true, nil
}

// walkJSON follows a path from v: a key of an object, or an index of an
// array. When the path leads nowhere it says where it stopped, and whether
// the path ends early (a key or index absent, a null on the way: absent)
// or runs into a value of another kind (a string where an object was
// expected).
func walkJSON(v any, segs []string) (_ any, where string, absent, ok bool) {
	for i, s := range segs {
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[s]
			if !ok {
				return nil, fmt.Sprintf("no key %q", clip.String(strings.Join(segs[:i+1], "."))), true, false
			}
			v = next
		case []any:
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n >= len(x) {
				return nil, fmt.Sprintf("%q: no index %s in an array of %d", clip.String(strings.Join(segs[:i], ".")), clip.String(s), len(x)), true, false
			}
			v = x[n]
		case nil:
			return nil, fmt.Sprintf("%q is null", clip.String(strings.Join(segs[:i], "."))), true, false
		default:
			return nil, fmt.Sprintf("%q holds %s, not an object or array", clip.String(strings.Join(segs[:i], ".")), jsonKind(v)), false, false
		}
	}
	return v, "", false, true
}

// jsonKind names the kind of a decoded JSON value.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
