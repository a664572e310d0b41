package objstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/llmref/llmref/objstore/s3test"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct {
		in, bucket, prefix, err string
	}{
		{in: "s3://llmref", bucket: "llmref"},
		{in: "s3://llmref/", bucket: "llmref"},
		{in: "s3://llmref/catalogue/v1/", bucket: "llmref", prefix: "catalogue/v1"},
		{in: "s3://my.bucket-1/x", bucket: "my.bucket-1", prefix: "x"},
		{in: "/var/lib/llmref/export", err: "not an s3://"},
		{in: "s3://", err: "no bucket"},
		{in: "s3:///prefix", err: "no bucket"},
		{in: "s3://Upper/x", err: "lower-case"},
		{in: "s3://ab", err: "3 to 63"},
		{in: "s3://-abc", err: "start and end"},
		{in: "s3://a..b", err: "two dots"},
		{in: "s3://192.168.1.1", err: "IP address"},
		{in: "s3://bucket/a//b", err: "empty segment"},
		{in: "s3://bucket//a", err: "empty segment"},
		{in: "s3://bucket/a/../b", err: `".." segment`},
		{in: "s3://bucket/a\nb", err: "control characters"},
		{in: "s3://bucket/a\xffb", err: "invalid UTF-8"},
		{in: "s3://bucket/" + strings.Repeat("a", 800), err: "longer than"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseURL(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseURL(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
				}
				return
			}
			if err != nil || got.Bucket != tc.bucket || got.Prefix != tc.prefix {
				t.Fatalf("ParseURL(%q) = %+v, %v; want %s %q", tc.in, got, err, tc.bucket, tc.prefix)
			}
			if again, _ := ParseURL(got.String()); again != got {
				t.Errorf("String() %q does not read back", got.String())
			}
		})
	}
}

func TestResolve(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		name    string
		o       Options
		env     map[string]string
		want    Options
		wantErr string
	}{
		{name: "defaults", want: Options{Region: DefaultRegion}},
		{name: "config only", o: Options{Endpoint: "http://minio:9000", Region: "eu-west-1"}, want: Options{Endpoint: "http://minio:9000", Region: "eu-west-1"}},
		{name: "service endpoint wins", o: Options{Endpoint: "http://cfg:9000"},
			env:  map[string]string{EnvEndpointS3: "http://s3only:9000", EnvEndpoint: "http://all:9000", EnvRegion: "auto"},
			want: Options{Endpoint: "http://s3only:9000", Region: "auto"}},
		{name: "global endpoint", env: map[string]string{EnvEndpoint: "https://x.r2.cloudflarestorage.com", EnvRegionOld: "eu-central-1"},
			want: Options{Endpoint: "https://x.r2.cloudflarestorage.com", Region: "eu-central-1"}},
		{name: "credentials", env: map[string]string{EnvAccessKey: "id", EnvSecretKey: "secret", EnvSessionToken: "tok"},
			want: Options{Region: DefaultRegion, AccessKeyID: "id", SecretAccessKey: "secret", SessionToken: "tok"}},
		{name: "key without secret", env: map[string]string{EnvAccessKey: "id"}, wantErr: "AWS_SECRET_ACCESS_KEY"},
		{name: "endpoint with a path", env: map[string]string{EnvEndpointS3: "http://minio:9000/bucket"}, wantErr: "host[:port] only"},
		{name: "endpoint without scheme", o: Options{Endpoint: "minio:9000"}, wantErr: "http:// or https://"},
		// Hosts the S3 client refuses are refused when the options are
		// read, not at the first publish.
		{name: "a host ending in an underscore", o: Options{Endpoint: "http://minio_:9000"}, wantErr: "neither an IP address nor a host name"},
		{name: "a bucket in an AWS host", o: Options{Endpoint: "https://mybucket.s3.amazonaws.com"}, wantErr: "an Amazon S3 endpoint is s3.amazonaws.com"},
		{name: "a compose v1 container name", o: Options{Endpoint: "http://llmref_minio_1:9000"}, want: Options{Endpoint: "http://llmref_minio_1:9000", Region: DefaultRegion}},
		{name: "negative retries", o: Options{Retries: -1}, wantErr: "negative"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.o.Resolve(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Resolve: %v; want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("Resolve = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}

func TestPathStyle(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1:9000": true, "[::1]:9000": true, "localhost:9000": true, "minio:9000": true, "minio": true,
		"s3.amazonaws.com": false, "acct.r2.cloudflarestorage.com": false, "s3.example.com:443": false,
	} {
		t.Run(host, func(t *testing.T) {
			if got := (Options{}).pathStyle(host); got != want {
				t.Errorf("pathStyle(%q) = %v, want %v", host, got, want)
			}
		})
	}
	if !(Options{PathStyle: true}).pathStyle("s3.example.com") {
		t.Error("path_style: true is not honoured")
	}
}

// open returns the bucket of a fresh loopback server, under prefix.
func open(t *testing.T, prefix string) (*Bucket, *s3test.Server) {
	t.Helper()
	srv := s3test.Start(t, "llmref")
	o, err := Options{Retries: 3}.Resolve(srv.Getenv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Open(Target{Bucket: "llmref", Prefix: prefix}, o)
	if err != nil {
		t.Fatal(err)
	}
	return b, srv
}

func TestBucketRoundTrip(t *testing.T) {
	ctx := context.Background()
	b, srv := open(t, "site/v1")
	if b.String() != "s3://llmref/site/v1" {
		t.Errorf("String() = %q", b.String())
	}
	body := []byte(`{"a": 1}` + "\n")
	if err := b.Put(ctx, "objects/ab/abc.json", bytes.NewReader(body), int64(len(body)), "application/json", "public, max-age=31536000, immutable"); err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "current.json", strings.NewReader("{}"), 2, "application/json", "no-cache"); err != nil {
		t.Fatal(err)
	}
	puts := srv.Puts()
	if len(puts) != 2 || puts[0].Key != "site/v1/objects/ab/abc.json" || puts[0].ContentType != "application/json" ||
		puts[0].CacheControl != "public, max-age=31536000, immutable" || puts[1].CacheControl != "no-cache" {
		t.Errorf("puts on the wire: %+v", puts)
	}
	rc, err := b.Get(ctx, "objects/ab/abc.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("Get = %q, %v", got, err)
	}
	if _, err := b.Get(ctx, "objects/none.json"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get of a missing object: %v, want fs.ErrNotExist", err)
	}
	top, err := b.List(ctx, "")
	if err != nil || !slices.Equal(top, []string{"current.json", "objects/"}) {
		t.Errorf("List(\"\") = %q, %v", top, err)
	}
	sub, err := b.List(ctx, "objects/ab")
	if err != nil || !slices.Equal(sub, []string{"objects/ab/abc.json"}) {
		t.Errorf("List(objects/ab) = %q, %v", sub, err)
	}
	if err := b.Delete(ctx, []string{"objects/ab/abc.json", "objects/never-there.json"}); err != nil {
		t.Fatal(err)
	}
	if keys := srv.Keys(t, ""); !slices.Equal(keys, []string{"site/v1/current.json"}) {
		t.Errorf("after delete the bucket holds %q", keys)
	}
}

func TestBucketRetries(t *testing.T) {
	ctx := context.Background()
	b, srv := open(t, "")
	var failures atomic.Int32
	srv.Fail(func(r *http.Request) int {
		if r.Method == http.MethodPut && failures.Add(1) <= 2 {
			return http.StatusServiceUnavailable
		}
		return 0
	})
	if err := b.Put(ctx, "x.json", strings.NewReader("{}"), 2, "application/json", ""); err != nil {
		t.Fatalf("two 503s then success: %v", err)
	}
	if data, ok := srv.Object(t, "x.json"); !ok || string(data) != "{}" {
		t.Errorf("stored %q, %v", data, ok)
	}
	srv.Fail(func(r *http.Request) int { return http.StatusForbidden })
	err := b.Put(ctx, "y.json", strings.NewReader("{}"), 2, "application/json", "")
	if err == nil || !strings.Contains(err.Error(), "s3://llmref: put y.json") {
		t.Errorf("a 403 is not retried into success: %v", err)
	}
	srv.Fail(func(r *http.Request) int { return http.StatusServiceUnavailable })
	if err := b.Put(ctx, "z.json", strings.NewReader("{}"), 2, "application/json", ""); err == nil {
		t.Error("a store that always answers 503 gave no error")
	}
}
