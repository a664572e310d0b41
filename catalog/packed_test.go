package catalog

import (
	"slices"
	"testing"
	"time"
	"unsafe"
)

// samePacked reports whether got is want, RetrievedAt compared as an
// instant and by its zone offset (a packed time keeps both, not the
// monotonic reading).
func samePacked(t *testing.T, got, want []Observation) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("unpacked %d observations, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !g.RetrievedAt.Equal(w.RetrievedAt) {
			t.Errorf("%d: retrieved_at %v, want %v", i, g.RetrievedAt, w.RetrievedAt)
		}
		_, go1 := g.RetrievedAt.Zone()
		_, wo := w.RetrievedAt.Zone()
		if go1 != wo {
			t.Errorf("%d: zone offset %d, want %d", i, go1, wo)
		}
		g.RetrievedAt, w.RetrievedAt = time.Time{}, time.Time{}
		if g != w {
			t.Errorf("%d: unpacked\n%+v\nwant\n%+v", i, g, w)
		}
	}
}

func TestPackRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 5, 3, 0, 0, 123456789, time.UTC)
	paris := time.FixedZone("CET", 3600)
	page := "https://developers.openai.com/api/docs/models/gpt-5.3-codex"
	model := func(field Field, value string) Observation {
		return Observation{Source: "openai", URL: page, Authority: AuthorityCreator, RetrievedAt: at,
			Subject: "gpt-5.3-codex", SubjectName: "GPT-5.3-Codex", Field: field, Value: value}
	}
	price := func(provider, region, field, value, unit, note string) Observation {
		return Observation{Source: "openrouter-endpoints", URL: "https://openrouter.ai/api/v1/models/meta-llama/llama-3.2-1b-instruct/endpoints",
			Authority: AuthorityAggregator, RetrievedAt: at, Subject: "meta-llama/llama-3.2-1b-instruct",
			Provider: provider, Region: region, Field: Field(field), Value: value, Unit: Unit(unit), Note: note}
	}
	tests := []struct {
		name string
		obs  []Observation
	}{
		{"none", nil},
		{"one", []Observation{model(FieldContext, "400000")}},
		{"a model page", []Observation{
			model(FieldContext, "400000"), model(FieldMaxOutput, "128000"),
			model("input", "1.75"), model("output", "14"), model(FieldHFRepo, ""),
		}},
		{"a page of offerings, repeats and empties", []Observation{
			price("deepinfra", "", "input", "0.000000005", "usd_per_token", ""),
			price("deepinfra", "", "output", "0.000000005", "usd_per_token", ""),
			price("deepinfra", "", "output", "0.000000005", "usd_per_token", ""), // a repeated row
			price("together", "us-east", "input", "0.00000006", "usd_per_token", "fp8"),
			price("together", "", "input", "", "", ""),
		}},
		{"another URL, source, authority and time on one page", []Observation{
			model(FieldContext, "400000"),
			{Source: "litellm", URL: "https://raw.githubusercontent.com/x", Authority: AuthorityCrossCheck,
				RetrievedAt: at.Add(-time.Hour).In(paris), Subject: "gpt-5.3-codex", Field: FieldContext, Value: "400k"},
			{Source: "openai", URL: page, Authority: -3, RetrievedAt: time.Time{}, Subject: "é ünïcode \x00 and \"quotes\"",
				Field: FieldMaxOutput, Value: "128k"},
			model(FieldMaxOutput, "128000"),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := slices.Clone(tt.obs)
			p := Pack(tt.obs)
			if p.Len() != len(want) {
				t.Fatalf("Len %d, want %d", p.Len(), len(want))
			}
			samePacked(t, p.Unpack(), want)
			samePacked(t, slices.Collect(p.Shared()), want)
			if !slices.Equal(tt.obs, want) {
				t.Error("Pack changed its input")
			}
			// An early stop ends the iteration.
			n := 0
			for range p.All() {
				n++
				break
			}
			if len(want) > 0 && n != 1 {
				t.Errorf("the loop ran %d times after break", n)
			}
		})
	}
}

// TestPackIsCompact pins the point of packing: a model page's observations
// take a fraction of what the Observations do.
func TestPackIsCompact(t *testing.T) {
	at := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	var obs []Observation
	for _, f := range []Field{FieldContext, FieldMaxOutput, "input", "cached_input", "output", "knowledge_cutoff",
		"reasoning", "vision", "function_calling", "structured_outputs", "streaming", "fine_tuning"} {
		obs = append(obs, Observation{Source: "openai", URL: "https://developers.openai.com/api/docs/models/gpt-5.3-codex",
			Authority: AuthorityCreator, RetrievedAt: at, Subject: "gpt-5.3-codex", SubjectName: "GPT-5.3-Codex",
			Field: f, Value: "400000"})
	}
	packed := len(Pack(obs).s)
	held := len(obs) * int(unsafe.Sizeof(Observation{}))
	if packed*4 > held {
		t.Errorf("%d observations packed into %d bytes, against %d for their Observations alone", len(obs), packed, held)
	}
}

func TestPageObservationsPacked(t *testing.T) {
	at := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC)
	obs := []Observation{
		{Source: "openai", URL: "u", Authority: AuthorityCreator, RetrievedAt: at, Subject: "gpt-5", Field: FieldContext, Value: "400000"},
		{Source: "openai", URL: "u", Authority: AuthorityCreator, RetrievedAt: at, Subject: "gpt-5", Field: FieldMaxOutput, Value: "128000"},
	}
	p := Page{URL: "u", Observations: slices.Clone(obs)}
	p.Pack()
	if len(p.Observations) != 0 || !p.Packed() || !p.HoldsObservations() {
		t.Fatalf("after Pack: %d observations, packed %v, holds %v", len(p.Observations), p.Packed(), p.HoldsObservations())
	}
	if p.ObservationCount() != 2 {
		t.Errorf("ObservationCount %d, want 2", p.ObservationCount())
	}
	samePacked(t, slices.Collect(p.Observed()), obs)
	samePacked(t, slices.Collect(p.ObservedShared()), obs)
	q := p // a copy reads the same
	q.Unpack()
	samePacked(t, q.Observations, obs)
	if q.Packed() {
		t.Error("Unpack left the packed form")
	}
	p.DropObservations()
	if p.HoldsObservations() || p.Count != 2 || p.ObservationCount() != 2 {
		t.Errorf("after DropObservations: holds %v, count %d", p.HoldsObservations(), p.Count)
	}
	var empty Page
	empty.Pack()
	if empty.Packed() || slices.Collect(empty.Observed()) != nil {
		t.Error("an empty page packed something")
	}
}

func FuzzPack(f *testing.F) {
	f.Add("openai", "https://x/a", "gpt-5", "GPT-5", "", "", "", "context_window", "400000", "", "", int64(2), int64(1764900000), "b", "128k")
	f.Add("", "", "", "", "p", "r", "v", "input", "", "usd_per_token", "n", int64(-1), int64(0), "", "")
	f.Fuzz(func(t *testing.T, src, url, subj, name, prov, region, variant, field, value, unit, note string, auth, sec int64, value2, value3 string) {
		at := time.Unix(sec%(1<<40), 0).UTC()
		o := Observation{Source: src, URL: url, Authority: Authority(auth), RetrievedAt: at, Subject: subj, SubjectName: name,
			Provider: prov, Region: region, Variant: variant, Field: Field(field), Value: value, Unit: Unit(unit), Note: note}
		o2, o3 := o, o
		o2.Value, o3.Value, o3.URL, o3.Authority = value2, value3, url+value2, Authority(auth/2)
		o3.RetrievedAt = at.Add(time.Second)
		obs := []Observation{o, o2, o3, o}
		samePacked(t, Pack(obs).Unpack(), obs)
	})
}
