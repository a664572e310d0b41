package config

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// The schema check walks the file's YAML tree beside the Go types it fills,
// before anything is decoded, so that every unknown key, duplicate key and
// value of the wrong kind is reported at its own line and column, by its
// key path in the file's own words, and never in the words of Go's types.
// The settings structs are the schema: a field added to one is known here
// with no further change.

// checker collects the problems of one tree.
type checker struct {
	errs Errors
	// budget bounds the nodes visited: aliases can make a small file a
	// very large tree.
	budget int
	broke  bool // the budget ran out (reported once)
}

// maxVisits bounds the values one file may hold, aliases expanded.
const maxVisits = 100_000

var (
	durationType  = reflect.TypeFor[time.Duration]()
	nodeType      = reflect.TypeFor[yaml.Node]()
	sourcesType   = reflect.TypeFor[map[string]yaml.Node]()
	shorthandType = reflect.TypeFor[scalarShorthand]()
)

// scalarShorthand is implemented by settings that may also be written as
// one scalar (a table column: `input: td.price`).
type scalarShorthand interface{ scalarShorthand() }

// checkTree checks a document's tree against the type of v.
func checkTree(doc *yaml.Node, v any, path string) Errors {
	c := &checker{budget: maxVisits}
	c.value(doc, reflect.TypeOf(v), path)
	return c.errs
}

func (c *checker) fail(n *yaml.Node, path, format string, args ...any) {
	c.errs = append(c.errs, at(n, path, format, args...))
}

// spend takes k visits from the budget; false when it has run out.
func (c *checker) spend(k int, n *yaml.Node, path string) bool {
	if c.budget -= k; c.budget >= 0 {
		return true
	}
	if !c.broke {
		c.broke = true
		c.fail(n, path, "aliases expand this file beyond %d values", maxVisits)
	}
	return false
}

// value checks node n, the value of the setting at path, against type t.
func (c *checker) value(n *yaml.Node, t reflect.Type, path string) {
	if !c.spend(1, n, path) {
		return
	}
	if n != nil && n.Kind == yaml.AliasNode && deref(n) != nil {
		// the target, placed where the alias uses it
		use := *deref(n)
		use.Line, use.Column = n.Line, n.Column
		n = &use
	}
	if n == nil || n.Kind == yaml.DocumentNode && len(n.Content) == 0 {
		return
	}
	if n.Kind == yaml.DocumentNode {
		n = n.Content[0]
	}
	if n.Kind == yaml.AliasNode { // a chain of aliases deref gave up on
		c.fail(n, path, "an alias that names another alias too many times")
		return
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // an empty value keeps the default
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == nodeType:
		return // decoded and checked by its owner
	case t == sourcesType:
		c.sources(n, path)
		return
	case n.Kind == yaml.ScalarNode && reflect.PointerTo(t).Implements(shorthandType):
		return
	case t == durationType:
		c.scalar(n, t, path)
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if c.kind(n, yaml.MappingNode, path) {
			c.mapping(n, path, func(k, v *yaml.Node) {
				f, ok := fieldsOf(t)[k.Value]
				if !ok {
					c.fail(k, keyPath(path, k.Value), "unknown setting%s", unknownHint(k.Value, path, t))
					return
				}
				c.value(v, f, keyPath(path, k.Value))
			})
		}
	case reflect.Map:
		if c.kind(n, yaml.MappingNode, path) {
			c.mapping(n, path, func(k, v *yaml.Node) {
				c.scalar(k, t.Key(), keyPath(path, k.Value))
				c.value(v, t.Elem(), keyPath(path, k.Value))
			})
		}
	case reflect.Slice:
		if c.kind(n, yaml.SequenceNode, path) {
			for i, item := range n.Content {
				c.value(item, t.Elem(), indexPath(path, i))
			}
		}
	default:
		c.scalar(n, t, path)
	}
}

// kind reports whether n is of the kind wanted, reporting it when not.
func (c *checker) kind(n *yaml.Node, want yaml.Kind, path string) bool {
	if n.Kind == want {
		return true
	}
	var hint string
	if want == yaml.SequenceNode && n.Kind == yaml.ScalarNode {
		hint = fmt.Sprintf(" (write [%s], or one \"- item\" a line)", n.Value)
	}
	c.fail(n, path, "expected %s, found %s%s", kindName(want), found(n), hint)
	return false
}

// mapping calls each for every key of n and its value, reporting keys that
// are not scalars or that are given twice. Merge keys (<<: *anchor) bring
// their mapping's keys in, which the mapping's own keys may override.
func (c *checker) mapping(n *yaml.Node, path string, each func(k, v *yaml.Node)) {
	seen := map[string]*yaml.Node{}
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), n.Content[i+1]
		if k == nil || k.Kind != yaml.ScalarNode {
			c.fail(n.Content[i], path, "a key must be a name, found %s", found(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			merged = append(merged, v)
			continue
		}
		if first, dup := seen[k.Value]; dup {
			c.fail(k, keyPath(path, k.Value), "given twice (first at line %d, column %d)", first.Line, first.Column)
			continue
		}
		seen[k.Value] = k
		each(k, v)
	}
	for _, m := range merged {
		m = deref(m)
		var maps []*yaml.Node
		switch {
		case m == nil:
		case m.Kind == yaml.MappingNode:
			maps = []*yaml.Node{m}
		case m.Kind == yaml.SequenceNode:
			for _, item := range m.Content {
				maps = append(maps, deref(item))
			}
		}
		if len(maps) == 0 {
			c.fail(m, path, "<< merges a mapping or a list of mappings, found %s", found(m))
		}
		for _, mm := range maps {
			if mm == nil || mm.Kind != yaml.MappingNode {
				c.fail(mm, path, "<< merges a mapping or a list of mappings, found %s", found(mm))
				continue
			}
			if !c.spend(len(mm.Content), mm, path) {
				return
			}
			c.mapping(mm, path, func(k, v *yaml.Node) {
				if _, own := seen[k.Value]; !own {
					each(k, v)
				}
			})
		}
	}
}

// sources checks the `sources:` mapping: each key names a registered
// source, whose settings type checks its value.
func (c *checker) sources(n *yaml.Node, path string) {
	if !c.kind(n, yaml.MappingNode, path) {
		return
	}
	c.mapping(n, path, func(k, v *yaml.Node) {
		p := keyPath(path, k.Value)
		for _, r := range registry {
			if r.name == k.Value {
				c.value(v, reflect.TypeOf(r.def()), p)
				return
			}
		}
		hint := fmt.Sprintf(" (known: %s)", strings.Join(SourceNames(), ", "))
		if near := closest(k.Value, SourceNames()); near != "" {
			hint = "; did you mean " + near + "?"
		}
		c.fail(k, p, "unknown source%s", hint)
	})
}

// scalar checks that n is a value of type t by decoding it as yaml.v3 will.
func (c *checker) scalar(n *yaml.Node, t reflect.Type, path string) {
	n = deref(n)
	if n == nil || n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return
	}
	want := scalarName(t)
	if n.Kind != yaml.ScalarNode {
		c.fail(n, path, "expected %s, found %s", want, found(n))
		return
	}
	if err := n.Decode(reflect.New(t).Interface()); err != nil {
		if t == durationType && wholeNumber.MatchString(n.Value) {
			c.fail(n, path, "%s is not a duration: give its unit, such as %ss or %sm", n.Value, n.Value, n.Value)
			return
		}
		if t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64 && wholeNumber.MatchString(n.Value) {
			c.fail(n, path, "%s is out of range", n.Value)
			return
		}
		c.fail(n, path, "%s is not %s", found(n), want)
	}
}

var wholeNumber = regexp.MustCompile(`^[-+]?[0-9][0-9_]*$`)

// scalarName says what a value of type t looks like, in an operator's
// words.
func scalarName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if t == durationType {
			return "a duration such as 30s, 5m or 1h30m"
		}
		return "a whole number"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number, 0 or more"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "text"
	case reflect.Slice:
		return "a list"
	}
	return "a mapping of settings"
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "a mapping (key: value lines)"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a value"
}

// found describes a node as the file shows it.
func found(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Kind == yaml.AliasNode:
		return "an alias"
	}
	v := n.Value
	if r := []rune(v); len(r) > 40 {
		v = string(r[:40]) + "…"
	}
	return fmt.Sprintf("%q", v)
}

// fieldsOf maps a settings struct's YAML keys to their types, inline
// structs (the sources' Toggle) included.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			continue
		}
		if strings.Contains(opts, "inline") {
			for k, v := range fieldsOf(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	fieldCache.Store(t, out)
	return out
}

var fieldCache sync.Map // reflect.Type → map[string]reflect.Type

// unknownHint helps with an unknown key of the struct t at path: a near
// miss among its keys, else the section the key belongs to, else the keys
// it takes.
func unknownHint(key, path string, t reflect.Type) string {
	fields := fieldsOf(t)
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	near := closest(key, keys)
	if near != "" && editDistance(key, near) <= 1 {
		return "; did you mean " + near + "?"
	}
	if homes := settingHomes()[key]; len(homes) > 0 && len(homes) <= 3 {
		if homes[0] == "" {
			return "; it belongs at the top level of the file"
		}
		return "; it belongs under " + orList(homes)
	}
	if near != "" {
		return "; did you mean " + near + "?"
	}
	where := path
	if where == "" {
		where = "the file"
	}
	return fmt.Sprintf(" (%s takes %s)", where, strings.Join(keys, ", "))
}

func orList(s []string) string {
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// settingHomes maps every key of the schema to the sections that take it
// ("max_factor" → ["review"], "database" → [""], the top level); a list's
// entries are written [N], a map's entries *.
var settingHomes = sync.OnceValue(func() map[string][]string {
	homes := map[string][]string{}
	var walk func(t reflect.Type, path string, depth int)
	walk = func(t reflect.Type, path string, depth int) {
		for t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		switch {
		case depth > 8:
			return
		case t == sourcesType:
			for _, r := range registry {
				walk(reflect.TypeOf(r.def()), keyPath(path, r.name), depth+1)
			}
			return
		case t == durationType || t == nodeType:
			return
		}
		switch t.Kind() {
		case reflect.Struct:
			for k, ft := range fieldsOf(t) {
				homes[k] = append(homes[k], path)
				walk(ft, keyPath(path, k), depth+1)
			}
		case reflect.Slice:
			walk(t.Elem(), path+"[N]", depth+1)
		case reflect.Map:
			walk(t.Elem(), path+".*", depth+1)
		}
	}
	walk(reflect.TypeFor[Config](), "", 0)
	for k := range homes {
		slices.Sort(homes[k])
		homes[k] = slices.Compact(homes[k])
	}
	return homes
})
