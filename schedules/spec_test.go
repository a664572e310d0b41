package schedules

import (
	"strings"
	"testing"
	"time"
)

// TestParseSpecEveryMinimum: "@every" under a minute is refused, as robfig
// reads it (rounded down to whole seconds), with or without a zone prefix;
// a minute and more is accepted.
func TestParseSpecEveryMinimum(t *testing.T) {
	for _, c := range []struct {
		spec string
		want string // the error's text; "" for a schedule
	}{
		{"@every 10s", `cron spec "@every 10s": would fire every 10s; the shortest interval a schedule may have is a minute`},
		{"@every 59.9s", `cron spec "@every 59.9s": would fire every 59s;`},
		{"@every 0s", `cron spec "@every 0s": would fire every 1s;`},
		{"@every 500ms", `cron spec "@every 500ms": would fire every 1s;`},
		{"CRON_TZ=UTC @every 30s", `cron spec "CRON_TZ=UTC @every 30s": would fire every 30s;`},
		{"@every -5m", `cron spec "@every -5m": would fire every 1s;`},
		{"@every 1m", ""},
		{"@every 60s", ""},
		{"@every 1m0.5s", ""},
		{"TZ=Europe/Berlin @every 6h", ""},
		{"* * * * *", ""}, // once a minute: the most the fields allow
	} {
		t.Run(c.spec, func(t *testing.T) {
			s, err := ParseSpec(c.spec, time.UTC)
			if c.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				from := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
				if gap := s.Next(from).Sub(from); gap < MinEvery {
					t.Errorf("fires %s after %v", gap, from)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error %v; want %q", err, c.want)
			}
		})
	}
}
