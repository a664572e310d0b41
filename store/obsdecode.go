package store

import (
	"encoding/json"
	"slices"
	"strconv"
	"unicode/utf8"
)

// readObsRecords reads a page's observation records (see
// encodeObservations). Records as encodeObservations writes them — a flat
// array of objects with the short keys, plain strings — are read by hand,
// a page's repeated strings (fields, units, providers, subjects) kept once;
// anything else (an escape in a string, an unknown key, a record another
// version wrote) is read by encoding/json, which decides what is valid.
// A quiet night reads the stored OpenRouter list this way to plan its
// requests, and a night with changes every unchanged page's records:
// encoding/json took 9.8% of a nothing-changed 8,000-page refresh.
func readObsRecords(data []byte) ([]obsRecord, error) {
	if recs, ok := scanObsRecords(data); ok {
		return recs, nil
	}
	var recs []obsRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		return nil, err
	}
	return recs, nil
}

// obsScanner reads one record array; ok goes false at the first thing it
// does not expect.
type obsScanner struct {
	data []byte
	i    int
	ok   bool
	end  bool // the array's closing bracket was read
	// seen holds the page's strings kept once (see intern).
	seen map[string]string
	// rows, when set, keeps only some records (see rowFilter); skipped
	// is set when the record being read had its value skipped.
	rows    *rowFilter
	skipped bool
}

// rowFilter keeps of a page's records the first of each row (a run of
// records of one subject) and every record of one of fields: what a
// tracked set is planned from (the subjects, the Hugging Face
// repositories), at a fraction of the cost of every record. A record not
// kept has its value read and checked but not made a string.
type rowFilter struct {
	fields []string
	// fieldsOnly keeps the records of fields alone, not each row's first.
	fieldsOnly bool
	prev       string // the subject of the record before
	kept       bool   // the last record read is kept
}

func (f *rowFilter) keep(subject, field string) bool {
	return !f.fieldsOnly && subject != f.prev || slices.Contains(f.fields, field)
}

// scanObsRecords is readObsRecords' hand reader: ok is false when the data
// is not in the plain form it reads, and encoding/json must decide.
func scanObsRecords(data []byte) ([]obsRecord, bool) {
	recs := make([]obsRecord, 0, len(data)/96)
	s := newObsScanner(data)
	var r obsRecord
	for s.next(&r) {
		recs = append(recs, r)
	}
	if !s.done() {
		return nil, false
	}
	return recs, true
}

// newObsScanner starts reading a record array (see next).
func newObsScanner(data []byte) *obsScanner {
	s := &obsScanner{data: data, ok: true, seen: map[string]string{}}
	s.space()
	if s.byte('[') {
		s.space()
		if s.peek() == ']' {
			s.i++
			s.end = true
		}
	}
	return s
}

// next reads the next record into r (zeroed first), and reports whether
// there was one; done says, after the last, whether the whole array was
// in the plain form the scanner reads. A record is read into the caller's
// r, not handed to a function: it stays on the caller's stack.
func (s *obsScanner) next(r *obsRecord) bool {
	if !s.ok || s.end {
		return false
	}
	*r = obsRecord{}
	s.skipped = false
	s.record(r)
	if !s.ok {
		return false
	}
	if f := s.rows; f != nil {
		f.kept = f.keep(r.Subject, r.Field)
		if s.skipped && f.kept { // a key after the value changed the record's row: encoding/json decides
			s.ok = false
			return false
		}
		f.prev = r.Subject
	}
	s.space()
	if s.peek() == ']' {
		s.i++
		s.end = true
	} else {
		s.byte(',')
	}
	return s.ok
}

// done reports whether the array was read whole, in the plain form.
func (s *obsScanner) done() bool {
	s.space()
	return s.ok && s.end && s.i == len(s.data)
}

func (s *obsScanner) peek() byte {
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

func (s *obsScanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// byte consumes c (after any space) or fails the scan.
func (s *obsScanner) byte(c byte) bool {
	s.space()
	if s.peek() != c {
		s.ok = false
		return false
	}
	s.i++
	return true
}

// record reads one object into r.
func (s *obsScanner) record(r *obsRecord) {
	if !s.byte('{') {
		return
	}
	s.space()
	if s.peek() == '}' {
		s.i++
		return
	}
	var subject, field bool // read already in this record
	for s.ok {
		key, ok := s.raw()
		if !ok || !s.byte(':') {
			s.ok = false
			return
		}
		s.space()
		if len(key) != 1 {
			s.ok = false
			return
		}
		switch key[0] {
		case 'a':
			r.Authority = s.int()
		case 's':
			r.Subject, subject = s.str(true), true
		case 'n':
			r.SubjectName = s.str(true)
		case 'p':
			r.Provider = s.str(true)
		case 'r':
			r.Region = s.str(true)
		case 'v':
			r.Variant = s.str(true)
		case 'f':
			r.Field, field = s.str(true), true
		case 'x':
			if s.rows != nil && subject && field && !s.rows.keep(r.Subject, r.Field) {
				s.skipStr()
				s.skipped = true
				break
			}
			r.Value = s.str(false)
		case 'u':
			r.Unit = s.str(true)
		case 'o':
			r.Note = s.str(true)
		case 'l':
			r.URL = s.str(true)
		default:
			s.ok = false // encoding/json's matching of keys decides
			return
		}
		s.space()
		if s.peek() == '}' {
			s.i++
			return
		}
		s.byte(',')
	}
}

// raw reads a plain string (no escape, no control character, valid
// UTF-8) and returns its bytes, which alias the data.
func (s *obsScanner) raw() ([]byte, bool) {
	b, plain, ok := s.token()
	if !ok || !plain {
		s.ok = false
		return nil, false
	}
	return b, true
}

// token reads a string token and returns what is between its quotes
// (aliasing the data), and whether that is plain: no escape, valid UTF-8.
// A control character fails the scan (encoding/json refuses it).
func (s *obsScanner) token() (b []byte, plain, ok bool) {
	if !s.byte('"') {
		return nil, false, false
	}
	start, escaped := s.i, false
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			b := s.data[start:s.i]
			s.i++
			return b, !escaped && utf8.Valid(b), true
		case c == '\\':
			escaped = true
			s.i++ // the escaped byte: never the closing quote
		case c < 0x20:
			s.ok = false
			return nil, false, false
		}
		s.i++
	}
	s.ok = false
	return nil, false, false
}

// str reads a string value; with shared, a page's equal strings are one
// string. A string with escapes (encoding/json writes "<", ">" and "&" as
// escapes) or bad UTF-8 is read by encoding/json, as the whole would be.
func (s *obsScanner) str(shared bool) string {
	start := s.i
	b, plain, ok := s.token()
	var v string
	switch {
	case !ok:
		return ""
	case !plain:
		if v, ok = unquote(s.data[start:s.i]); !ok {
			s.ok = false
			return ""
		}
	case !shared:
		return string(b)
	default:
		if w, ok := s.seen[string(b)]; ok {
			return w
		}
		v = string(b)
	}
	if !shared {
		return v
	}
	if w, ok := s.seen[v]; ok {
		return w
	}
	s.seen[v] = v
	return v
}

// skipStr reads a string value as str does, checking it, without making
// it a string.
func (s *obsScanner) skipStr() {
	start := s.i
	if _, plain, ok := s.token(); ok && !plain {
		if _, ok := unquote(s.data[start:s.i]); !ok {
			s.ok = false
		}
	}
}

// unquote reads a JSON string token (quotes included) as encoding/json
// does.
func unquote(tok []byte) (string, bool) {
	var v string
	if err := json.Unmarshal(tok, &v); err != nil {
		return "", false
	}
	return v, true
}

// int reads the authority: an integer in the form encoding/json writes.
func (s *obsScanner) int() int {
	start := s.i
	if s.peek() == '-' {
		s.i++
	}
	digits := s.i
	for s.i < len(s.data) && s.data[s.i] >= '0' && s.data[s.i] <= '9' {
		s.i++
	}
	n, err := strconv.Atoi(string(s.data[start:s.i]))
	if err != nil || s.i == digits || (s.i-digits > 1 && s.data[digits] == '0') {
		s.ok = false // not a plain integer: encoding/json decides
	}
	return n
}
