package canonjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// slowCanonical is the reference: decode into interface values, encode
// again sorted and indented. canonicalize must give the same bytes.
func slowCanonical(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func TestCanonicalMatchesReference(t *testing.T) {
	values := []any{
		nil, true, 0, -1.5, "x", []int{}, map[string]int{}, struct{}{},
		map[string]any{"b": 1, "a": []any{map[string]any{"z": nil, "y": "<&>"}}, "": "empty key"},
		struct {
			Z string  `json:"z"`
			A float64 `json:"a"`
			M []byte  `json:"m"`
		}{"\u2028 \x01 \t é \"q\" \\ \ufffd", 1e21, []byte("bytes")},
		&catalog.Offering{ModelID: "meta/llama-3.2-1b-instruct", Provider: "openrouter", ProviderModelID: "meta-llama/llama-3.2-1b-instruct",
			Input: catalog.Fact[catalog.Price]{Value: catalog.Fixed(27_000), Display: "$0.027", RetrievedAt: catalog.StampOf(time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)),
				Source: catalog.SourceOf(catalog.SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: catalog.AuthorityProvider})}},
		catalog.Run{ID: 3, StartedAt: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)},
	}
	for _, v := range values {
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want, err := slowCanonical(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", raw, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("Marshal(%s):\n%s\nwant:\n%s", raw, got, want)
		}
		var compact bytes.Buffer
		json.Compact(&compact, want)
		if got, err := Compact(v); err != nil || !bytes.Equal(got, compact.Bytes()) {
			t.Errorf("Compact(%s) = %s, %v; want %s", raw, got, err, compact.Bytes())
		}
	}
	// Hand-written JSON: duplicate keys (the last wins), escaped keys,
	// insignificant space.
	for _, raw := range []string{`{"a":1,"b":2,"a":3}`, `{"\u0062":1,"a":2}`, ` { "k" : [ 1 , { } , [ ] ] } `, `"\u003c\u0026\u003e"`} {
		t.Run(raw, func(t *testing.T) {
			want, _ := slowCanonical([]byte(raw))
			got, err := canonicalize([]byte(raw))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("canonicalize(%s) = %q, %v; want %q", raw, got, err, want)
			}
		})
	}
	for _, bad := range []string{``, `{`, `{"a"}`, `[1,]x`, `{"a":1}}`, `tru`, `"open`} {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			if _, err := canonicalize([]byte(bad)); err == nil {
				t.Errorf("canonicalize(%q) accepted", bad)
			}
		})
	}
}

// FuzzCanonical checks canonicalize against the reference on any JSON.
func FuzzCanonical(f *testing.F) {
	for _, s := range []string{`{"b":[1,2,{"c":"\u003c"}],"a":null}`, `[]`, `{"a":1,"a":2}`, `"é\u2028"`, `-0.0e+5`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, werr := slowCanonical(raw)
		if werr != nil || !json.Valid(raw) {
			return
		}
		got, err := canonicalize(raw)
		if err != nil {
			t.Fatalf("canonicalize(%q): %v", raw, err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("canonicalize(%q) = %q, want %q", raw, got, want)
		}
		var compact bytes.Buffer
		json.Compact(&compact, want)
		got, err = canonicalForm(raw, false)
		if err != nil || !bytes.Equal(got, compact.Bytes()) {
			t.Fatalf("compact form of %q = %q, %v; want %q", raw, got, err, compact.Bytes())
		}
		// A value written nested by AppendIndented, between its
		// container's lines, is what Marshal writes of the container.
		v := json.RawMessage(raw)
		whole, err := Marshal(map[string]any{"k": []any{v, v}})
		if err != nil {
			t.Fatal(err)
		}
		parts := []byte("{\n  \"k\": [\n    ")
		for i := range 2 {
			if i > 0 {
				parts = append(parts, ",\n    "...)
			}
			if parts, err = AppendIndented(parts, v, 2); err != nil {
				t.Fatal(err)
			}
		}
		parts = append(parts, "\n  ]\n}\n"...)
		if !bytes.Equal(parts, whole) {
			t.Fatalf("%q nested by parts:\n%s\nwhole:\n%s", raw, parts, whole)
		}
	})
}
