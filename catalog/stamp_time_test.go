package catalog

import (
	"encoding/json"
	"errors"
	"math"
	"testing"
	"time"
)

// TestStamp holds a fact's dates to time.Time's meaning: the zero is no
// date, an instant keeps its nanoseconds and reads back in UTC whatever
// its zone, stamps order as their instants, and JSON is time.Time's.
func TestStamp(t *testing.T) {
	at := time.Date(2026, 4, 23, 2, 0, 0, 123456789, time.UTC)
	for _, tc := range []struct {
		name string
		in   time.Time
		want time.Time
	}{
		{"zero", time.Time{}, time.Time{}},
		{"utc", at, at},
		{"another zone", at.In(time.FixedZone("CEST", 2*3600)), at},
		{"1970", time.Unix(0, 0), time.Unix(0, 0).UTC()},
		{"earliest", stampMin, stampMin},
		{"latest", stampMax, stampMax},
	} {
		got := StampOf(tc.in).Time()
		if !got.Equal(tc.want) || got.Location() != tc.want.Location() {
			t.Errorf("%s: StampOf(%v).Time() = %v, want %v", tc.name, tc.in, got, tc.want)
		}
		if StampOf(tc.in).IsZero() != tc.in.IsZero() {
			t.Errorf("%s: IsZero %v", tc.name, StampOf(tc.in).IsZero())
		}
	}
	now := time.Now() // with a monotonic reading
	if got := StampOf(now).Time(); !got.Equal(now) || got.Location() != time.UTC {
		t.Errorf("StampOf(now).Time() = %v, want %v in UTC", got, now)
	}
	if (Stamp{}) != StampOf(time.Time{}) || !(Stamp{}).Time().IsZero() {
		t.Error("the zero Stamp is not time.Time's zero")
	}
	earlier, later := StampOf(at), StampOf(at.Add(time.Nanosecond))
	if !earlier.Before(later) || !later.After(earlier) || earlier.After(later) || earlier.Equal(later) || !earlier.Equal(StampOf(at)) {
		t.Error("stamps do not order as their instants")
	}
	if !(Stamp{}).Before(StampOf(stampMin)) {
		t.Error("no date is not before the earliest date")
	}
	// Outside the range: held at the nearer end, refused when read.
	if got := StampOf(time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)).Time(); !got.Equal(stampMax) {
		t.Errorf("year 3000 held at %v", got)
	}
	if got := StampOf(time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC)).Time(); !got.Equal(stampMin) {
		t.Errorf("year 1600 held at %v", got)
	}
	if got := StampOf(time.Unix(0, math.MinInt64)); got.IsZero() {
		t.Error("the one unrepresentable instant became no date")
	}
	b, err := json.Marshal(StampOf(at))
	if err != nil || string(b) != `"2026-04-23T02:00:00.123456789Z"` {
		t.Fatalf("JSON %s, %v", b, err)
	}
	var back Stamp
	if err := json.Unmarshal(b, &back); err != nil || back != StampOf(at) {
		t.Fatalf("read back %v, %v", back, err)
	}
	if err := json.Unmarshal([]byte(`"3000-01-01T00:00:00Z"`), &back); !errors.Is(err, errStampRange) {
		t.Fatalf("a date out of range read as %v, %v", back, err)
	}
	var f Fact[string]
	err = json.Unmarshal([]byte(`{"status":"sourced","value":"x","source":{"name":"s","url":"u","authority":"creator"},"changed_at":"3000-01-01T00:00:00Z","reviewed_at":null}`), &f)
	if !errors.Is(err, errStampRange) {
		t.Fatalf("a fact dated 3000 read as %+v, %v", f, err)
	}
}
