package store

import (
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestScheduleRuns(t *testing.T) {
	s, path := openTemp(t)
	t0 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	steps := []ScheduleRun{
		{Schedule: "prices", Trigger: "cron", StartedAt: t0, FinishedAt: t0.Add(time.Minute), Status: ScheduleOK, RunID: 1},
		{Schedule: "prices", Trigger: "cron", StartedAt: t0.Add(24 * time.Hour), FinishedAt: t0.Add(25 * time.Hour), Status: ScheduleCancelled, Error: "context canceled"},
		{Schedule: "cards", Trigger: "catch-up", StartedAt: t0.Add(time.Hour), Status: SchedulePartial, RunID: 2},
	}
	for i, r := range steps {
		id, err := s.RecordScheduleRun(r)
		if err != nil || id != uint64(i+1) {
			t.Fatalf("record %d: id %d, %v", i, id, err)
		}
	}
	states, err := s.ScheduleStates()
	if err != nil {
		t.Fatal(err)
	}
	p := states["prices"]
	if !p.LastSuccess.Equal(t0) || p.LastSuccessRun != 1 || p.LastStatus != ScheduleCancelled || p.LastError != "context canceled" || !p.LastAttempt.Equal(t0.Add(24*time.Hour)) {
		t.Errorf("prices state %+v: a cancelled run must not move the last success", p)
	}
	if c := states["cards"]; !c.LastSuccess.Equal(t0.Add(time.Hour)) || c.LastSuccessRun != 2 {
		t.Errorf("cards state %+v: a partial run committed and counts as a success", c)
	}
	runs, err := s.ScheduleRuns(2)
	if err != nil || len(runs) != 2 || runs[0].Schedule != "cards" || runs[1].Status != ScheduleCancelled {
		t.Fatalf("newest two runs: %+v, %v", runs, err)
	}
	all, _ := s.ScheduleRuns(0)
	if len(all) != 3 {
		t.Errorf("%d runs, want 3", len(all))
	}

	// An older database without the buckets reads as empty.
	if err := s.db.Update(func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket(bSchedules); err != nil {
			return err
		}
		return tx.DeleteBucket(bScheduleRuns)
	}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	ro, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if st, err := ro.ScheduleStates(); err != nil || len(st) != 0 {
		t.Errorf("states without bucket: %v, %v", st, err)
	}
	if r, err := ro.ScheduleRuns(5); err != nil || len(r) != 0 {
		t.Errorf("runs without bucket: %v, %v", r, err)
	}
}

// TestRepublishedBySchedule: an unpublished run's tree counts as published
// once the daemon publishes it again, or once another schedule's run
// publishes its own; a failed run of another schedule publishes nothing.
func TestRepublishedBySchedule(t *testing.T) {
	t0 := time.Date(2026, 4, 23, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		then func(s *Store) error
		want bool
	}{
		{"republished by the daemon", func(s *Store) error { return s.MarkRepublished() }, true},
		{"another schedule published", func(s *Store) error {
			_, err := s.RecordScheduleRun(ScheduleRun{Schedule: "cards", StartedAt: t0.Add(time.Hour), Status: ScheduleOK, RunID: 2})
			return err
		}, true},
		{"another schedule failed", func(s *Store) error {
			_, err := s.RecordScheduleRun(ScheduleRun{Schedule: "cards", StartedAt: t0.Add(time.Hour), Status: ScheduleFailed})
			return err
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTemp(t)
			if _, err := s.RecordScheduleRun(ScheduleRun{Schedule: "prices", StartedAt: t0, Status: ScheduleUnpublished, RunID: 1}); err != nil {
				t.Fatal(err)
			}
			if err := tc.then(s); err != nil {
				t.Fatal(err)
			}
			states, err := s.ScheduleStates()
			if err != nil {
				t.Fatal(err)
			}
			if p := states["prices"]; p.LastStatus != ScheduleUnpublished || p.Republished != tc.want {
				t.Errorf("prices: %+v, want republished %v", p, tc.want)
			}
		})
	}
}
