// Package parallel runs independent pieces of one job on every CPU.
package parallel

import (
	"runtime"
	"sync"
)

// For runs fn(i) for every i in [0, n) on up to GOMAXPROCS goroutines (one
// per 64 pieces at most, so a small job stays on one), each taking every
// k-th i. fn must touch nothing another i touches but its own slot of a
// result. For returns the first error in worker order; a worker stops at
// its first error, the others finish their share.
func For(n int, fn func(i int) error) error {
	workers := min(runtime.GOMAXPROCS(0), n/64+1)
	if workers <= 1 {
		for i := range n {
			if err := fn(i); err != nil {
				return err
			}
		}
		return nil
	}
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				if err := fn(i); err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
