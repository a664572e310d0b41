package export

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPutListIsPutJSON: the streamed object is byte for byte the one
// PutJSON writes whole, for no item, one and many, with members before and
// after the list and strings that need escaping.
func TestPutListIsPutJSON(t *testing.T) {
	type item struct {
		Name  string            `json:"name"`
		Tags  []string          `json:"tags"`
		Attrs map[string]string `json:"attrs,omitempty"`
		N     float64           `json:"n"`
	}
	items := []item{
		{Name: "<b>Llama</b> & \"friends\"\u2028", Tags: []string{}, N: 1e21},
		{Name: "gpt-5.3-codex", Tags: []string{"a", "é"}, Attrs: map[string]string{"z": "1", "a": "\x1b[31m"}, N: 0.027},
		{Name: "", Tags: nil, N: -3},
	}
	dir := t.TempDir()
	tr, err := Begin(filepath.Join(dir, "site"))
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Abort()
	for _, n := range []int{0, 1, len(items)} {
		for _, key := range []string{"offerings", "aaa", "zzz"} {
			members := map[string]any{"schema_version": SchemaVersion, "note": "x<y", "nested": map[string]any{"b": []int{}, "a": []int{1, 2}}}
			whole := map[string]any{key: items[:n]}
			for k, v := range members {
				whole[k] = v
			}
			name := key + "-" + string(rune('0'+n))
			if err := tr.PutJSON(name+"-whole.json", whole); err != nil {
				t.Fatal(err)
			}
			if err := tr.putList(name+"-streamed.json", members, key, n, func(i int) any { return items[i] }); err != nil {
				t.Fatal(err)
			}
			want, _ := os.ReadFile(filepath.Join(tr.dir, name+"-whole.json"))
			got, _ := os.ReadFile(filepath.Join(tr.dir, name+"-streamed.json"))
			if string(got) != string(want) {
				t.Errorf("%s: streamed\n%s\nwhole\n%s", name, got, want)
			}
			if tr.files[name+"-whole.json"].SHA256 != tr.files[name+"-streamed.json"].SHA256 {
				t.Errorf("%s: listed with different hashes", name)
			}
		}
	}
	if err := tr.putList("bad.json", map[string]any{"offerings": 1}, "offerings", 0, nil); err == nil {
		t.Error("a member named as the list accepted")
	}

	// A struct head: its list member replaced, omitempty members absent.
	type doc struct {
		Version int            `json:"schema_version"`
		Items   []item         `json:"items"`
		Counts  map[string]int `json:"counts"`
		Omitted int            `json:"omitted,omitempty"`
		Zed     string         `json:"zed"`
	}
	for _, n := range []int{0, len(items)} {
		whole := doc{Version: 1, Items: items[:n], Counts: map[string]int{"b": 2, "a": 1}, Zed: "</script>"}
		name := "doc-" + string(rune('0'+n))
		if err := tr.PutJSON(name+"-whole.json", whole); err != nil {
			t.Fatal(err)
		}
		head := whole
		head.Items = nil
		if err := tr.PutJSONList(name+"-streamed.json", head, "items", n, func(i int) any { return &items[i] }); err != nil {
			t.Fatal(err)
		}
		want, _ := os.ReadFile(filepath.Join(tr.dir, name+"-whole.json"))
		got, _ := os.ReadFile(filepath.Join(tr.dir, name+"-streamed.json"))
		if string(got) != string(want) {
			t.Errorf("%s: streamed\n%s\nwhole\n%s", name, got, want)
		}
	}
	if err := tr.PutJSONList("list.json", []int{1}, "items", 0, nil); err == nil {
		t.Error("a head that is no object accepted")
	}
}
