package export

import (
	"fmt"
	"sort"

	"github.com/llmref/llmref/internal/canonjson"
)

// streamFlushAt is how many encoded bytes putList holds before writing
// them out.
const streamFlushAt = 256 << 10

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
