package store

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/llmref/llmref/catalog"
)

// TestPublishedReadsWhatSnapshotReads: the published catalogue read a
// batch at a time (the records of some ids and keys, then the rest) is the
// one Snapshot reads, stamped the same, unmatched ids included; ids and
// keys that are not published read nothing.
func TestPublishedReadsWhatSnapshotReads(t *testing.T) {
	s, _ := openTemp(t)
	day1 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	var offers []*catalog.Offering
	for i := range 40 {
		offers = append(offers, offering(fmt.Sprintf("meta/m-%02d", i), []string{"openrouter", "bedrock"}[i%2], catalog.Money(1000+i), 2000, day1))
	}
	snap := snapshotWith(offers...)
	snap.Unmatched = []catalog.Unmatched{{Source: "openrouter", ID: "openrouter/auto", Reason: "router"}}
	page := catalog.Page{Source: "openrouter", URL: "https://openrouter.example/prices", Kind: "models", Status: 200, CheckedAt: day1.Add(time.Hour)}
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day1, Status: catalog.RunOK}, Pages: []catalog.Page{page}, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	want, err := s.Snapshot()
	if err != nil {
		t.Fatal(err)
	}

	p := s.Published()
	got := catalog.NewSnapshot()
	for _, batch := range []struct {
		ids, keys []string
		want      int
	}{
		{[]string{"meta/m-00", "meta/m-01", "nobody/new"}, nil, 2},
		{nil, []string{offers[0].Key(), offers[3].Key(), "meta/m-00|nowhere||"}, 2},
		{[]string{"meta/m-05"}, []string{offers[5].Key()}, 2},
	} {
		read := p.Read(batch.ids, batch.keys)
		if n := len(read.Models) + len(read.Offerings); n != batch.want {
			t.Errorf("read %d records of %v %v; want %d", n, batch.ids, batch.keys, batch.want)
		}
		for id, m := range read.Models {
			got.Models[id] = m
		}
		for k, o := range read.Offerings {
			got.Offerings[k] = o
		}
	}
	if _, ok := got.Models["nobody/new"]; ok || len(got.Models) != 3 || len(got.Offerings) != 3 {
		t.Fatalf("read %d models, %d offerings; want 3 and 3, and no unpublished one", len(got.Models), len(got.Offerings))
	}
	kept := got.Offerings[offers[3].Key()]
	if err := p.Rest(context.Background(), got); err != nil || p.Err() != nil {
		t.Fatal(err, p.Err())
	}
	if got.Offerings[offers[3].Key()] != kept {
		t.Error("Rest replaced a record the reader already held")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("read a batch at a time:\n%+v\nSnapshot reads:\n%+v", got, want)
	}
	if at := got.Offerings[offers[0].Key()].Input.RetrievedAt.Time(); !at.Equal(page.CheckedAt) {
		t.Errorf("retrieved at %v; want its page's check time %v", at, page.CheckedAt)
	}
}

// TestPublishedKeepsItsError: a read that fails says so (Err) and reads
// nothing after it.
func TestPublishedKeepsItsError(t *testing.T) {
	s, _ := openTemp(t)
	day1 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	o := offering("meta/m", "openrouter", 1, 2, day1)
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day1, Status: catalog.RunOK}, Snapshot: snapshotWith(o)}); err != nil {
		t.Fatal(err)
	}
	p := s.Published()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if got := p.Read([]string{"meta/m"}, []string{o.Key()}); len(got.Models)+len(got.Offerings) != 0 || p.Err() == nil {
		t.Fatalf("a closed store read %+v, err %v", got, p.Err())
	}
	if err := p.Rest(context.Background(), catalog.NewSnapshot()); err == nil {
		t.Error("Rest after a failed read: no error")
	}
}

// TestPublishedRestStops: Rest reads no further once its context is done
// (here after the models' chunk, before the offerings'), returns the
// context's error, leaves what it was given as it was and keeps no error
// of its own: the same reader reads the rest afterwards.
func TestPublishedRestStops(t *testing.T) {
	s, _ := openTemp(t)
	day1 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	snap := snapshotWith(offering("meta/m-1", "openrouter", 1, 2, day1), offering("meta/m-2", "bedrock", 3, 4, day1))
	snap.Unmatched = []catalog.Unmatched{{Source: "openrouter", ID: "openrouter/auto", Reason: "router"}}
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day1, Status: catalog.RunOK}, Snapshot: snap}); err != nil {
		t.Fatal(err)
	}
	p := s.Published()
	have := catalog.NewSnapshot()
	for _, ctx := range []context.Context{&stopAfter{Context: context.Background(), calls: 1}, canceled()} {
		if err := p.Rest(ctx, have); !errors.Is(err, context.Canceled) {
			t.Fatalf("Rest with its context done: %v", err)
		}
		if len(have.Models)+len(have.Offerings)+len(have.Unmatched) != 0 || p.Err() != nil {
			t.Fatalf("a stopped Rest gave %d models, %d offerings, %d unmatched; kept error %v", len(have.Models), len(have.Offerings), len(have.Unmatched), p.Err())
		}
	}
	if err := p.Rest(context.Background(), have); err != nil || len(have.Models) != 2 || len(have.Offerings) != 2 || len(have.Unmatched) != 1 {
		t.Fatalf("Rest after a stopped one: %d models, %d offerings, %d unmatched (%v)", len(have.Models), len(have.Offerings), len(have.Unmatched), err)
	}
}

func canceled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}
