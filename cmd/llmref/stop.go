package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"
)

// stopGrace is how long a run may take to end after SIGTERM or an
// interrupt: every stage checks its context (fetches, parses, the
// normalisation between pages, the encoding and staging between batches,
// the review between its steps,
// the commit's threshold, each exported file), so a run ends well within
// it; a stage
// stuck inside code that cannot look (a single costly selector step) is
// cut short here, so the process is gone within 5 s of the signal. bbolt
// commits whole or not at all, and an export generation is published by
// one rename, so exiting mid-stage leaves nothing half-written.
const stopGrace = 4 * time.Second

// exitAfterSignal watches signalled, the command's signal context: once it
// is cancelled by a signal, the process exits 1 after stopGrace unless
// the returned function (deferred by the caller, once the run is over) was
// called first.
func exitAfterSignal(signalled context.Context, stderr io.Writer) (cancel func()) {
	return exitAfter(signalled, stderr, stopGrace, func() { os.Exit(exitError) })
}

func exitAfter(signalled context.Context, stderr io.Writer, grace time.Duration, exit func()) (cancel func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
			return
		case <-signalled.Done():
		}
		t := time.NewTimer(grace)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			fmt.Fprintf(stderr, "llmref: stopped by a signal: a stage still at work after %s, exiting; nothing more is committed\n", grace)
			exit()
		}
	}()
	return func() { close(done) }
}
