// Package objstore talks to S3-compatible object storage (AWS S3, MinIO,
// Cloudflare R2 and the like) the way the AWS SDKs do: credentials and
// region from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
// and AWS_REGION, the endpoint from AWS_ENDPOINT_URL_S3 or
// AWS_ENDPOINT_URL. A Bucket puts, gets, lists and deletes the objects
// under one prefix; what the objects mean is its callers' business.
package objstore

import (
	"fmt"
	"net"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Scheme starts every object storage location: s3://BUCKET/PREFIX.
const Scheme = "s3://"

// IsURL reports whether s names object storage rather than a folder.
func IsURL(s string) bool { return strings.HasPrefix(s, Scheme) }

// Target is a place in object storage: a bucket and a key prefix inside
// it (without a leading or trailing slash; empty for the bucket's root).
type Target struct {
	Bucket string
	Prefix string
}

// ParseURL reads s3://BUCKET[/PREFIX]. The bucket must be a valid S3
// bucket name; the prefix a clean slash path (no empty, "." or ".."
// segments, no control characters).
func ParseURL(s string) (Target, error) {
	if !IsURL(s) {
		return Target{}, fmt.Errorf("%q is not an s3://BUCKET/PREFIX location", s)
	}
	rest := strings.TrimPrefix(s, Scheme)
	bucket, prefix, _ := strings.Cut(rest, "/")
	if err := checkBucket(bucket); err != nil {
		return Target{}, fmt.Errorf("%s: %w", s, err)
	}
	prefix = strings.TrimSuffix(prefix, "/")
	if err := checkPrefix(prefix); err != nil {
		return Target{}, fmt.Errorf("%s: %w", s, err)
	}
	return Target{Bucket: bucket, Prefix: prefix}, nil
}

// String is the target as an s3:// URL.
func (t Target) String() string {
	if t.Prefix == "" {
		return Scheme + t.Bucket
	}
	return Scheme + t.Bucket + "/" + t.Prefix
}

// Key is the object key of rel, a slash path under the prefix.
func (t Target) Key(rel string) string {
	if t.Prefix == "" {
		return rel
	}
	return t.Prefix + "/" + rel
}

// checkBucket applies S3's bucket naming rules: 3 to 63 characters of
// lower-case letters, digits, dots and hyphens, starting and ending with a
// letter or digit, no two dots together, not shaped like an IP address.
func checkBucket(b string) error {
	if b == "" {
		return fmt.Errorf("no bucket name")
	}
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q: want 3 to 63 characters", b)
	}
	for _, r := range b {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return fmt.Errorf("bucket name %q: only lower-case letters, digits, '.' and '-' are allowed", b)
		}
	}
	if !isAlnum(b[0]) || !isAlnum(b[len(b)-1]) {
		return fmt.Errorf("bucket name %q: must start and end with a letter or digit", b)
	}
	if strings.Contains(b, "..") {
		return fmt.Errorf("bucket name %q: two dots together", b)
	}
	if net.ParseIP(b) != nil {
		return fmt.Errorf("bucket name %q: shaped like an IP address", b)
	}
	return nil
}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// maxPrefix leaves room under S3's 1,024-byte key limit for the tree's own
// keys (objects/ab/<64 hex digits>.json and the like).
const maxPrefix = 768

func checkPrefix(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > maxPrefix {
		return fmt.Errorf("prefix longer than %d bytes", maxPrefix)
	}
	if !utf8.ValidString(p) {
		return fmt.Errorf("prefix %q: invalid UTF-8", p)
	}
	for _, r := range p {
		if unicode.IsControl(r) || r == '\\' {
			return fmt.Errorf("prefix %q: control characters and backslashes are not allowed", p)
		}
	}
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "":
			return fmt.Errorf("prefix %q: empty segment (leading or double slash)", p)
		case ".", "..":
			return fmt.Errorf("prefix %q: %q segment", p, seg)
		}
	}
	return nil
}
