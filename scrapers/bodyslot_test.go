package scrapers

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
)

// TestBodySlot: a body fetchOne asks for reaches it through its slot, read
// whole into one slice of its Content-Length (colly's own read sees an
// empty body); a gzipped body is decoded the same way; a body past the
// limit, or cut short of its Content-Length, fails as it did through
// colly; no slot is left open.
func TestBodySlot(t *testing.T) {
	page := strings.Repeat("<p>model card</p>\n", 4000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/robots.txt":
			http.NotFound(w, r)
		case "/page":
			if r.Header.Get(fetchHeader) != "" || r.Header.Get(sourceHeader) != "" {
				t.Errorf("an internal header reached the server: %v", r.Header)
			}
			w.Header().Set("Content-Length", fmt.Sprint(len(page)))
			w.Write([]byte(page))
		case "/gzip":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(gzipped(t, []byte(page)))
		case "/big":
			w.Write([]byte(strings.Repeat("x", 1<<17)))
		case "/short": // claims 60,000 bytes (under the limit), sends 10
			w.Header().Set("Content-Length", "60000")
			w.Write([]byte("0123456789"))
		}
	}))
	defer srv.Close()
	o := testOptions()
	o.MaxBodyBytes = 1 << 20
	got := fetchAll(t, o, Request{URL: srv.URL + "/page"}, Request{URL: srv.URL + "/gzip"})
	for _, p := range []string{"/page", "/gzip"} {
		if f := got[srv.URL+p]; f.Err != nil || string(f.Body) != page {
			t.Errorf("%s: err %v, %d bytes; want the page's %d", p, f.Err, len(f.Body), len(page))
		}
	}
	if f := got[srv.URL+"/page"]; cap(f.Body) != len(page)+1 {
		t.Errorf("the body is in a slice of %d bytes for its %d: not read through its slot", cap(f.Body), len(page))
	}

	o.MaxBodyBytes = 1 << 16
	o.MaxRetries = 0
	got = fetchAll(t, o, Request{URL: srv.URL + "/big"}, Request{URL: srv.URL + "/short"})
	if f := got[srv.URL+"/big"]; !errors.Is(f.Err, ErrBodyTooLarge) || f.Body != nil {
		t.Errorf("a body past the limit: err %v, %d bytes", f.Err, len(f.Body))
	}
	if f := got[srv.URL+"/short"]; f.Err == nil || f.Body != nil {
		t.Errorf("a body cut short of its Content-Length: err %v, %d bytes", f.Err, len(f.Body))
	}
}

// TestBodySlotsClose: a closed slot is forgotten; a body put after it goes
// nowhere.
func TestBodySlotsClose(t *testing.T) {
	var s bodySlots
	id, slot := s.open()
	if s.get(id) != slot {
		t.Fatal("an open slot is not found by its id")
	}
	s.close(id)
	if s.get(id) != nil || len(s.m) != 0 {
		t.Fatalf("a closed slot is still there: %v", s.m)
	}
	if (*bodySlots)(nil).get(id) != nil || s.get("") != nil {
		t.Fatal("no slots, or no id, found a slot")
	}
}

// TestBodySlotRecycled: a fetcher whose crawl recycles bodies reads a page
// into a recycled buffer, and a small body (a 304's empty one above all,
// which is never given back) into a slice of its own length.
func TestBodySlotRecycled(t *testing.T) {
	page := strings.Repeat("<p>model card</p>\n", 4000)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body, ok := map[string]string{"/page": page, "/small": "<p>small</p>"}[r.URL.Path]; ok {
			w.Write([]byte(body))
			return
		}
		http.NotFound(w, r) // robots.txt
	}))
	defer srv.Close()
	o := testOptions()
	o.MaxBodyBytes, o.RecycleBodies = 1<<20, true
	got := fetchAll(t, o, Request{URL: srv.URL + "/page"}, Request{URL: srv.URL + "/small"})
	if f := got[srv.URL+"/page"]; f.Err != nil || string(f.Body) != page || cap(f.Body) != recycledCap {
		t.Errorf("a page: err %v, %d bytes in a slice of %d; want a recycled buffer (%d)", f.Err, len(f.Body), cap(f.Body), recycledCap)
	}
	if f := got[srv.URL+"/small"]; f.Err != nil || string(f.Body) != "<p>small</p>" || cap(f.Body) != len(f.Body)+1 {
		t.Errorf("a small body: err %v, %d bytes in a slice of %d; want one of its own", f.Err, len(f.Body), cap(f.Body))
	}
}

// TestReadBodyGrowth: a body longer than slotClaim is read into two slices
// when its Content-Length is known (the first claim, then the rest it
// said), and into slices of doubling room up to the limit when not; the
// bytes are the body's either way.
func TestReadBodyGrowth(t *testing.T) {
	body := bytes.Repeat([]byte("0123456789abcdef"), (3<<20)/16+7) // ~3 MB
	n := int64(len(body))
	for _, tt := range []struct {
		name        string
		size, limit int64
		maxAllocs   float64
		maxCap      int64
	}{
		{"Content-Length known", n, 8 << 20, 2, n + 1},
		{"length hidden", -1, 8 << 20, 8, 2 * n},
		{"length hidden, near the limit", -1, n, 8, n + 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var got []byte
			allocs := testing.AllocsPerRun(3, func() {
				var err error
				// iotest.HalfReader: reads come in pieces, as from a socket.
				got, err = readBody(iotest.HalfReader(bytes.NewReader(body)), tt.size, tt.limit, false)
				if err != nil {
					t.Fatal(err)
				}
			})
			if !bytes.Equal(got, body) {
				t.Fatalf("read %d bytes, not the body's %d", len(got), n)
			}
			// The readers are two allocations; a large slice's capacity is
			// rounded up to whole pages.
			if allocs-2 > tt.maxAllocs || int64(cap(got)) > tt.maxCap+8<<10 {
				t.Errorf("%v allocations for the body, capacity %d; want at most %v and %d", allocs-2, cap(got), tt.maxAllocs, tt.maxCap)
			}
		})
	}
}
