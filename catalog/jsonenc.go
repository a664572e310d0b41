package catalog

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// The store writes every fact of the catalogue on every run that changes
// it; a fact's JSON is written here by hand (encoding/json's reflection was
// most of a commit's cost). It decodes with encoding/json like any other.

// appendString appends s as a JSON string: quotes, backslashes, control
// characters, U+2028 and U+2029 escaped, invalid UTF-8 replaced by U+FFFD,
// everything else as it is.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendTime appends t in UTC as a JSON RFC 3339 string, as encoding/json
// writes a time.
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

func appendSourceRef(b []byte, s SourceRef) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, s.Name)
	b = append(b, `,"url":`...)
	b = appendString(b, s.URL)
	b = append(b, `,"authority":`...)
	b = appendString(b, s.Authority.String())
	if s.Note != "" {
		b = append(b, `,"note":`...)
		b = appendString(b, s.Note)
	}
	return append(b, '}')
}

// appendPrice appends p as Price.MarshalJSON writes it.
func appendPrice(b []byte, p Price) []byte {
	b = append(b, `{"kind":`...)
	b = appendString(b, string(p.Kind))
	if p.Kind == PriceFixed {
		b = append(b, `,"usd_per_mtok":`...)
		b = append(b, p.Amount.USD()...)
		b = append(b, `,"micro_usd_per_mtok":`...)
		b = strconv.AppendInt(b, int64(p.Amount), 10)
	}
	if p.Rounded {
		b = append(b, `,"rounded":true`...)
	}
	return append(b, '}')
}

// appendValue appends a fact's value, by hand for the common kinds.
func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case Price:
		return appendPrice(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendString(b, x), nil
	case Tokens:
		b = append(b, `{"tokens":`...)
		b = strconv.AppendInt(b, x.N, 10)
		b = append(b, `,"display":`...)
		b = appendString(b, x.Display)
		return append(b, '}'), nil
	case Count:
		b = append(b, `{"count":`...)
		b = strconv.AppendInt(b, x.N, 10)
		b = append(b, `,"display":`...)
		b = appendString(b, x.Display)
		return append(b, '}'), nil
	case Date:
		return appendString(b, x.String()), nil
	case []string:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, s)
		}
		return append(b, ']'), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}

// MarshalJSON writes a sourced fact with its provenance, or
// {"status":"not_yet_sourced","reviewed_at":null}.
func (f Fact[T]) MarshalJSON() ([]byte, error) {
	if !f.Sourced() {
		return []byte(`{"status":"not_yet_sourced","reviewed_at":null}`), nil
	}
	b := make([]byte, 0, 320)
	b = append(b, `{"status":"sourced","value":`...)
	b, err := appendValue(b, any(f.Value))
	if err != nil {
		return nil, err
	}
	if f.Display != "" {
		b = append(b, `,"display":`...)
		b = appendString(b, f.Display)
	}
	if f.Raw != "" {
		b = append(b, `,"raw":`...)
		b = appendString(b, f.Raw)
	}
	b = append(b, `,"source":`...)
	b = appendSourceRef(b, f.Source)
	if !f.RetrievedAt.IsZero() {
		b = append(b, `,"retrieved_at":`...)
		b = appendTime(b, f.RetrievedAt)
	}
	if !f.ChangedAt.IsZero() {
		b = append(b, `,"changed_at":`...)
		b = appendTime(b, f.ChangedAt)
	}
	b = append(b, `,"reviewed_at":`...)
	if f.ReviewedAt.IsZero() {
		b = append(b, "null"...)
	} else {
		b = appendTime(b, f.ReviewedAt)
	}
	if f.Stale {
		b = append(b, `,"stale":true`...)
	}
	if len(f.Conflicts) > 0 {
		j, err := json.Marshal(f.Conflicts)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"conflicts":`...)
		b = append(b, j...)
	}
	if len(f.Flags) > 0 {
		j, err := json.Marshal(f.Flags)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"flags":`...)
		b = append(b, j...)
	}
	return append(b, '}'), nil
}
