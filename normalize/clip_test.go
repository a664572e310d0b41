package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/llmref/llmref/catalog"
)

func TestClipText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		limit    int
		want     string
		clipped  bool
	}{
		{"short", "GPT-5", 10, "GPT-5", false},
		{"at the limit", "abcdefghij", 10, "abcdefghij", false},
		{"over", "abcdefghijk", 10, "abcdefg…", true},
		// "é" (2 bytes) would straddle the cut at 7: left out whole.
		{"rune boundary", "abcdeféghijk", 10, "abcdef…", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, clipped := clipText(tc.in, tc.limit)
			if got != tc.want || clipped != tc.clipped || len(got) > tc.limit || !utf8.ValidString(got) {
				t.Errorf("clipText(%q, %d) = %q, %v; want %q, %v", tc.in, tc.limit, got, clipped, tc.want, tc.clipped)
			}
		})
	}
}

func TestClipID(t *testing.T) {
	a, b := strings.Repeat("x", 300)+"a", strings.Repeat("x", 300)+"b"
	ca, _ := clipID(a, MaxIDBytes)
	cb, _ := clipID(b, MaxIDBytes)
	if ca == cb || len(ca) > MaxIDBytes || len(cb) > MaxIDBytes || !strings.Contains(ca, "…") {
		t.Errorf("clipID: %q and %q; want two distinct ids within %d bytes, flagged", ca, cb, MaxIDBytes)
	}
	if again, _ := clipID(a, MaxIDBytes); again != ca {
		t.Errorf("clipID is not stable: %q, then %q", ca, again)
	}
}

// TestNormalizeClips: a 100 KB name and a 400-byte id reach the snapshot
// clipped, flagged with "…", on a UTF-8 boundary, and the source's clips
// are named.
func TestNormalizeClips(t *testing.T) {
	longName := strings.Repeat("Ünïcödé ", 100<<10/10)
	longID := "meta-llama/llama-" + strings.Repeat("x", 400)
	res := norm(t, Input{Pages: []catalog.Page{
		page(orModels.model("meta-llama/llama-3.2-1b-instruct", catalog.FieldName, longName), orModels.model(longID, catalog.FieldName, "Long")),
	}})
	m := res.Snapshot.Models[llamaID]
	if m == nil {
		t.Fatalf("models %v, want %s", res.Snapshot.ModelIDs(), llamaID)
	}
	if name := m.DisplayName(); len(name) > MaxNameBytes || !utf8.ValidString(name) || !strings.HasSuffix(name, "…") {
		t.Errorf("named %q (%d bytes); want clipped to %d bytes, flagged", name, len(name), MaxNameBytes)
	}
	for _, u := range res.Snapshot.Unmatched {
		if len(u.ID) > MaxIDBytes || !strings.Contains(u.ID, "…") {
			t.Errorf("unmatched id %q (%d bytes); want clipped to %d bytes, flagged", u.ID, len(u.ID), MaxIDBytes)
		}
	}
	if len(res.Snapshot.Unmatched) != 1 {
		t.Errorf("unmatched %+v; want the long id", res.Snapshot.Unmatched)
	}
	got := res.Clipped["openrouter"]
	if len(got) != 2 || !strings.HasPrefix(got[0], "model id ") || !strings.HasPrefix(got[1], "name ") {
		t.Errorf("clipped %q; want the model id and the name named", got)
	}
}

// TestClipObservationAllocs: an observation with nothing over its limits
// (nearly every one a run files) is clipped with no allocation.
func TestClipObservationAllocs(t *testing.T) {
	o := catalog.Observation{Source: "openrouter", URL: "https://openrouter.ai/api/v1/models", Subject: "meta-llama/llama-3.2-1b-instruct",
		Provider: "deepinfra", Field: catalog.FieldPriceInput, Value: "0.000000027", Unit: catalog.PerToken}
	if n := testing.AllocsPerRun(100, func() {
		if _, clipped := clipObservation(o); clipped != nil {
			t.Fatal("clipped")
		}
	}); n != 0 {
		t.Errorf("%v allocations; want none", n)
	}
}
