package config

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/llmref/llmref/export"
	"github.com/llmref/llmref/objstore"
	"github.com/llmref/llmref/publish"
)

// S3Config configures publishing to object storage, when the export goes
// to s3://BUCKET/PREFIX (export.dir, or a command's --out/--export). The
// environment follows the AWS SDKs and takes precedence over the file:
// AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL, AWS_REGION, and the
// credentials (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
// which belong in the environment only.
type S3Config struct {
	// Endpoint is the service's URL (http://minio:9000); empty is AWS S3.
	Endpoint string `yaml:"endpoint"`
	// Region signs requests; default us-east-1.
	Region string `yaml:"region"`
	// PathStyle puts the bucket in the URL's path rather than its host
	// name; automatic for an IP address, localhost or a one-label host.
	PathStyle bool `yaml:"path_style"`
	// Cache is the local folder each generation is built in before it is
	// uploaded (and that `serve` serves under /v1/); default
	// export-cache beside the database.
	Cache string `yaml:"cache"`
	// Parallelism bounds the requests in flight; default 16.
	Parallelism int `yaml:"parallelism"`
	// Retries is how many times a request is tried in all on a network
	// error, a 5xx or throttling; default 10.
	Retries int `yaml:"retries"`
	// Grace is how long a replaced generation stays readable before it is
	// pruned (a reader may hold the old pointer); default 1h.
	Grace *time.Duration `yaml:"grace"`
}

// CheckExportDir checks an export destination given on the command line:
// an s3:// location must be well formed, and the AWS environment variables
// consistent. A folder is always accepted.
func CheckExportDir(dir string) error {
	if dir == "" {
		return nil // none: the configured one, or nowhere
	}
	if !objstore.IsURL(dir) {
		return export.CheckFolder(dir)
	}
	if _, err := objstore.ParseURL(dir); err != nil {
		return err
	}
	_, err := objstore.Options{}.Resolve(os.Getenv)
	return err
}

// validate checks the export section, and for an s3:// export.dir the
// environment it will be reached with.
func (e *ExportConfig) validate() []error {
	var errs []error
	if e.KeepGenerations < 0 || e.KeepGenerations > 1000 {
		errs = append(errs, fmt.Errorf("export.keep_generations: %d is not in 0..1000 (0: the default)", e.KeepGenerations))
	}
	s := e.S3
	o := e.s3Options()
	if s.Endpoint != "" {
		if _, _, err := objstore.ParseEndpoint(s.Endpoint); err != nil {
			errs = append(errs, fmt.Errorf("export.s3.endpoint: %w", err))
			o.Endpoint = "" // said once, at the setting
		}
	}
	if s.Parallelism < 0 || s.Parallelism > 256 {
		errs = append(errs, fmt.Errorf("export.s3.parallelism: %d is not in 0..256 (0: the default)", s.Parallelism))
	}
	if s.Retries < 0 || s.Retries > 20 {
		errs = append(errs, fmt.Errorf("export.s3.retries: %d is not in 0..20 (0: the default)", s.Retries))
		o.Retries = 0 // said once, at the setting
	}
	if s.Grace != nil && *s.Grace < 0 {
		errs = append(errs, fmt.Errorf("export.s3.grace: negative duration %s", *s.Grace))
	}
	if objstore.IsURL(e.Dir) {
		if _, err := objstore.ParseURL(e.Dir); err != nil {
			errs = append(errs, fmt.Errorf("export.dir: %w", err))
		} else if _, err := o.Resolve(os.Getenv); err != nil {
			errs = append(errs, fmt.Errorf("export.dir: %w", err))
		}
	} else if e.Dir != "" {
		if err := export.CheckFolder(e.Dir); err != nil {
			errs = append(errs, fmt.Errorf("export.dir: %w", err))
		}
	}
	if s.Cache != "" {
		if err := export.CheckFolder(s.Cache); err != nil {
			errs = append(errs, fmt.Errorf("export.s3.cache: %w", err))
		}
	}
	return errs
}

func (e *ExportConfig) s3Options() objstore.Options {
	return objstore.Options{Endpoint: e.S3.Endpoint, Region: e.S3.Region, PathStyle: e.S3.PathStyle, Retries: e.S3.Retries}
}

// exportCache is where a tree bound for object storage is built.
func (c *Config) exportCache() string {
	if c.Export.S3.Cache != "" {
		return c.Export.S3.Cache
	}
	return filepath.Join(filepath.Dir(c.Database), "export-cache")
}

// remote is the object storage at the s3:// location dir, reached with
// the environment over export.s3.
func (c *Config) remote(dir string) (*publish.Remote, error) {
	t, err := objstore.ParseURL(dir)
	if err != nil {
		return nil, err
	}
	o, err := c.Export.s3Options().Resolve(os.Getenv)
	if err != nil {
		return nil, err
	}
	b, err := objstore.Open(t, o)
	if err != nil {
		return nil, err
	}
	r := &publish.Remote{Store: b, Keep: c.Export.KeepGenerations, Grace: publish.DefaultGrace, Parallelism: c.Export.S3.Parallelism}
	if c.Export.S3.Grace != nil {
		r.Grace = *c.Export.S3.Grace
	}
	return r, nil
}

// unusable is an object store that cannot be reached as configured: every
// use fails with why, so a publish to it fails rather than going nowhere.
type unusable struct {
	where string
	err   error
}

func (u unusable) Put(context.Context, string, io.Reader, int64, string, string) error { return u.err }
func (u unusable) Get(context.Context, string) (io.ReadCloser, error)                  { return nil, u.err }
func (u unusable) Delete(context.Context, []string) error                              { return u.err }
func (u unusable) List(context.Context, string) ([]string, error)                      { return nil, u.err }
func (u unusable) String() string                                                      { return u.where }
