package serve

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestHealthzDamagedDatabase: a truncated or corrupt database file makes
// /healthz answer 503 naming the damage, while the export published
// before it is still served.
func TestHealthzDamagedDatabase(t *testing.T) {
	f := newFixture(t, testToken)
	whole, err := os.ReadFile(f.db)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		damage func() error
		want   string
	}{
		{"truncated", func() error { return os.Truncate(f.db, 3*int64(os.Getpagesize())) }, "database file is truncated"},
		{"corrupt", func() error {
			// Both meta pages fail their checksums.
			b := append([]byte(nil), whole...)
			b[16+48] ^= 0xff
			b[os.Getpagesize()+16+48] ^= 0xff
			return os.WriteFile(f.db, b, 0o644)
		}, "is corrupt at both meta pages"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.damage(); err != nil {
				t.Fatal(err)
			}
			defer os.WriteFile(f.db, whole, 0o644)
			resp, body := f.get(t, "/healthz")
			var h Health
			if err := json.Unmarshal(body, &h); err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusServiceUnavailable || h.Status != "unhealthy" || h.Database.Readable {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			named := false
			for _, p := range h.Problems {
				named = named || strings.Contains(p, tc.want)
			}
			if !named || !strings.Contains(h.Database.Error, tc.want) {
				t.Errorf("the problem is not named (%q): %s", tc.want, body)
			}
			if resp, _ := f.get(t, "/v1/index.json"); resp.StatusCode != http.StatusOK {
				t.Errorf("the export is not served: %d", resp.StatusCode)
			}
		})
	}
	if resp, _ := f.get(t, "/healthz"); resp.StatusCode != http.StatusOK {
		t.Errorf("restored: %d", resp.StatusCode)
	}
}
