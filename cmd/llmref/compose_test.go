package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// TestComposeFile reads docker-compose.yml: the llmref service publishes
// where LLMREF_EXPORT says (a folder in its volume by default), the s3
// profile adds MinIO and a one-shot maker of the bucket llmref, started
// once MinIO is healthy; compose-go, the loader `docker-compose config`
// runs (the Compose Specification's schema, interpolation, profiles, the
// project's consistency), accepts the file with that profile and refuses
// one with a misspelt key; and docker-compose itself, where it is
// installed, accepts the file.
func TestComposeFile(t *testing.T) {
	path := filepath.Join("..", "..", "docker-compose.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Profiles    []string          `yaml:"profiles"`
			Command     []string          `yaml:"command"`
			Environment map[string]string `yaml:"environment"`
			DependsOn   yaml.Node         `yaml:"depends_on"` // a list or a mapping

		} `yaml:"services"`
		Volumes map[string]any `yaml:"volumes"`
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	if err := dec.Decode(&file); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	llm, minio, init := file.Services["llmref"], file.Services["minio"], file.Services["minio-init"]
	if !slices.Contains(llm.Command, "${LLMREF_EXPORT:-/var/lib/llmref/export}") || len(llm.Profiles) != 0 {
		t.Errorf("llmref: command %q, profiles %q; want --export ${LLMREF_EXPORT:-/var/lib/llmref/export} and no profile", llm.Command, llm.Profiles)
	}
	if llm.Environment["AWS_ENDPOINT_URL_S3"] != "http://minio:9000" || llm.Environment["AWS_ACCESS_KEY_ID"] != "llmref" {
		t.Errorf("llmref's environment does not reach MinIO as its root user: %v", llm.Environment)
	}
	if !strings.HasPrefix(minio.Image, "minio/minio") || !slices.Equal(minio.Profiles, []string{"s3"}) || minio.Environment["MINIO_ROOT_USER"] != "llmref" {
		t.Errorf("minio: image %q, profiles %q, environment %v", minio.Image, minio.Profiles, minio.Environment)
	}
	if _, ok := file.Volumes["minio-data"]; !ok {
		t.Error("no volume minio-data")
	}
	var after map[string]struct {
		Condition string `yaml:"condition"`
	}
	if err := init.DependsOn.Decode(&after); err != nil {
		t.Fatalf("minio-init: depends_on: %v", err)
	}
	script := strings.Join(init.Command, " ")
	if !slices.Equal(init.Profiles, []string{"s3"}) || after["minio"].Condition != "service_healthy" ||
		!strings.Contains(script, "mc mb --ignore-existing minio/llmref") || !strings.Contains(script, "mc anonymous set download minio/llmref") {
		t.Errorf("minio-init: profiles %q, depends_on %v, command %q", init.Profiles, after, script)
	}

	env := []string{"MINIO_ROOT_PASSWORD=compose-test-password", "LLMREF_EXPORT=s3://llmref/catalogue"}
	project, err := loadCompose(path, env)
	if err != nil {
		t.Fatalf("compose-go refuses %s: %v", path, err)
	}
	if names := project.ServiceNames(); !slices.Equal(names, []string{"llmref", "minio", "minio-init"}) {
		t.Errorf("with the s3 profile the project's services are %q", names)
	}
	if llm, err := project.GetService("llmref"); err != nil || !slices.Contains(llm.Command, "s3://llmref/catalogue") {
		t.Errorf("llmref's command once interpolated: %q (%v)", llm.Command, err)
	}
	bad := filepath.Join(t.TempDir(), "docker-compose.yml")
	if err := os.WriteFile(bad, []byte("services:\n  llmref:\n    imagee: llmref:latest\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := loadCompose(bad, env); err == nil || !strings.Contains(err.Error(), "imagee") {
		t.Errorf("compose-go accepted a misspelt key: %v", err)
	}

	bin, err := exec.LookPath("docker-compose")
	if err != nil {
		t.Log("docker-compose is not installed: compose-go's check stands for it")
		return
	}
	cmd := exec.Command(bin, "-f", path, "--profile", "s3", "config", "-q")
	cmd.Env = append(os.Environ(), "MINIO_ROOT_PASSWORD=compose-test-password", "LLMREF_EXPORT=s3://llmref/catalogue")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("docker-compose config: %v\n%s", err, out)
	}
}

// loadCompose loads a compose file as docker-compose does, with the s3
// profile and only env as the environment.
func loadCompose(path string, env []string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions([]string{path}, cli.WithName("llmref"), cli.WithProfiles([]string{"s3"}), cli.WithEnv(env))
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(context.Background())
}
