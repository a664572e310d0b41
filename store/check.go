package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/llmref/llmref/catalog"
)

// Problem is one inconsistency Check found: where it is and what is wrong.
type Problem struct {
	// Bucket is the bucket holding the bad record; empty for the file's
	// own structure.
	Bucket string `json:"bucket,omitempty"`
	// Key is the record's key, printable.
	Key string `json:"key,omitempty"`
	// Detail says what is wrong.
	Detail string `json:"detail"`
}

// String is the problem on one line: "bucket/key: detail".
func (p Problem) String() string {
	switch {
	case p.Bucket == "":
		return p.Detail
	case p.Key == "":
		return p.Bucket + ": " + p.Detail
	}
	return p.Bucket + "/" + p.Key + ": " + p.Detail
}

// RecordCheck checks one record of a bucket; it returns an error saying what
// is wrong with it. Files that register buckets register a check for them
// with registerCheck, so `llmref check` can read every record it finds.
// Checks run on several goroutines at once: keep them pure.
type RecordCheck func(key, value []byte) error

// checks holds the record check of each bucket, by name.
var checks = map[string]RecordCheck{}

// registerCheck sets the record check of a bucket (call from init). A
// bucket without one is checked for well-formed JSON values, the store's
// encoding.
func registerCheck(bucket []byte, fn RecordCheck) { checks[string(bucket)] = fn }

func init() {
	registerCheck(bMeta, checkMeta)
	registerCheck(bRuns, checkRun)
	registerCheck(bRunPages, checkRunPages)
	registerCheck(bPages, checkPage)
	registerCheck(bBodies, checkBody)
	registerCheck(bModels, checkModel)
	registerCheck(bOfferings, checkOffering)
	registerCheck(bUnmatched, checkUnmatched)
	registerCheck(bHistory, checkHistoryPoint)
}

// maxProblems bounds what one check reports: a badly damaged file would
// otherwise list every record.
const maxProblems = 1000

// Check reads the whole database and reports every inconsistency it finds:
// the file's structure read without bbolt (meta pages, size, every page's
// header, bounds and key order, the freelist: see integrity.go), bbolt's
// own structural check, every record of every bucket decoding and well
// keyed, runs and their page lists, price history in order, every page's
// body present and matching its hash, and every published offering backed
// by its model and its history. It returns an error only when it cannot
// check at all; a clean database gives no problems. A file whose pages are
// damaged is not read through bbolt: its structural problems are the
// report.
func (s *Store) Check() ([]Problem, error) {
	_, res, err := walkStructure(s.path)
	if err != nil {
		return nil, fmt.Errorf("check %s: %w", s.path, err)
	}
	out := res.problems()
	if len(res.beyondMeta().found) > 0 {
		return out, nil
	}
	err = s.view(func(tx *bolt.Tx) error {
		out = append(out, checkTx(tx)...)
		return nil
	})
	if err != nil {
		return append(out, Problem{Detail: err.Error()}), nil
	}
	return out, nil
}

// CheckFile checks the database file at path as Check does, without
// refusing a damaged one: a truncated file, a damaged meta page or page
// tree are reported as problems. An error means it could not check: the
// file is missing, locked by a writer, or not a database.
func CheckFile(path string, o Options) ([]Problem, error) {
	if err := lookAt(path, true); err != nil {
		return nil, fmt.Errorf("check: %w", err)
	}
	if o.Timeout <= 0 {
		o.Timeout = 2 * time.Second // as Open's
	}
	_, res, err := walkUnopened(path, o.Timeout)
	switch {
	case errors.Is(err, ErrTruncated):
		var te *truncatedError
		errors.As(err, &te)
		detail := fmt.Sprintf("the file is truncated: %d bytes, its meta page says it holds %d; restore it from a backup", te.size, te.want)
		if te.want == 0 {
			detail = fmt.Sprintf("the file is truncated: %d bytes, not even its first meta page; restore it from a backup", te.size)
		}
		return []Problem{{Detail: detail}}, nil
	case errors.Is(err, ErrCorrupt):
		var ce *CorruptError
		errors.As(err, &ce)
		return []Problem{{Detail: ce.At + ": " + ce.Detail}}, nil
	case errors.Is(err, errNotBolt):
		return nil, fmt.Errorf("check %s: not a readable llmref database: %w", path, err)
	case err != nil:
		return nil, fmt.Errorf("check %s: %w", path, err)
	}
	if len(res.beyondMeta().found) > 0 {
		return res.problems(), nil
	}
	o.ReadOnly, o.metaDamageOK = true, true
	s, err := Open(path, o)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Check()
}

type checker struct {
	tx       *bolt.Tx
	problems []Problem
}

func (c *checker) add(bucket, key []byte, format string, args ...any) {
	if len(c.problems) >= maxProblems {
		return
	}
	p := Problem{Bucket: string(bucket), Key: printableKey(bucket, key), Detail: fmt.Sprintf(format, args...)}
	c.problems = append(c.problems, p)
	if len(c.problems) == maxProblems {
		c.problems = append(c.problems, Problem{Detail: fmt.Sprintf("more than %d problems; stopped listing", maxProblems)})
	}
}

// checkTx runs every check inside one read transaction. A damaged page can
// make bbolt panic while reading; that is reported as a problem too.
func checkTx(tx *bolt.Tx) (problems []Problem) {
	c := &checker{tx: tx}
	defer func() {
		if r := recover(); r != nil {
			c.add(nil, nil, "reading the file failed: %v (the file is damaged; restore a backup or re-run `llmref refresh` on a new database)", r)
			problems = c.problems
		}
	}()
	for err := range tx.Check() {
		c.add(nil, nil, "bbolt structure: %v", err)
	}
	if len(c.problems) > 0 {
		// The pages themselves are broken: reading records may follow
		// bad pointers. Report the structure and stop.
		return c.problems
	}
	c.buckets()
	c.crossRecords()
	return c.problems
}

// buckets checks that every bucket the store uses exists and that every
// record of every bucket decodes.
func (c *checker) buckets() {
	present := map[string]bool{}
	_ = c.tx.ForEach(func(name []byte, b *bolt.Bucket) error {
		present[string(name)] = true
		if bytes.Equal(name, bStage) {
			return nil // a run's catalogue, staged, not published (see stage.go)
		}
		fn := checks[string(name)]
		known := false
		for _, k := range buckets {
			if bytes.Equal(k, name) {
				known = true
			}
		}
		if !known && fn == nil {
			c.add(name, nil, "bucket unknown to this llmref (a newer version's data?)")
			return nil
		}
		var keys, vals [][]byte
		_ = b.ForEach(func(k, v []byte) error {
			if v == nil {
				c.add(name, k, "unexpected nested bucket")
				return nil
			}
			keys, vals = append(keys, k), append(vals, v)
			return nil
		})
		// The records are checked on every CPU (bodies are decompressed
		// and hashed); the pages they live in were read above.
		var mu sync.Mutex
		_ = parallelFor(len(keys), func(i int) error {
			err := checkRecord(fn, keys[i], vals[i])
			if err != nil {
				mu.Lock()
				c.add(name, keys[i], "%v", err)
				mu.Unlock()
			}
			return nil
		})
		return nil
	})
	for _, name := range buckets {
		if !present[string(name)] {
			c.add(name, nil, "bucket missing")
		}
	}
}

// checkRecord runs a bucket's record check (JSON validity when it has
// none); a check that panics on a damaged value reports it as the problem.
func checkRecord(fn RecordCheck, k, v []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("reading the record failed: %v", r)
		}
	}()
	if fn != nil {
		return fn(k, v)
	}
	if !json.Valid(v) {
		return fmt.Errorf("value is not valid JSON")
	}
	return nil
}

func checkMeta(k, v []byte) error {
	if !bytes.Equal(k, keySchema) {
		return nil
	}
	if len(v) != 8 {
		return fmt.Errorf("schema version is %d bytes, want 8", len(v))
	}
	if n := binary.BigEndian.Uint64(v); n < readableFrom || n > SchemaVersion {
		return fmt.Errorf("schema version %d, this llmref reads %d to %d", n, readableFrom, SchemaVersion)
	}
	return nil
}

func runKey(k []byte) (uint64, error) {
	if len(k) != 8 {
		return 0, fmt.Errorf("key is %d bytes, want an 8-byte run id", len(k))
	}
	id := binary.BigEndian.Uint64(k)
	if id == 0 {
		return 0, fmt.Errorf("run id 0")
	}
	return id, nil
}

func decodeStrict(v []byte, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return fmt.Errorf("does not decode: %w", err)
	}
	return nil
}

func checkRun(k, v []byte) error {
	id, err := runKey(k)
	if err != nil {
		return err
	}
	var r catalog.Run
	if err := decodeStrict(v, &r); err != nil {
		return err
	}
	if r.ID != id {
		return fmt.Errorf("record says run %d", r.ID)
	}
	switch r.Status {
	case catalog.RunOK, catalog.RunPartial, catalog.RunFailed, catalog.RunRunning:
	default:
		return fmt.Errorf("unknown run status %q", r.Status)
	}
	if r.StartedAt.IsZero() {
		return fmt.Errorf("no start time")
	}
	return nil
}

func checkRunPages(k, v []byte) error {
	id, err := runKey(k)
	if err != nil {
		return err
	}
	_, ref, err := decodeRunPages(v)
	if by := ref.told(); err == nil && by >= id {
		return fmt.Errorf("a page list told by run %d's, which is not earlier", by)
	}
	return err
}

func checkPage(k, v []byte) error {
	var p catalog.Page
	if err := decodeStrict(v, &p); err != nil {
		return err
	}
	if p.URL != string(k) {
		return fmt.Errorf("record says URL %q", p.URL)
	}
	if p.Source == "" {
		return fmt.Errorf("page without a source")
	}
	if p.BodySHA256 != "" && !isSHA256Hex(p.BodySHA256) {
		return fmt.Errorf("body hash %q is not a SHA-256", p.BodySHA256)
	}
	return nil
}

func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil && strings.ToLower(s) == s
}

func checkBody(k, v []byte) error {
	if !isSHA256Hex(string(k)) {
		return fmt.Errorf("key is not a lower-case SHA-256")
	}
	body, err := gunzip(v)
	if err != nil {
		return fmt.Errorf("body does not decompress: %w", err)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != string(k) {
		return fmt.Errorf("body does not match its hash")
	}
	return nil
}

func checkModel(k, v []byte) error {
	var m catalog.Model
	if err := decodeStrict(v, &m); err != nil {
		return err
	}
	if m.ID != string(k) {
		return fmt.Errorf("record says model %q", m.ID)
	}
	if _, _, err := catalog.SplitID(m.ID); err != nil {
		return err
	}
	return nil
}

func checkOffering(k, v []byte) error {
	var o catalog.Offering
	if err := decodeStrict(v, &o); err != nil {
		return err
	}
	if o.Key() != string(k) {
		return fmt.Errorf("record's key would be %q", o.Key())
	}
	if o.Provider == "" {
		return fmt.Errorf("offering without a provider")
	}
	return nil
}

func checkUnmatched(k, v []byte) error {
	var u []catalog.Unmatched
	return decodeStrict(v, &u)
}

// splitHistoryKey splits "offering key \x00 run id (8 bytes)".
func splitHistoryKey(k []byte) (string, uint64, error) {
	if len(k) < 10 || k[len(k)-9] != 0 {
		return "", 0, fmt.Errorf("key is not an offering key, a zero byte and an 8-byte run id")
	}
	off := k[:len(k)-9]
	if bytes.IndexByte(off, 0) >= 0 {
		return "", 0, fmt.Errorf("offering key holds a zero byte")
	}
	return string(off), binary.BigEndian.Uint64(k[len(k)-8:]), nil
}

func checkHistoryPoint(k, v []byte) error {
	_, run, err := splitHistoryKey(k)
	if err != nil {
		return err
	}
	var p catalog.PricePoint
	if err := decodeStrict(v, &p); err != nil {
		return err
	}
	if p.Run != run {
		return fmt.Errorf("point says run %d, key says %d", p.Run, run)
	}
	return nil
}

// crossRecords checks what holds between records: runs against their
// sequence and page lists, pages and page lists against stored bodies,
// history order, and published offerings against models and history.
func (c *checker) crossRecords() {
	runs := c.tx.Bucket(bRuns)
	if runs != nil {
		var maxID uint64
		_ = runs.ForEach(func(k, _ []byte) error {
			if len(k) == 8 {
				maxID = max(maxID, binary.BigEndian.Uint64(k))
			}
			return nil
		})
		if seq := runs.Sequence(); seq < maxID {
			c.add(bRuns, nil, "sequence %d is behind the last run %d: the next run would overwrite it", seq, maxID)
		}
	}
	hasRun := func(id uint64) bool { return runs != nil && runs.Get(u64(id)) != nil }
	bodies := c.tx.Bucket(bBodies)
	hasBody := func(sum string) bool { return bodies != nil && bodies.Get([]byte(sum)) != nil }

	if b := c.tx.Bucket(bPages); b != nil {
		_ = b.ForEach(func(k, v []byte) error {
			var p catalog.Page
			if json.Unmarshal(v, &p) != nil {
				return nil // reported above
			}
			if p.BodySHA256 != "" && !hasBody(p.BodySHA256) {
				c.add(bPages, k, "body %s is missing", p.BodySHA256)
			}
			if obs := c.tx.Bucket(bPageObs); p.Count > 0 && (obs == nil || obs.Get(k) == nil) {
				c.add(bPages, k, "its %d observations are missing", p.Count)
			}
			return nil
		})
	}
	if b, pages := c.tx.Bucket(bPageObs), c.tx.Bucket(bPages); b != nil {
		_ = b.ForEach(func(k, _ []byte) error {
			if pages == nil || pages.Get(k) == nil {
				c.add(bPageObs, k, "observations of a page that is not current")
			}
			return nil
		})
	}
	if b, pages := c.tx.Bucket(bPageChecked), c.tx.Bucket(bPages); b != nil {
		_ = b.ForEach(func(k, _ []byte) error {
			if pages == nil || pages.Get(k) == nil {
				c.add(bPageChecked, k, "check time of a page that is not current")
			}
			return nil
		})
	}
	if b := c.tx.Bucket(bRunPages); b != nil {
		_ = b.ForEach(func(k, v []byte) error {
			refs, ref, err := decodeRunPages(v)
			if len(k) != 8 || err != nil {
				return nil // reported above
			}
			if !hasRun(binary.BigEndian.Uint64(k)) {
				c.add(bRunPages, k, "page list of a run that does not exist")
			}
			if by := ref.told(); by != 0 {
				if base := b.Get(u64(by)); base == nil || !bytes.HasPrefix(base, []byte("[")) {
					what := "the same page list as"
					if ref.Base != 0 {
						what = "a page list told as a difference from"
					}
					c.add(bRunPages, k, "%s run %d, which holds no list", what, by)
				}
			}
			for _, r := range append(refs, ref.Set...) {
				if r.BodySHA256 != "" && !hasBody(r.BodySHA256) {
					c.add(bRunPages, k, "%s: body %s is missing", r.URL, r.BodySHA256)
				}
			}
			return nil
		})
	}

	// History: per offering, points in run order (the key order: each
	// point's run is checked against its key above), each of an existing
	// run. Effective times may go back: replaying an older fixture day
	// after a newer one is a run like any other.
	lastPoint := map[string]catalog.PricePoint{}
	if b := c.tx.Bucket(bHistory); b != nil {
		_ = b.ForEach(func(k, v []byte) error {
			off, run, err := splitHistoryKey(k)
			if err != nil {
				return nil
			}
			var p catalog.PricePoint
			if json.Unmarshal(v, &p) != nil {
				return nil
			}
			if !hasRun(run) {
				c.add(bHistory, k, "point of run %d, which does not exist", run)
			}
			lastPoint[off] = p
			return nil
		})
	}

	models := c.tx.Bucket(bModels)
	if b := c.tx.Bucket(bOfferings); b != nil {
		_ = b.ForEach(func(k, v []byte) error {
			var o catalog.Offering
			if json.Unmarshal(v, &o) != nil {
				return nil
			}
			if models != nil && models.Get([]byte(o.ModelID)) == nil {
				c.add(bOfferings, k, "offering of model %s, which is not in the catalogue", o.ModelID)
			}
			last, ok := lastPoint[string(k)]
			switch {
			case !ok:
				c.add(bOfferings, k, "published offering without price history")
			case last.Removed:
				c.add(bOfferings, k, "published offering whose history says it was removed (run %d)", last.Run)
			}
			return nil
		})
	}
}

// maxKeyShown bounds the bytes of a key a problem shows.
const maxKeyShown = 200

// printableKey shows a key as text when it is text, a sequence number
// when it is 8 bytes of binary (run ids, hold ids), "offering@run" in
// history, and hex otherwise.
func printableKey(bucket, k []byte) string {
	if k == nil {
		return ""
	}
	if len(k) > maxKeyShown {
		// A damaged key (its length flipped) runs into its value.
		return printableKey(bucket, k[:maxKeyShown]) + fmt.Sprintf("… (%d bytes)", len(k))
	}
	if len(k) == 8 && (bytes.Equal(bucket, bRuns) || bytes.Equal(bucket, bRunPages) || !printable(string(k))) {
		return fmt.Sprint(binary.BigEndian.Uint64(k)) // a sequence number
	}
	if off, run, err := splitHistoryKey(k); err == nil && printable(off) {
		return fmt.Sprintf("%s@%d", off, run)
	}
	if printable(string(k)) {
		return string(k)
	}
	return "0x" + hex.EncodeToString(k)
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return s != ""
}

// SortProblems orders problems by bucket, key and detail, for stable output.
func SortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Bucket != ps[j].Bucket {
			return ps[i].Bucket < ps[j].Bucket
		}
		return ps[i].Key < ps[j].Key
	})
}
