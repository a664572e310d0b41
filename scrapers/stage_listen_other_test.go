//go:build !linux

package scrapers

import "testing"

// noAcceptBase needs Linux's handling of a full listen queue (SYNs
// dropped); elsewhere the connect case is skipped.
func noAcceptBase(t *testing.T) string {
	t.Skip("a connect timeout on loopback is made with Linux's listen queue")
	return ""
}
