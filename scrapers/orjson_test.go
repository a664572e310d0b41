package scrapers

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
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
	rnd := rand.New(rand.NewPCG(3, 4))
	runs := 100000
	if testing.Short() {
		runs = 10000
	}
	read := 0
	for range runs {
		a := endpointsDocs[rnd.IntN(len(endpointsDocs))].body
		b := endpointsDocs[rnd.IntN(len(endpointsDocs))].body
		i, j := rnd.IntN(len(a)+1), rnd.IntN(len(b)+1)
		body := []byte(a[:i] + b[j:])
		if doc, ok := fastOREndpoints(body); ok {
			read++
			checkAsJSON(t, body, doc)
		}
	}
	t.Logf("%d of %d documents read by hand", read, runs)
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
