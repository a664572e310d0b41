package scrapers

// keep hands a new body to Options.KeepBody, when set, outside the crawl's
// lock, and returns what the Outcome must still hold: nothing once handed
// over, so a crawl holds no body past the page it came with.
func (c *crawl) keep(sum string, body []byte) []byte {
	if body == nil || c.o.KeepBody == nil {
		return body
	}
	c.o.KeepBody(sum, body)
	return nil
}
