package catalog

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Tokens is a token count with the form a source displayed it in: "128K" in a
// card and 131072 in an API are both Tokens.
type Tokens struct {
	N       int64  `json:"tokens"`
	Display string `json:"display"`
}

// String is the display form, or a compact one made from N.
func (t Tokens) String() string {
	if t.Display != "" {
		return t.Display
	}
	return CompactCount(t.N)
}

// Text is the count as llmref's text output writes every token count, in
// one style whatever the source displayed: thousands as "K" and millions as
// "M", decimal when the count is a round decimal figure (400000 → "400K",
// 1050000 → "1.05M") and binary when it is a round binary one (131072 →
// "128K", 1048576 → "1M"), as model cards write context windows; any other
// count rounded, marked "~" (131073 → "~131K"). Below 1,000 it is the
// number. JSON keeps the exact count.
func (t Tokens) Text() string {
	n := t.N
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n%1000 == 0:
		return kiloText(n, 1000)
	case n%1024 == 0:
		return kiloText(n, 1024)
	}
	if n < 1_000_000 {
		return "~" + strconv.FormatInt((n+500)/1000, 10) + "K"
	}
	return "~" + trimZeros(fmt.Sprintf("%.2f", float64(n)/1e6)) + "M"
}

// kiloText writes n, a multiple of unit (1000 or 1024), in K, or in M when
// that is exact (to two decimals for decimal units).
func kiloText(n, unit int64) string {
	k := n / unit
	switch {
	case unit == 1024 && k%1024 == 0:
		return Thousands(k/1024) + "M"
	case unit == 1000 && k >= 1000 && k%10 == 0:
		return trimZeros(fmt.Sprintf("%d.%02d", k/1000, k%1000/10)) + "M"
	}
	return Thousands(k) + "K"
}

func trimZeros(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// Count is a plain count, such as a parameter count, with its display form:
// "1.23B" is Count{N: 1230000000, Display: "1.23B"}.
type Count struct {
	N       int64  `json:"count"`
	Display string `json:"display"`
}

// String is the display form, or a compact one made from N.
func (c Count) String() string {
	if c.Display != "" {
		return c.Display
	}
	return CompactCount(c.N)
}

// CompactCount writes n with a K, M, B or T suffix when that is exact to
// three significant decimals: 128000 → "128K", 1230000000 → "1.23B",
// 131072 → "131,072".
func CompactCount(n int64) string {
	for _, u := range []struct {
		div int64
		sfx string
	}{{1_000_000_000_000, "T"}, {1_000_000_000, "B"}, {1_000_000, "M"}, {1_000, "K"}} {
		if n < u.div {
			continue
		}
		// Only the largest unit that fits, and only when two decimals
		// are exact.
		if n%(u.div/100) != 0 {
			break
		}
		whole, frac := n/u.div, (n%u.div)/(u.div/100)
		if frac == 0 {
			return fmt.Sprintf("%d%s", whole, u.sfx)
		}
		return strings.TrimRight(fmt.Sprintf("%d.%02d", whole, frac), "0") + u.sfx
	}
	return Thousands(n)
}

// Thousands writes n with comma separators: 131072 → "131,072".
func Thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// Precision is how much of a Date is known.
type Precision uint8

// Date precisions.
const (
	PrecisionNone Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
)

// Date is a calendar date that keeps its precision: a knowledge cutoff of
// "2023-12" is a month, a release of "2024-09-25" is a day.
type Date struct {
	Year      int
	Month     int
	Day       int
	Precision Precision
}

// DayDate returns a day-precision date.
func DayDate(y, m, d int) Date { return Date{Year: y, Month: m, Day: d, Precision: PrecisionDay} }

// MonthDate returns a month-precision date.
func MonthDate(y, m int) Date { return Date{Year: y, Month: m, Precision: PrecisionMonth} }

// IsZero reports whether the date is unset.
func (d Date) IsZero() bool { return d.Precision == PrecisionNone }

// String is ISO 8601 at the date's precision: "2024-09-25", "2023-12", "2024".
func (d Date) String() string {
	switch d.Precision {
	case PrecisionYear:
		return fmt.Sprintf("%04d", d.Year)
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	case PrecisionDay:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	return ""
}

// ParseISODate parses "2024-09-25", "2023-12" or "2024" (the forms String
// writes) and checks the calendar.
func ParseISODate(s string) (Date, error) {
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return Date{}, fmt.Errorf("parse date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	var nums [3]int
	for i, p := range parts {
		if (i > 0 && len(p) != 2) || !allDigits(p) {
			return Date{}, fmt.Errorf("parse date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
		}
		nums[i], _ = strconv.Atoi(p)
	}
	d := Date{Year: nums[0], Month: nums[1], Day: nums[2], Precision: Precision(len(parts))}
	if err := d.Valid(); err != nil {
		return Date{}, fmt.Errorf("parse date %q: %w", s, err)
	}
	return d, nil
}

// Valid checks that the date's fields exist on the calendar.
func (d Date) Valid() error {
	if d.Precision == PrecisionNone {
		return nil
	}
	if d.Year < 1900 || d.Year > 2999 {
		return fmt.Errorf("year %d out of range", d.Year)
	}
	if d.Precision >= PrecisionMonth && (d.Month < 1 || d.Month > 12) {
		return fmt.Errorf("month %d out of range", d.Month)
	}
	if d.Precision == PrecisionDay {
		days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[d.Month-1]
		if d.Month == 2 && (d.Year%4 == 0 && (d.Year%100 != 0 || d.Year%400 == 0)) {
			days = 29
		}
		if d.Day < 1 || d.Day > days {
			return fmt.Errorf("day %d out of range", d.Day)
		}
	}
	return nil
}

// MarshalJSON writes the ISO form as a JSON string.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads the ISO form.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseISODate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// LicenceClass sorts licences by what they let a user do with the weights.
type LicenceClass string

// Licence classes.
const (
	// OpenSource is an OSI-style licence over public weights (MIT, Apache-2.0).
	OpenSource LicenceClass = "open_source"
	// OpenWeights is public weights under a custom or restricted licence
	// (Llama community licences, Gemma terms).
	OpenWeights LicenceClass = "open_weights"
	// Proprietary means no public weights: hosted access only.
	Proprietary LicenceClass = "proprietary"
)

// Label is the human form of the class.
func (c LicenceClass) Label() string {
	switch c {
	case OpenSource:
		return "open source"
	case OpenWeights:
		return "open weights"
	case Proprietary:
		return "proprietary"
	}
	return string(c)
}

// Licence is a licence name and its class.
type Licence struct {
	Name  string       `json:"name"`
	Class LicenceClass `json:"class"`
}

// String is "Llama 3.2 Community License (open weights)".
func (l Licence) String() string {
	if l.Name == "" || strings.EqualFold(l.Name, l.Class.Label()) {
		return orName(l.Name, l.Class.Label())
	}
	return l.Name + " (" + l.Class.Label() + ")"
}

func orName(name, label string) string {
	if name != "" {
		return name
	}
	return label
}
