package scrapers

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"testing"
	"testing/fstest"
)

// compressed is b written through the writer wrap makes.
func compressed(t testing.TB, b []byte, wrap func(io.Writer) (io.WriteCloser, error)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, err := wrap(&buf)
	if err == nil {
		_, err = zw.Write(b)
	}
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipped(t testing.TB, b []byte) []byte {
	return compressed(t, b, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil })
}

func zlibbed(t testing.TB, b []byte) []byte {
	return compressed(t, b, func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriter(w), nil })
}

func rawDeflated(t testing.TB, b []byte) []byte {
	return compressed(t, b, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, flate.DefaultCompression) })
}

// emptyMembers is n empty gzip members: bytes that decode to nothing.
func emptyMembers(t testing.TB, n int) []byte {
	one := gzipped(t, nil)
	return bytes.Repeat(one, n)
}

// encoded is one response of the decoding tests: its headers and wire bytes.
type encoded struct {
	path     string
	encoding []string // Content-Encoding lines
	ctype    string
	body     []byte
}

// TestFetchDecodesEveryEncodingBounded serves one small body and one
// oversize one (1 MiB decoded, a few KiB on the wire; the limit is 64 KiB)
// in every encoding the fetcher must undo: the small ones arrive decoded,
// the big ones fail "after decoding", whatever their encoding.
func TestFetchDecodesEveryEncodingBounded(t *testing.T) {
	small := []byte(strings.Repeat("hello, decoded world. ", 200))
	big := make([]byte, 1<<20)
	variants := []struct {
		name     string
		encoding []string
		ctype    string
		encode   func(testing.TB, []byte) []byte
	}{
		{"identity", nil, "text/plain", func(_ testing.TB, b []byte) []byte { return b }},
		{"gzip", []string{"gzip"}, "text/plain", gzipped},
		{"x-gzip", []string{"x-gzip"}, "text/plain", gzipped},
		{"GZIP upper case", []string{"GZIP"}, "text/plain", gzipped},
		{"gzip, identity", []string{"gzip, identity"}, "text/plain", gzipped},
		{"deflate (zlib)", []string{"deflate"}, "text/plain", zlibbed},
		{"deflate (raw)", []string{"deflate"}, "text/plain", rawDeflated},
		{"deflate, gzip", []string{"deflate, gzip"}, "text/plain", func(t testing.TB, b []byte) []byte { return gzipped(t, zlibbed(t, b)) }},
		{"two header lines", []string{"deflate", "x-gzip"}, "text/plain", func(t testing.TB, b []byte) []byte { return gzipped(t, zlibbed(t, b)) }},
		{"application/gzip", nil, "application/gzip", gzipped},
		{"application/x-gzip", nil, "application/x-gzip; charset=binary", gzipped},
	}
	var cases []encoded
	for _, v := range variants {
		cases = append(cases,
			encoded{"/small/" + v.name, v.encoding, v.ctype, v.encode(t, small)},
			encoded{"/big/" + v.name, v.encoding, v.ctype, v.encode(t, big)})
	}
	srv, accepted := encodingServer(t, cases)
	o := testOptions()
	o.IgnoreRobots = true
	var reqs []Request
	for _, c := range cases {
		reqs = append(reqs, Request{URL: srv.URL + c.path})
	}
	got := fetchAll(t, o, reqs...)
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			if f := got[srv.URL+"/small/"+v.name]; f.Err != nil || !bytes.Equal(f.Body, small) || f.Header.Get("Content-Encoding") != "" {
				t.Errorf("small body: err %v, %d bytes, Content-Encoding %q; want the %d decoded bytes", f.Err, len(f.Body), f.Header.Get("Content-Encoding"), len(small))
			}
			f := got[srv.URL+"/big/"+v.name]
			if !errors.Is(f.Err, ErrBodyTooLarge) || !strings.Contains(f.Err.Error(), "body exceeds 65536 bytes after decoding") || f.Body != nil || f.Attempts != 1 {
				t.Errorf("1 MiB body: err %v, %d bytes, %d attempts; want \"body exceeds 65536 bytes after decoding\" at once, no body", f.Err, len(f.Body), f.Attempts)
			}
		})
	}
	if a := accepted(); a != acceptEncoding {
		t.Errorf("Accept-Encoding %q, want %q", a, acceptEncoding)
	}
}

// encodingServer serves each case at its path, and reports the
// Accept-Encoding the last request carried.
func encodingServer(t *testing.T, cases []encoded) (*httptest.Server, func() string) {
	t.Helper()
	byPath := map[string]encoded{}
	for _, c := range cases {
		byPath[c.path] = c
	}
	accepted := make(chan string, 1)
	accepted <- ""
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-accepted
		accepted <- r.Header.Get("Accept-Encoding")
		c, ok := byPath[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		for _, e := range c.encoding {
			w.Header().Add("Content-Encoding", e)
		}
		if c.ctype != "" {
			w.Header().Set("Content-Type", c.ctype)
		}
		if r.Header.Get("If-None-Match") != "" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Write(c.body)
	}))
	t.Cleanup(srv.Close)
	return srv, func() string { a := <-accepted; accepted <- a; return a }
}

// TestFetchDecodingFaults: what a decoder meets besides a plain bomb.
func TestFetchDecodingFaults(t *testing.T) {
	cases := []struct {
		encoded
		want    string // in the error; "" for success
		body    string
		notMod  bool
		retried bool
	}{
		// Empty gzip members decode to nothing: the wire limit stops them.
		{encoded: encoded{"/members", []string{"gzip"}, "", emptyMembers(t, 8000)}, want: "body exceeds 65536 bytes on the wire"},
		// ...and, under a second gzip that shrinks them to a few KiB, the
		// bound on the step between the two decoders does.
		{encoded: encoded{"/nested", []string{"gzip, gzip"}, "", gzipped(t, emptyMembers(t, 8000))}, want: "body exceeds 65536 bytes after decoding"},
		{encoded: encoded{"/br", []string{"br"}, "", []byte("compressed")}, want: `unsupported Content-Encoding "br"`},
		{encoded: encoded{"/corrupt", []string{"gzip"}, "", []byte("this is not gzip")}, want: "decode gzip body: gzip: invalid header"},
		{encoded: encoded{"/cut", []string{"gzip"}, "", gzipped(t, bytes.Repeat([]byte("abc"), 1000))[:40]}, want: "decode gzip body: unexpected EOF", retried: true},
		{encoded: encoded{"/empty", []string{"gzip"}, "text/plain", nil}, body: ""},
		{encoded: encoded{"/deflate-empty", []string{"deflate"}, "text/plain", nil}, body: ""},
		// colly gunzipped any path ending in .xml.gz; a plain one is plain.
		{encoded: encoded{"/sitemap.xml.gz", nil, "text/xml", []byte("<urlset/>")}, body: "<urlset/>"},
		{encoded: encoded{"/unchanged", []string{"gzip"}, "", nil}, notMod: true},
	}
	es := make([]encoded, len(cases))
	for i, c := range cases {
		es[i] = c.encoded
	}
	srv, _ := encodingServer(t, es)
	var reqs []Request
	for _, c := range cases {
		reqs = append(reqs, Request{URL: srv.URL + c.path})
	}
	o := testOptions()
	o.IgnoreRobots = true
	o.Validators = func(u string) (string, string) {
		if strings.HasSuffix(u, "/unchanged") {
			return `"v1"`, ""
		}
		return "", ""
	}
	got := fetchAll(t, o, reqs...)
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			f := got[srv.URL+c.path]
			switch {
			case c.notMod:
				if !f.NotModified || f.Err != nil {
					t.Errorf("304: %+v", f)
				}
			case c.want == "":
				if f.Err != nil || string(f.Body) != c.body || f.Status != 200 {
					t.Errorf("status %d, err %v, body %q; want 200 and %q", f.Status, f.Err, f.Body, c.body)
				}
			default:
				if f.Err == nil || !strings.Contains(f.Err.Error(), c.want) || f.Body != nil {
					t.Errorf("err %v, %d bytes; want an error saying %q and no body", f.Err, len(f.Body), c.want)
				}
				if retried := f.Attempts > 1; retried != c.retried {
					t.Errorf("%d attempts; retried should be %v", f.Attempts, c.retried)
				}
			}
		})
	}
}

// TestReplayDecodes: a fixture day may store a body compressed, with its
// Content-Encoding, or plain; both replay decoded, and bounded.
func TestReplayDecodes(t *testing.T) {
	plain := []byte(`{"data":[]}`)
	fsys := fstest.MapFS{
		ManifestFile: {Data: []byte(`{"day":"2026-04-23","recorded_at":"2026-04-23T02:00:00Z","responses":[
{"url":"https://example.test/plain.json","status":200,"headers":{"Content-Type":"application/json"},"body":"plain.json"},
{"url":"https://example.test/gz.json","status":200,"headers":{"Content-Type":"application/json","Content-Encoding":"gzip"},"body":"gz.json.gz"},
{"url":"https://example.test/bomb.json","status":200,"headers":{"Content-Type":"application/json","Content-Encoding":"x-gzip"},"body":"bomb.json.gz"}]}`)},
		"plain.json":   {Data: plain},
		"gz.json.gz":   {Data: gzipped(t, plain)},
		"bomb.json.gz": {Data: gzipped(t, make([]byte, 1<<20))},
	}
	rt, err := NewReplay(fsys)
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions()
	o.Transport = rt
	got := fetchAll(t, o, Request{URL: "https://example.test/plain.json"}, Request{URL: "https://example.test/gz.json"}, Request{URL: "https://example.test/bomb.json"})
	for _, u := range []string{"https://example.test/plain.json", "https://example.test/gz.json"} {
		t.Run(path.Base(u), func(t *testing.T) {
			if f := got[u]; f.Err != nil || !bytes.Equal(f.Body, plain) {
				t.Errorf("%s: err %v, body %q; want %q", u, f.Err, f.Body, plain)
			}
		})
	}
	if f := got["https://example.test/bomb.json"]; !errors.Is(f.Err, ErrBodyTooLarge) {
		t.Errorf("replayed bomb: err %v, %d bytes; want ErrBodyTooLarge", f.Err, len(f.Body))
	}
}
