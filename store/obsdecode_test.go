package store

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode/utf8"
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
	// A page's observations, read straight from the record: the records
	// encoding/json reads, made observations.
	p := &catalog.Page{Source: "openrouter", URL: "https://openrouter.ai/api/v1/models", FetchedAt: time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)}
	err = decodeObservations(p, data)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: decodeObservations error %v, encoding/json's %v", data, err, wantErr)
	}
	if err == nil {
		if len(p.Observations) != len(want) || cap(p.Observations)-len(p.Observations) > len(want)/8 {
			t.Fatalf("%q: %d observations in room for %d, want %d", data, len(p.Observations), cap(p.Observations), len(want))
		}
		for i := range want {
			if got := p.Observations[i]; got != observationOf(p, &want[i]) {
				t.Fatalf("%q: observation %d %+v, want %+v", data, i, got, observationOf(p, &want[i]))
			}
		}
	}
	// The rows of it (LoadRows): the records encoding/json reads, the
	// first of each run of one subject and every one of the fields.
	fields := []string{"name", string(catalog.FieldHFRepo)}
	err = decodeRecords(p, data, &rowFilter{fields: fields})
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: decodeRecords error %v, encoding/json's %v", data, err, wantErr)
	}
	if err == nil {
		var rows []catalog.Observation
		prev := ""
		for i := range want {
			if want[i].Subject != prev || slices.Contains(fields, want[i].Field) {
				rows = append(rows, observationOf(p, &want[i]))
			}
			prev = want[i].Subject
		}
		if !slices.Equal(p.Observations, rows) {
			t.Fatalf("%q: rows %+v, want %+v", data, p.Observations, rows)
		}
	}
	// The fields of it alone (LoadFields).
	err = decodeRecords(p, data, &rowFilter{fields: fields, fieldsOnly: true})
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: decodeRecords (fields) error %v, encoding/json's %v", data, err, wantErr)
	}
	if err == nil {
		var only []catalog.Observation
		for i := range want {
			if slices.Contains(fields, want[i].Field) {
				only = append(only, observationOf(p, &want[i]))
			}
		}
		if !slices.Equal(p.Observations, only) {
			t.Fatalf("%q: fields %+v, want %+v", data, p.Observations, only)
		}
	}
}

// obsRecordSamples are records as stored, and forms another writer could
// have given them.
var obsRecordSamples = []string{
	`[]`,
	// Rows (LoadRows): runs of one subject, a wanted field inside one, a
	// subject changed by a key after the value, escapes in skipped values.
	`[{"a":30,"s":"a","f":"price","x":"1"},{"a":30,"s":"a","f":"name","x":"A"},{"a":30,"s":"a","f":"price","x":"2"},{"a":30,"s":"b","f":"price","x":"3"},{"a":30,"s":"a","f":"price","x":"4"}]`,
	`[{"a":30,"s":"a","f":"price","x":"1"},{"a":30,"s":"a","f":"price","x":"2","s":"b"}]`,
	`[{"a":30,"s":"a","f":"price","x":"1"},{"a":30,"s":"a","f":"price","x":"\u00e9 \"q\""}]`,
	`[{"a":30,"s":"a","f":"price","x":"1"},{"a":30,"s":"a","f":"price","x":"\q"}]`,
	`[{"a":30,"s":"a","f":"price","x":"1"},{"a":30,"x":"2","s":"a","f":"price"}]`,
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
	data := encodeObservations(p)
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

// marshalObsRecords is what encodeObservations wrote with encoding/json:
// the form the hand encoder keeps byte for byte.
func marshalObsRecords(t *testing.T, p *catalog.Page) []byte {
	t.Helper()
	recs := make([]obsRecord, len(p.Observations))
	for i, o := range p.Observations {
		recs[i] = obsRecord{Authority: int(o.Authority), Subject: o.Subject, SubjectName: o.SubjectName, Provider: o.Provider,
			Region: o.Region, Variant: o.Variant, Field: string(o.Field), Value: o.Value, Unit: string(o.Unit), Note: o.Note}
		if o.URL != p.URL {
			recs[i].URL = o.URL
		}
	}
	b, err := json.Marshal(recs)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzEncodeObservations: the hand encoder writes what json.Marshal wrote,
// and the records read back as the observations.
func FuzzEncodeObservations(f *testing.F) {
	f.Add("meta-llama/llama-3.2-1b-instruct", "Llama 3.2 1B <Instruct> & more", "together", "0.000000027", "per 1M \"tokens\"", "https://example.com/other", 30)
	f.Add("", "", "", "", "", "", 0)
	f.Add("a\x00b", "\xff\xfe", "\u2028", "\\", "\t\n", "https://p", -10)
	f.Fuzz(func(t *testing.T, subject, name, provider, value, note, url string, authority int) {
		p := &catalog.Page{Source: "s", URL: "https://p", FetchedAt: time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)}
		for _, f := range []catalog.Field{catalog.FieldPriceInput, catalog.FieldName} {
			p.Observations = append(p.Observations, catalog.Observation{Source: p.Source, URL: url, Authority: catalog.Authority(authority),
				RetrievedAt: p.FetchedAt, Subject: subject, SubjectName: name, Provider: provider, Region: note, Variant: name,
				Field: f, Value: value, Unit: catalog.Unit(provider), Note: note})
		}
		got := encodeObservations(p)
		if want := marshalObsRecords(t, p); !bytes.Equal(got, want) {
			t.Fatalf("encoded\n got %s\nwant %s", got, want)
		}
		sameAsJSON(t, got)
		for _, s := range []string{subject, name, provider, value, note, url} {
			if !utf8.ValidString(s) { // each apart: "\xd1" and "\x92" join into "ђ"
				return // encoding/json writes bad UTF-8 as U+FFFD: no round trip
			}
		}
		back := &catalog.Page{Source: p.Source, URL: p.URL, FetchedAt: p.FetchedAt}
		if err := decodeObservations(back, got); err != nil {
			t.Fatal(err)
		}
		want := p.Observations
		for i := range want {
			if want[i].URL == "" {
				want[i].URL = p.URL // an empty URL reads back as the page's
			}
		}
		if !reflect.DeepEqual(back.Observations, want) {
			t.Fatalf("round trip:\n got %+v\nwant %+v", back.Observations, want)
		}
	})
}

// TestEncodeObservationsEmpty: a page without observations is "[]", as
// json.Marshal wrote it.
func TestEncodeObservationsEmpty(t *testing.T) {
	p := &catalog.Page{Source: "s", URL: "https://p"}
	if got, want := encodeObservations(p), marshalObsRecords(t, p); !bytes.Equal(got, want) {
		t.Errorf("got %s, want %s", got, want)
	}
}

// BenchmarkObservationRecords sets the hand encoder and reader against
// encoding/json on a page shaped like an OpenRouter endpoints page (26
// observations: prices, contexts, five providers).
func BenchmarkObservationRecords(b *testing.B) {
	p := &catalog.Page{Source: "openrouter-endpoints", URL: "https://openrouter.ai/api/v1/models/meta-llama/llama-3.2-1b-instruct/endpoints"}
	for _, prov := range []string{"deepinfra", "together", "fireworks", "novita", "cloudflare"} {
		for _, f := range []catalog.Field{catalog.FieldPriceInput, catalog.FieldPriceOutput, catalog.FieldOfferingContext, catalog.FieldOfferingMaxOutput, catalog.FieldPriceCachedInput} {
			p.Observations = append(p.Observations, catalog.Observation{Source: p.Source, URL: p.URL, Authority: catalog.AuthorityAggregator,
				Subject: "meta-llama/llama-3.2-1b-instruct", SubjectName: "Meta: Llama 3.2 1B Instruct", Provider: prov, Field: f, Value: "0.000000027", Unit: catalog.PerToken})
		}
	}
	p.Observations = append(p.Observations, catalog.Observation{Source: p.Source, URL: p.URL, Authority: catalog.AuthorityAggregator,
		Subject: "meta-llama/llama-3.2-1b-instruct", Field: catalog.FieldName, Value: "Meta: Llama 3.2 1B Instruct"})
	data := encodeObservations(p)
	b.Run("encode/hand", func(b *testing.B) {
		for range b.N {
			encodeObservations(p)
		}
	})
	b.Run("encode/encoding-json", func(b *testing.B) {
		t := &testing.T{}
		for range b.N {
			marshalObsRecords(t, p)
		}
	})
	b.Run("decode/hand", func(b *testing.B) {
		for range b.N {
			if _, err := readObsRecords(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decode/encoding-json", func(b *testing.B) {
		for range b.N {
			var recs []obsRecord
			if err := json.Unmarshal(data, &recs); err != nil {
				b.Fatal(err)
			}
		}
	})
	// The page's observations restored from their record, as
	// LoadObservations does.
	b.Run("decode/page", func(b *testing.B) {
		b.ReportAllocs()
		for range b.N {
			q := catalog.Page{Source: p.Source, URL: p.URL}
			if err := decodeObservations(&q, data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
