package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/jsonstr"
)

// keyLastPageList, in bMeta, names the run whose page list bRunPages
// holds in full most recently, and that list's SHA-256: 8 bytes of run id,
// then 32 of hash.
var keyLastPageList = []byte("last_page_list")

// listRef is the page list of a run told by an earlier run's full list:
// the same as run SameAs's (every nightly run that finds nothing new: a
// few bytes instead of the whole list, ~570 KB for 2,000 pages), or run
// Base's with the pages in Set read otherwise (a new body, a new fetch
// time, a page Base did not read) and the pages in Removed not read. A
// night on which a few pages changed stored the whole list again: 567 KB a
// run at 2,000 pages, 155 MB a year of nights at the real catalogue's
// ~1,500, gigabytes with an hourly schedule; its difference is a few KB.
type listRef struct {
	SameAs  uint64    `json:"same_as,omitempty"`
	Base    uint64    `json:"base,omitempty"`
	Set     []pageRef `json:"set,omitempty"`
	Removed []string  `json:"removed,omitempty"`
}

// deltaShare is the most a difference may hold, as a share of the list's
// pages (1/deltaShare), before the list is stored in full again and
// becomes the base of the next runs' differences.
const deltaShare = 4

// putRunPages records what run id read: the list of its pages in URL
// order, or a reference to the last full list when it is the same, or
// their difference when it is small.
func putRunPages(tx *bolt.Tx, id uint64, pages []catalog.Page) error {
	refs := make([]pageRef, 0, len(pages))
	for _, p := range pages {
		refs = append(refs, pageRef{Source: p.Source, URL: p.URL, Kind: p.Kind, Subject: p.Subject, BodySHA256: p.BodySHA256, FetchedAt: p.FetchedAt, Stale: p.Stale})
	}
	slices.SortFunc(refs, func(a, b pageRef) int { return strings.Compare(a.URL, b.URL) })
	data := appendPageRefs(make([]byte, 0, 300*len(refs)), refs)
	sum := sha256.Sum256(data)
	rp, meta := tx.Bucket(bRunPages), tx.Bucket(bMeta)
	rp.FillPercent = 1.0 // append-only, sequential keys
	if last := meta.Get(keyLastPageList); len(last) == 8+sha256.Size {
		base := binary.BigEndian.Uint64(last[:8])
		if bv := rp.Get(u64(base)); len(bv) > 0 && bv[0] == '[' {
			if bytes.Equal(last[8:], sum[:]) {
				return putJSON(rp, u64(id), listRef{SameAs: base})
			}
			var baseRefs []pageRef
			if err := decodeStrict(bv, &baseRefs); err == nil {
				if d, ok := pageListDelta(baseRefs, refs); ok {
					d.Base = base
					return putJSON(rp, u64(id), d)
				}
			}
		}
	}
	if err := rp.Put(u64(id), data); err != nil {
		return err
	}
	return meta.Put(keyLastPageList, append(u64(id), sum[:]...))
}

// pageListDelta is refs told as a difference from base (both in URL
// order), if it is small enough to be worth it (see deltaShare).
func pageListDelta(base, refs []pageRef) (listRef, bool) {
	var d listRef
	most := len(refs) / deltaShare
	i, j := 0, 0
	for i < len(base) || j < len(refs) {
		switch {
		case j == len(refs) || i < len(base) && base[i].URL < refs[j].URL:
			d.Removed = append(d.Removed, base[i].URL)
			i++
		case i == len(base) || refs[j].URL < base[i].URL:
			d.Set = append(d.Set, refs[j])
			j++
		default:
			if !samePageRef(base[i], refs[j]) {
				d.Set = append(d.Set, refs[j])
			}
			i, j = i+1, j+1
		}
		if len(d.Set)+len(d.Removed) > most {
			return listRef{}, false
		}
	}
	return d, true
}

// samePageRef reports whether two references say the same (times by their
// instant, as the written list keeps them).
func samePageRef(a, b pageRef) bool {
	return a.Source == b.Source && a.URL == b.URL && a.Kind == b.Kind && a.Subject == b.Subject &&
		a.BodySHA256 == b.BodySHA256 && a.FetchedAt.Equal(b.FetchedAt) && a.Stale == b.Stale
}

// decodeRunPages reads a run's page-list record: the list, or how an
// earlier run's list tells it (a listRef: SameAs, or Base and a
// difference).
func decodeRunPages(v []byte) (refs []pageRef, ref listRef, err error) {
	if len(v) > 0 && v[0] == '{' {
		if err := decodeStrict(v, &ref); err != nil {
			return nil, listRef{}, err
		}
		switch {
		case (ref.SameAs == 0) == (ref.Base == 0):
			return nil, listRef{}, fmt.Errorf("a page list told by another run's: want one of same_as and base")
		case ref.SameAs != 0 && (ref.Set != nil || ref.Removed != nil):
			return nil, listRef{}, fmt.Errorf("a page list the same as run %d's, with a difference", ref.SameAs)
		}
		return nil, ref, nil
	}
	err = decodeStrict(v, &refs)
	return refs, listRef{}, err
}

// told is the run whose full list a reference tells this one by; 0 for
// none.
func (r listRef) told() uint64 { return max(r.SameAs, r.Base) }

// appendPageRefs writes a page list as encoding/json would (less its HTML
// escaping): every night's list is encoded to be compared, by its hash,
// with the last one stored.
func appendPageRefs(b []byte, refs []pageRef) []byte {
	b = append(b, '[')
	for i, r := range refs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"source":`...)
		b = jsonstr.Append(b, r.Source)
		b = append(b, `,"url":`...)
		b = jsonstr.Append(b, r.URL)
		b = append(b, `,"kind":`...)
		b = jsonstr.Append(b, r.Kind)
		if r.Subject != "" {
			b = append(b, `,"subject":`...)
			b = jsonstr.Append(b, r.Subject)
		}
		if r.BodySHA256 != "" {
			b = append(b, `,"body_sha256":`...)
			b = jsonstr.Append(b, r.BodySHA256)
		}
		b = append(b, `,"fetched_at":"`...)
		b = r.FetchedAt.AppendFormat(b, time.RFC3339Nano)
		b = append(b, '"')
		if r.Stale {
			b = append(b, `,"stale":true`...)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}
