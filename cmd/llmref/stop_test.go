package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the watchdog's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestExitAfterSignal(t *testing.T) {
	t.Run("a run still at work is cut short", func(t *testing.T) {
		ctx, signal := context.WithCancel(context.Background())
		var stderr syncBuffer
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
		done := exitAfter(ctx, &syncBuffer{}, 50*time.Millisecond, func() { exited <- struct{}{} })
		signal()
		done()
		time.Sleep(100 * time.Millisecond)
		if len(exited) > 0 {
			t.Error("exited after the run was over")
		}
	})
}
