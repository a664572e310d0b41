package store

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Buckets of the daemon's schedules.
var (
	bSchedules    = []byte("schedules")     // schedule name → ScheduleState
	bScheduleRuns = []byte("schedule_runs") // sequence (u64 BE) → ScheduleRun
)

func init() { registerBuckets(bSchedules, bScheduleRuns) }

// ScheduleStatus is how one scheduled run ended.
type ScheduleStatus string

// Schedule run statuses. Only ok, partial and unpublished runs committed a
// refresh and count as a success; the others leave the schedule due for
// catch-up.
const (
	ScheduleOK      ScheduleStatus = "ok"
	SchedulePartial ScheduleStatus = "partial"
	// ScheduleUnpublished is a run that committed but whose tree could not
	// be published: the daemon publishes it again on its own, without
	// reading the sources again.
	ScheduleUnpublished ScheduleStatus = "unpublished"
	ScheduleFailed      ScheduleStatus = "failed"
	ScheduleCancelled   ScheduleStatus = "cancelled"
	ScheduleTimeout     ScheduleStatus = "timeout"
	SchedulePanicked    ScheduleStatus = "panicked"
)

// Success reports whether the run committed a refresh.
func (s ScheduleStatus) Success() bool {
	return s == ScheduleOK || s == SchedulePartial || s == ScheduleUnpublished
}

// ScheduleRun is the record of one run of a schedule, whether or not it
// committed anything.
type ScheduleRun struct {
	ID       uint64 `json:"id"`
	Schedule string `json:"schedule"`
	// Trigger says why it ran: "cron", "catch-up" or "retry" (the
	// sources an earlier run left failed, read again).
	Trigger    string         `json:"trigger"`
	StartedAt  time.Time      `json:"started_at"`
	FinishedAt time.Time      `json:"finished_at"`
	Status     ScheduleStatus `json:"status"`
	// RunID is the refresh run it committed; 0 when none.
	RunID uint64 `json:"run_id,omitempty"`
	Error string `json:"error,omitempty"`
}

// ScheduleState is what the daemon remembers of a schedule across restarts.
type ScheduleState struct {
	Name string `json:"name"`
	// LastSuccess is when the last run that committed started; zero when
	// none has.
	LastSuccess    time.Time      `json:"last_success,omitzero"`
	LastSuccessRun uint64         `json:"last_success_run,omitempty"`
	LastAttempt    time.Time      `json:"last_attempt,omitzero"`
	LastStatus     ScheduleStatus `json:"last_status,omitempty"`
	LastError      string         `json:"last_error,omitempty"`
	// Republished is set when the last run was unpublished and its tree
	// has been published since (see MarkRepublished); the next run clears
	// it.
	Republished bool `json:"republished,omitempty"`
}

// RecordScheduleRun appends a schedule's run record and updates the
// schedule's state, in one transaction. It returns the record's id.
func (s *Store) RecordScheduleRun(r ScheduleRun) (uint64, error) {
	err := s.update(func(tx *bolt.Tx) error {
		runs := tx.Bucket(bScheduleRuns)
		runs.FillPercent = 1.0 // append-only, sequential keys
		id, err := runs.NextSequence()
		if err != nil {
			return err
		}
		r.ID = id
		if err := putJSON(runs, u64(id), r); err != nil {
			return err
		}
		states := tx.Bucket(bSchedules)
		var st ScheduleState
		if err := getJSON(states, []byte(r.Schedule), &st); err != nil && err != ErrNotFound {
			return err
		}
		st.Name = r.Schedule
		st.LastAttempt, st.LastStatus, st.LastError, st.Republished = r.StartedAt, r.Status, r.Error, false
		if r.Status.Success() && !r.StartedAt.Before(st.LastSuccess) {
			st.LastSuccess, st.LastSuccessRun = r.StartedAt, r.RunID
		}
		if err := putJSON(states, []byte(r.Schedule), st); err != nil {
			return err
		}
		if r.Status == ScheduleOK || r.Status == SchedulePartial {
			// This run published its tree: another schedule's unpublished
			// run is published with it.
			return markRepublished(states)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("record run of schedule %s: %w", r.Schedule, err)
	}
	return r.ID, nil
}

// MarkRepublished notes, for every schedule whose last run committed but
// could not publish its tree, that the tree has been published since.
func (s *Store) MarkRepublished() error {
	if err := s.update(func(tx *bolt.Tx) error { return markRepublished(tx.Bucket(bSchedules)) }); err != nil {
		return fmt.Errorf("mark schedules republished: %w", err)
	}
	return nil
}

// markRepublished is MarkRepublished inside a transaction.
func markRepublished(states *bolt.Bucket) error {
	var marked []ScheduleState
	err := states.ForEach(func(k, v []byte) error {
		var st ScheduleState
		if err := json.Unmarshal(v, &st); err != nil {
			return fmt.Errorf("schedule %s: %w", k, err)
		}
		if st.LastStatus == ScheduleUnpublished && !st.Republished {
			st.Republished = true
			marked = append(marked, st)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, st := range marked {
		if err := putJSON(states, []byte(st.Name), st); err != nil {
			return err
		}
	}
	return nil
}

// ScheduleStates returns every schedule's state, by name. A database
// written before schedules existed has none.
func (s *Store) ScheduleStates() (map[string]ScheduleState, error) {
	out := map[string]ScheduleState{}
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bSchedules)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var st ScheduleState
			if err := json.Unmarshal(v, &st); err != nil {
				return fmt.Errorf("schedule %s: %w", k, err)
			}
			out[string(k)] = st
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read schedules: %w", err)
	}
	return out, nil
}

// ScheduleRuns returns up to limit schedule run records, newest first
// (every record when limit <= 0).
func (s *Store) ScheduleRuns(limit int) ([]ScheduleRun, error) {
	var out []ScheduleRun
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bScheduleRuns)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Last(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Prev() {
			var r ScheduleRun
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("schedule run %d: %w", binary.BigEndian.Uint64(k), err)
			}
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read schedule runs: %w", err)
	}
	return out, nil
}
