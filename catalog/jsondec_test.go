package catalog

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/internal/jsonread"
)

// decodeFixtures are a model and an offering with every kind of fact and
// note AppendJSON writes, and bare ones, as the store holds them.
func decodeFixtures(tb testing.TB) (models, offerings [][]byte) {
	tb.Helper()
	at := time.Date(2026, 4, 23, 2, 0, 0, 5, time.UTC)
	src := SourceRef{Name: "huggingface", URL: "https://huggingface.co/meta-llama/Llama-3.2-1B-Instruct?a=<b>&c", Authority: AuthorityCreator}
	via := SourceRef{Name: "openrouter", URL: "https://openrouter.ai/api/v1/models", Authority: AuthorityAggregator, Note: "via \"DeepInfra\"\n\u2028 é"}
	str := func(v string) Fact[string] {
		return Fact[string]{Value: v, Display: v, Source: SourceOf(src), RetrievedAt: StampOf(at), ChangedAt: StampOf(at)}
	}
	m := &Model{ID: "meta/llama-3.2-1b-instruct", Creator: "meta", Name: str("Llama 3.2 1B Instruct ™"),
		Aliases:         []Alias{{Source: "openrouter", ID: "meta-llama/llama-3.2-1b-instruct"}, {Source: "bedrock", ID: "meta.llama3-2-1b-instruct-v1:0"}},
		Released:        Fact[Date]{Value: DayDate(2024, 9, 25), Display: "2024-09-25", Source: SourceOf(src), ReviewedAt: StampOf(at)},
		ContextWindow:   Fact[Tokens]{Value: Tokens{N: 131072, Display: "128K"}, Display: "128K", Raw: "131072", Source: SourceOf(via), Stale: true},
		MaxOutput:       Fact[Tokens]{Value: Tokens{N: 4096, Display: "4,096"}, Source: SourceOf(src)},
		Parameters:      Fact[Count]{Value: Count{N: 1_230_000_000, Display: "1.23B"}, Source: SourceOf(src)},
		Architecture:    str("decoder-only transformer"),
		Licence:         Fact[Licence]{Value: Licence{Name: "Llama 3.2 Community License", Class: OpenWeights}, Source: SourceOf(src)},
		KnowledgeCutoff: Fact[Date]{Value: MonthDate(2023, 12), Source: SourceOf(src)},
		InputModalities: Fact[[]string]{Value: []string{"text", "image"}, Source: SourceOf(src)},
		OutputModality:  Fact[[]string]{Value: []string{}, Source: SourceOf(src)},
		Capabilities:    map[Capability]Fact[bool]{CapVision: {Value: false, Source: SourceOf(src)}, CapReasoning: {}, CapMultimodal: {Value: true, Source: SourceOf(via)}},
		Benchmarks: []Fact[BenchmarkResult]{{Value: BenchmarkResult{Benchmark: "MMLU", Metric: "macro_avg/acc", Score: "49.3",
			SourceURL: "https://huggingface.co/x"}, Display: "49.3", Source: SourceOf(src)}},
	}
	m.Name.SetConflicts([]Conflict{{Display: "Llama 3.2 1B", Raw: "Llama 3.2 1B", Source: via, RetrievedAt: at}})
	price := func(mo Money) Fact[Price] {
		return Fact[Price]{Value: Fixed(mo), Display: mo.Text(), Raw: mo.USD(), Source: SourceOf(via), RetrievedAt: StampOf(at), ChangedAt: StampOf(at)}
	}
	o := &Offering{ModelID: m.ID, Provider: "bedrock", ProviderModelID: "meta.llama3-2-1b-instruct-v1:0",
		Region: "eu-west-1", Variant: "batch", Input: price(130_000), Output: price(130_000).WithFlags([]Flag{{Kind: FlagUnitSlip, Detail: "1000× the history"}}),
		CachedInput: Fact[Price]{Value: Price{Kind: PriceFree}, Display: "free", Source: SourceOf(via)},
		CacheWrite:  Fact[Price]{Value: Price{Kind: PriceVariable}, Source: SourceOf(via)},
		BatchInput:  Fact[Price]{Value: Price{Kind: PriceFixed, Amount: 27, Rounded: true}, Source: SourceOf(via)},
		Context:     Fact[Tokens]{Value: Tokens{N: 131072}, Source: SourceOf(src)}, MaxOutput: Fact[Tokens]{Value: Tokens{N: 4096}, Source: SourceOf(src)},
		Tiers: []PriceTier{{AboveTokens: 272000, Input: price(5)}}}
	for _, r := range []interface{ AppendJSON([]byte) ([]byte, error) }{m, &Model{}, &Model{ID: "a/b", Capabilities: map[Capability]Fact[bool]{}}} {
		b, err := r.AppendJSON(nil)
		if err != nil {
			tb.Fatal(err)
		}
		models = append(models, b)
	}
	for _, r := range []*Offering{o, {ModelID: "a/b", Provider: "p", Input: price(1)}} {
		b, err := r.AppendJSON(nil)
		if err != nil {
			tb.Fatal(err)
		}
		offerings = append(offerings, b)
	}
	return models, offerings
}

// sameDecoded checks that a record the hand reader took is what
// encoding/json reads.
func sameDecoded[T any](t *testing.T, data []byte, got *T) {
	t.Helper()
	var want T
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("read %q by hand; encoding/json refuses it: %v", data, err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("read %q as %+v; encoding/json reads %+v", data, *got, want)
	}
}

// TestDecodeRecordsByHand: what AppendJSON writes is read by hand, as
// encoding/json reads it.
func TestDecodeRecordsByHand(t *testing.T) {
	models, offerings := decodeFixtures(t)
	for _, data := range models {
		var m Model
		if !readModel(&dec{jsonread.New(data), NewDecoder()}, &m) {
			t.Fatalf("model %s left to encoding/json", data)
		}
		sameDecoded(t, data, &m)
	}
	for _, data := range offerings {
		var o Offering
		if !readOffering(&dec{jsonread.New(data), NewDecoder()}, &o) {
			t.Fatalf("offering %s left to encoding/json", data)
		}
		sameDecoded(t, data, &o)
	}
}

// TestDecodeRecordsLeftToJSON: what the hand reader refuses, encoding/json
// decides: its errors stay errors, and what it takes comes out the same.
func TestDecodeRecordsLeftToJSON(t *testing.T) {
	models, offerings := decodeFixtures(t)
	base := string(offerings[1])
	for _, tc := range []struct {
		name, from, to string
		wantErr        bool
	}{
		{"escaped key", `"provider":`, `"provid\u0065r":`, false},
		{"key in another case", `"provider":`, `"Provider":`, false},
		{"null fact", `"output":{"status":"not_yet_sourced","reviewed_at":null}`, `"output":null`, true},
		{"unknown status", `"status":"sourced"`, `"status":"guessed"`, true},
		{"fixed price without an amount", `,"usd_per_mtok":0.000001,"micro_usd_per_mtok":1`, ``, true},
		{"fraction of a micro-dollar", `"micro_usd_per_mtok":1`, `"micro_usd_per_mtok":1.5`, true},
		{"time out of range", `"retrieved_at":"2026-04-23T02:00:00.000000005Z"`, `"retrieved_at":"9999-04-23T02:00:00Z"`, true},
		{"price kind escaped", `"kind":"fixed"`, `"kind":"fix\u0065d"`, false},
		{"unknown key", `{"model":`, `{"extra":[1,{"a":null}],"model":`, false},
		{"duplicate key", `"provider":"p"`, `"provider":"p","provider":"q"`, false},
		{"not yet sourced with a value", `"output":{"status":"not_yet_sourced"`, `"output":{"status":"not_yet_sourced","value":{"kind":"free"}`, false},
	} {
		data := []byte(strings.Replace(base, tc.from, tc.to, 1))
		if string(data) == base {
			t.Fatalf("%s: %q not in %s", tc.name, tc.from, base)
		}
		var got, want Offering
		gotErr, wantErr := NewDecoder().Offering(data, &got), json.Unmarshal(data, &want)
		if (gotErr != nil) != tc.wantErr || (wantErr != nil) != tc.wantErr {
			t.Errorf("%s: DecodeOffering: %v, encoding/json: %v; want an error: %v", tc.name, gotErr, wantErr, tc.wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", tc.name, got, want)
		}
	}
	var m Model
	if err := NewDecoder().Model([]byte(strings.Replace(string(models[0]), `"released":{`, `"released":[`, 1)), &m); err == nil {
		t.Error("a broken model decodes")
	}
}

// checkHandRead checks that data, if the hand reader read takes it, reads
// as encoding/json reads it.
func checkHandRead[T any](t *testing.T, data []byte, read func(*dec, *T) bool) {
	t.Helper()
	var v T
	if read(&dec{jsonread.New(data), NewDecoder()}, &v) {
		sameDecoded(t, data, &v)
	}
}

// TestDecodeRecordsRandom: records cut and spliced at random are read as
// encoding/json reads them, or left to it.
func TestDecodeRecordsRandom(t *testing.T) {
	models, offerings := decodeFixtures(t)
	rnd := rand.New(rand.NewPCG(7, 8))
	splice := func(recs [][]byte) []byte {
		a, b := recs[rnd.IntN(len(recs))], recs[rnd.IntN(len(recs))]
		return append(append([]byte{}, a[:rnd.IntN(len(a)+1)]...), b[rnd.IntN(len(b)+1):]...)
	}
	for range 20000 {
		checkHandRead(t, splice(models), readModel)
		checkHandRead(t, splice(offerings), readOffering)
	}
}

// FuzzDecodeModel: for any bytes, the hand reader gives what encoding/json
// gives, or leaves the record to it.
func FuzzDecodeModel(f *testing.F) {
	models, _ := decodeFixtures(f)
	for _, b := range models {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkHandRead(t, data, readModel) })
}

// FuzzDecodeOffering: the same for offerings.
func FuzzDecodeOffering(f *testing.F) {
	_, offerings := decodeFixtures(f)
	for _, b := range offerings {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) { checkHandRead(t, data, readOffering) })
}

func BenchmarkDecodeOffering(b *testing.B) {
	_, offerings := decodeFixtures(b)
	data := offerings[1]
	for _, v := range []struct {
		name string
		read func([]byte, *Offering) error
	}{{"by hand", NewDecoder().Offering}, {"encoding/json", func(d []byte, o *Offering) error { return json.Unmarshal(d, o) }}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var o Offering
				if err := v.read(data, &o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
