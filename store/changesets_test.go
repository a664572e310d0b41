package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// TestEachChangeSet: every set, oldest run first, across several read
// batches; each decodes to what ChangeSet reads, with its run's record;
// equal stored sets have equal digests; a stop ends the walk with its
// error.
func TestEachChangeSet(t *testing.T) {
	s, _ := openTemp(t)
	const runs = 2*eachChangeSetBatch + 5
	for i := range runs {
		cs := &catalog.ChangeSet{At: day(1)} // the same set, numbered anew by each run
		if i%2 == 1 {
			ch := priceHold(200_000, 300_000, day(1)).Changes[0]
			cs.Changes = []catalog.RunChange{{Change: ch, Status: catalog.ChangePublished}}
		}
		if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day(1), FinishedAt: day(1), Status: catalog.RunOK}, Changes: cs}); err != nil {
			t.Fatal(err)
		}
	}
	var seen []uint64
	digests := map[uint64][32]byte{}
	err := s.EachChangeSet(context.Background(), func(sc StoredChangeSet) error {
		seen = append(seen, sc.Run)
		digests[sc.Run] = sc.Digest
		got, err := sc.Decode()
		if err != nil {
			return err
		}
		want, err := s.ChangeSet(sc.Run)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("run %d decodes to %+v, ChangeSet reads %+v", sc.Run, got, want)
		}
		r, ok, err := sc.RunRecord()
		if err != nil || !ok || r.ID != sc.Run || r.Status != catalog.RunOK {
			t.Errorf("run %d's record: %+v %v %v", sc.Run, r, ok, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != runs {
		t.Fatalf("%d sets seen, want %d", len(seen), runs)
	}
	for i, id := range seen {
		if id != uint64(i+1) {
			t.Fatalf("set %d is run %d: %v", i, id, seen)
		}
	}
	// Runs 1 and 3 stored the same empty set but for its run number.
	if digests[1] == digests[3] || digests[2] == digests[1] {
		t.Error("sets of different runs share a digest")
	}
	again := 0
	s.EachChangeSet(context.Background(), func(sc StoredChangeSet) error {
		if sc.Digest == digests[sc.Run] {
			again++
		}
		return nil
	})
	if again != runs {
		t.Errorf("%d of %d digests the same on a second walk", again, runs)
	}

	stop := errors.New("enough")
	n := 0
	if err := s.EachChangeSet(context.Background(), func(StoredChangeSet) error {
		if n++; n == 3 {
			return stop
		}
		return nil
	}); !errors.Is(err, stop) || n != 3 {
		t.Errorf("stopped after %d with %v", n, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.EachChangeSet(ctx, func(StoredChangeSet) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled walk: %v", err)
	}
}

// TestEachChangeSetDamage: a set that does not decode says so, naming the
// file and the record, when decoded; the walk itself goes on.
func TestEachChangeSetDamage(t *testing.T) {
	s, path := openTemp(t)
	if _, err := s.CommitRun(Commit{Run: catalog.Run{StartedAt: day(1), Status: catalog.RunOK}, Changes: &catalog.ChangeSet{At: day(1)}}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bChanges).Put(u64(1), []byte{0x1f, 0x8b, 0, 1, 2}) }); err != nil {
		t.Fatal(err)
	}
	var decodeErr error
	if err := s.EachChangeSet(context.Background(), func(sc StoredChangeSet) error {
		_, decodeErr = sc.Decode()
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var ce *CorruptError
	if !errors.As(decodeErr, &ce) || ce.Path != path || ce.At != "changes/1" {
		t.Errorf("decoding a damaged set: %v", decodeErr)
	}
}

// TestHoldsByID: the holds named, once each; an unknown id is left out.
func TestHoldsByID(t *testing.T) {
	s, _ := openTemp(t)
	commit(t, s, day(1), snapshotWith(offering(llama, "openrouter", 27_000, 200_000, day(1))),
		priceHold(200_000, 2_000_000, day(1)), priceHold(27_000, 270_000, day(1)))
	got, err := s.HoldsByID([]uint64{2, 9, 2, 1})
	if err != nil || len(got) != 2 || got[1].ID != 1 || got[2].ID != 2 || got[1].Status != catalog.HoldPending {
		t.Errorf("holds by id: %+v %v", got, err)
	}
}
