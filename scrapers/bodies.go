package scrapers

// keep hands a new body to Options.KeepBody, when set, outside the crawl's
// lock: a crawl holds no body past the page it came with.
func (c *crawl) keep(sum string, body []byte) {
	if body != nil && c.o.KeepBody != nil {
		c.o.KeepBody(sum, body)
	}
}
