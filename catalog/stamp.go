package catalog

import "time"

// StampRetrieved sets every fact's retrieved_at (and its conflicts') to the
// time its source page was last confirmed, where checked knows that page:
// "the last time a scraper saw it". A page confirmed unchanged (a 304, the
// same content) moves the date of every fact read from it without the fact
// being read again; a page that failed keeps its last confirmation, so its
// facts keep theirs.
func (s *Snapshot) StampRetrieved(checked map[string]time.Time) {
	if len(checked) == 0 {
		return
	}
	stamp := func(f anyFact) { f.stampRetrieved(checked) }
	for _, m := range s.Models {
		m.eachFact(stamp)
	}
	for _, o := range s.Offerings {
		o.eachFact(stamp)
	}
}
