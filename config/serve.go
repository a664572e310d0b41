package config

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/llmref/llmref/schedules"
)

// ServeConfig configures `llmref serve`: its HTTP address, token and
// schedules. It is checked as it is read: a bad address, time zone or cron
// spec is one clear error naming the setting, never a panic later.
type ServeConfig struct {
	// Addr is where the HTTP server listens; default 127.0.0.1:8080.
	Addr string `yaml:"addr"`
	// Token is the bearer token that approve and reject need. The
	// environment variable LLMREF_TOKEN, when set, takes its place (keep
	// secrets out of files). At least 16 characters.
	Token string `yaml:"token"`
	// TimeZone is the zone of every spec without a CRON_TZ= prefix;
	// default UTC.
	TimeZone string `yaml:"time_zone"`
	// StaleAfter is how old a source's last successful read may be before
	// /healthz calls it stale; default 48h.
	StaleAfter time.Duration `yaml:"stale_after"`
	// CatchUpEvery is how often the daemon looks for schedules whose last
	// success is older than their last due time (a run missed because the
	// daemon was down, failed, or fell into a DST gap) and runs each once.
	// It always looks at start-up; default every hour; "0s" only at start.
	CatchUpEvery *time.Duration `yaml:"catch_up_every"`
	// RetryFailedAfter is how long after a run that left sources failed
	// (the others committed) the daemon reads those sources again, and
	// again as long as they fail, until the schedule's next run is
	// sooner; default 30m; "0s" never.
	RetryFailedAfter *time.Duration `yaml:"retry_failed_after"`
	// ShutdownTimeout bounds a graceful stop (HTTP requests draining, a
	// cancelled run recording itself); default 30s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
	// Schedules are the refreshes `serve --schedule` runs. Default: every
	// source nightly at 02:00 UTC.
	Schedules []ScheduleConfig `yaml:"schedules"`
}

// ScheduleConfig is one schedule: when it fires and which sources it
// refreshes.
type ScheduleConfig struct {
	// Name identifies the schedule in logs, metrics and the database.
	Name string `yaml:"name"`
	// Spec is a cron spec: five fields ("0 2 * * *"), a descriptor
	// ("@weekly", "@every 6h"), optionally prefixed "CRON_TZ=Zone ".
	Spec string `yaml:"spec"`
	// Sources are the sources the run reads (the others keep what they
	// said); empty means every enabled source.
	Sources []string `yaml:"sources"`
	// Timeout bounds one run; default fetch.run_timeout.
	Timeout time.Duration `yaml:"timeout"`
}

// DefaultAddr is where `llmref serve` listens by default.
const DefaultAddr = "127.0.0.1:8080"

// MinTokenLength is the shortest bearer token accepted.
const MinTokenLength = 16

var scheduleName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Validate checks every serve setting, naming the first bad one of each.
func (s *ServeConfig) Validate() error {
	var errs []error
	if s.Addr != "" {
		if _, _, err := net.SplitHostPort(s.Addr); err != nil {
			errs = append(errs, fmt.Errorf("serve.addr: %q is not host:port", s.Addr))
		}
	}
	if s.Token != "" && len(s.Token) < MinTokenLength {
		errs = append(errs, fmt.Errorf("serve.token: shorter than %d characters", MinTokenLength))
	}
	loc, err := s.loadLocation()
	if err != nil {
		errs = append(errs, err)
	}
	if s.StaleAfter < 0 {
		errs = append(errs, fmt.Errorf("serve.stale_after: negative duration %s", s.StaleAfter))
	}
	if s.CatchUpEvery != nil && *s.CatchUpEvery < 0 {
		errs = append(errs, fmt.Errorf("serve.catch_up_every: negative duration %s", *s.CatchUpEvery))
	}
	if s.RetryFailedAfter != nil && *s.RetryFailedAfter < 0 {
		errs = append(errs, fmt.Errorf("serve.retry_failed_after: negative duration %s", *s.RetryFailedAfter))
	}
	if s.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("serve.shutdown_timeout: negative duration %s", s.ShutdownTimeout))
	}
	seen := map[string]bool{}
	for i, sc := range s.Schedules {
		at := fmt.Sprintf("serve.schedules[%d]", i)
		switch {
		case !scheduleName.MatchString(sc.Name):
			errs = append(errs, fmt.Errorf("%s.name: %q is not a name (lower-case letters, digits, - and _)", at, sc.Name))
		case seen[sc.Name]:
			errs = append(errs, fmt.Errorf("%s.name: %q is used twice", at, sc.Name))
		}
		seen[sc.Name] = true
		if loc != nil {
			if _, err := schedules.ParseSpec(sc.Spec, loc); err != nil {
				errs = append(errs, fmt.Errorf("%s.spec: %w", at, err))
			}
		}
		if sc.Timeout < 0 {
			errs = append(errs, fmt.Errorf("%s.timeout: negative duration %s", at, sc.Timeout))
		}
	}
	return errors.Join(errs...)
}

func (s *ServeConfig) loadLocation() (*time.Location, error) {
	if s.TimeZone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil || strings.EqualFold(s.TimeZone, "local") {
		return nil, fmt.Errorf("serve.time_zone: %q is not an IANA time zone (such as UTC or Europe/Berlin)", s.TimeZone)
	}
	return loc, nil
}

// Location is the time zone of specs without a CRON_TZ= prefix.
func (s *ServeConfig) Location() *time.Location {
	loc, err := s.loadLocation()
	if err != nil {
		return time.UTC // Validate reported it
	}
	return loc
}

// Address is where the server listens.
func (s *ServeConfig) Address() string {
	if s.Addr == "" {
		return DefaultAddr
	}
	return s.Addr
}

// StaleAge is how old a source's last success may be before it is stale.
func (s *ServeConfig) StaleAge() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return 48 * time.Hour
}

// CatchUpInterval is how often overdue schedules are looked for after
// start-up; zero means only at start-up.
func (s *ServeConfig) CatchUpInterval() time.Duration {
	if s.CatchUpEvery == nil {
		return time.Hour
	}
	return *s.CatchUpEvery
}

// RetryFailedDelay is how long after a partial run its failed sources are
// read again; zero means never.
func (s *ServeConfig) RetryFailedDelay() time.Duration {
	if s.RetryFailedAfter == nil {
		return 30 * time.Minute
	}
	return *s.RetryFailedAfter
}

// GraceTimeout bounds a graceful stop.
func (s *ServeConfig) GraceTimeout() time.Duration {
	if s.ShutdownTimeout > 0 {
		return s.ShutdownTimeout
	}
	return 30 * time.Second
}

// ScheduleList is the configured schedules, or the default one: every
// source nightly at 02:00 UTC.
func (s *ServeConfig) ScheduleList() []ScheduleConfig {
	if len(s.Schedules) == 0 {
		return []ScheduleConfig{{Name: "nightly", Spec: "CRON_TZ=UTC 0 2 * * *"}}
	}
	return slices.Clone(s.Schedules)
}
