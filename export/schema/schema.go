// Package schema holds the JSON Schemas (draft 2020-12) of every kind of
// file in the exported tree, embedded in the binary: it writes them into the
// tree as schema/*.schema.json and validates files against them.
//
// Each kind is a path pattern and a schema file (Kinds). defs.schema.json
// holds the shared definitions (facts, prices, tokens, dates, licences, file
// entries); the other schemas refer to it relatively, so the schema/ folder
// of a tree is self-contained. Pass Validate to export.Verify to check a
// tree's files against their schemas.
package schema

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/llmref/llmref/export"
)

//go:embed *.schema.json
var files embed.FS

// BaseURL is the base of every schema's $id.
const BaseURL = "https://github.com/llmref/llmref/export/schema/"

// Dir is where the schemas are written in the tree.
const Dir = "schema"

// Kind is one kind of exported file: a path pattern (path.Match syntax,
// relative to the tree) and the schema its files follow.
type Kind struct {
	Pattern string
	Schema  string
}

// Kinds lists every kind of file in the exported tree, first match wins.
// A kind whose schema file is not (yet) embedded is skipped.
var Kinds = []Kind{
	{"index.json", "index.schema.json"},
	{"models.json", "models.schema.json"},
	{"providers.json", "providers.schema.json"},
	{"offerings.json", "offerings.schema.json"},
	{"unmatched.json", "unmatched.schema.json"},
	{"freshness.json", "freshness.schema.json"},
	{"coverage.json", "coverage.schema.json"},
	{"models/*.json", "model.schema.json"},
	{"comparisons.json", "comparisons.schema.json"},
	{"comparisons/*.json", "comparison.schema.json"},
	{"changes.json", "changes-index.schema.json"},
	{"changes/*.json", "changes.schema.json"},
	{"history/*.json", "history.schema.json"},
}

// ErrNoSchema reports a file of the tree that no kind covers.
var ErrNoSchema = errors.New("no schema for this kind of file")

var compiled = sync.OnceValues(compile)

type compiledSet struct {
	byName map[string]*jsonschema.Schema
}

func compile() (*compiledSet, error) {
	names, err := Names()
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", n, err)
		}
		if err := c.AddResource(BaseURL+n, doc); err != nil {
			return nil, fmt.Errorf("schema %s: %w", n, err)
		}
	}
	set := &compiledSet{byName: map[string]*jsonschema.Schema{}}
	for _, n := range names {
		s, err := c.Compile(BaseURL + n)
		if err != nil {
			return nil, fmt.Errorf("schema %s: %w", n, err)
		}
		set.byName[n] = s
	}
	return set, nil
}

// Names lists the embedded schema files in name order.
func Names() ([]string, error) {
	names, err := fs.Glob(files, "*.schema.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// Compile checks that every embedded schema compiles.
func Compile() error {
	_, err := compiled()
	return err
}

// SchemaFor names the schema of a tree path, or "" when no kind covers it.
// Files under schema/ are schemas themselves; their kind is the metaschema,
// which compiling them checks.
func SchemaFor(rel string) string {
	for _, k := range Kinds {
		if ok, _ := path.Match(k.Pattern, rel); ok {
			if _, err := fs.Stat(files, k.Schema); err == nil {
				return k.Schema
			}
			return ""
		}
	}
	return ""
}

// Validate checks one file of the tree against its kind's schema. Files
// under schema/ and paths no kind covers pass (see Check for the strict
// form); a file its schema rejects gets the validator's reasons.
func Validate(rel string, data []byte) error {
	if strings.HasPrefix(rel, Dir+"/") {
		return nil
	}
	err := Check(rel, data)
	if errors.Is(err, ErrNoSchema) {
		return nil
	}
	return err
}

// Check validates one file of the tree against its kind's schema; a path no
// kind covers is ErrNoSchema.
func Check(rel string, data []byte) error {
	name := SchemaFor(rel)
	if name == "" {
		return fmt.Errorf("%s: %w", rel, ErrNoSchema)
	}
	set, err := compiled()
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	if err := set.byName[name].Validate(inst); err != nil {
		return fmt.Errorf("against %s: %s", name, oneLine(err.Error()))
	}
	return nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Section writes every embedded schema into the tree as schema/<name>.
func Section(t *export.Tree) error {
	names, err := Names()
	if err != nil {
		return err
	}
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return err
		}
		if err := t.Put(Dir+"/"+n, b); err != nil {
			return err
		}
	}
	return nil
}
