package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
	"github.com/llmref/llmref/internal/jsonstr"
)

// A current page is three records under its URL: its small record in
// bPages, its observations in bPageObs and the time it was last confirmed
// in bPageChecked. A run that finds a page unchanged writes its check time
// (8 bytes) and leaves the other two alone.
var (
	bPageObs     = []byte("page_observations") // url → []obsRecord
	bPageChecked = []byte("page_checked")      // url → checked_at, Unix nanoseconds (u64 BE)
)

func init() {
	registerBuckets(bPageObs, bPageChecked)
	registerCheck(bPageObs, checkPageObs)
	registerCheck(bPageChecked, checkPageChecked)
}

// obsRecord is an observation as stored with its page. What every
// observation of a page shares — the source, the page's URL and its fetch
// time — is the page's, and left out.
type obsRecord struct {
	Authority   int    `json:"a"`
	Subject     string `json:"s"`
	SubjectName string `json:"n,omitempty"`
	Provider    string `json:"p,omitempty"`
	Region      string `json:"r,omitempty"`
	Variant     string `json:"v,omitempty"`
	Field       string `json:"f"`
	Value       string `json:"x"`
	Unit        string `json:"u,omitempty"`
	Note        string `json:"o,omitempty"`
	// URL is set only where the observation names another address than
	// its page's.
	URL string `json:"l,omitempty"`
}

// encodeObservations writes a page's observations compactly: an array of
// obsRecord, byte for byte as json.Marshal writes it, by hand (a first
// refresh encodes every page's; encoding/json's reflection was most of
// the cost).
func encodeObservations(p *catalog.Page) []byte { return appendObservations(nil, p) }

// appendObservations is encodeObservations into buf's memory (whose
// contents it overwrites) when it has room for the usual size.
func appendObservations(buf []byte, p *catalog.Page) []byte {
	b := buf[:0]
	if need := 2 + 128*p.ObservationCount(); cap(b) < need {
		b = make([]byte, 0, need)
	}
	b = append(b, '[')
	for o := range p.ObservedShared() { // copied into b
		if len(b) > 1 {
			b = append(b, ',')
		}
		b = append(b, `{"a":`...)
		b = strconv.AppendInt(b, int64(o.Authority), 10)
		b = appendObsField(b, `,"s":`, o.Subject, true)
		b = appendObsField(b, `,"n":`, o.SubjectName, false)
		b = appendObsField(b, `,"p":`, o.Provider, false)
		b = appendObsField(b, `,"r":`, o.Region, false)
		b = appendObsField(b, `,"v":`, o.Variant, false)
		b = appendObsField(b, `,"f":`, string(o.Field), true)
		b = appendObsField(b, `,"x":`, o.Value, true)
		b = appendObsField(b, `,"u":`, string(o.Unit), false)
		b = appendObsField(b, `,"o":`, o.Note, false)
		if o.URL != p.URL {
			b = appendObsField(b, `,"l":`, o.URL, false)
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendObsField appends one key and string value of an obsRecord; an
// empty value is left out unless always (the record's omitempty).
func appendObsField(b []byte, key, v string, always bool) []byte {
	if v == "" && !always {
		return b
	}
	return jsonstr.AppendHTML(append(b, key...), v)
}

// decodeObservations restores a page's observations from their record,
// read by hand straight into the observations (see obsScanner.next), or by
// encoding/json when the record is not in the plain form. The
// observations live until the run normalises them: they are kept in a
// slice of about their own length.
func decodeObservations(p *catalog.Page, data []byte) error {
	return decodeRecords(p, data, nil)
}

// decodeRecords is decodeObservations keeping only the records rows keeps
// (all of them when rows is nil).
func decodeRecords(p *catalog.Page, data []byte, rows *rowFilter) error {
	// Each record encodeObservations writes opens with {"a": (a quote in a
	// string is escaped): the count is the room to make.
	n := bytes.Count(data, recordStart)
	if rows != nil {
		n = n/8 + 1 // about the rows'
	}
	obs := make([]catalog.Observation, 0, n)
	s := newObsScanner(data)
	s.rows = rows
	var r obsRecord
	for s.next(&r) {
		if rows == nil || rows.kept {
			obs = append(obs, observationOf(p, &r))
		}
	}
	if !s.done() {
		recs, err := readObsRecords(data) // encoding/json decides
		if err != nil {
			return fmt.Errorf("observations of %s: %w", p.URL, err)
		}
		obs = obs[:0]
		if rows != nil {
			*rows = rowFilter{fields: rows.fields, fieldsOnly: rows.fieldsOnly}
		}
		for i := range recs {
			if rows != nil {
				if !rows.keep(recs[i].Subject, recs[i].Field) {
					rows.prev = recs[i].Subject
					continue
				}
				rows.prev = recs[i].Subject
			}
			obs = append(obs, observationOf(p, &recs[i]))
		}
	}
	if cap(obs)-len(obs) > len(obs)/8 { // a record another writer made
		obs = append(make([]catalog.Observation, 0, len(obs)), obs...)
	}
	p.Observations = obs
	return nil
}

// recordStart opens every observation record encodeObservations writes.
var recordStart = []byte(`{"a":`)

// observationOf is the observation a record of page p stands for.
func observationOf(p *catalog.Page, r *obsRecord) catalog.Observation {
	url := r.URL
	if url == "" {
		url = p.URL
	}
	return catalog.Observation{Source: p.Source, URL: url, Authority: catalog.Authority(r.Authority),
		RetrievedAt: p.FetchedAt, Subject: r.Subject, SubjectName: r.SubjectName, Provider: r.Provider,
		Region: r.Region, Variant: r.Variant, Field: catalog.Field(r.Field), Value: r.Value, Unit: catalog.Unit(r.Unit), Note: r.Note}
}

// pageMeta is everything of a page but its observations: the small
// record as schema version 2 stored it.
func pageMeta(p catalog.Page) catalog.Page {
	p.Count = p.ObservationCount()
	p.Observations = nil
	return p
}

// pageRecord is the page's small record: everything but its observations
// and its check time, so that a page confirmed unchanged has the same
// record as before.
func pageRecord(p catalog.Page) catalog.Page {
	p = pageMeta(p)
	p.CheckedAt = time.Time{}
	return p
}

// encodedPage is a page's records, ready to put.
type encodedPage struct {
	meta    []byte
	obs     []byte // nil when the page's stored observations stand (Reused)
	checked []byte // nil when the page was never confirmed
}

func encodePage(p *catalog.Page) (encodedPage, error) { return encodePageInto(p, nil) }

// encodePageInto is encodePage encoding the observations into obs's
// memory (see appendObservations).
func encodePageInto(p *catalog.Page, obs []byte) (encodedPage, error) {
	meta, err := json.Marshal(pageRecord(*p))
	if err != nil {
		return encodedPage{}, fmt.Errorf("encode page %s: %w", p.URL, err)
	}
	e := encodedPage{meta: meta, checked: encodeChecked(p.CheckedAt)}
	if p.Reused {
		return e, nil
	}
	e.obs = appendObservations(obs, p)
	return e, nil
}

// encodeChecked writes a check time as Unix nanoseconds; nil for none.
func encodeChecked(t time.Time) []byte {
	if t.IsZero() {
		return nil
	}
	return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano()))
}

// decodeChecked reads what encodeChecked wrote.
func decodeChecked(v []byte) (time.Time, error) {
	if len(v) != 8 {
		return time.Time{}, fmt.Errorf("check time of %d bytes, want 8", len(v))
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC(), nil
}

// putIfChanged puts v under k unless k holds v already: an unchanged
// record leaves its bbolt page clean, and the commit writes less. It
// reports whether k held v.
func putIfChanged(b *bolt.Bucket, k, v []byte) (bool, error) {
	if bytes.Equal(b.Get(k), v) {
		return true, nil
	}
	return false, b.Put(k, v)
}

// putPages writes the pages' records, keeping the stored observations of
// reused pages and every record that did not change, and removes the pages
// no longer current. With obsStaged, the observation records are the
// staging's (see stagePageObs), which the commit swaps in: they are left
// alone here.
//
// Observations and check times are stored only beside a page's record
// (they are put and deleted with it; Check reports any other), so the
// pages no longer current are found among the records alone, and a reused
// page whose record is the one the last commit wrote has its observations
// from then: the observation records, most of the pages' bytes, are not
// read (a nothing-changed refresh of 2,000 pages read them all, a page
// fault or two each).
// denseFill is how full bbolt fills the pages it splits in the buckets a
// commit writes in bulk and in key order — a first run's pages and price
// history, every page's check time — and that later runs mostly rewrite in
// place or add to here and there: 90% instead of bbolt's default 50%. At
// 16,000 pages a first commit's history took 45 MB of leaf pages for 22 MB
// of records, the pages' records 17 MB for 8, and the commit holds every
// dirty page in memory until it has written them (the run's peak in the
// commit, 70 MB of page buffers). A later insert into a full page splits it
// as before; the 10% left free takes a point or two first.
const denseFill = 0.9

func putPages(tx *bolt.Tx, pages []catalog.Page, encoded []encodedPage, obsStaged bool) error {
	metas, obs, checked := tx.Bucket(bPages), tx.Bucket(bPageObs), tx.Bucket(bPageChecked)
	metas.FillPercent, obs.FillPercent, checked.FillPercent = denseFill, denseFill, denseFill
	keep := make(map[string]bool, len(pages))
	for i, p := range pages {
		keep[p.URL] = true
		key := []byte(p.URL)
		same, err := putIfChanged(metas, key, encoded[i].meta)
		if err != nil {
			return err
		}
		if c := encoded[i].checked; c == nil {
			if err := checked.Delete(key); err != nil {
				return err
			}
		} else if _, err := putIfChanged(checked, key, c); err != nil {
			return err
		}
		switch {
		case obsStaged:
		case encoded[i].obs != nil:
			if err := obs.Put(key, encoded[i].obs); err != nil {
				return err
			}
		case !same && p.Count > 0 && obs.Get(key) == nil:
			return fmt.Errorf("page %s is reused, but no observations are stored for it", p.URL)
		}
		trimEach(tx, i) // see mapped.go
	}
	gone, err := deleteExcept(metas, keep)
	if err != nil {
		return err
	}
	for _, k := range gone {
		if err := checked.Delete(k); err != nil {
			return err
		}
		if !obsStaged {
			if err := obs.Delete(k); err != nil {
				return err
			}
		}
	}
	return nil
}

// Pages reads the current record of every page, by URL, without its
// observations (see LoadObservations): the validators, hashes, links and
// check times a crawl needs.
func (s *Store) Pages() (map[string]catalog.Page, error) {
	out := map[string]catalog.Page{}
	err := s.view(func(tx *bolt.Tx) error {
		keys, vals := records(tx.Bucket(bPages))
		pages, err := decodeAll(bPages, keys, vals, decodePage)
		if err != nil {
			return err
		}
		times, err := checkedTimes(tx)
		if err != nil {
			return err
		}
		for i, k := range keys {
			pages[i].CheckedAt = times[k]
			out[k] = pages[i]
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read pages: %w", err)
	}
	return out, nil
}

// loadChunk is how many pages' observation records LoadObservations
// decodes between two trims of the map (~5 KB each on the benchmark site).
const loadChunk = 2048

// LoadObservations fills in the stored observations of every reused page
// (catalog.Page.Reused) that holds none, in place. A reused page without
// stored observations is an error: its facts would silently go.
func (s *Store) LoadObservations(pages []catalog.Page) error {
	return s.load(pages, decodeObservations)
}

// LoadRows is LoadObservations keeping, of each page's observations, the
// first of each row (a run of observations of one subject) and every one
// of fields: what a tracked set is planned from (every subject a list
// names, with fields its Hugging Face repositories), without making
// observations of every price and capability of every model a defining
// list gives (~100,000 at 8,000 models). The pages hold those alone: they
// are not for normalising.
func (s *Store) LoadRows(pages []catalog.Page, fields ...catalog.Field) error {
	return s.loadFiltered(pages, fields, false)
}

// LoadFields is LoadObservations keeping only the observations of fields:
// a run that normalises its pages reads their Hugging Face repositories
// first (normalize.HFLinks), and each page's every observation only as it
// normalises it (normalize.Input.Observations).
func (s *Store) LoadFields(pages []catalog.Page, fields ...catalog.Field) error {
	return s.loadFiltered(pages, fields, true)
}

func (s *Store) loadFiltered(pages []catalog.Page, fields []catalog.Field, only bool) error {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = string(f)
	}
	return s.load(pages, func(p *catalog.Page, data []byte) error {
		return decodeRecords(p, data, &rowFilter{fields: names, fieldsOnly: only})
	})
}

// load fills in the stored observations of every reused page that holds
// none, with decode.
func (s *Store) load(pages []catalog.Page, decode func(*catalog.Page, []byte) error) error {
	var want []int
	for i := range pages {
		if pages[i].Reused && !pages[i].HoldsObservations() && pages[i].Count > 0 {
			want = append(want, i)
		}
	}
	if len(want) == 0 {
		return nil
	}
	err := s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bPageObs)
		if b == nil {
			return fmt.Errorf("no stored observations")
		}
		// A chunk at a time, the map trimmed after each (see mapped.go).
		for start := 0; start < len(want); start += loadChunk {
			part := want[start:min(start+loadChunk, len(want))]
			err := parallelFor(len(part), func(j int) error {
				p := &pages[part[j]]
				data := b.Get([]byte(p.URL))
				if data == nil {
					return fmt.Errorf("page %s: its observations are missing: %w", p.URL, ErrNotFound)
				}
				if err := decode(p, data); err != nil {
					return badRecord(bPageObs, p.URL, err)
				}
				return nil
			})
			if err != nil {
				return err
			}
			trimIn(tx)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load observations: %w", err)
	}
	return nil
}

// checkedTimes reads each page's checked_at, by URL: the retrieved_at of
// every fact read from it (see catalog.Snapshot.StampRetrieved).
func checkedTimes(tx *bolt.Tx) (map[string]time.Time, error) {
	out := map[string]time.Time{}
	b := tx.Bucket(bPageChecked)
	if b == nil {
		return out, nil
	}
	err := b.ForEach(func(k, v []byte) error {
		t, err := decodeChecked(v)
		if err != nil {
			return fmt.Errorf("page %s: %w", k, err)
		}
		out[string(k)] = t
		return nil
	})
	return out, err
}

// splitPages is migration 1 → 2: a page's record held its observations;
// they move to bPageObs, compactly, and the record keeps their count.
func splitPages(tx *bolt.Tx) error {
	return movePagePart(tx, bPageObs, func(p catalog.Page) (catalog.Page, []byte, error) {
		return pageMeta(p), encodeObservations(&p), nil
	})
}

// checkedApart is migration 2 → 3: a page's record held its check time;
// it moves to bPageChecked, and the record no longer changes when the page
// is only confirmed.
func checkedApart(tx *bolt.Tx) error {
	return movePagePart(tx, bPageChecked, func(p catalog.Page) (catalog.Page, []byte, error) {
		return pageRecord(p), encodeChecked(p.CheckedAt), nil
	})
}

// movePagePart rewrites every page record for a migration: split gives
// the record's new form and the part that moves to the bucket apart (nil:
// none for this page).
func movePagePart(tx *bolt.Tx, apart []byte, split func(catalog.Page) (catalog.Page, []byte, error)) error {
	metas := tx.Bucket(bPages)
	if metas == nil {
		return nil
	}
	to, err := tx.CreateBucketIfNotExists(apart)
	if err != nil {
		return err
	}
	keys, vals := records(metas)
	type rewrite struct {
		key        string
		meta, part []byte
	}
	out := make([]rewrite, 0, len(keys))
	for i, k := range keys {
		var p catalog.Page
		if err := json.Unmarshal(vals[i], &p); err != nil {
			return fmt.Errorf("page %s: %w", k, err)
		}
		rec, part, err := split(p)
		if err != nil {
			return err
		}
		meta, err := json.Marshal(rec)
		if err != nil {
			return err
		}
		out = append(out, rewrite{k, meta, part})
	}
	for _, r := range out { // values point into the map: put after reading
		if err := metas.Put([]byte(r.key), r.meta); err != nil {
			return err
		}
		if r.part != nil {
			if err := to.Put([]byte(r.key), r.part); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkPageChecked(k, v []byte) error {
	t, err := decodeChecked(v)
	if err != nil {
		return err
	}
	if t.Year() < 2000 || t.Year() > 2200 {
		return fmt.Errorf("check time %s is not a plausible time", t.Format(time.RFC3339))
	}
	return nil
}

func checkPageObs(k, v []byte) error {
	var recs []obsRecord
	if err := decodeStrict(v, &recs); err != nil {
		return err
	}
	for i, r := range recs {
		if r.Subject == "" || r.Field == "" {
			return fmt.Errorf("observation %d without a subject or a field", i)
		}
	}
	return nil
}
