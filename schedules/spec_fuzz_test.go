package schedules

import (
	"testing"
	"time"
)

// FuzzParseSpec: any text gives a schedule or an error — never a panic
// (robfig/cron panics on some specs, e.g. "TZ=" with nothing after it), and
// a schedule's next time is never before the time asked from, and an @every
// schedule never fires more often than MinEvery.
func FuzzParseSpec(f *testing.F) {
	for _, s := range []string{"0 2 * * *", "CRON_TZ=UTC 0 2 * * *", "TZ=", "CRON_TZ=", "@every 1h", "@every 5s", "CRON_TZ=UTC @every 59s", "@daily", "* * * * * *", "0 0 30 2 *", "TZ=Europe/Paris 0 3 * * 1", "test:100"} {
		f.Add(s)
	}
	at := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseSpec(spec, time.UTC)
		if err != nil || s == nil {
			return
		}
		if next := s.Next(at); !next.IsZero() && next.Before(at) {
			t.Fatalf("%q: next %v is before %v", spec, next, at)
		}
		if d := everyInterval(s); d != 0 && d < MinEvery {
			t.Fatalf("%q: accepted, firing every %s", spec, d)
		}
	})
}
