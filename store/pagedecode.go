package store

import (
	"encoding/json"
	"time"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/jsonread"
)

// decodePage reads a page's record (see pageRecord) into p: by hand in one
// pass (readPage), else by encoding/json, which decides whatever the hand
// reader leaves. Reading every page's record starts every run; a nightly
// run that finds nothing changed spent 8% of its CPU in encoding/json
// here.
func decodePage(data []byte, p *catalog.Page) error {
	if q, ok := readPage(data); ok {
		*p = q
		return nil
	}
	return json.Unmarshal(data, p)
}

// pageFields are the keys of a page's record, in catalog.Page's order.
var pageFields = []string{"source", "url", "kind", "subject", "status", "etag", "last_modified", "content_type",
	"body_sha256", "bytes", "fetched_at", "checked_at", "observations", "observation_count", "links", "stale",
	"error", "warnings", "plan"}

// readPage reads a page's record as json.Unmarshal would into a zero
// catalog.Page; ok is false when it leaves the record to encoding/json
// (see jsonread.Reader), which a record with observations in it always is.
// FuzzReadPage holds the two equal.
func readPage(data []byte) (p catalog.Page, ok bool) {
	r := jsonread.New(data)
	f := jsonread.Fields{Names: pageFields}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&p.Source)
		case 1:
			r.StringField(&p.URL)
		case 2:
			r.StringField(&p.Kind)
		case 3:
			r.StringField(&p.Subject)
		case 4:
			jsonread.IntField(r, &p.Status)
		case 5:
			r.StringField(&p.ETag)
		case 6:
			r.StringField(&p.LastModified)
		case 7:
			r.StringField(&p.ContentType)
		case 8:
			r.StringField(&p.BodySHA256)
		case 9:
			jsonread.IntField(r, &p.Bytes)
		case 10:
			readTime(r, &p.FetchedAt)
		case 11:
			readTime(r, &p.CheckedAt)
		case 12:
			if !r.Null() { // a record with its observations: encoding/json's
				r.Fail()
			}
		case 13:
			jsonread.IntField(r, &p.Count)
		case 14:
			p.Links = nil
			if !r.Null() {
				p.Links = []catalog.Link{}
				r.Array(func() { p.Links = append(p.Links, readLink(r)) })
			}
		case 15:
			r.BoolField(&p.Stale)
		case 16:
			r.StringField(&p.Error)
		case 17:
			p.Warnings = r.Strings()
		case 18:
			r.StringField(&p.Plan)
		default:
			r.Skip()
		}
	})
	if !r.End() {
		return catalog.Page{}, false
	}
	return p, true
}

// readLink reads one of a page's links.
func readLink(r *jsonread.Reader) catalog.Link {
	var l catalog.Link
	if r.Peek() != '{' {
		r.Fail()
		return l
	}
	f := jsonread.Fields{Names: []string{"url", "kind", "subject"}}
	r.Object(func(key []byte) {
		switch f.Match(r, key) {
		case 0:
			r.StringField(&l.URL)
		case 1:
			r.StringField(&l.Kind)
		case 2:
			r.StringField(&l.Subject)
		default:
			r.Skip()
		}
	})
	return l
}

// readTime reads a time as encoding/json does: its UnmarshalJSON given the
// value's bytes (a null leaves it as it is).
func readTime(r *jsonread.Reader, dst *time.Time) {
	raw := r.Value()
	if raw == nil {
		return // the reader gave up
	}
	if err := dst.UnmarshalJSON(raw); err != nil {
		r.Fail()
	}
}
