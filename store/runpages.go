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

// samePages is the page list of a run that read exactly what run SameAs
// read (every nightly run that finds nothing new): a few bytes instead of
// the whole list (~570 KB for 2,000 pages) every night.
type samePages struct {
	SameAs uint64 `json:"same_as"`
}

// putRunPages records what run id read: the list of its pages in URL
// order, or a reference to the last full list when it is the same.
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
	if last := meta.Get(keyLastPageList); len(last) == 8+sha256.Size && bytes.Equal(last[8:], sum[:]) {
		base := binary.BigEndian.Uint64(last[:8])
		if rp.Get(u64(base)) != nil {
			return putJSON(rp, u64(id), samePages{SameAs: base})
		}
	}
	if err := rp.Put(u64(id), data); err != nil {
		return err
	}
	return meta.Put(keyLastPageList, append(u64(id), sum[:]...))
}

// decodeRunPages reads a run's page-list record: the list, or the run
// whose list it is.
func decodeRunPages(v []byte) (refs []pageRef, sameAs uint64, err error) {
	if len(v) > 0 && v[0] == '{' {
		var s samePages
		if err := decodeStrict(v, &s); err != nil {
			return nil, 0, err
		}
		if s.SameAs == 0 {
			return nil, 0, fmt.Errorf("a page list that is the same as run 0's")
		}
		return nil, s.SameAs, nil
	}
	err = decodeStrict(v, &refs)
	return refs, 0, err
}

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
