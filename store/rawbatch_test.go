package store

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
)

// TestBodyStream puts bodies from many goroutines, enough for several
// batches, and reads every one back; a body put twice is stored once, and
// bodies no commit names leave a database that checks clean.
func TestBodyStream(t *testing.T) {
	s, _ := openTemp(t)
	const n = 600
	bodies := make([][]byte, n)
	for i := range bodies {
		// Incompressible enough that the bodies span several batches.
		var buf bytes.Buffer
		for j := 0; buf.Len() < 24<<10; j++ {
			fmt.Fprintf(&buf, "%x", sha256.Sum256([]byte(fmt.Sprint(i, j))))
		}
		bodies[i] = buf.Bytes()
	}
	bs, err := s.StreamBodies()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < n; i += 4 {
				bs.Put(sum(bodies[i]), bodies[i])
			}
		})
	}
	wg.Wait()
	bs.Put(sum(bodies[0]), bodies[0]) // again: stored once
	st, err := bs.Close()
	if err != nil {
		t.Fatal(err)
	}
	if st.Bodies != n || st.Batches < 2 {
		t.Errorf("stats %+v: want %d bodies in several batches", st, n)
	}
	bs.Put("late", []byte("after Close: dropped"))
	for i, b := range bodies {
		got, err := s.Body(sum(b))
		if err != nil || !bytes.Equal(got, b) {
			t.Fatalf("body %d: %v (%d bytes, want %d)", i, err, len(got), len(b))
		}
	}
	if _, err := s.Body("late"); err == nil {
		t.Error("a body put after Close was stored")
	}
	problems, err := s.Check()
	if err != nil || len(problems) > 0 {
		t.Errorf("check with unreferenced bodies: %v %v", err, problems)
	}
}

// TestBodyStreamFailure: a batch that cannot commit (the database closed
// under it) is reported by Close, and later bodies are dropped.
func TestBodyStreamFailure(t *testing.T) {
	s, _ := openTemp(t)
	bs, err := s.StreamBodies()
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	bs.Put(sum([]byte("x")), []byte("x"))
	if _, err := bs.Close(); err == nil {
		t.Fatal("Close reported no error for a batch into a closed database")
	}
}
