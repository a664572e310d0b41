package scrapers

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrUnknownSource is returned (wrapped) for a source name that is not
// among the configured sources: a mistake in the command line or a
// schedule, not a failure of the source.
var ErrUnknownSource = errors.New("unknown source")

// Select picks the sources named in only, in that order (all of them when
// only is empty). A name that is not configured is ErrUnknownSource, with
// the configured names.
func Select(all []Source, only []string) ([]Source, error) {
	if len(only) == 0 {
		return all, nil
	}
	out := make([]Source, 0, len(only))
	for _, name := range only {
		i := slices.IndexFunc(all, func(s Source) bool { return s.Name() == name })
		if i < 0 {
			names := make([]string, len(all))
			for j, s := range all {
				names[j] = s.Name()
			}
			return nil, fmt.Errorf("%w %q (configured: %s)", ErrUnknownSource, name, strings.Join(names, ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}
