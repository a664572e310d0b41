package export

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/llmref/llmref/internal/canonjson"
)

// streamFlushAt is how many encoded bytes putList holds before writing
// them out.
const streamFlushAt = 256 << 10

// PutJSONList writes at rel what PutJSON writes of head, an object, with
// its member key an array of n items (item(i) is the i-th) in place of
// whatever head holds there: the same bytes, made and written an item at
// a time, for a document whose list is too large to hold encoded whole (a
// first run's change report lists every model and offering: 17 MB of
// JSON at 8,000 pages, ~85 MB while it was made canonical whole).
func (t *Tree) PutJSONList(rel string, head any, key string, n int, item func(i int) any) error {
	raw, err := json.Marshal(head)
	if err != nil {
		return fmt.Errorf("export %s: %w", rel, err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return fmt.Errorf("export %s: not an object: %w", rel, err)
	}
	delete(members, key)
	m := make(map[string]any, len(members))
	for k, v := range members {
		m[k] = v
	}
	return t.putList(rel, m, key, n, item)
}

// putList writes at rel the canonical form of an object holding members
// and, under key, an array of n items (item(i) is the i-th): the bytes
// PutJSON gives the whole object, made and written an item at a time, so
// that no more than a few items are ever held encoded. offerings.json at
// 8,000 models is 82 MB; encoded whole (json.Marshal, then the canonical
// form over its parse) it took an export to ~490 MB live.
func (t *Tree) putList(rel string, members map[string]any, key string, n int, item func(i int) any) (err error) {
	if err := t.stopped(); err != nil {
		return err
	}
	keys := []string{key}
	for k := range members {
		if k == key {
			return fmt.Errorf("export %s: %q is both a member and the list", rel, k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w, err := t.Create(rel)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}()
	buf := make([]byte, 0, streamFlushAt+64<<10)
	flush := func() error {
		if _, err := w.Write(buf); err != nil {
			return fmt.Errorf("export %s: %w", rel, err)
		}
		buf = buf[:0]
		return t.stopped()
	}
	buf = append(buf, '{')
	for i, k := range keys {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, "\n  "...)
		if buf, err = canonjson.AppendIndented(buf, k, 1); err != nil {
			return fmt.Errorf("export %s: %w", rel, err)
		}
		buf = append(buf, ": "...)
		if k != key {
			if buf, err = canonjson.AppendIndented(buf, members[k], 1); err != nil {
				return fmt.Errorf("export %s: %s: %w", rel, k, err)
			}
			continue
		}
		buf = append(buf, '[')
		for j := range n {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, "\n    "...)
			if buf, err = canonjson.AppendIndented(buf, item(j), 2); err != nil {
				return fmt.Errorf("export %s: %s[%d]: %w", rel, key, j, err)
			}
			if len(buf) >= streamFlushAt {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if n > 0 {
			buf = append(buf, "\n  "...)
		}
		buf = append(buf, ']')
	}
	buf = append(buf, "\n}\n"...)
	return flush()
}
