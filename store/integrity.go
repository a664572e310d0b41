package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bbolt maps the database file into memory and trusts it: a file shorter
// than its meta page says makes a read fault with SIGBUS, which no recover
// catches, and a damaged branch or leaf page makes bbolt panic, or follow
// a bad offset out of the mapping (a fault again), or hand back a record
// that is not there, or — a freelist that lists pages in use — write over
// live data, so that the damage grows. So before bbolt opens a file, Open
// reads its meta pages (plain reads), checks the file holds the meta's
// high-water mark (pgid × page size), and walks every branch and leaf page
// of the tree and the freelist, through a mapping of those pages only and
// with every offset checked against it (a fault is possible only if the
// file shrinks meanwhile, and becomes an error): ids, types, bounds, one
// reference per page, none both in use and free, key order — what bbolt's
// tx.Check checks. A damaged file is refused with one clear error; nothing
// reads or writes it through bbolt. What is left (a file that changes
// under an open store) is caught at the store's edge (see guard.go).
//
// Why not tx.Check itself: it runs in a goroutine of its own, where a fault
// cannot be made a panic, and it needs bbolt to have opened the file, which
// for a writer reads the freelist first. It costs the same: on the
// benchmark site's 120 MB database, ~50 ms of CPU for the walk against
// ~65 ms for tx.Check, a fresh process each (the walk is remembered per
// file state, so a process that opens the file again — serve, per request
// — walks it again only after it changed).
//
// The layout read here is bbolt's on-disk format (version 2, the only one
// bbolt v1 writes), in the machine's byte order like bbolt itself:
//
//	page header (16 bytes): id u64, flags u16, count u16, overflow u32
//	meta (after the header of pages 0 and 1): magic u32, version u32,
//	  pageSize u32, flags u32, root bucket {root pgid u64, sequence u64},
//	  freelist pgid u64, pgid (high-water mark) u64, txid u64,
//	  checksum u64 (FNV-64a of the fields before it)
//	branch element (16): pos u32, ksize u32, pgid u64
//	leaf element (16): flags u32, pos u32, ksize u32, vsize u32
//	  (pos counts from the element itself; flag 1 marks a bucket, whose
//	  value is {root pgid u64, sequence u64} and, when root is 0, an
//	  inline page)
//	freelist page: count ids u64 after the header (count 0xFFFF: the
//	  first u64 is the count)

// ErrTruncated reports a database file shorter than its meta page says it
// is: a bad copy, a full disk, a truncation. bbolt would fault reading it.
var ErrTruncated = errors.New("database file is truncated: restore it or run llmref check")

// ErrCorrupt reports a damaged database file (test with errors.Is; the
// error is a *CorruptError).
var ErrCorrupt = errors.New("database is corrupt")

// CorruptError says where a database file is damaged.
type CorruptError struct {
	Path string
	// At is where: "page 37 (bucket offerings)", "meta page 1".
	At string
	// Detail says what is wrong there.
	Detail string
	// More counts the further problems found.
	More int
}

func (e *CorruptError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "database %s is corrupt at %s: %s", e.Path, e.At, e.Detail)
	if e.More > 0 {
		fmt.Fprintf(&b, " (and %d more problems)", e.More)
	}
	b.WriteString(": restore it from a backup (llmref check lists the damage)")
	return b.String()
}

// Is makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Is(target error) bool { return target == ErrCorrupt }

// truncatedError is ErrTruncated with the sizes.
type truncatedError struct {
	path       string
	size, want int64
}

func (e *truncatedError) Error() string {
	if e.want == 0 {
		return fmt.Sprintf("database %s: %v (%d bytes: not even its first meta page)", e.path, ErrTruncated, e.size)
	}
	return fmt.Sprintf("database %s: %v (%d bytes; its meta page says it holds %d)", e.path, ErrTruncated, e.size, e.want)
}

func (e *truncatedError) Unwrap() error { return ErrTruncated }

// errNotBolt reports a file that is not a bbolt database at all.
var errNotBolt = errors.New("no bbolt meta page")

// On-disk constants of bbolt's format.
const (
	boltMagic       = 0xED0CDAED
	boltVersion     = 2
	pageHeaderSize  = 16
	elementSize     = 16 // branch and leaf elements alike
	metaSize        = 64
	branchPageFlag  = 0x01
	leafPageFlag    = 0x02
	metaPageFlag    = 0x04
	freelistFlag    = 0x10
	bucketLeafFlag  = 0x01
	noFreelist      = ^uint64(0)
	maxTreeDepth    = 64 // a B+tree of 2^64 keys with two keys a page is shallower
	minPageSize     = 512
	maxPageSize     = 1 << 20
	maxWalkProblems = 50 // a walk stops listing after this many
)

var ne = binary.NativeEndian

// metaPage is one of the file's two meta pages, as read.
type metaPage struct {
	page                 int // 0 or 1
	pageSize             uint32
	root, freelist, pgid uint64
	txid                 uint64
	err                  error // why it is not valid; nil when it is
}

func parseMeta(n int, b []byte) metaPage {
	m := metaPage{page: n}
	if len(b) < pageHeaderSize+metaSize {
		m.err = errors.New("it lies past the end of the file")
		return m
	}
	h, d := b[:pageHeaderSize], b[pageHeaderSize:pageHeaderSize+metaSize]
	switch {
	case ne.Uint32(d[0:]) != boltMagic:
		m.err = errNoMagic
		return m
	case ne.Uint32(d[4:]) != boltVersion:
		m.err = fmt.Errorf("format version %d, want %d", ne.Uint32(d[4:]), boltVersion)
		return m
	}
	sum := fnv.New64a()
	sum.Write(d[:56])
	if sum.Sum64() != ne.Uint64(d[56:]) {
		m.err = errors.New("checksum mismatch")
		return m
	}
	m.pageSize = ne.Uint32(d[8:])
	m.root, m.freelist, m.pgid, m.txid = ne.Uint64(d[16:]), ne.Uint64(d[32:]), ne.Uint64(d[40:]), ne.Uint64(d[48:])
	switch ps := m.pageSize; {
	case ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0:
		m.err = fmt.Errorf("page size %d", ps)
	case m.pgid < 3 || m.root < 2 || m.root >= m.pgid:
		m.err = fmt.Errorf("root page %d outside the %d pages it says the file holds", m.root, m.pgid)
	case m.freelist != noFreelist && (m.freelist < 2 || m.freelist >= m.pgid):
		m.err = fmt.Errorf("freelist page %d outside the %d pages it says the file holds", m.freelist, m.pgid)
	case ne.Uint16(h[8:]) != metaPageFlag:
		m.err = fmt.Errorf("page flags %#x, want a meta page's", ne.Uint16(h[8:]))
	}
	return m
}

var errNoMagic = errors.New("no bbolt magic number")

// fileState is what a file's meta pages say.
type fileState struct {
	size  int64
	psize int
	meta  metaPage // the valid meta with the higher txid: the one bbolt uses
	// metaDamage names a damaged meta page beside the valid one.
	metaDamage []damage
}

// hwm is the file's high-water mark in bytes.
func (s *fileState) hwm() int64 { return int64(s.meta.pgid) * int64(s.psize) }

// readFileState reads both meta pages of an open file and chooses the one
// bbolt would (valid, higher txid), then checks that the file holds every
// page that meta counts. An empty file has a zero state (bbolt will
// initialise it).
func readFileState(path string, f *os.File) (*fileState, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	st := &fileState{size: fi.Size()}
	if st.size == 0 {
		return st, nil
	}
	if st.size < pageHeaderSize+metaSize {
		return st, &truncatedError{path: path, size: st.size}
	}
	read := func(n int, off int64) metaPage {
		b := make([]byte, pageHeaderSize+metaSize)
		got, _ := f.ReadAt(b, off)
		return parseMeta(n, b[:got])
	}
	m0 := read(0, 0)
	// The second meta page is one page in: the first gives the page size
	// when it is valid; otherwise try every size bbolt could have used.
	var m1 metaPage
	if m0.err == nil {
		m1 = read(1, int64(m0.pageSize))
		if m1.err == nil && m1.pageSize != m0.pageSize {
			m1.err = fmt.Errorf("page size %d, meta page 0 says %d", m1.pageSize, m0.pageSize)
		}
	} else {
		m1 = metaPage{page: 1, err: errNoMagic}
		for ps := minPageSize; ps <= maxPageSize && int64(ps) < st.size; ps *= 2 {
			m := read(1, int64(ps))
			if m.err == nil && int(m.pageSize) != ps {
				m.err = fmt.Errorf("page size %d, but it lies %d bytes in", m.pageSize, ps)
			}
			if m.err == nil || !errors.Is(m.err, errNoMagic) {
				m1 = m
			}
			if m.err == nil {
				break
			}
		}
	}
	switch {
	case m0.err != nil && m1.err != nil:
		if errors.Is(m0.err, errNoMagic) && errors.Is(m1.err, errNoMagic) {
			return nil, errNotBolt
		}
		return nil, &CorruptError{Path: path, At: "both meta pages", Detail: fmt.Sprintf("meta page 0: %v; meta page 1: %v", m0.err, m1.err)}
	case m0.err != nil:
		st.meta, st.metaDamage = m1, []damage{metaDamage(m0, m1)}
	case m1.err != nil:
		st.meta, st.metaDamage = m0, []damage{metaDamage(m1, m0)}
	case m1.txid > m0.txid:
		st.meta = m1
	default:
		st.meta = m0
	}
	st.psize = int(st.meta.pageSize)
	if st.size < st.hwm() {
		return st, &truncatedError{path: path, size: st.size, want: st.hwm()}
	}
	return st, nil
}

func metaDamage(bad, good metaPage) damage {
	return damage{at: fmt.Sprintf("meta page %d", bad.page), detail: fmt.Sprintf("%v; the file reads as of transaction %d, from meta page %d "+
		"(`llmref compact` rewrites the file from that transaction)", bad.err, good.txid, good.page)}
}

// damage is one structural problem: where (a page, a meta page), in which
// bucket, and what.
type damage struct {
	at, bucket, detail string
}

// problem is the damage as check lists it.
func (d damage) problem() Problem {
	return Problem{Bucket: d.bucket, Detail: d.at + ": " + d.detail}
}

// walker checks the structure of a file's page tree, read from data, the
// file's first hwm pages.
type walker struct {
	data  []byte
	psize int
	hwm   uint64
	used  bitset // pages reached from the root (and the freelist's own)
	free  bitset // pages the freelist lists
	found []damage
	more  int
	// release, when set, lets the mapped pages read so far go; it is
	// called every walkRelease pages visited (see dropMapped).
	release func()
	visits  int
}

// walkRelease is how many pages a walk visits between two releases of the
// mapping: the most it holds mapped is about that many pages and their
// overflow (bodies are one or two pages each). A variable for tests.
var walkRelease = 1024

type bitset []uint64

func (b bitset) has(i uint64) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i uint64)      { b[i/64] |= 1 << (i % 64) }

func (w *walker) add(bucket string, id uint64, format string, args ...any) {
	if len(w.found) >= maxWalkProblems {
		w.more++
		return
	}
	w.found = append(w.found, damage{at: fmt.Sprintf("page %d", id), bucket: bucket, detail: fmt.Sprintf(format, args...)})
}

// page is pages id to id+overflow (below hwm: the caller checks).
func (w *walker) page(id, overflow uint64) []byte {
	return w.data[id*uint64(w.psize) : (id+overflow+1)*uint64(w.psize)]
}

// walkFile checks the structure of the file behind st: the freelist, then
// every page reachable from the root, then that every page below the
// high-water mark is used or free.
func walkFile(data []byte, st *fileState, release func()) structure {
	w := &walker{data: data, psize: st.psize, hwm: st.meta.pgid, release: release}
	w.used = make(bitset, (w.hwm+63)/64)
	w.free = make(bitset, (w.hwm+63)/64)
	w.used.set(0)
	w.used.set(1)
	if st.meta.freelist != noFreelist {
		w.freelist(st.meta.freelist)
	}
	w.tree("", st.meta.root, nil, nil, 0)
	if st.meta.freelist != noFreelist && len(w.found) == 0 {
		var lost, first uint64
		for id := uint64(2); id < w.hwm; id++ {
			if !w.used.has(id) && !w.free.has(id) {
				if lost == 0 {
					first = id
				}
				lost++
			}
		}
		if lost > 0 {
			w.add("", first, "neither in use nor free, nor are %d pages after it", lost-1)
		}
	}
	return structure{found: append(append([]damage(nil), st.metaDamage...), w.found...), more: w.more}
}

// freelist reads the freelist page.
func (w *walker) freelist(id uint64) {
	h := w.page(id, 0)
	if got := ne.Uint64(h); got != id {
		w.add("", id, "the freelist page says it is page %d", got)
		return
	}
	if flags := ne.Uint16(h[8:]); flags != freelistFlag {
		w.add("", id, "the freelist page has flags %#x", flags)
		return
	}
	overflow := uint64(ne.Uint32(h[12:]))
	if id+overflow >= w.hwm {
		w.add("", id, "the freelist runs past the last page %d", w.hwm-1)
		return
	}
	for i := id; i <= id+overflow; i++ {
		w.used.set(i)
	}
	h = w.page(id, overflow)
	span := len(h)
	idx, count := 0, uint64(ne.Uint16(h[10:]))
	if count == 0xFFFF {
		idx, count = 1, ne.Uint64(h[pageHeaderSize:])
	}
	if count > uint64(span) || pageHeaderSize+(idx+int(count))*8 > span {
		w.add("", id, "the freelist counts %d pages, more than its page holds", count)
		return
	}
	for i := range int(count) {
		p := ne.Uint64(h[pageHeaderSize+(idx+i)*8:])
		switch {
		case p < 2 || p >= w.hwm:
			w.add("", id, "the freelist lists page %d, outside the file's %d pages", p, w.hwm)
		case w.free.has(p):
			w.add("", id, "the freelist lists page %d twice", p)
		case p >= id && p <= id+overflow:
			w.add("", id, "the freelist lists its own page %d", p)
		default:
			w.free.set(p)
		}
	}
}

// tree checks the page id of bucket (in [2, hwm): its parent checked) and
// the pages below it: every key in [lo, hi) (hi nil: no bound), in order.
func (w *walker) tree(bucket string, id uint64, lo, hi []byte, depth int) {
	if depth > maxTreeDepth {
		w.add(bucket, id, "the tree is deeper than %d levels", maxTreeDepth)
		return
	}
	if w.visits++; w.visits%walkRelease == 0 && w.release != nil {
		w.release() // the pages held by the walk's callers are mapped again as read
	}
	b := w.page(id, 0)
	if got := ne.Uint64(b); got != id {
		w.add(bucket, id, "it says it is page %d", got)
		return
	}
	flags, count, overflow := ne.Uint16(b[8:]), int(ne.Uint16(b[10:])), uint64(ne.Uint32(b[12:]))
	if flags != branchPageFlag && flags != leafPageFlag {
		w.add(bucket, id, "neither a branch nor a leaf page (flags %#x)", flags)
		return
	}
	if id+overflow >= w.hwm {
		w.add(bucket, id, "it runs past the last page %d", w.hwm-1)
		return
	}
	for i := id; i <= id+overflow; i++ {
		switch {
		case w.used.has(i):
			w.add(bucket, id, "page %d is referenced twice", i)
			return
		case w.free.has(i):
			w.add(bucket, id, "page %d is in use and in the freelist", i)
			return
		}
		w.used.set(i)
	}
	b = w.page(id, overflow)
	var err error
	if flags == branchPageFlag {
		err = w.branch(bucket, b, count, lo, hi, depth)
	} else {
		err = w.leaf(bucket, b, count, lo, hi, depth)
	}
	if err != nil {
		w.add(bucket, id, "%v", err)
	}
}

// element returns element i's key (and value, on a leaf; child page, on a
// branch) from page b, or an error when they lie outside it.
func element(b []byte, i int, leaf bool) (flags uint32, key, value []byte, child uint64, err error) {
	off := pageHeaderSize + i*elementSize
	e := b[off : off+elementSize]
	var pos, ksize, vsize uint64
	if leaf {
		flags, pos, ksize, vsize = ne.Uint32(e), uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
	} else {
		pos, ksize, child = uint64(ne.Uint32(e)), uint64(ne.Uint32(e[4:])), ne.Uint64(e[8:])
	}
	start := uint64(off) + pos
	if start+ksize+vsize > uint64(len(b)) {
		return 0, nil, nil, 0, fmt.Errorf("element %d lies past the end of the page", i)
	}
	return flags, b[start : start+ksize], b[start+ksize : start+ksize+vsize], child, nil
}

// keyInOrder checks element i's key against the key before it on its page
// and the bounds its parents give it.
func keyInOrder(i int, key, prev, lo, hi []byte) error {
	switch {
	case i > 0 && bytes.Compare(prev, key) >= 0:
		return fmt.Errorf("key %d is not after the key before it", i)
	case i == 0 && lo != nil && bytes.Compare(key, lo) < 0:
		return fmt.Errorf("its first key is before its parent's")
	case hi != nil && bytes.Compare(key, hi) >= 0:
		return fmt.Errorf("key %d is not before its parent's next key", i)
	}
	return nil
}

func (w *walker) branch(bucket string, b []byte, count int, lo, hi []byte, depth int) error {
	if count == 0 || pageHeaderSize+count*elementSize > len(b) {
		return fmt.Errorf("a branch page of %d elements", count)
	}
	keys := make([][]byte, count)
	kids := make([]uint64, count)
	for i := range count {
		_, k, _, child, err := element(b, i, false)
		if err == nil {
			err = keyInOrder(i, k, keys[max(i-1, 0)], lo, hi)
		}
		if err == nil && (child < 2 || child >= w.hwm) {
			err = fmt.Errorf("element %d points to page %d, outside the file's data pages 2-%d", i, child, w.hwm-1)
		}
		if err != nil {
			return err
		}
		keys[i], kids[i] = k, child
	}
	for i, child := range kids {
		next := hi
		if i+1 < count {
			next = keys[i+1]
		}
		w.tree(bucket, child, keys[i], next, depth+1)
	}
	return nil
}

func (w *walker) leaf(bucket string, b []byte, count int, lo, hi []byte, depth int) error {
	if pageHeaderSize+count*elementSize > len(b) {
		return fmt.Errorf("a leaf page of %d elements", count)
	}
	var prev []byte
	for i := range count {
		flags, k, v, _, err := element(b, i, true)
		if err == nil {
			err = keyInOrder(i, k, prev, lo, hi)
		}
		if err == nil && flags&^bucketLeafFlag != 0 {
			err = fmt.Errorf("element %d has flags %#x", i, flags)
		}
		if err != nil {
			return err
		}
		prev = k
		if flags&bucketLeafFlag != 0 {
			if err := w.bucket(bucket, k, v, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

// bucket checks a bucket entry's value: a root page to walk, or an inline
// page held in the value itself.
func (w *walker) bucket(parent string, name, v []byte, depth int) error {
	path := string(name)
	if parent != "" {
		path = parent + "/" + path
	}
	if len(v) < 16 {
		return fmt.Errorf("bucket %q has a %d-byte header, want 16", name, len(v))
	}
	if root := ne.Uint64(v); root >= w.hwm || root == 1 {
		return fmt.Errorf("bucket %q has its root at page %d, outside the file's data pages 2-%d", name, root, w.hwm-1)
	} else if root != 0 {
		w.tree(path, root, nil, nil, 0)
		return nil
	}
	inline := v[16:]
	if len(inline) < pageHeaderSize {
		return fmt.Errorf("bucket %q: an inline page of %d bytes", name, len(inline))
	}
	if flags := ne.Uint16(inline[8:]); flags != leafPageFlag {
		return fmt.Errorf("bucket %q: its inline page has flags %#x", name, flags)
	}
	if err := w.leaf(path, inline, int(ne.Uint16(inline[10:])), nil, nil, depth+1); err != nil {
		return fmt.Errorf("bucket %q: its inline page: %w", name, err)
	}
	return nil
}

// structure is what a check of one file's structure found.
type structure struct {
	found []damage
	more  int // problems left out of found
}

// beyondMeta is the structure without the damage of a meta page.
func (s structure) beyondMeta() structure {
	out := structure{more: s.more}
	for _, d := range s.found {
		if !strings.HasPrefix(d.at, "meta page") {
			out.found = append(out.found, d)
		}
	}
	return out
}

// problems lists what was found as check does.
func (s structure) problems() []Problem {
	out := make([]Problem, 0, len(s.found)+1)
	for _, d := range s.found {
		out = append(out, d.problem())
	}
	if s.more > 0 {
		out = append(out, Problem{Detail: fmt.Sprintf("and %d more structural problems; stopped listing", s.more)})
	}
	return out
}

// err is the first problem found as a CorruptError; nil when none was.
func (s structure) err(path string) error {
	if len(s.found) == 0 {
		return nil
	}
	d := s.found[0]
	at := d.at
	if d.bucket != "" {
		at += " (bucket " + d.bucket + ")"
	}
	return &CorruptError{Path: path, At: at, Detail: d.detail, More: len(s.found) - 1 + s.more}
}

// fileKey identifies a state of a file: the same file, size, time of last
// write and transaction have the same structure.
type fileKey struct {
	fi   os.FileInfo
	size int64
	mod  time.Time
	txid uint64
}

func (k fileKey) same(o fileKey) bool {
	return k.fi != nil && o.fi != nil && os.SameFile(k.fi, o.fi) && k.size == o.size && k.mod.Equal(o.mod) && k.txid == o.txid
}

type walked struct {
	key fileKey
	res structure
	// marked: known sound from the walk mark, not walked by this process
	// (a check asked for walks it).
	marked bool
}

// lastWalk remembers the last structure found per path, so that a process
// that opens the same file again and again (serve opens it per request)
// walks it again only once it has changed.
var lastWalk = struct {
	sync.Mutex
	by map[string]walked
}{by: map[string]walked{}}

// walks counts the walks made (see TestOwnWritesAreNotWalked).
var walks atomic.Int64

// walkMapped walks the file's first hwm pages, mapped. A file cut short
// meanwhile faults; the fault is a panic here, and the truncation is
// reported.
func walkMapped(path string, f *os.File, st *fileState) (res structure, err error) {
	walks.Add(1)
	data, unmap, err := mapFile(f, st.hwm())
	if err != nil {
		return structure{}, fmt.Errorf("read database %s: %w", path, err)
	}
	defer unmap()
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			if _, terr := readFileState(path, f); terr != nil {
				err = terr
				return
			}
			err = &CorruptError{Path: path, At: "the page tree", Detail: fmt.Sprintf("reading it failed: %v", r)}
		}
	}()
	return walkFile(data, st, func() { dropMapped(data) }), nil
}

// checkStructure reads the file at path without mapping it: its meta pages,
// its size against them, and every page of its tree. An error means the
// file cannot be read at all, is truncated (ErrTruncated), has no valid
// meta page (ErrCorrupt) or is not a bbolt file; an empty file has a zero
// state and no problems.
//
// It is for a store this process has open: no other process writes the
// file meanwhile (bbolt's lock keeps one out), and a walk during which the
// file moved on (this process's own transactions) is made again. Before
// the file is opened, checkUnopened takes the lock the walk needs.
func checkStructure(path string) (*fileState, structure, error) {
	return structureOf(path, true, 0)
}

// checkUnopened is checkStructure for a file this process has not opened
// yet (see Open), under a shared lock of the file for the walk's length,
// waiting up to timeout for a writer to close it (ErrLocked when none
// does). Unlocked, a walk read pages another process's transaction was
// writing: `llmref check` during a refresh reported "page 4221: key 1 is
// not after the key before it" of a sound file, and a reading command
// could have refused one as damaged.
func checkUnopened(path string, timeout time.Duration) (*fileState, structure, error) {
	return structureOf(path, true, timeout)
}

// walkStructure is checkStructure without the walk mark: a check asked
// for (Check) reads the file itself.
func walkStructure(path string) (*fileState, structure, error) {
	return structureOf(path, false, 0)
}

// walkUnopened is walkStructure for a file not opened yet (CheckFile),
// locked as checkUnopened locks it.
func walkUnopened(path string, timeout time.Duration) (*fileState, structure, error) {
	return structureOf(path, false, timeout)
}

// structureOf is checkStructure, trusting the walk mark beside the file
// (walkmark.go) when trustMark is set, and holding a shared lock of the
// file while it reads it when lockFor is set (how long to wait for it).
func structureOf(path string, trustMark bool, lockFor time.Duration) (*fileState, structure, error) {
	f, err := openLocked(path, lockFor)
	if err != nil {
		return nil, structure{}, err
	}
	defer f.Close() // and the lock with it
	for attempt := 0; ; attempt++ {
		st, key, err := stateKey(path, f)
		if err != nil || st.size == 0 {
			return st, structure{}, err
		}
		lastWalk.Lock()
		c, ok := lastWalk.by[path]
		lastWalk.Unlock()
		if ok && c.key.same(key) && (trustMark || !c.marked) {
			return st, c.res, nil
		}
		if trustMark && markedSound(path, key) {
			remember(path, walked{key: key, marked: true})
			return st, structure{}, nil
		}
		res, err := walkMapped(path, f, st)
		if err != nil {
			return st, structure{}, err
		}
		// A transaction committed during the walk: the one after it may be
		// writing over pages walked (bbolt frees a transaction's replaced
		// pages for the second one after it, before that one commits).
		if after, err := readFileState(path, f); err == nil && after.meta.txid > st.meta.txid && attempt < 3 {
			continue
		}
		remember(path, walked{key: key, res: res})
		if len(res.found) == 0 && res.more == 0 {
			markSound(path, key)
		}
		return st, res, nil
	}
}

// openLocked opens the file at path, holding a shared lock of it when
// lockFor is set (waiting up to that long). A file replaced while the lock
// was awaited (a compaction renames its copy over the database) is opened
// again: the lock, and the walk, are of the file at path now.
func openLocked(path string, lockFor time.Duration) (*os.File, error) {
	for tries := 0; ; tries++ {
		f, err := os.Open(path)
		if err != nil || lockFor <= 0 {
			return f, err
		}
		if err := lockShared(f, lockFor); err != nil {
			f.Close()
			return nil, err
		}
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 != nil || err2 != nil || os.SameFile(held, now) || tries == 3 {
			return f, nil
		}
		f.Close()
	}
}

// remember puts what was found of a state of the file at path in
// lastWalk.
func remember(path string, w walked) {
	lastWalk.Lock()
	defer lastWalk.Unlock()
	if len(lastWalk.by) >= 64 {
		clear(lastWalk.by) // a process that opens many files (tests)
	}
	lastWalk.by[path] = w
}

// stateKey reads the state of the open file f (see readFileState) and the
// key it is remembered by in lastWalk. An empty file has a zero state and
// no key.
func stateKey(path string, f *os.File) (*fileState, fileKey, error) {
	st, err := readFileState(path, f)
	if err != nil || st.size == 0 {
		return st, fileKey{}, err
	}
	fi, err := f.Stat()
	if err != nil {
		return nil, fileKey{}, err
	}
	return st, fileKey{fi: fi, size: st.size, mod: fi.ModTime(), txid: st.meta.txid}, nil
}

// currentKey is the key of the file at path as it is now.
func currentKey(path string) (fileKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileKey{}, err
	}
	defer f.Close()
	_, key, err := stateKey(path, f)
	return key, err
}

// A store's own write transactions do not make the file's structure walk
// again. The walk is what keeps bbolt off a file damaged from outside (by
// a disk, a copy, another program); bbolt's own transactions, from a
// state walked and found sound, make a sound state. So when the file is,
// just before a transaction of this process, in the state last walked
// and found sound, the state the transaction leaves is remembered as
// walked and sound too, and the run's commit (checkBeforeCommit) does not
// walk the whole file again — a walk whose cost, and whose mapping of the
// file, grew with the database, at every commit, after every batch of
// bodies the run had written. A file changed by anything else between two
// transactions no longer has the key remembered: the next check walks it.

// soundNow reports whether the file is, now, in the state last walked and
// found sound.
func (s *Store) soundNow() bool {
	key, err := currentKey(s.path)
	if err != nil || key.fi == nil {
		return false
	}
	lastWalk.Lock()
	defer lastWalk.Unlock()
	c, found := lastWalk.by[s.path]
	return found && c.key.same(key) && len(c.res.found) == 0 && c.res.more == 0
}

// trustOwnWrite remembers the state a transaction of this process left
// the file in as walked and sound: the state before it was (see soundNow).
func (s *Store) trustOwnWrite() {
	key, err := currentKey(s.path)
	if err != nil || key.fi == nil {
		return
	}
	lastWalk.Lock()
	c := lastWalk.by[s.path]
	lastWalk.Unlock()
	remember(s.path, walked{key: key, marked: c.marked})
}

// markIfSound leaves the walk mark (walkmark.go) naming the file's state
// when it is the one last walked or written from a sound state: the next
// process to open it does not walk it again.
func (s *Store) markIfSound() {
	key, err := currentKey(s.path)
	if err != nil || key.fi == nil {
		return
	}
	lastWalk.Lock()
	c, found := lastWalk.by[s.path]
	lastWalk.Unlock()
	if found && c.key.same(key) && len(c.res.found) == 0 && c.res.more == 0 {
		markSound(s.path, key)
	}
}

// fullCheckEvery is how often a run's commit first reads every record (see
// checkBeforeCommit).
const fullCheckEvery = 7 * 24 * time.Hour

// keyFullCheck holds, in the meta bucket, the start time (Unix seconds) of
// the last run whose full check passed.
var keyFullCheck = []byte("full_check")

// checkBeforeCommit refuses to commit a run into a damaged file. The file's
// structure — what makes bbolt fault, panic or write over pages in use,
// and a damage grow — is checked at every commit (Open walked it; the walk
// is remembered until the file changes). Every record (Check: bodies
// decompressed and hashed, every JSON value decoded) costs several times a
// nothing-changed refresh, so it is read when the last full check that
// passed is a week older than the run, or was never made — except in a
// file this store created, whose every record this process wrote (a first
// run would otherwise decompress and hash every body it just stored): its
// first commit records the check as made. It reports whether it made one,
// for the commit to record.
func (s *Store) checkBeforeCommit(at time.Time) (bool, error) {
	_, res, err := checkStructure(s.path)
	if err != nil {
		return false, err
	}
	if err := res.err(s.path); err != nil {
		return false, err
	}
	var last time.Time
	if err := s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bMeta); b != nil {
			if v := b.Get(keyFullCheck); len(v) == 8 {
				last = time.Unix(int64(binary.BigEndian.Uint64(v)), 0)
			}
		}
		return nil
	}); err != nil {
		return false, err
	}
	if !last.IsZero() && at.Sub(last) < fullCheckEvery {
		return false, nil
	}
	if last.IsZero() && s.created {
		return true, nil
	}
	problems, err := s.Check()
	if err != nil {
		return false, err
	}
	if len(problems) > 0 {
		SortProblems(problems)
		p := problems[0]
		where := "the file"
		if p.Bucket != "" {
			where = p.Bucket
			if p.Key != "" {
				where += "/" + p.Key
			}
		}
		return false, &CorruptError{Path: s.path, At: where, Detail: p.Detail, More: len(problems) - 1}
	}
	return true, nil
}

// putFullCheck records that the full check before the run started at at
// passed.
func putFullCheck(tx *bolt.Tx, at time.Time) error {
	return tx.Bucket(bMeta).Put(keyFullCheck, u64(uint64(max(at.Unix(), 0))))
}
