package objstore

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseURL: a location that parses names a valid bucket and a clean
// prefix, prints back to itself, and keys stay under the prefix.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"s3://llmref", "s3://llmref/a/b/", "s3://a.b-c/x y/z", "s3://Bad", "s3://b//x", "s3://bucket/..", "/tmp/x", "s3://bucket/a\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tg, err := ParseURL(s)
		if err != nil {
			return
		}
		if checkBucket(tg.Bucket) != nil || !utf8.ValidString(tg.Prefix) || strings.HasPrefix(tg.Prefix, "/") || strings.HasSuffix(tg.Prefix, "/") || strings.Contains(tg.Prefix, "//") {
			t.Fatalf("ParseURL(%q) = %+v", s, tg)
		}
		again, err := ParseURL(tg.String())
		if err != nil || again != tg {
			t.Fatalf("%q → %q → %+v, %v", s, tg.String(), again, err)
		}
		if k := tg.Key("current.json"); !strings.HasSuffix(k, "current.json") || strings.HasPrefix(k, "/") {
			t.Fatalf("Key under %+v = %q", tg, k)
		}
	})
}

// FuzzParseEndpoint: an endpoint that parses has a host and no path.
func FuzzParseEndpoint(f *testing.F) {
	for _, s := range []string{"http://minio:9000", "https://x.r2.cloudflarestorage.com", "http://[::1]:9000/", "minio:9000", "http://h/p", "http://user@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, _, err := ParseEndpoint(s)
		if err != nil {
			return
		}
		if host == "" || strings.Contains(host, "/") {
			t.Fatalf("ParseEndpoint(%q) = host %q", s, host)
		}
		if _, err := Open(Target{Bucket: "llmref"}, Options{Endpoint: s}); err != nil {
			t.Fatalf("ParseEndpoint accepts %q, Open does not: %v", s, err)
		}
	})
}
