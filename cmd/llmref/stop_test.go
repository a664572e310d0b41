package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestExitAfterSignal(t *testing.T) {
	t.Run("a run still at work is cut short", func(t *testing.T) {
		ctx, signal := context.WithCancel(context.Background())
		var stderr lockedBuffer
		exited := make(chan struct{})
		defer exitAfter(ctx, &stderr, 10*time.Millisecond, func() { close(exited) })()
		signal()
		select {
		case <-exited:
		case <-time.After(time.Minute):
			t.Fatal("no exit after the grace")
		}
		if !strings.Contains(stderr.String(), "stopped by a signal") {
			t.Errorf("stderr %q", stderr.String())
		}
	})
	t.Run("a run over in time is not", func(t *testing.T) {
		ctx, signal := context.WithCancel(context.Background())
		exited := make(chan struct{}, 1)
		done := exitAfter(ctx, &lockedBuffer{}, 50*time.Millisecond, func() { exited <- struct{}{} })
		signal()
		done()
		time.Sleep(100 * time.Millisecond)
		if len(exited) > 0 {
			t.Error("exited after the run was over")
		}
	})
}
