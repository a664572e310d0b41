package objstore

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/minio/minio-go/v7/pkg/s3utils"
)

// Options say how to reach the object storage. Resolve fills what is left
// empty from the environment, as the AWS SDKs do.
type Options struct {
	// Endpoint is the service's URL (http://minio:9000,
	// https://ACCOUNT.r2.cloudflarestorage.com); empty means AWS S3 in
	// Region. AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, take precedence.
	Endpoint string
	// Region signs the requests; AWS_REGION, then AWS_DEFAULT_REGION, take
	// precedence; default us-east-1.
	Region string
	// PathStyle addresses the bucket in the path (http://host/bucket/key)
	// rather than in the host name. It is used anyway for an endpoint that
	// is an IP address, localhost or a one-label host name (a compose
	// service such as "minio"), which cannot carry a bucket sub-domain.
	PathStyle bool
	// AccessKeyID, SecretAccessKey and SessionToken are the credentials
	// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN); with
	// none, requests are anonymous (enough to read a public bucket).
	AccessKeyID, SecretAccessKey, SessionToken string
	// Retries is how many times a request is tried in all on a network
	// error, a 5xx or a throttling answer, with exponential backoff;
	// default 10.
	Retries int
}

// Environment variables read by Resolve.
const (
	EnvEndpointS3   = "AWS_ENDPOINT_URL_S3"
	EnvEndpoint     = "AWS_ENDPOINT_URL"
	EnvRegion       = "AWS_REGION"
	EnvRegionOld    = "AWS_DEFAULT_REGION"
	EnvAccessKey    = "AWS_ACCESS_KEY_ID"
	EnvSecretKey    = "AWS_SECRET_ACCESS_KEY"
	EnvSessionToken = "AWS_SESSION_TOKEN"
)

// DefaultRegion signs requests when no region is configured.
const DefaultRegion = "us-east-1"

// Resolve returns o with the environment (read through getenv) applied
// over it, then checked: the endpoint must be an http or https URL with a
// host and no path.
func (o Options) Resolve(getenv func(string) string) (Options, error) {
	first := func(vals ...string) string {
		for _, v := range vals {
			if v = strings.TrimSpace(v); v != "" {
				return v
			}
		}
		return ""
	}
	o.Endpoint = first(getenv(EnvEndpointS3), getenv(EnvEndpoint), o.Endpoint)
	o.Region = first(getenv(EnvRegion), getenv(EnvRegionOld), o.Region, DefaultRegion)
	if id := getenv(EnvAccessKey); id != "" {
		o.AccessKeyID, o.SecretAccessKey, o.SessionToken = id, getenv(EnvSecretKey), getenv(EnvSessionToken)
	}
	if o.AccessKeyID != "" && o.SecretAccessKey == "" {
		return o, fmt.Errorf("%s is set but %s is not", EnvAccessKey, EnvSecretKey)
	}
	if o.Retries < 0 {
		return o, fmt.Errorf("retries: %d is negative", o.Retries)
	}
	if o.Endpoint != "" {
		if _, _, err := ParseEndpoint(o.Endpoint); err != nil {
			return o, err
		}
	}
	return o, nil
}

// ParseEndpoint reads an endpoint URL: its host[:port] and whether it is
// https.
func ParseEndpoint(s string) (host string, secure bool, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", false, fmt.Errorf("endpoint %q: %w", s, err)
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return "", false, fmt.Errorf("endpoint %q: want an http:// or https:// URL", s)
	case u.Host == "" || u.Hostname() == "":
		return "", false, fmt.Errorf("endpoint %q: no host", s)
	case u.Path != "" && u.Path != "/", u.RawQuery != "", u.Fragment != "", u.User != nil:
		return "", false, fmt.Errorf("endpoint %q: want scheme://host[:port] only (the bucket goes in the s3:// location)", s)
	}
	h := u.Hostname()
	if net.ParseIP(h) == nil && (!validHostName(h) || !s3utils.IsValidDomain(h)) {
		// The client's own rule too (a name may not begin or end with
		// '_'), or the configuration passed and every publish failed.
		return "", false, fmt.Errorf("endpoint %q: %q is neither an IP address nor a host name", s, h)
	}
	switch { // the client refuses these hosts other than as the services name them
	case strings.Contains(h, ".s3.amazonaws.com") && !s3utils.IsAmazonEndpoint(*u):
		return "", false, fmt.Errorf("endpoint %q: an Amazon S3 endpoint is s3.amazonaws.com or s3.REGION.amazonaws.com (the bucket goes in the s3:// location)", s)
	case strings.Contains(h, ".googleapis.com") && !s3utils.IsGoogleEndpoint(*u):
		return "", false, fmt.Errorf("endpoint %q: a Google Cloud Storage endpoint is storage.googleapis.com (the bucket goes in the s3:// location)", s)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", false, fmt.Errorf("endpoint %q: bad port %q", s, p)
		}
	}
	return u.Host, u.Scheme == "https", nil
}

// validHostName reports whether h is a DNS host name: dot-separated labels
// of letters, digits, '-' and '_', none empty, none longer than 63.
func validHostName(h string) bool {
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(strings.TrimSuffix(h, "."), ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// pathStyle reports whether requests to host put the bucket in the path.
func (o Options) pathStyle(host string) bool {
	if o.PathStyle {
		return true
	}
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	return net.ParseIP(h) != nil || h == "localhost" || strings.HasSuffix(h, ".localhost") || !strings.Contains(h, ".")
}
