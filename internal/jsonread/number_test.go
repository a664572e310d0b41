package jsonread

import (
	"bytes"
	"encoding/json"
	"testing"
)

// decoderNumber is what NumberLiteral stands in for: the text of a JSON
// number when b is one whole JSON value that is a number.
func decoderNumber(b []byte) (string, bool) {
	if !json.Valid(b) {
		return "", false
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return "", false
	}
	n, ok := v.(json.Number)
	return n.String(), ok
}

func TestNumberLiteral(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"0", true}, {"-0", true}, {"0.000000027", true}, {"15", true}, {"1e5", true},
		{"1.5E-7", true}, {"2e+10", true}, {"-3.25", true},
		{"", false}, {"-", false}, {"01", false}, {"1.", false}, {".5", false}, {"1e", false},
		{"1e+", false}, {"+1", false}, {"0x10", false}, {"1 2", false}, {" 1", false},
		{`"1"`, false}, {"null", false}, {"NaN", false}, {"Infinity", false}, {"1.5.2", false},
	} {
		if got := NumberLiteral([]byte(tc.in)); got != tc.want {
			t.Errorf("NumberLiteral(%q) = %v, want %v", tc.in, got, tc.want)
		}
		if text, ok := decoderNumber([]byte(tc.in)); (ok && text == tc.in) != tc.want {
			t.Errorf("the decoder reads %q as %q, %v: the table is wrong", tc.in, text, ok)
		}
	}
}

// FuzzNumberLiteral holds NumberLiteral to encoding/json: a literal it
// accepts is exactly one number whose json.Number text is the literal, and
// every such number is accepted.
func FuzzNumberLiteral(f *testing.F) {
	for _, s := range []string{"0", "-1.5e-7", "0.000000027", "01", "1.", `"2"`, "1 2", "1e+", "[1]"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		text, isNumber := decoderNumber(b)
		isNumber = isNumber && text == string(b)
		if got := NumberLiteral(b); got != isNumber {
			t.Fatalf("NumberLiteral(%q) = %v, encoding/json says %v", b, got, isNumber)
		}
	})
}
