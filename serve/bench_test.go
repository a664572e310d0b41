package serve

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// benchGet measures one route answered in-process (no network), the
// handler's own cost: resolving the generation, opening the file through
// os.Root, headers, and the body or 304.
func benchGet(b *testing.B, path string, hdr ...string) {
	f := newFixture(&testing.T{}, testToken)
	defer f.srv.Close()
	s := f.srv.Config.Handler
	req := httptest.NewRequest(http.MethodGet, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != 200 && rec.Code != 304 {
			b.Fatalf("%s: %d", path, rec.Code)
		}
	}
}

func BenchmarkIndex(b *testing.B) { benchGet(b, "/v1/index.json") }

func BenchmarkIndex304(b *testing.B) {
	f := newFixture(&testing.T{}, testToken)
	resp, _ := f.get(&testing.T{}, "/v1/index.json")
	f.srv.Close()
	benchGet(b, "/v1/index.json", "If-None-Match", resp.Header.Get("ETag"))
}

func BenchmarkIndexGzip(b *testing.B) { benchGet(b, "/v1/index.json", "Accept-Encoding", "gzip") }

// BenchmarkHealthz includes opening and closing the database read-only
// for every request (the daemon keeps no handle while idle).
func BenchmarkHealthz(b *testing.B) { benchGet(b, "/healthz") }

func BenchmarkMetrics(b *testing.B) { benchGet(b, "/metrics") }
