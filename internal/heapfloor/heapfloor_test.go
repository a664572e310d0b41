package heapfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

const mb = 1 << 20

func TestPercent(t *testing.T) {
	for _, c := range []struct {
		name                         string
		floor, live, stacks, globals uint64
		want                         int
	}{
		{"empty heap: roots count as 4 MB", 64 * mb, 0, 0, 0, 1600},
		{"small heap", 64 * mb, 8 * mb, 0, 0, 700},
		{"stacks and globals are roots", 64 * mb, 6 * mb, 1 * mb, 1 * mb, 725},
		{"goal would fall under twice live", 64 * mb, 40 * mb, 0, 0, 100},
		{"live at the floor", 64 * mb, 64 * mb, 0, 0, 100},
		{"live past the floor", 64 * mb, 300 * mb, 0, 0, 100},
		{"no floor", 0, 5 * mb, 0, 0, 100},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := Percent(c.floor, c.live, c.stacks, c.globals)
			if got != c.want {
				t.Fatalf("Percent(%d MB, %d MB, %d MB, %d MB) = %d, want %d", c.floor/mb, c.live/mb, c.stacks/mb, c.globals/mb, got, c.want)
			}
			if goal := c.live + (c.live+c.stacks+c.globals)*uint64(got)/100; got > 100 && goal > c.floor {
				t.Fatalf("goal %d MB is over the floor", goal/mb)
			}
		})
	}
}

// gogc reads the current GOGC (SetGCPercent returns the old value).
func gogc() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

func heapGoal() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestRaise runs the real thing in this test process: the floor holds the
// heap goal up while the heap is small, and lets go once the live heap
// passes it, leaving GOGC=100.
func TestRaise(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set: Raise leaves the operator's choice alone")
	}
	defer debug.SetGCPercent(gogc())
	const floor = 48 * mb
	runtime.GC() // measure the live heap small (an earlier run of this test left 80 MB)
	forget()     // the test may run more than once
	raise(floor)
	runtime.GC()
	if p := gogc(); p <= 100 {
		t.Fatalf("GOGC %d after Raise on a small heap, want above 100", p)
	}
	if g := heapGoal(); g < 16*mb || g > floor+mb {
		t.Fatalf("heap goal %d MB on a small heap, want near the %d MB floor", g/mb, floor/mb)
	}

	// A live heap past the floor: the collector is back to normal.
	keep := make([][]byte, 0, 80)
	for range 80 {
		keep = append(keep, make([]byte, mb))
	}
	deadline := time.Now().Add(10 * time.Second)
	for gogc() != 100 {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC still %d with %d MB live", gogc(), len(keep))
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
	}
	runtime.KeepAlive(keep)
}

// TestRaiseLifts: a later Raise with a higher floor lifts the goal to it;
// one with a lower floor leaves it.
func TestRaiseLifts(t *testing.T) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		t.Skip("GOGC or GOMEMLIMIT is set: Raise leaves the operator's choice alone")
	}
	defer debug.SetGCPercent(gogc())
	runtime.GC()
	forget()
	raise(16 * mb)
	runtime.GC()
	low := heapGoal()
	if low > 17*mb {
		t.Fatalf("heap goal %d MB under a 16 MB floor", low/mb)
	}
	raise(96 * mb)
	runtime.GC()
	high := heapGoal()
	if high < 64*mb || high > 97*mb {
		t.Fatalf("heap goal %d MB after lifting the floor to 96 MB (was %d)", high/mb, low/mb)
	}
	raise(16 * mb)
	runtime.GC()
	if g := heapGoal(); g < 64*mb {
		t.Fatalf("a lower floor brought the goal down to %d MB", g/mb)
	}
}

// forget drops the process's tuner, so that a test starts from none.
func forget() {
	mu.Lock()
	cur = nil
	mu.Unlock()
	debug.SetGCPercent(100)
}

// TestRaiseLeavesGOGC: an operator's GOGC or GOMEMLIMIT stands.
func TestRaiseLeavesGOGC(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			defer debug.SetGCPercent(gogc())
			debug.SetGCPercent(100)
			t.Setenv(env, "100")
			Raise(64 * mb)
			if p := gogc(); p != 100 {
				t.Fatalf("with %s set, Raise set GOGC %d", env, p)
			}
		})
	}
}
