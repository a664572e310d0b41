package store

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// pageRecords are stored page records: as encodePage writes them, and
// others the hand reader must read as encoding/json does or leave to it.
func pageRecords(t testing.TB) []string {
	full := catalog.Page{Source: "openrouter-endpoints", URL: "https://openrouter.ai/api/v1/models/meta-llama/llama-3.2-1b-instruct/endpoints",
		Kind: "endpoints", Subject: "meta-llama/llama-3.2-1b-instruct", Status: 200, ETag: `W/"5f-abc"`, LastModified: "Thu, 23 Apr 2026 01:00:00 GMT",
		ContentType: "application/json; charset=utf-8", BodySHA256: "0fbb58d1798afa25", Bytes: 5973,
		FetchedAt: time.Date(2026, 4, 23, 2, 0, 0, 123, time.UTC), Count: 9, Stale: true, Error: "HTTP 503 Service Unavailable",
		Links:    []catalog.Link{{URL: "https://x.example/a", Kind: "card", Subject: "a/b"}, {URL: "https://x.example/b", Kind: "card"}},
		Warnings: []string{"endpoint 2: tag \"x\" listed again", "row 3 unreadable"}, Plan: "tracked"}
	var out []string
	for _, p := range []catalog.Page{full, {Source: "openai", URL: "https://developers.openai.com/api/docs/models/gpt-5.3-codex", Kind: "model", Status: 304}} {
		b, err := json.Marshal(pageRecord(p))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return append(out,
		`{"source":null,"status":null,"bytes":null,"fetched_at":null,"links":null,"warnings":null,"stale":null}`,
		`{"links":[],"warnings":[],"stale":false,"other":{"x":[1,2]}}`,
		`{"checked_at":"2026-04-23T02:00:00+02:00","fetched_at":"2026-04-23T02:00:00.5Z"}`,
		`{"observations":[{"source":"a"}]}`,                   // left: a record with observations
		`{"Source":"a"}`,                                      // left: a key in another case
		`{"status":1.5}`, `{"status":"200"}`, `{"bytes":1e3}`, // left: encoding/json refuses or converts
		`{"fetched_at":"yesterday"}`, `{"stale":"yes"}`, `{"links":[null]}`, `{"warnings":[1]}`,
		`{"url":"a\u0062"}`, "{\"url\":\"a\xffb\"}", `{"url":"a"`, `{} x`, ``)
}

func TestReadPage(t *testing.T) {
	for i, rec := range pageRecords(t) {
		got, ok := readPage([]byte(rec))
		if i < 2 && !ok {
			t.Errorf("%.60s: the page as encodePage writes it is left to encoding/json", rec)
		}
		if ok {
			samePage(t, []byte(rec), got)
		}
	}
}

// samePage fails unless encoding/json reads data, without error, into p.
func samePage(t *testing.T, data []byte, p catalog.Page) {
	t.Helper()
	var want catalog.Page
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("read %q, which encoding/json refuses: %v", data, err)
	}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("read %q as %+v; encoding/json reads %+v", data, p, want)
	}
}

// TestReadPageRandom: records cut and spliced at random are read as
// encoding/json reads them, or left to it.
func TestReadPageRandom(t *testing.T) {
	recs := pageRecords(t)
	rnd := rand.New(rand.NewPCG(5, 6))
	for range 50000 {
		a, b := recs[rnd.IntN(len(recs))], recs[rnd.IntN(len(recs))]
		data := []byte(a[:rnd.IntN(len(a)+1)] + b[rnd.IntN(len(b)+1):])
		if p, ok := readPage(data); ok {
			samePage(t, data, p)
		}
	}
}

// FuzzReadPage: for any bytes, the hand reader gives what encoding/json
// gives, or leaves the record to it.
func FuzzReadPage(f *testing.F) {
	for _, rec := range pageRecords(f) {
		f.Add([]byte(rec))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, ok := readPage(data); ok {
			samePage(t, data, p)
		}
	})
}

func BenchmarkDecodePage(b *testing.B) {
	data := []byte(pageRecords(b)[0])
	for _, v := range []struct {
		name string
		read func([]byte, *catalog.Page) error
	}{{"by hand", decodePage}, {"encoding/json", func(d []byte, p *catalog.Page) error { return json.Unmarshal(d, p) }}} {
		b.Run(v.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				var p catalog.Page
				if err := v.read(data, &p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
