package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Bucket is the objects under one target's prefix. Keys given to its
// methods are relative to the prefix. It is safe for concurrent use.
type Bucket struct {
	target Target
	client *minio.Client
}

// Open returns the bucket of t reached with o (see Options.Resolve; o is
// used as given). It does not contact the service.
func Open(t Target, o Options) (*Bucket, error) {
	endpoint, secure := "s3.amazonaws.com", true
	if o.Endpoint != "" {
		var err error
		if endpoint, secure, err = ParseEndpoint(o.Endpoint); err != nil {
			return nil, err
		}
	}
	lookup := minio.BucketLookupDNS
	if o.pathStyle(endpoint) {
		lookup = minio.BucketLookupPath
	}
	var creds *credentials.Credentials
	if o.AccessKeyID != "" {
		creds = credentials.NewStaticV4(o.AccessKeyID, o.SecretAccessKey, o.SessionToken)
	} else {
		creds = credentials.New(&credentials.Static{Value: credentials.Value{SignerType: credentials.SignatureAnonymous}})
	}
	retries := o.Retries
	if retries == 0 {
		retries = 10
	}
	c, err := minio.New(endpoint, &minio.Options{
		Creds: creds, Secure: secure, Region: o.Region, BucketLookup: lookup,
		Transport: transport(secure), MaxRetries: retries,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", t, err)
	}
	return &Bucket{target: t, client: c}, nil
}

// transport bounds each connection and answer: a store that stops
// answering fails the request (which is then retried) instead of hanging.
func transport(secure bool) http.RoundTripper {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   256,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		ExpectContinueTimeout: 1 * time.Second,
		ForceAttemptHTTP2:     secure,
	}
	return t
}

// String is the bucket's location, s3://BUCKET/PREFIX.
func (b *Bucket) String() string { return b.target.String() }

// Put stores size bytes read from body at key, with the given
// Content-Type and Cache-Control. Body should be an io.Seeker (a file, a
// bytes.Reader) so that a retried request can send it again.
func (b *Bucket) Put(ctx context.Context, key string, body io.Reader, size int64, contentType, cacheControl string) error {
	_, err := b.client.PutObject(ctx, b.target.Bucket, b.target.Key(key), body, size, minio.PutObjectOptions{
		ContentType: contentType, CacheControl: cacheControl, DisableMultipart: true, SendContentMd5: true,
	})
	if err != nil {
		return b.wrap("put", key, err)
	}
	return nil
}

// Get opens the object at key; a missing object is fs.ErrNotExist.
func (b *Bucket) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	obj, err := b.client.GetObject(ctx, b.target.Bucket, b.target.Key(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, b.wrap("get", key, err)
	}
	// GetObject is lazy: the first read (or Stat) sends the request.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		return nil, b.wrap("get", key, err)
	}
	return readCloser{obj, b, key}, nil
}

// readCloser wraps a read error with the object it came from.
type readCloser struct {
	obj *minio.Object
	b   *Bucket
	key string
}

func (r readCloser) Read(p []byte) (int, error) {
	n, err := r.obj.Read(p)
	if err != nil && err != io.EOF {
		err = r.b.wrap("read", r.key, err)
	}
	return n, err
}

func (r readCloser) Close() error { return r.obj.Close() }

// Delete removes the objects at keys, a thousand per request; keys that
// are already gone are no error.
func (b *Bucket) Delete(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	ch := make(chan minio.ObjectInfo)
	go func() {
		defer close(ch)
		for _, k := range keys {
			select {
			case ch <- minio.ObjectInfo{Key: b.target.Key(k)}:
			case <-ctx.Done():
				return
			}
		}
	}()
	var errs []error
	for e := range b.client.RemoveObjects(ctx, b.target.Bucket, ch, minio.RemoveObjectsOptions{}) {
		if e.Err != nil && minio.ToErrorResponse(e.Err).Code != minio.NoSuchKey {
			errs = append(errs, fmt.Errorf("%s: %w", e.ObjectName, e.Err))
		}
	}
	if err := ctx.Err(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s: delete: %w", b, errors.Join(errs...))
	}
	return nil
}

// List returns the names directly under dir (a slash path, "" for the
// prefix itself): objects by their key relative to the prefix, and
// sub-folders as their relative path ending in "/".
func (b *Bucket) List(ctx context.Context, dir string) ([]string, error) {
	p := b.target.Key(dir)
	if dir == "" {
		p = b.target.Prefix
	}
	if p != "" && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	ctx, cancel := context.WithCancel(ctx) // stops the listing on an early return
	defer cancel()
	var out []string
	for o := range b.client.ListObjects(ctx, b.target.Bucket, minio.ListObjectsOptions{Prefix: p}) {
		if o.Err != nil {
			return nil, b.wrap("list", dir, o.Err)
		}
		rel := strings.TrimPrefix(o.Key, b.target.Prefix)
		if b.target.Prefix != "" {
			rel = strings.TrimPrefix(rel, "/")
		}
		out = append(out, rel)
	}
	return out, nil
}

// wrap names the operation and object of err; a missing object or bucket
// wraps fs.ErrNotExist.
func (b *Bucket) wrap(op, key string, err error) error {
	resp := minio.ToErrorResponse(err)
	switch resp.Code {
	case minio.NoSuchKey, minio.NoSuchBucket:
		return fmt.Errorf("%s: %s %s: %s: %w", b, op, key, resp.Code, fs.ErrNotExist)
	}
	return fmt.Errorf("%s: %s %s: %w", b, op, key, err)
}
