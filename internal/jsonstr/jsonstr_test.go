package jsonstr

import (
	"bytes"
	"encoding/json"
	"testing"
)

// reference is encoding/json's form of s with HTML escaping off.
func reference(t *testing.T, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func TestAppend(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", `"plain"`},
		{`quote " back \ slash`, `"quote \" back \\ slash"`},
		{"<html>&amp;", `"<html>&amp;"`},
		{"\b\f\n\r\t\x00\x1f\x7f", `"\b\f\n\r\t\u0000\u001f` + "\x7f" + `"`},
		{"\u2028\u2029", `"\u2028\u2029"`},
		{"\xff bad", `"\ufffd bad"`},
		{"é ü 中", `"é ü 中"`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := Append([]byte("x"), tt.in)
			if string(got) != "x"+tt.want {
				t.Errorf("Append(%q) = %s, want %s", tt.in, got[1:], tt.want)
			}
			if ref := reference(t, tt.in); !bytes.Equal(got[1:], ref) {
				t.Errorf("Append(%q) = %s, encoding/json writes %s", tt.in, got[1:], ref)
			}
		})
	}
}

// TestAppendHTML: AppendHTML writes what json.Marshal writes.
func TestAppendHTML(t *testing.T) {
	for _, s := range []string{"plain", "<html>&amp;</html>", `quote " \ <`, "\x00\xff\u2028 & é"} {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendHTML(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendHTML(%q) = %s, json.Marshal writes %s", s, got, want)
		}
	}
}

// FuzzAppendHTML: AppendHTML writes every string byte for byte as
// json.Marshal does.
func FuzzAppendHTML(f *testing.F) {
	for _, s := range []string{"plain", "<html>&amp;", "\x00\x1f\n", "\xff\xfe bad", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendHTML(nil, s); !bytes.Equal(got, want) {
			t.Errorf("AppendHTML(%q) = %s, json.Marshal writes %s", s, got, want)
		}
	})
}

// FuzzAppendString: Append writes every string byte for byte as
// encoding/json does with HTML escaping off.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"plain", "quote \" back \\ slash", "<html>&amp;", "\x00\x1f\n\t\r\b\f", "\u2028\u2029", "\xff\xfe bad", "é ü 中"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := Append(nil, s), reference(t, s); !bytes.Equal(got, want) {
			t.Fatalf("Append(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

// BenchmarkAppend writes the strings a catalogue record is made of: ids,
// URLs, prices, dates, a name and a sentence with a quote.
func BenchmarkAppend(b *testing.B) {
	strs := []string{"openai/gpt-5.3-codex", "https://openrouter.ai/api/v1/models/openai/gpt-5.3-codex/endpoints",
		"$1.75", "2026-04-23T02:00:00Z", "GPT-5.3-Codex", `Fireworks "fast" tier, degraded`, "openrouter-endpoints", "per 1M tokens"}
	n := 0
	for _, s := range strs {
		n += len(s)
	}
	b.SetBytes(int64(n))
	var buf []byte
	for b.Loop() {
		buf = buf[:0]
		for _, s := range strs {
			buf = Append(buf, s)
		}
	}
}
