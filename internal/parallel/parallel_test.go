package parallel

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
)

func TestFor(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 65, 1000, 10_007} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			seen := make([]int32, n)
			if err := For(n, func(i int) error { atomic.AddInt32(&seen[i], 1); return nil }); err != nil {
				t.Fatal(err)
			}
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("piece %d ran %d times", i, c)
				}
			}
		})
	}
}

func TestForError(t *testing.T) {
	bad := errors.New("piece 500 is bad")
	err := For(1000, func(i int) error {
		if i == 500 {
			return bad
		}
		return nil
	})
	if !errors.Is(err, bad) {
		t.Fatalf("For = %v, want %v", err, bad)
	}
}
