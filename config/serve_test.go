package config

import (
	"testing"
	"time"
)

// TestRetryFailedAfter: serve.retry_failed_after reaches the daemon: 30
// minutes unset, "0s" never, a negative duration refused.
func TestRetryFailedAfter(t *testing.T) {
	for _, tc := range []struct {
		name, serve string
		want        time.Duration
		err         string
	}{
		{"unset", "", 30 * time.Minute, ""},
		{"set", "  retry_failed_after: 10m\n", 10 * time.Minute, ""},
		{"never", "  retry_failed_after: 0s\n", 0, ""},
		{"negative", "  retry_failed_after: -1m\n", 0, "serve.retry_failed_after: negative duration -1m0s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := parseWant(t, "serve:\n  stale_after: 48h\n"+tc.serve, tc.err) // fetch_test.go
			if cfg == nil {
				return
			}
			if got := cfg.Serve.RetryFailedDelay(); got != tc.want {
				t.Errorf("RetryFailedDelay = %s, want %s", got, tc.want)
			}
		})
	}
}
