package config

import (
	"github.com/llmref/llmref/objstore"
	"github.com/llmref/llmref/publish"
	"github.com/llmref/llmref/scrapers"
)

// Publisher is what the configuration publishes to: the tree at dir (or at
// export.dir when dir is empty; nowhere when both are), comparison records
// with the configured blend, and the review section's webhook, which
// identifies itself as the fetcher does. A dir of s3://BUCKET/PREFIX
// publishes to object storage (export.s3), each generation built first in
// the local cache.
func (c *Config) Publisher(dir string) *publish.Publisher {
	if dir == "" {
		dir = c.Export.Dir
	}
	w := c.Review.WebhookOptions()
	if w.UserAgent = c.Fetch.UserAgent; w.UserAgent == "" {
		w.UserAgent = scrapers.DefaultUserAgent
	}
	p := publish.New(dir, c.Compare.Options(), w)
	if objstore.IsURL(dir) {
		p.Dir = c.exportCache()
		r, err := c.remote(dir)
		if err != nil {
			// Checked when the file and the flags were read; should it
			// fail anyway, publishing fails saying why.
			r = &publish.Remote{Store: unusable{where: dir, err: err}}
		}
		p.Remote = r
	}
	return p
}
