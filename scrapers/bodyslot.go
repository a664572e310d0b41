package scrapers

import (
	"io"
	"strconv"
	"sync"
)

// colly reads every body with io.ReadAll: slices of growing size, then a
// copy into one of the body's size, about twice the body allocated and
// zeroed a page. On a virtual machine where a first touch of memory costs
// microseconds that was an eighth of a first refresh's CPU at 2,000 pages
// (bench/README.md, ninth session). So a body fetchOne asks for is read
// here, whole, into one slice of its Content-Length (up to a megabyte: a
// server may claim more than it sends; grown as it comes beyond that, or
// when a coding hides the length), and colly is handed an empty body: its
// io.ReadAll reads nothing. The body reaches fetchOne through a slot the
// request names. Errors are colly's as before: the whole read happens in
// colly's first Read of the body, which returns what it failed with.

// fetchHeader carries a request's body slot from fetchOne to
// decodingTransport; deadlineTransport takes it off with sourceHeader: it
// never leaves the process.
const fetchHeader = "X-Llmref-Fetch"

// bodySlots are the slots of the requests in flight, by id.
type bodySlots struct {
	mu   sync.Mutex
	next uint64
	m    map[string]*bodySlot
	// recycled is set when the crawl gives bodies back (Options.
	// RecycleBodies): a body that fits is read into a recycled buffer.
	recycled bool
}

// bodySlot receives one attempt's body.
type bodySlot struct {
	mu   sync.Mutex
	body []byte
	set  bool
}

// open makes a slot for one attempt; close it when the attempt is done.
func (s *bodySlots) open() (string, *bodySlot) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	id := strconv.FormatUint(s.next, 36)
	if s.m == nil {
		s.m = map[string]*bodySlot{}
	}
	slot := &bodySlot{}
	s.m[id] = slot
	return id, slot
}

// close forgets the slot id: a body read after it (a request abandoned at
// its source's deadline) goes to a slot nobody reads.
func (s *bodySlots) close(id string) {
	s.mu.Lock()
	delete(s.m, id)
	s.mu.Unlock()
}

// get returns the slot id names, or nil.
func (s *bodySlots) get(id string) *bodySlot {
	if s == nil || id == "" {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[id]
}

// put sets the slot's body (a redirect's body, read to reuse its
// connection, is replaced by the final response's).
func (b *bodySlot) put(body []byte) {
	b.mu.Lock()
	b.body, b.set = body, true
	b.mu.Unlock()
}

// take returns the body put, if any.
func (b *bodySlot) take() ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.body, b.set
}

// slotBody is a response body read whole into its slot at the first Read;
// its reader then sees an empty body, or the error the read ended with.
type slotBody struct {
	io.ReadCloser
	slot *bodySlot
	size int64 // Content-Length, -1 when unknown
	// recycled: read into a recycled buffer when the body fits one.
	recycled bool
	// limit is the most the body may hold (Options.MaxBodyBytes).
	limit int64
	done  bool
	err   error
}

// slotGrowth is the first size of a body of unknown length; slotClaim the
// most room made for a Content-Length before the bytes come.
const (
	slotGrowth = 32 << 10
	slotClaim  = 1 << 20
)

func (b *slotBody) Read(p []byte) (int, error) {
	if !b.done {
		b.done = true
		body, err := readBody(b.ReadCloser, b.size, b.limit, b.recycled)
		if err != nil {
			b.err = err
		} else {
			b.slot.put(body)
			b.err = io.EOF
		}
	}
	return 0, b.err
}

// readBody reads r to its end into one slice of size bytes when size is
// known (and at most slotClaim), else into one grown as it fills (see
// grow; limit is the most the body may hold); into a recycled buffer
// instead when recycledBuf is set and the body's room fits one.
func readBody(r io.Reader, size, limit int64, recycledBuf bool) ([]byte, error) {
	n := slotGrowth
	if size >= 0 {
		n = int(min(size, slotClaim)) + 1 // room to see the end without growing
	}
	var buf []byte
	if recycledBuf && n > recycledMin && n <= recycledCap {
		buf = recycledBuffer()
	} else {
		buf = make([]byte, 0, n)
	}
	for {
		if len(buf) == cap(buf) {
			buf = grow(buf, size, limit)
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// grow makes room for more of a body read into buf: for the rest of its
// Content-Length (size) once a slotClaim of it has come (the length was
// held against the limit before the first byte), else as much again as
// there is, up to the limit and a byte (a coding hides the length).
// append's quarter more at a time read the models list of a first
// 8,000-page refresh (3.5 MB) into seven slices, 15 MB of fresh memory.
func grow(buf []byte, size, limit int64) []byte {
	want := int64(2 * cap(buf))
	switch {
	case size >= int64(len(buf)):
		want = size + 1
	case limit > 0:
		want = min(want, limit+1)
	}
	grown := make([]byte, len(buf), max(want, int64(len(buf))+1))
	copy(grown, buf)
	return grown
}

// recycledCap is the size of the body buffers a crawl reuses (see
// Options.RecycleBodies): a body that fits (most pages) is read into one
// of them; a larger one gets a buffer of its own, and so does one of at
// most recycledMin bytes (a 304's empty body, which is never given back:
// a nothing-changed night took 128 KB for each of its 304s, 0.45 s of CPU
// at 2,000 pages instead of 0.28).
const (
	recycledCap = 128 << 10
	recycledMin = 4 << 10
)

// bodyBuffers are body buffers of recycledCap bytes a crawl gave back.
var bodyBuffers sync.Pool

// recycledBuffer is an empty body buffer of recycledCap bytes: one given back,
// or a new one.
func recycledBuffer() []byte {
	if p, ok := bodyBuffers.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, recycledCap)
}

// recycle gives a body's buffer back for another body to be read into,
// if it is one of recycledBuffer's. Nothing may read the body after it.
func recycle(body []byte) {
	if cap(body) == recycledCap {
		body = body[:0]
		bodyBuffers.Put(&body)
	}
}
