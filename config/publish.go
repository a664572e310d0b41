package config

import (
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/scrapers"
)

// Publisher is what the configuration publishes to: the tree at dir (or at
// export.dir when dir is empty; nowhere when both are), comparison records
// with the configured blend, and the review section's webhook, which
// identifies itself as the fetcher does.
func (c *Config) Publisher(dir string) *publish.Publisher {
	if dir == "" {
		dir = c.Export.Dir
	}
	w := c.Review.WebhookOptions()
	if w.UserAgent = c.Fetch.UserAgent; w.UserAgent == "" {
		w.UserAgent = scrapers.DefaultUserAgent
	}
	return publish.New(dir, c.Compare.Options(), w)
}
