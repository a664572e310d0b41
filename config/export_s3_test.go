package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPublisherToObjectStorage(t *testing.T) {
	for _, k := range []string{"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	c, err := Parse(strings.NewReader("database: /srv/llmref/llmref.db\nexport:\n  dir: s3://llmref/v1\n  keep_generations: 4\n  s3:\n    endpoint: http://minio:9000\n    grace: 10m\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Publisher("")
	if p.Remote == nil || p.Location() != "s3://llmref/v1" || p.Dir != filepath.Join("/srv/llmref", "export-cache") {
		t.Fatalf("publisher of s3://llmref/v1: dir %q, location %q", p.Dir, p.Location())
	}
	if p.Remote.Keep != 4 || p.Remote.Grace != 10*time.Minute {
		t.Errorf("remote keep %d grace %s", p.Remote.Keep, p.Remote.Grace)
	}
	// A folder on the command line publishes there, with no remote.
	if p := c.Publisher("out"); p.Remote != nil || p.Location() != "out" {
		t.Errorf("publisher of a folder: %+v", p)
	}
	// Another location on the command line, with the cache configured.
	c.Export.S3.Cache = "/tmp/cache"
	if p := c.Publisher("s3://other/x"); p.Remote == nil || p.Location() != "s3://other/x" || p.Dir != "/tmp/cache" {
		t.Errorf("publisher of s3://other/x: %q %q", p.Dir, p.Location())
	}
}

func TestExportEnvironmentChecked(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "id")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	_, err := Parse(strings.NewReader("export:\n  dir: s3://llmref/v1\n"))
	if err == nil || !strings.Contains(err.Error(), "export.dir: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not") {
		t.Errorf("credentials without a secret: %v", err)
	}
	if err := CheckExportDir("s3://llmref/v1"); err == nil {
		t.Error("CheckExportDir accepts credentials without a secret")
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://minio:9000/path")
	if err := CheckExportDir("s3://llmref/v1"); err == nil || !strings.Contains(err.Error(), "host[:port] only") {
		t.Errorf("an endpoint with a path: %v", err)
	}
	for _, dir := range []string{"data/export", "/var/lib/llmref/export", ""} {
		if err := CheckExportDir(dir); err != nil {
			t.Errorf("CheckExportDir(%q) = %v", dir, err)
		}
	}
	if err := CheckExportDir("s3://UPPER"); err == nil {
		t.Error("CheckExportDir accepts a bad bucket name")
	}
}
