package schedules

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// parser reads the standard five fields (minute hour day-of-month month
// day-of-week), descriptors such as @daily or @every 6h, and an optional
// CRON_TZ= or TZ= prefix naming the spec's time zone.
var parser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// MinEvery is the shortest interval an "@every" spec may give. The five
// cron fields cannot fire more often than once a minute; @every could, and
// a refresh of every source several times a minute is a crawl that
// overlaps itself and that no source's politeness allows.
const MinEvery = time.Minute

// ParseSpec checks a cron spec and returns its schedule. A spec without a
// time zone prefix is read in loc. "@every" under MinEvery is refused, as
// robfig reads it: rounded down to whole seconds ("@every 59.9s" is 59s).
// It never panics: robfig/cron v3.0.1 panics on "TZ=" or "CRON_TZ=" with
// nothing after the zone (#554), so the prefix is checked first and the
// parser runs under recover.
func ParseSpec(spec string, loc *time.Location) (sched cron.Schedule, err error) {
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return nil, errors.New("empty cron spec")
	}
	for _, prefix := range []string{"CRON_TZ=", "TZ="} {
		rest, ok := strings.CutPrefix(spec, prefix)
		if !ok {
			continue
		}
		zone, fields, found := strings.Cut(rest, " ")
		if zone == "" {
			return nil, fmt.Errorf("cron spec %q: %s names no time zone", spec, prefix)
		}
		if !found || strings.TrimSpace(fields) == "" {
			return nil, fmt.Errorf("cron spec %q: nothing follows the time zone %s", spec, zone)
		}
		break
	}
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("cron spec %q: %v", spec, r)
		}
	}()
	s, err := parser.Parse(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	if every := everyInterval(s); every != 0 && every < MinEvery {
		return nil, fmt.Errorf("cron spec %q: would fire every %s; the shortest interval a schedule may have is a minute", spec, every)
	}
	if loc == nil {
		loc = time.UTC
	}
	if ss, ok := s.(*cron.SpecSchedule); ok && ss.Location == time.Local {
		// A spec without a zone: pin it to the configured one, so that
		// it never depends on the machine's TZ by accident.
		ss.Location = loc
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if s.Next(from).IsZero() {
		return nil, fmt.Errorf("cron spec %q never fires", spec)
	}
	return s, nil
}

// everyInterval is the interval of an @every schedule, or 0 for another.
func everyInterval(s cron.Schedule) time.Duration {
	switch d := s.(type) {
	case cron.ConstantDelaySchedule:
		return d.Delay
	case *cron.ConstantDelaySchedule:
		return d.Delay
	}
	return 0
}
