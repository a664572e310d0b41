package jsonread

import (
	"encoding/json"
	"strings"
	"testing"
)

// accepts reports whether the reader reads b as one whole JSON value.
func accepts(b []byte) bool {
	r := New(b)
	r.Skip()
	return r.End()
}

func TestReaderSyntax(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`{}`, true}, {`[]`, true}, {` {"a" : [1, -2.5e3, true, false, null, "x\"\\\/\b\f\n\r\t\u00e9"]} `, true},
		{`"plain"`, true}, {`0`, true}, {`{"a":{"b":{"c":[[[]]]}}}`, true},
		{``, false}, {` `, false}, {`{`, false}, {`{"a"}`, false}, {`{"a":}`, false}, {`{"a":1,}`, false}, {`[1,]`, false},
		{`[1 2]`, false}, {`01`, false}, {`1.`, false}, {`-`, false}, {`nul`, false}, {`truex`, false}, {`"a`, false},
		{`"\x"`, false}, {`"\u12"`, false}, {"\"a\x01\"", false}, {`{} {}`, false}, {`{'a':1}`, false},
		{strings.Repeat("[", 10000) + strings.Repeat("]", 10000), true},
		{strings.Repeat("[", 10001) + strings.Repeat("]", 10001), false},
	} {
		if got := accepts([]byte(tc.in)); got != tc.want {
			t.Errorf("accepts(%.40q) = %v, want %v", tc.in, got, tc.want)
		}
		if got, want := accepts([]byte(tc.in)), json.Valid([]byte(tc.in)); got != want {
			t.Errorf("%.40q: the reader says %v, encoding/json %v", tc.in, got, want)
		}
	}
}

// TestReaderLeavesKeys: a key with an escape or a byte outside ASCII is
// left to encoding/json, whose matching of keys to fields folds case
// beyond ASCII.
func TestReaderLeavesKeys(t *testing.T) {
	for _, in := range []string{`{"a\u0062":1}`, `{"ſ":1}`} {
		if accepts([]byte(in)) {
			t.Errorf("read %q by hand", in)
		}
	}
}

func TestValue(t *testing.T) {
	r := New([]byte(` { "a" : [1, {"b": "c"}] , "d": 2 } `))
	var got []string
	r.Object(func([]byte) { got = append(got, string(r.Value())) })
	if !r.End() || strings.Join(got, "|") != `[1, {"b": "c"}]|2` {
		t.Errorf("values %q (ok %v)", got, r.OK)
	}
}

func TestFieldsMatch(t *testing.T) {
	f := Fields{Names: []string{"tag", "name"}}
	r := New(nil)
	if f.Match(r, []byte("name")) != 1 || f.Match(r, []byte("other")) != -1 || !r.OK {
		t.Fatal("exact keys")
	}
	if f.Match(r, []byte("name")) != -1 || r.OK {
		t.Error("a field named twice is left to encoding/json")
	}
	f, r = Fields{Names: []string{"tag"}}, New(nil)
	if f.Match(r, []byte("Tag")) != -1 || r.OK {
		t.Error("a key in another case is left to encoding/json")
	}
}

// FuzzReader: the reader never takes for JSON what encoding/json refuses.
func FuzzReader(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5,"x",true,null]}`, `[{"b":{}}]`, `"\u00e9"`, `{"a":1}x`, `-0.0e+1`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if accepts(b) && !json.Valid(b) {
			t.Fatalf("read %q, which encoding/json refuses", b)
		}
	})
}

// TestString: a string's value is encoding/json's, escapes, surrogates
// and invalid UTF-8 included.
func TestString(t *testing.T) {
	for _, in := range []string{`"plain"`, `"a\"b\\c\/d\b\f\n\r\t"`, `"\u00e9\u4e2d"`, `"\ud83d\ude00"`, `"\ud800x"`, `"\udc00"`,
		"\"a\xffb\"", "\"\xe2\x82\"", `""`} {
		r := New([]byte(in))
		got := r.String()
		var want string
		if err := json.Unmarshal([]byte(in), &want); err != nil || !r.End() || got != want {
			t.Errorf("String(%q) = %q (ok %v), encoding/json %q (%v)", in, got, r.OK, want, err)
		}
	}
	if r := New([]byte(`1`)); r.String() != "" || r.OK {
		t.Error("a number read as a string")
	}
}
