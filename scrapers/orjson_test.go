package scrapers

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// endpointsDocs are endpoints responses the hand reader must read as
// encoding/json does (ok) or leave to it (left).
var endpointsDocs = []struct {
	name, body string
	left       bool
}{
	{"plain", `{"data":{"id":"a/b","name":"A: B","endpoints":[{"name":"X | a/b","provider_name":"X","tag":"x/fp8","context_length":131072,"max_completion_tokens":null,"quantization":"fp8","status":-2,"pricing":{"prompt":"0.0000002","completion":0.0000006,"discount":0}}]}}`, false},
	{"unknown fields of every kind", `{"data":{"architecture":{"modality":"text-\u003etext","x":[1,2.5e3,true,false,null,{"y":[]}]},"id":"a/b","endpoints":[{"tag":"t","latency_last_30m":{"p50":1080.00},"supported_parameters":["a","b"],"pricing":{}}],"extra":"\\\"\/\b\f\n\r\t"},"top":0}`, false},
	{"white space everywhere", " {\n\t\"data\" : {\r\"endpoints\" : [ { \"tag\" : \"t\" , \"pricing\" : { \"prompt\" : \"1\" } } ] } } \n", false},
	{"nulls", `{"data":{"id":null,"name":null,"endpoints":[{"tag":"t","quantization":null,"status":null,"context_length":null,"pricing":null}]}}`, false},
	{"null endpoints", `{"data":{"endpoints":null}}`, false},
	{"null data", `{"data":null}`, false},
	{"empty endpoints", `{"data":{"endpoints":[]}}`, false},
	{"no data", `{}`, false},
	{"a price key twice: the last stands", `{"data":{"endpoints":[{"tag":"t","pricing":{"prompt":"1","prompt":"2"}}]}}`, false},
	{"a key in another case", `{"data":{"Endpoints":[]}}`, true},
	{"a field twice", `{"data":{"endpoints":[{"tag":"a","tag":"b"}]}}`, true},
	{"an escaped key", `{"data":{"endpoint\u0073":[]}}`, true},
	{"a non-ASCII key", `{"data":{"endpoints":[{"ſtatus":1}]}}`, true},
	{"an escaped wanted string", `{"data":{"endpoints":[{"tag":"a\/b","name":"\"x\" \ud83d\ude00 \ud800"}]}}`, false},
	{"invalid UTF-8 in a wanted string", "{\"data\":{\"endpoints\":[{\"tag\":\"a\xffb\"}]}}", false},
	{"a fraction for an integer", `{"data":{"endpoints":[{"context_length":1.5}]}}`, true},
	{"a string for a number", `{"data":{"endpoints":[{"status":"-2"}]}}`, true},
	{"a null endpoint", `{"data":{"endpoints":[null]}}`, true},
	{"a number for a string", `{"data":{"id":5}}`, true},
	{"trailing garbage", `{"data":{}} x`, true},
	{"a control character in a skipped string", "{\"x\":\"a\x01\"}", true},
	{"a bad escape in a skipped string", `{"x":"\q"}`, true},
	{"a bad number", `{"x":01}`, true},
	{"a bad literal", `{"x":nul}`, true},
	{"cut short", `{"data":{"endpoints":[{"tag":"t"`, true},
	{"not an object", `[]`, true},
	{"empty", ``, true},
}

func TestFastOREndpoints(t *testing.T) {
	for _, tc := range endpointsDocs {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := fastOREndpoints([]byte(tc.body))
			if ok == tc.left {
				t.Fatalf("ok = %v, want %v", ok, !tc.left)
			}
			if ok {
				checkAsJSON(t, []byte(tc.body), got)
			}
		})
	}
}

// checkAsJSON fails unless encoding/json decodes body without error into
// exactly doc.
func checkAsJSON(t *testing.T, body []byte, doc orEndpointsDoc) {
	t.Helper()
	var want orEndpointsDoc
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatalf("read %q, which encoding/json refuses: %v", body, err)
	}
	if !reflect.DeepEqual(doc, want) {
		t.Fatalf("read %q as %+v; encoding/json reads %+v", body, doc, want)
	}
}

// TestFastOREndpointsRandom: documents cut and spliced at random from the
// cases above are read as encoding/json reads them, or left to it.
func TestFastOREndpointsRandom(t *testing.T) {
	bodies := make([]string, len(endpointsDocs))
	for i, d := range endpointsDocs {
		bodies[i] = d.body
	}
	spliced(t, 3, bodies, func(body []byte) bool {
		doc, ok := fastOREndpoints(body)
		if ok {
			checkAsJSON(t, body, doc)
		}
		return ok
	})
}

// spliced reads documents cut and spliced at random from bodies (the
// first part of one, the last of another) with read, which reports
// whether it read the document by hand, and says how many it did.
func spliced(t *testing.T, seed uint64, bodies []string, read func([]byte) bool) {
	t.Helper()
	rnd := rand.New(rand.NewPCG(seed, seed+1))
	runs := 100000
	if testing.Short() {
		runs = 10000
	}
	byHand := 0
	for range runs {
		a, b := bodies[rnd.IntN(len(bodies))], bodies[rnd.IntN(len(bodies))]
		i, j := rnd.IntN(len(a)+1), rnd.IntN(len(b)+1)
		if read([]byte(a[:i] + b[j:])) {
			byHand++
		}
	}
	t.Logf("%d of %d documents read by hand", byHand, runs)
}

// TestFastOREndpointsFixture: the recorded endpoints responses are read by
// hand.
func TestFastOREndpointsFixture(t *testing.T) {
	body := fixtureBody(t, "2026-04-23", "openrouter.ai/api/v1/models/meta-llama/llama-3.2-1b-instruct/endpoints.json")
	doc, ok := fastOREndpoints(body)
	if !ok {
		t.Fatal("left to encoding/json")
	}
	checkAsJSON(t, body, doc)
	if doc.Data == nil || doc.Data.Endpoints == nil || len(*doc.Data.Endpoints) == 0 {
		t.Fatalf("no endpoints read: %+v", doc)
	}
}

// FuzzFastOREndpoints: for any bytes, the hand reader gives what
// encoding/json gives, or leaves the body to it.
func FuzzFastOREndpoints(f *testing.F) {
	for _, tc := range endpointsDocs {
		f.Add([]byte(tc.body))
	}
	f.Add([]byte(strings.Repeat("[", 10001) + strings.Repeat("]", 10001)))
	f.Fuzz(func(t *testing.T, body []byte) {
		if doc, ok := fastOREndpoints(body); ok {
			checkAsJSON(t, body, doc)
		}
	})
}

// modelsDocs are models lists the hand reader must read as encoding/json
// does (ok) or leave to it (left).
var modelsDocs = []struct {
	name, body string
	left       bool
}{
	{"plain", `{"data":[{"id":"meta-llama/llama-3.2-1b-instruct","name":"Meta: Llama 3.2 1B Instruct","context_length":60000,"architecture":{"modality":"text->text","input_modalities":["text"],"output_modalities":["text"]},"pricing":{"prompt":"0.000000027","completion":"0.0000002","web_search":"0"},"top_provider":{"context_length":60000,"max_completion_tokens":null},"supported_parameters":["max_tokens","temperature"],"knowledge_cutoff":"2023-12-31","hugging_face_id":"meta-llama/Llama-3.2-1B-Instruct"}]}`, false},
	{"unknown fields of every kind", `{"data":[{"id":"a/b","created":1727222400,"canonical_slug":"a/b-v1","per_request_limits":null,"default_parameters":{"temperature":null,"x":[1,2.5e3,true,false,{}]},"pricing":{"prompt":0.0000002,"completion":"1"},"expiration_date":null}],"next":"\\\"\/\b\f\n\r\t"}`, false},
	{"white space everywhere", " {\n\t\"data\" : [ { \"id\" : \"a\" , \"pricing\" : { \"prompt\" : \"1\" } } ] } \n", false},
	{"nulls", `{"data":[{"id":null,"name":null,"context_length":null,"architecture":null,"pricing":null,"top_provider":null,"supported_parameters":null,"knowledge_cutoff":null,"hugging_face_id":null}]}`, false},
	{"empty lists and objects", `{"data":[{"id":"a","architecture":{"input_modalities":[],"output_modalities":[]},"pricing":{},"top_provider":{},"supported_parameters":[]}]}`, false},
	{"a null in a list of strings", `{"data":[{"id":"a","supported_parameters":["tools",null,"seed"]}]}`, false},
	{"empty data", `{"data":[]}`, false},
	{"null data", `{"data":null}`, false},
	{"no data", `{}`, false},
	{"a price key twice: the last stands", `{"data":[{"id":"a","pricing":{"prompt":"1","prompt":"2"}}]}`, false},
	{"an escaped wanted string", `{"data":[{"id":"a\/b","name":"\"x\" \ud83d\ude00 \ud800","knowledge_cutoff":"2024\u002d01"}]}`, false},
	{"invalid UTF-8 in a wanted string", "{\"data\":[{\"id\":\"a\xffb\"}]}", false},
	{"a key in another case", `{"data":[{"ID":"a"}]}`, true},
	{"data in another case", `{"Data":[]}`, true},
	{"a field twice", `{"data":[{"id":"a","id":"b"}]}`, true},
	{"an escaped key", `{"data":[{"i\u0064":"a"}]}`, true},
	{"a fraction for an integer", `{"data":[{"id":"a","context_length":1.5}]}`, true},
	{"a string for an integer", `{"data":[{"id":"a","top_provider":{"context_length":"8192"}}]}`, true},
	{"a number in a list of strings", `{"data":[{"id":"a","supported_parameters":["a",1]}]}`, true},
	{"a string for an object", `{"data":[{"id":"a","architecture":"text"}]}`, true},
	{"a null entry", `{"data":[null]}`, true},
	{"a string entry", `{"data":["a"]}`, true},
	{"data not an array", `{"data":{}}`, true},
	{"trailing garbage", `{"data":[]} x`, true},
	{"a bad number", `{"data":[{"id":"a","context_length":01}]}`, true},
	{"cut short", `{"data":[{"id":"a"`, true},
	{"not an object", `[]`, true},
	{"empty", ``, true},
}

// fastORModelsAll is fastORModels with every entry it hands on kept.
func fastORModelsAll(body []byte) (data []orModel, present, ok bool) {
	present, ok = fastORModels(body, func(m orModel) { data = append(data, m) })
	return data, present, ok
}

// slowORModels is what ParseOpenRouterModels read with encoding/json
// alone: the whole body, then each entry; ok is false when encoding/json
// refuses the body or any entry.
func slowORModels(body []byte) (data []orModel, present, ok bool) {
	var doc struct {
		Data *[]json.RawMessage `json:"data"`
	}
	if json.Unmarshal(body, &doc) != nil {
		return nil, false, false
	}
	if doc.Data == nil {
		return nil, false, true
	}
	data = make([]orModel, len(*doc.Data))
	for i, raw := range *doc.Data {
		if json.Unmarshal(raw, &data[i]) != nil {
			return nil, false, false
		}
	}
	return data, true, true
}

// checkModelsAsJSON fails unless encoding/json reads body, every entry
// without error, into exactly data.
func checkModelsAsJSON(t *testing.T, body []byte, data []orModel, present bool) {
	t.Helper()
	want, wantPresent, ok := slowORModels(body)
	if !ok {
		t.Fatalf("read %q, which encoding/json refuses", body)
	}
	if present != wantPresent || len(data) != len(want) || len(data) > 0 && !reflect.DeepEqual(data, want) {
		t.Fatalf("read %q as %+v (data present %v); encoding/json reads %+v (%v)", body, data, present, want, wantPresent)
	}
}

func TestFastORModels(t *testing.T) {
	for _, tc := range modelsDocs {
		t.Run(tc.name, func(t *testing.T) {
			got, present, ok := fastORModelsAll([]byte(tc.body))
			if ok == tc.left {
				t.Fatalf("ok = %v, want %v", ok, !tc.left)
			}
			if ok {
				checkModelsAsJSON(t, []byte(tc.body), got, present)
			}
		})
	}
}

// TestFastORModelsRandom: lists cut and spliced at random from the cases
// above are read as encoding/json reads them, or left to it.
func TestFastORModelsRandom(t *testing.T) {
	bodies := make([]string, len(modelsDocs))
	for i, d := range modelsDocs {
		bodies[i] = d.body
	}
	spliced(t, 5, bodies, func(body []byte) bool {
		data, present, ok := fastORModelsAll(body)
		if ok {
			checkModelsAsJSON(t, body, data, present)
		}
		return ok
	})
}

// TestFastORModelsFixtures: the recorded model lists, and OpenRouter's
// real one when ../shared/realdata has it, are read by hand, as
// encoding/json reads them.
func TestFastORModelsFixtures(t *testing.T) {
	bodies := map[string][]byte{}
	for _, day := range []string{"2026-04-23", "2026-04-24"} {
		bodies[day] = fixtureBody(t, day, "openrouter.ai/api/v1/models.json")
	}
	if b, err := os.ReadFile("../../shared/realdata/openrouter/from-anomalyco-models.dev/models.json"); err == nil {
		bodies["realdata"] = b
	}
	for name, body := range bodies {
		data, present, ok := fastORModelsAll(body)
		if !ok {
			t.Fatalf("%s: left to encoding/json", name)
		}
		checkModelsAsJSON(t, body, data, present)
		if len(data) == 0 {
			t.Fatalf("%s: no models read", name)
		}
	}
}

// FuzzFastORModels: for any bytes, the hand reader gives what
// encoding/json gives, or leaves the body to it.
func FuzzFastORModels(f *testing.F) {
	for _, tc := range modelsDocs {
		f.Add([]byte(tc.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if data, present, ok := fastORModelsAll(body); ok {
			checkModelsAsJSON(t, body, data, present)
		}
	})
}

// BenchmarkORModels reads a 2,000-model list (the recorded list's entries,
// renamed) by hand and with encoding/json, and parses it whole.
func BenchmarkORModels(b *testing.B) {
	var doc struct {
		Data []map[string]json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(fixtureBody(b, "2026-04-23", "openrouter.ai/api/v1/models.json"), &doc); err != nil {
		b.Fatal(err)
	}
	var entries []map[string]json.RawMessage
	for i := 0; len(entries) < 2000; i++ {
		e := maps.Clone(doc.Data[i%len(doc.Data)])
		e["id"], _ = json.Marshal(fmt.Sprintf("creator/model-%04d", i))
		entries = append(entries, e)
	}
	body, err := json.Marshal(map[string]any{"data": entries})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("hand", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for range b.N {
			if _, ok := fastORModels(body, func(orModel) {}); !ok {
				b.Fatal("left to encoding/json")
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for range b.N {
			if _, _, ok := slowORModels(body); !ok {
				b.Fatal("refused")
			}
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		for range b.N {
			if _, err := ParseOpenRouterModels(Response{URL: "https://openrouter.ai/api/v1/models", Body: body}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestORModelsManyEmptyEntries: a list of a million entries with nothing
// in them (within the default body limit) is refused as unreadable, and
// reading it allocates in proportion to its body, keeping no entry.
func TestORModelsManyEmptyEntries(t *testing.T) {
	const n = 1 << 20
	body := []byte(`{"data":[` + strings.Repeat(`{},`, n-1) + `{}]}`)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := ParseOpenRouterModels(Response{URL: "https://openrouter.ai/api/v1/models", Body: body})
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "unreadable") {
		t.Fatalf("a list of empty entries: %v, want it refused as unreadable", err)
	}
	t.Logf("%d bytes allocated an entry", (after.TotalAlloc-before.TotalAlloc)/n)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 512 {
		t.Errorf("%d bytes allocated an empty entry", per)
	}
}
