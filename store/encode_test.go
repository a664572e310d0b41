package store

import (
	"bytes"
	stdgzip "compress/gzip"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// TestPreparedCommit: a commit whose pages were prepared ahead stores
// exactly what a plain commit stores.
func TestPreparedCommit(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	var pages []catalog.Page
	bodies := map[string][]byte{}
	for i := 0; i < 300; i++ {
		body := []byte(fmt.Sprintf("<html><p>%d context window</p>%s</html>", i, bytes.Repeat([]byte("x"), i)))
		h := sum(body)
		bodies[h] = body
		pages = append(pages, catalog.Page{Source: "openai", URL: fmt.Sprintf("https://x.example/%03d", i), Kind: "model", Status: 200, BodySHA256: h, FetchedAt: at, CheckedAt: at,
			Observations: []catalog.Observation{{Source: "openai", Subject: fmt.Sprintf("openai/m-%03d", i), Field: catalog.FieldContext, Value: fmt.Sprint(i)}}})
	}
	plain, _ := openTemp(t)
	prepared, _ := openTemp(t)
	storeBodies(t, plain, bodies)
	storeBodies(t, prepared, bodies)
	if _, err := plain.CommitRun(Commit{Run: catalog.Run{StartedAt: at, Status: catalog.RunOK}, Pages: pages}); err != nil {
		t.Fatal(err)
	}
	// A run lets each page's observations go once its records are encoded
	// (keeping their count): the commit needs no more.
	let := append([]catalog.Page(nil), pages...)
	var encoded atomic.Int64
	p := prepared.PrepareEach(context.Background(), let, func(i int) {
		encoded.Add(1)
		let[i].Count = let[i].ObservationCount()
		let[i].Observations = nil
	})
	p.Wait()
	if encoded.Load() != int64(len(pages)) {
		t.Fatalf("told of %d pages encoded, want %d", encoded.Load(), len(pages))
	}
	if _, err := prepared.CommitRun(Commit{Run: catalog.Run{StartedAt: at, Status: catalog.RunOK}, Pages: let, Prepared: p}); err != nil {
		t.Fatal(err)
	}
	var stored [2]map[string]string
	for i, s := range []*Store{plain, prepared} {
		stored[i] = map[string]string{}
		if err := s.view(func(tx *bolt.Tx) error {
			return tx.Bucket(bPageObs).ForEach(func(k, v []byte) error {
				stored[i][string(k)] = string(v)
				return nil
			})
		}); err != nil || len(stored[i]) != len(pages) {
			t.Fatalf("%d pages' observations stored, %v; want %d", len(stored[i]), err, len(pages))
		}
	}
	if fmt.Sprint(stored[0]) != fmt.Sprint(stored[1]) {
		t.Fatal("the prepared commit stored other observations than the plain one")
	}
	a, _ := plain.Pages()
	b, _ := prepared.Pages()
	if len(a) != len(pages) || len(b) != len(pages) {
		t.Fatalf("%d and %d pages, want %d", len(a), len(b), len(pages))
	}
	for _, pg := range pages {
		if fmt.Sprint(a[pg.URL]) != fmt.Sprint(b[pg.URL]) {
			t.Errorf("%s: %+v vs %+v", pg.URL, a[pg.URL], b[pg.URL])
		}
		got, err := prepared.Body(pg.BodySHA256)
		if err != nil || !bytes.Equal(got, bodies[pg.BodySHA256]) {
			t.Errorf("%s: body %q, %v", pg.URL, got, err)
		}
	}
	if problems, err := prepared.Check(); err != nil || len(problems) > 0 {
		t.Errorf("check: %v %v", problems, err)
	}
	// Prepared for other pages: refused, nothing written.
	other := append([]catalog.Page(nil), pages...)
	if _, err := prepared.CommitRun(Commit{Run: catalog.Run{StartedAt: at, Status: catalog.RunOK}, Pages: other, Prepared: Prepare(pages)}); err == nil {
		t.Error("a commit with another slice's preparation was accepted")
	}
	if runs, _ := prepared.Runs(); len(runs) != 1 {
		t.Errorf("%d runs after a refused commit, want 1", len(runs))
	}
}

// TestBodiesAreStandardGzip: stored bodies are gzip as the standard
// library reads and writes it, both ways: a database written before bodies
// were compressed with klauspost/compress still reads, and one written now
// reads with nothing but compress/gzip.
func TestBodiesAreStandardGzip(t *testing.T) {
	for _, body := range [][]byte{nil, []byte("{}"), bytes.Repeat([]byte("<tr><td>$0.20</td></tr>\n"), 4000)} {
		t.Run(fmt.Sprintf("%d bytes", len(body)), func(t *testing.T) {
			z, err := gz(body)
			if err != nil {
				t.Fatal(err)
			}
			r, err := stdgzip.NewReader(bytes.NewReader(z))
			if err != nil {
				t.Fatalf("compress/gzip cannot read a stored body: %v", err)
			}
			got, err := io.ReadAll(r)
			if err != nil || !bytes.Equal(got, body) {
				t.Fatalf("compress/gzip read %d bytes (%v), want the %d stored", len(got), err, len(body))
			}

			var old bytes.Buffer
			w := stdgzip.NewWriter(&old)
			w.Write(body)
			w.Close()
			if got, err := gunzip(old.Bytes()); err != nil || !bytes.Equal(got, body) {
				t.Fatalf("a body compress/gzip wrote reads back as %d bytes (%v), want %d", len(got), err, len(body))
			}
		})
	}
}
