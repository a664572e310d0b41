package catalog

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"
)

// Stamp is a fact's date (retrieved, changed, reviewed): an instant to the
// nanosecond, in 8 bytes. A time.Time takes 24 (its location pointer
// among them), a fact holds three, and a catalogue of 16,000 pages holds
// ~700,000 facts: as time.Times they were 72 of a price fact's 160 bytes.
// The zero Stamp is no date, as time.Time's zero is. Stamps cover the
// instants int64 nanoseconds since 1970 do (1677 to 2262) and are always
// read in UTC.
type Stamp struct {
	// ns is the instant's Unix nanoseconds with the sign bit flipped, so
	// that the zero Stamp is no date (the one instant it would otherwise
	// be, 1677-09-21T00:12:43.145224192Z, is not representable).
	ns int64
}

// errStampRange is a date no Stamp holds.
var errStampRange = errors.New("outside the dates a fact can hold (1677 to 2262)")

// Stamp bounds, as time.Time.
var (
	stampMin = time.Unix(0, math.MinInt64+1).UTC()
	stampMax = time.Unix(0, math.MaxInt64).UTC()
)

// StampOf is t's Stamp: time.Time's zero is the zero Stamp, and a time
// outside the range is held at its nearer end.
func StampOf(t time.Time) Stamp {
	s, ok := stampOf(t)
	if ok {
		return s
	}
	if t.Before(stampMin) {
		return Stamp{ns: (math.MinInt64 + 1) ^ math.MinInt64}
	}
	return Stamp{ns: math.MaxInt64 ^ math.MinInt64}
}

// stampOf is t's Stamp, or false when t is outside the range.
func stampOf(t time.Time) (Stamp, bool) {
	if t.IsZero() {
		return Stamp{}, true
	}
	if t.Before(stampMin) || t.After(stampMax) {
		return Stamp{}, false
	}
	return Stamp{ns: t.UnixNano() ^ math.MinInt64}, true
}

// Time is the instant in UTC; the zero Stamp's is time.Time's zero.
func (s Stamp) Time() time.Time {
	if s.ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, s.ns^math.MinInt64).UTC()
}

// IsZero reports whether s is no date.
func (s Stamp) IsZero() bool { return s.ns == 0 }

// Equal reports whether s and u are the same instant (or both no date).
func (s Stamp) Equal(u Stamp) bool { return s == u }

// Before reports whether s is before u; no date is before every date.
func (s Stamp) Before(u Stamp) bool { return s.unix() < u.unix() }

// After reports whether s is after u.
func (s Stamp) After(u Stamp) bool { return s.unix() > u.unix() }

// unix orders stamps: no date first, then by instant.
func (s Stamp) unix() int64 { return s.ns ^ math.MinInt64 }

// String writes the instant as time.Time's String does (in UTC).
func (s Stamp) String() string { return s.Time().String() }

// MarshalJSON writes the instant as time.Time does (RFC 3339, UTC).
func (s Stamp) MarshalJSON() ([]byte, error) { return s.Time().MarshalJSON() }

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Stamp) UnmarshalJSON(b []byte) error {
	var t time.Time
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	st, ok := stampOf(t)
	if !ok {
		return fmt.Errorf("date %s: %w", t.Format(time.RFC3339Nano), errStampRange)
	}
	*s = st
	return nil
}
