package config

import (
	"fmt"

	"github.com/llmref/llmref/scrapers"
)

// checkSharedURLs refuses a declarative source (sources.custom) that starts
// from a URL another enabled source also reads: a run fetches each URL once,
// for one source, so the other would read nothing and report success.
func (c *Config) checkSharedURLs(srcs []scrapers.Source) []error {
	custom, _ := c.settings["custom"].(*CustomSettings)
	if custom == nil || len(*custom) == 0 {
		return nil // only a custom source is refused: no need to list every source's requests
	}
	index := map[string]int{}
	for i, t := range *custom {
		index[t.Name] = i
	}
	owner := map[string]string{}
	var errs []error
	for _, s := range srcs {
		for _, r := range s.Requests() {
			first, dup := owner[r.URL]
			if !dup {
				owner[r.URL] = s.Name()
				continue
			}
			if first == s.Name() {
				continue
			}
			// Custom sources are built before some built-in ones, so the
			// custom entry may be either the first or the second to ask.
			name, other := s.Name(), first
			i, ok := index[name]
			if !ok {
				name, other = first, s.Name()
				i, ok = index[name]
			}
			if ok {
				errs = append(errs, fmt.Errorf("%s.url (source %s): %s is also read by source %s; a run fetches a URL once, for one source (turn %s off, or read the list from one of them)",
					indexPath("sources.custom", i), name, r.URL, other, other))
			}
		}
	}
	return errs
}
