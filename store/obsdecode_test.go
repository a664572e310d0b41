package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
	"unsafe"

	"github.com/llmref/llmref/catalog"
)

// sameAsJSON fails unless readObsRecords reads data exactly as
// encoding/json does: the same records, or an error for both.
func sameAsJSON(t *testing.T, data []byte) {
	t.Helper()
	var want []obsRecord
	wantErr := json.Unmarshal(data, &want)
	got, err := readObsRecords(data)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: error %v, encoding/json's %v", data, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Fatalf("%q:\n got %+v\nwant %+v", data, got, want)
	}
	if recs, ok := scanObsRecords(data); ok && (wantErr != nil || !reflect.DeepEqual(recs, want) && len(want)+len(recs) > 0) {
		t.Fatalf("%q: the hand reader took what encoding/json reads otherwise: %+v, %v", data, recs, wantErr)
	}
}

// obsRecordSamples are records as stored, and forms another writer could
// have given them.
var obsRecordSamples = []string{
	`[]`,
	` [ ] `,
	`[{"a":30,"s":"meta-llama/llama-3.2-1b-instruct","f":"price_input","x":"0.000000027","u":"per_token"}]`,
	`[{"a":30,"s":"openai/gpt-5.3-codex","n":"GPT-5.3-Codex","p":"openai","f":"price_output","x":"$14.00","o":"per 1M tokens","l":"https://platform.openai.com/docs/pricing"},{"a":20,"s":"x","f":"context","x":"128K"}]`,
	"[\n {\"a\": 40 , \"s\" : \"a/b\", \"f\":\"name\", \"x\":\"Llama 3.2 1B\"}\n]\n",
	`[{"a":30,"s":"a/b","r":"us-east-1","v":":free","f":"price_input","x":"0"}]`,
	`[{}]`,
	`[{"a":-10,"s":"a","f":"b","x":"c"}]`,
	`[{"a":30,"s":"a","s":"b","f":"c","x":"d"}]`, // a repeated key: the last wins
	`[{"a":30,"s":"Ünïcödé ✓","f":"name","x":"日本語"}]`,
	// Read by encoding/json: escapes, case-folded keys, unknown keys, nulls.
	`[{"a":30,"s":"a\"b","f":"name","x":"line\nbreak \u00e9 \ud83d\ude00"}]`,
	`[{"A":30,"S":"a","F":"name","X":"y"}]`,
	`[{"a":30,"s":"a","f":"name","x":"y","extra":[1,2,{"z":null}]}]`,
	`[{"a":30,"s":null,"f":"name","x":"y"}]`,
	`null`,
	`[{"a":3.0e1,"s":"a","f":"b","x":"c"}]`,
	"[{\"a\":30,\"s\":\"\xff\xfe\",\"f\":\"b\",\"x\":\"c\"}]",
	// Refused by both.
	``,
	`[`,
	`[{"a":30,"s":"a","f":"b","x":"c"},]`,
	`[{"a":30,"s":"a","f":"b","x":"c"}] x`,
	`[{"a":030,"s":"a","f":"b","x":"c"}]`,
	`[{"a":-05,"s":"a","f":"b","x":"c"}]`,
	`[{"a":-,"s":"a","f":"b","x":"c"}]`,
	`[{"a":"30","s":"a","f":"b","x":"c"}]`,
	`[{"a":30,"s":"a","f":"b","x":"c"`,
	"[{\"a\":30,\"s\":\"a\tb\",\"f\":\"b\",\"x\":\"c\"}]",
	`[{"a":99999999999999999999,"s":"a","f":"b","x":"c"}]`,
	`{"a":30}`,
}

// TestReadObsRecords: the hand reader reads what encoding/json reads, and
// refuses what it refuses.
func TestReadObsRecords(t *testing.T) {
	for _, s := range obsRecordSamples {
		sameAsJSON(t, []byte(s))
	}
}

// TestReadObsRecordsHandPath: the records the store writes are read by
// hand (not by the fallback), and a page's repeated strings are one.
func TestReadObsRecordsHandPath(t *testing.T) {
	p := &catalog.Page{Source: "openrouter", URL: "https://openrouter.ai/api/v1/models", FetchedAt: time.Date(2026, 12, 5, 2, 0, 0, 0, time.UTC)}
	for _, id := range []string{"meta-llama/llama-3.2-1b-instruct", "openai/gpt-5.3-codex"} {
		for _, f := range []catalog.Field{catalog.FieldPriceInput, catalog.FieldPriceOutput, catalog.FieldContext} {
			p.Observations = append(p.Observations, catalog.Observation{Source: p.Source, URL: p.URL, Authority: catalog.AuthorityAggregator,
				RetrievedAt: p.FetchedAt, Subject: id, SubjectName: "Name <&> of " + id, Provider: "openrouter", Field: f, Value: "0.000000027", Unit: catalog.PerToken})
		}
	}
	data, err := encodeObservations(p)
	if err != nil {
		t.Fatal(err)
	}
	recs, ok := scanObsRecords(data)
	if !ok {
		t.Fatalf("the store's own records went to encoding/json: %s", data)
	}
	sameAsJSON(t, data)
	if len(recs) != 6 {
		t.Fatalf("%d records", len(recs))
	}
	if !sameBytes(recs[0].Subject, recs[1].Subject) || !sameBytes(recs[0].Field, recs[3].Field) {
		t.Error("a page's repeated subject or field is held more than once")
	}
	back := &catalog.Page{Source: p.Source, URL: p.URL, FetchedAt: p.FetchedAt}
	if err := decodeObservations(back, data); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Observations, p.Observations) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back.Observations, p.Observations)
	}
}

// sameBytes reports whether two strings are one: the same bytes in memory.
func sameBytes(a, b string) bool {
	return a == b && unsafe.StringData(a) == unsafe.StringData(b)
}

// FuzzReadObsRecords: whatever the bytes, the hand reader takes only what
// encoding/json reads the same way, and readObsRecords agrees with
// encoding/json.
func FuzzReadObsRecords(f *testing.F) {
	for _, s := range obsRecordSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sameAsJSON(t, data)
	})
}
