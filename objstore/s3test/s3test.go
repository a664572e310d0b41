// Package s3test runs a real S3 protocol server (gofakes3, in memory) on
// loopback for tests, and counts what reaches it. Only tests import it.
package s3test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3afero"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/spf13/afero"
)

// Server is an S3 server on loopback with one bucket.
type Server struct {
	// URL is the endpoint (http://127.0.0.1:PORT).
	URL string
	// Bucket is the bucket created at start.
	Bucket string

	backend gofakes3.Backend
	srv     *httptest.Server

	mu      sync.Mutex
	puts    []Put
	counts  map[string]int
	failing func(r *http.Request) int
	onPut   func(n int)
	nput    atomic.Int64
}

// Put is one PUT of an object that the server stored.
type Put struct {
	Key          string
	ContentType  string
	CacheControl string
}

// Start starts a server with the bucket held in memory; it stops when
// the test ends.
func Start(t testing.TB, bucket string) *Server {
	t.Helper()
	b := s3mem.New()
	if err := b.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	return start(t, bucket, b)
}

// StartOnDisk starts a server with the bucket's objects kept as files
// under dir (for trees too large to hold in memory).
func StartOnDisk(t testing.TB, bucket, dir string) *Server {
	t.Helper()
	b, err := s3afero.SingleBucket(bucket, afero.NewBasePathFs(afero.NewOsFs(), dir), nil)
	if err != nil {
		t.Fatal(err)
	}
	return start(t, bucket, b)
}

func start(t testing.TB, bucket string, backend gofakes3.Backend) *Server {
	s := &Server{Bucket: bucket, backend: backend, counts: map[string]int{}}
	fake := gofakes3.New(s.backend, gofakes3.WithTimeSkewLimit(0))
	h := fake.Server()
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		fail := s.failing
		s.mu.Unlock()
		if fail != nil {
			if code := fail(r); code != 0 {
				io.Copy(io.Discard, r.Body)
				w.WriteHeader(code)
				return
			}
		}
		rec := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		s.mu.Lock()
		s.counts[r.Method]++
		isPut := r.Method == http.MethodPut && rec.status < 300 && !strings.Contains(r.URL.RawQuery, "uploadId")
		if isPut {
			s.puts = append(s.puts, Put{Key: strings.TrimPrefix(r.URL.Path, "/"+bucket+"/"),
				ContentType: r.Header.Get("Content-Type"), CacheControl: r.Header.Get("Cache-Control")})
		}
		onPut := s.onPut
		s.mu.Unlock()
		if isPut && onPut != nil {
			onPut(int(s.nput.Add(1)))
		}
	}))
	s.URL = s.srv.URL
	t.Cleanup(s.srv.Close)
	return s
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Env is the environment that points a client at the server.
func (s *Server) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_S3":   s.URL,
		"AWS_ACCESS_KEY_ID":     "test-key",
		"AWS_SECRET_ACCESS_KEY": "test-secret",
		"AWS_REGION":            "us-east-1",
	}
}

// Getenv reads Env, for code that takes a getenv function.
func (s *Server) Getenv(k string) string { return s.Env()[k] }

// Puts returns the objects stored since the last Reset.
func (s *Server) Puts() []Put {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Put(nil), s.puts...)
}

// Requests returns how many requests of the method were answered since
// the last Reset.
func (s *Server) Requests(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[method]
}

// Reset forgets the puts and counts so far.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.puts, s.counts = nil, map[string]int{}
}

// Fail makes the server answer a request with the status f returns for it
// (0 serves it); nil serves every request.
func (s *Server) Fail(f func(r *http.Request) int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failing = f
}

// OnPut calls f after each object stored, with how many were stored since
// the server started.
func (s *Server) OnPut(f func(n int)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onPut = f
}

// Keys lists every object key in the bucket under prefix.
func (s *Server) Keys(t testing.TB, prefix string) []string {
	t.Helper()
	var keys []string
	page := gofakes3.ListBucketPage{}
	for {
		res, err := s.backend.ListBucket(s.Bucket, &gofakes3.Prefix{HasPrefix: true, Prefix: prefix}, page)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range res.Contents {
			keys = append(keys, c.Key)
		}
		if !res.IsTruncated {
			return keys
		}
		page = gofakes3.ListBucketPage{HasMarker: true, Marker: res.NextMarker}
	}
}

// Object returns the bytes stored at key.
func (s *Server) Object(t testing.TB, key string) ([]byte, bool) {
	t.Helper()
	obj, err := s.backend.GetObject(s.Bucket, key, nil)
	if err != nil {
		return nil, false
	}
	defer obj.Contents.Close()
	var b bytes.Buffer
	if _, err := io.Copy(&b, obj.Contents); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), true
}

// PutObject stores data at key directly (as another writer would).
func (s *Server) PutObject(t testing.TB, key string, data []byte) {
	t.Helper()
	if _, err := s.backend.PutObject(s.Bucket, key, map[string]string{}, bytes.NewReader(data), int64(len(data)), nil); err != nil {
		t.Fatal(err)
	}
}

// DeleteObject removes key directly.
func (s *Server) DeleteObject(t testing.TB, key string) {
	t.Helper()
	if _, err := s.backend.DeleteObject(s.Bucket, key); err != nil {
		t.Fatal(err)
	}
}
