package normalize

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/clip"
)

// ErrValue reports a value that cannot be read as what its field holds.
var ErrValue = errors.New("unreadable value")

var (
	countRe    = regexp.MustCompile(`(?i)^(\d{1,3}(?:,\d{3})+|\d{1,3}(?:_\d{3})+|\d+(?:\.\d+)?)\s*(k|m|b|t|thousand|million|billion|trillion)?$`)
	parenFig   = regexp.MustCompile(`\(([^()]+)\)`)
	countNoise = regexp.MustCompile(`(?i)^(?:~|≈|about|approx\.?|approximately|up to)\s*|\s*(?:tokens?|token context|context(?: window| length)?|parameters|params)$`)
)

var countScale = map[string]int64{
	"": 1, "k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000,
	"b": 1_000_000_000, "billion": 1_000_000_000, "t": 1_000_000_000_000, "trillion": 1_000_000_000_000,
}

// parseCount reads "131,072", "131_072", "128K", "1.23B", "405 billion",
// "~1.2B", "128K tokens" into an integer and the scale word used ("" when
// none).
var digitSeparators = strings.NewReplacer(",", "", "_", "")

func parseCount(raw string) (int64, string, error) {
	s := strings.TrimSpace(raw)
	if plainInt(s) { // "131072": what JSON sources send; parseCountText reads it the same
		n, err := strconv.ParseInt(s, 10, 64)
		return n, "", err
	}
	return parseCountText(raw, s)
}

// plainInt reports a string of 1 to 18 ASCII digits: an int64 with
// nothing to read around it.
func plainInt(s string) bool {
	if len(s) == 0 || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCountText is parseCount for any text; s is raw trimmed.
func parseCountText(raw, s string) (int64, string, error) {
	if notStated[strings.ToLower(s)] {
		return 0, "", fmt.Errorf("%q: %w: %w", clip.String(raw), ErrValue, ErrNotStated)
	}
	for {
		t := strings.TrimSpace(countNoise.ReplaceAllString(s, ""))
		if t == s {
			break
		}
		s = t
	}
	m := countRe.FindStringSubmatch(s)
	if m == nil {
		return 0, "", fmt.Errorf("%q: %w", clip.String(raw), ErrValue)
	}
	num := digitSeparators.Replace(m[1])
	if len(num) > 20 {
		return 0, "", fmt.Errorf("%q: %w: too many digits", clip.String(raw), ErrValue)
	}
	scale := strings.ToLower(m[2])
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return 0, "", fmt.Errorf("%q: %w", clip.String(raw), ErrValue)
	}
	r.Mul(r, new(big.Rat).SetInt64(countScale[scale]))
	if !r.IsInt() || !r.Num().IsInt64() {
		return 0, "", fmt.Errorf("%q: %w: not a whole count", clip.String(raw), ErrValue)
	}
	return r.Num().Int64(), scale, nil
}

// Tokens reads a token count: "128K", "128k", "131,072", "400,000",
// "131072", "131_000", "1M", "128K tokens". A K count whose number is a
// power of two is binary, as model configurations have it (128K = 131,072;
// 8K = 8,192); any other is decimal (400K = 400,000). The display form keeps
// what the source wrote. Zero is a placeholder (models.dev's `context = 0`),
// not a count: it is an error.
func Tokens(raw string) (catalog.Tokens, error) {
	n, scale, err := parseCount(raw)
	if err != nil {
		return catalog.Tokens{}, fmt.Errorf("tokens %w", err)
	}
	if n <= 0 {
		return catalog.Tokens{}, fmt.Errorf("tokens %q: %w: not positive (a placeholder?)", clip.String(raw), ErrValue)
	}
	if scale == "k" {
		k := n / 1000
		if n%1000 == 0 && k&(k-1) == 0 {
			n = k * 1024
		}
	}
	var display string
	switch {
	case scale == "":
		display = catalog.Thousands(n)
	case len(scale) > 1:
		display = catalog.CompactCount(n)
	default: // "128k": as the source wrote it
		display = strings.ToUpper(strings.ReplaceAll(countNoise.ReplaceAllString(strings.TrimSpace(raw), ""), " ", ""))
	}
	return catalog.Tokens{N: n, Display: display}, nil
}

// Parameters reads a parameter count: "1.23B", "1B", "70.6B", "405 billion",
// "1235814400", "~1.2B parameters". A card's "1B (1.23B)" gives the precise
// figure in brackets.
func Parameters(raw string) (catalog.Count, error) {
	s := strings.TrimSpace(raw)
	if m := parenFig.FindStringSubmatch(s); m != nil {
		if c, err := Parameters(m[1]); err == nil {
			return c, nil
		}
		s = strings.TrimSpace(parenFig.ReplaceAllString(s, ""))
	}
	n, scale, err := parseCount(s)
	if err != nil {
		return catalog.Count{}, fmt.Errorf("parameters %w", err)
	}
	if n <= 0 {
		return catalog.Count{}, fmt.Errorf("parameters %q: %w: not positive", clip.String(raw), ErrValue)
	}
	display := catalog.CompactCount(n)
	if len(scale) == 1 {
		display = strings.ToUpper(strings.ReplaceAll(countNoise.ReplaceAllString(s, ""), " ", ""))
	}
	return catalog.Count{N: n, Display: display}, nil
}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
	"may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
	"sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
	"dec": 12, "december": 12,
}

var (
	dateMDY    = regexp.MustCompile(`^([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$`)
	dateDMY    = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]+)\.?,?\s+(\d{4})$`)
	dateMY     = regexp.MustCompile(`^([A-Za-z]+)\.?,?\s+(\d{4})$`)
	dateISO    = regexp.MustCompile(`^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$`)
	dateUnix   = regexp.MustCompile(`^\d{9,10}$`)
	dateUnixMS = regexp.MustCompile(`^\d{12,13}$`)
	dateParen  = regexp.MustCompile(`\s*\([^()]*\)$`)
)

// Date reads a date and keeps its precision: "Sept 25, 2024",
// "September 25, 2024", "Sept. 25th, 2024", "25 September 2024",
// "2024-09-25", "December 2023", "2023-12", "2024", an RFC 3339 time, Unix
// seconds or milliseconds. A trailing remark in brackets is ignored
// ("Sept 25, 2024 (initial release)"). Numeric day/month forms such as
// "02/03/2024" are refused: they are ambiguous.
func Date(raw string) (catalog.Date, error) {
	s := strings.TrimSpace(dateParen.ReplaceAllString(strings.TrimSpace(raw), ""))
	if notStated[strings.ToLower(s)] {
		return catalog.Date{}, fmt.Errorf("date %q: %w: %w", clip.String(raw), ErrValue, ErrNotStated)
	}
	d, err := readDate(s, raw)
	if err != nil {
		return catalog.Date{}, err
	}
	if err := d.Valid(); err != nil {
		return catalog.Date{}, fmt.Errorf("date %q: %w: %v", clip.String(raw), ErrValue, err)
	}
	return d, nil
}

// readDate reads s, a date in one of the forms Date takes, without
// checking that it is a valid date; raw is what the source wrote, for the
// errors.
func readDate(s, raw string) (catalog.Date, error) {
	var d catalog.Date
	switch {
	case dateISO.MatchString(s):
		m := dateISO.FindStringSubmatch(s)
		d.Year, _ = strconv.Atoi(m[1])
		d.Precision = catalog.PrecisionYear
		if m[2] != "" {
			d.Month, _ = strconv.Atoi(m[2])
			d.Precision = catalog.PrecisionMonth
		}
		if m[3] != "" {
			d.Day, _ = strconv.Atoi(m[3])
			d.Precision = catalog.PrecisionDay
		}
	case dateMDY.MatchString(s):
		m := dateMDY.FindStringSubmatch(s)
		mon, ok := monthNames[strings.ToLower(m[1])]
		if !ok {
			return d, fmt.Errorf("date %q: %w: unknown month", clip.String(raw), ErrValue)
		}
		day, _ := strconv.Atoi(m[2])
		year, _ := strconv.Atoi(m[3])
		d = catalog.DayDate(year, mon, day)
	case dateDMY.MatchString(s):
		m := dateDMY.FindStringSubmatch(s)
		mon, ok := monthNames[strings.ToLower(m[2])]
		if !ok {
			return d, fmt.Errorf("date %q: %w: unknown month", clip.String(raw), ErrValue)
		}
		day, _ := strconv.Atoi(m[1])
		year, _ := strconv.Atoi(m[3])
		d = catalog.DayDate(year, mon, day)
	case dateMY.MatchString(s):
		m := dateMY.FindStringSubmatch(s)
		mon, ok := monthNames[strings.ToLower(m[1])]
		if !ok {
			return d, fmt.Errorf("date %q: %w: unknown month", clip.String(raw), ErrValue)
		}
		year, _ := strconv.Atoi(m[2])
		d = catalog.MonthDate(year, mon)
	case dateUnix.MatchString(s):
		n, _ := strconv.ParseInt(s, 10, 64)
		t := time.Unix(n, 0).UTC()
		d = catalog.DayDate(t.Year(), int(t.Month()), t.Day())
	case dateUnixMS.MatchString(s):
		n, _ := strconv.ParseInt(s, 10, 64)
		t := time.UnixMilli(n).UTC()
		d = catalog.DayDate(t.Year(), int(t.Month()), t.Day())
	default:
		return d, fmt.Errorf("date %q: %w", clip.String(raw), ErrValue)
	}
	return d, nil
}

// SameDate reports whether two dates agree at the coarser of their
// precisions: a cutoff of 2023-12 and one of 2023-12-31 agree.
func SameDate(a, b catalog.Date) bool {
	p := min(a.Precision, b.Precision)
	if p == catalog.PrecisionNone {
		return a.Precision == b.Precision
	}
	if a.Year != b.Year {
		return false
	}
	if p >= catalog.PrecisionMonth && a.Month != b.Month {
		return false
	}
	if p >= catalog.PrecisionDay && a.Day != b.Day {
		return false
	}
	return true
}
