package config

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// badConfigs are the testdata/*.bad.yml files and the exact error each one
// gives ({file} stands for the file's path), as prometheus keeps its bad
// configurations. Every problem is placed at its file, line and column and
// named by its key path in the file's own words.
var badConfigs = []struct{ file, want string }{
	{"alias.bad.yml", `{file}:2:6: aliases.x: model id "Not An Id": want creator/slug`},
	{"alias_type.bad.yml", `{file}:5:12: fetch.retries: "30s" is not a whole number`},
	{"bad_url.bad.yml", `{file}:3:15: sources.openrouter.base_url: "ftp://x" is not an absolute http(s) URL`},
	{"bedrock_base_url.bad.yml", `{file}:3:15: sources.bedrock.base_url: "pricing.us-east-1.amazonaws.com" is not an absolute http(s) URL`},
	{"bedrock_model_id.bad.yml", `{file}:4:23: sources.bedrock.models["Llama 3.2 1B"]: "Llama 3.2 1B Instruct" is not a Bedrock model id (like meta.llama3-2-1b-instruct-v1:0)`},
	{"bedrock_region.bad.yml", `{file}:3:15: sources.bedrock.regions[0]: "us-east" is not an AWS region code (like us-east-1)`},
	{"binary.bad.yml", `{file}:1:1: not a YAML text file: control character U+001F`},
	{"bool_type.bad.yml", `{file}:3:14: sources.openai.enabled: "sometimes" is not true or false`},
	{"compare_blend_sum.bad.yml", `{file}:3:5: compare.blend: input 70 + output 40: blend weights must be whole percentages from 0 to 100 adding up to 100`},
	{"compare_key.bad.yml", `{file}:4:5: compare.blend.outptu: unknown setting; did you mean output?`},
	{"custom_builtin_name.bad.yml", `{file}:3:13: sources.custom[0].name: "openrouter" is a built-in source`},
	{"custom_cell_selector.bad.yml", `{file}:11:17: sources.custom[0].columns.output (source acme): bad selector "td:nth-child(x)": unexpected character while attempting to parse expression of form an+b`},
	{"custom_column.bad.yml", `{file}:10:19: sources.custom[0].columns.price_in (source acme): unknown column (known: model_id, name, input, cached_input, cache_write, output, batch_input, batch_output, context, max_output)`},
	{"custom_column_key.bad.yml", `{file}:9:20: sources.custom[0].columns.model_id.select: unknown setting; did you mean selector?`},
	{"custom_duplicate.bad.yml", `{file}:9:13: sources.custom[1].name: "acme" is also sources.custom[0]'s`},
	{"custom_key.bad.yml", `{file}:6:7: sources.custom[0].row: unknown setting; did you mean rows?`},
	{"custom_selector.bad.yml", `{file}:6:13: sources.custom[0].rows (source acme): bad selector "table.prices tr[data-id": unexpected EOF in attribute selector`},
	{"custom_selector_chain.bad.yml", `{file}:6:13: sources.custom[0].rows (source acme): selector "html > body > main > div > div > table > tbody > tr > td" chains 9 compound selectors; the limit is 8`},
	{"custom_selector_deep.bad.yml", `{file}:6:13: sources.custom[0].rows (source acme): selector "body div div table tbody tr" has 5 descendant (space) or ~ combinators in one chain; the limit is 3, as each one multiplies the work of a match`},
	{"custom_selector_long.bad.yml", `{file}:6:13: sources.custom[0].rows (source acme): selector "table.prices tr.row-1[data-x=\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"… is 292 bytes long; the limit is 256`},
	{"custom_selector_nested.bad.yml", `{file}:10:16: sources.custom[0].columns.input (source acme): selector "td:not(:has(span:not(.strike)))" nests :not/:has/:haschild 3 deep; the limit is 2`},
	{"custom_unit.bad.yml", `{file}:7:13: sources.custom[0].unit (source acme): "per_million" is not per_token, per_1k or per_1m`},
	{"custom_url.bad.yml", `{file}:3:7: sources.custom[0].url (source acme): required`},
	{"duplicate_key.bad.yml", `{file}:4:3: fetch.timeout: given twice (first at line 2, column 3)`},
	{"duration_unit.bad.yml", `{file}:2:12: fetch.timeout: 30 is not a duration: give its unit, such as 30s or 30m`},
	{"duration.bad.yml", `{file}:2:12: fetch.timeout: "soon" is not a duration such as 30s, 5m or 1h30m`},
	{"empty.bad.yml", `{file}: the file is empty (truncated?); a file of comments only runs on the defaults`},
	{"export_keep.bad.yml", `{file}:2:21: export.keep_generations: -1 is not in 0..1000 (0: the default)`},
	{"export_dir_parent.bad.yml", `{file}:2:8: export.dir: .. cannot be published to: name a folder of its own (it becomes a link to the tree)`},
	{"export_s3_cache_root.bad.yml", `{file}:4:12: export.s3.cache: / cannot be published to: name a folder of its own (it becomes a link to the tree)`},
	{"export_s3_bucket.bad.yml", `{file}:2:8: export.dir: s3://Catalogue/v1: bucket name "Catalogue": only lower-case letters, digits, '.' and '-' are allowed`},
	{"export_s3_endpoint.bad.yml", `{file}:4:15: export.s3.endpoint: endpoint "minio:9000": want an http:// or https:// URL`},
	{"export_s3_key.bad.yml", `{file}:4:5: export.s3.bucket: unknown setting (export.s3 takes cache, endpoint, grace, parallelism, path_style, region, retries)`},
	{"export_s3_parallelism.bad.yml", `{file}:3:18: export.s3.parallelism: 1000 is not in 0..256 (0: the default)`},
	{"export_s3_retries.bad.yml", `{file}:4:14: export.s3.retries: -1 is not in 0..20 (0: the default)`},
	{"export_s3_prefix.bad.yml", `{file}:2:8: export.dir: s3://catalogue//v1: prefix "/v1": empty segment (leading or double slash)`},
	{"fetch_retries_type.bad.yml", `{file}:3:12: fetch.retries: "many" is not a whole number`},
	{"fireworks_key.bad.yml", `{file}:5:9: sources.fireworks.models[0].params: unknown setting; did you mean parameters?`},
	{"fireworks_no_parameters.bad.yml", `{file}:4:9: sources.fireworks.models[0].parameters: missing (the size tier needs it, e.g. 1.23B)`},
	{"fireworks_parameters.bad.yml", `{file}:5:21: sources.fireworks.models[0].parameters: "about a billion" is not a parameter count (e.g. 1.23B or 1230000000)`},
	{"int_range.bad.yml", `{file}:2:19: fetch.max_body_bytes: 99999999999999999999999 is out of range`},
	{"list_as_scalar.bad.yml", `{file}:3:12: sources.huggingface.repos: expected a list, found "meta-llama/Llama-3.2-1B-Instruct" (write [meta-llama/Llama-3.2-1B-Instruct], or one "- item" a line)`},
	{"litellm_provider.bad.yml", `{file}:5:21: sources.litellm.providers.fireworks_ai: "Fireworks AI" is not a provider id (lower-case letters, digits, -)`},
	{"mapping_as_list.bad.yml", `{file}:2:3: fetch: expected a mapping (key: value lines), found a list`},
	{"modelsdev_url.bad.yml", `{file}:3:10: sources.modelsdev.url: "models.dev/api.json" is not an absolute http(s) URL`},
	{"normalize_key.bad.yml", `{file}:2:3: normalize.discrepancy_percent: unknown setting; did you mean discrepancy_pct?`},
	{"normalize_pct.bad.yml", `{file}:2:20: normalize.discrepancy_pct: "twenty" is not a percentage such as 20 or 12.5 (or off)`},
	{"normalize_pct_range.bad.yml", `{file}:2:20: normalize.discrepancy_pct: 0% is not in (0, 1000]; write off to turn the check off`},
	{"not_yaml.bad.yml", `{file}:2:1: the file holds the text "database = /var/lib/llmref/llmref.db tim…", not settings (key: value lines such as database: data/llmref.db)`},
	{"nvidia_docs_url.bad.yml", `{file}:3:20: sources.nvidia-nim.docs_base_url: "docs.api.nvidia.com" is not an absolute http(s) URL`},
	{"nvidia_model.bad.yml", `{file}:3:42: sources.nvidia-nim.models[1]: "Llama 3.2 1B" is not an org/model id as the NIM list spells it`},
	{"openrouter_endpoints_model.bad.yml", `{file}:3:48: sources.openrouter-endpoints.models[1]: "llama-3.2-1b-instruct" is not an OpenRouter model id (author/slug[:variant])`},
	{"parallelism.bad.yml", `{file}:2:16: fetch.parallelism: 1000 is not in 1..64`},
	{"repo.bad.yml", `{file}:3:13: sources.huggingface.repos[0]: "just-a-name" is not owner/name`},
	{"review_change_pct.bad.yml", `{file}:2:19: review.max_change_pct: -5 is negative (0 turns the rule off)`},
	{"review_factor.bad.yml", `{file}:2:15: review.max_factor: 1 is not 0 (off) or at least 2`},
	{"review_key.bad.yml", `{file}:2:3: review.max_change_percent: unknown setting; did you mean max_change_pct?`},
	{"review_unknown_deep.bad.yml", `{file}:7:3: review.max_facter: unknown setting; did you mean max_factor?`},
	{"review_vanished_pct.bad.yml", `{file}:2:17: review.vanished_pct: 150 is not in 0..100`},
	{"review_webhook_max_bytes.bad.yml", `{file}:4:16: review.webhook.max_bytes: 1000 is not in 16384..1073741824 (16 KiB..1 GiB; unset: 1 MiB)`},
	{"review_webhook_secret.bad.yml", `{file}:4:13: review.webhook.secret: a signing secret is "whsec_" and its key in base64 (make one: echo "whsec_$(head -c 32 /dev/urandom | base64)")`},
	{"review_webhook_retries.bad.yml", `{file}:4:14: review.webhook.retries: 50 is not in 0..10`},
	{"review_webhook_url.bad.yml", `{file}:3:10: review.webhook.url: "hooks.example.org/x" is not an absolute http(s) URL`},
	{"serve_addr.bad.yml", `{file}:2:9: serve.addr: "8080" is not host:port`},
	{"serve_every.bad.yml", `{file}:4:13: serve.schedules[0].spec: cron spec "@every 30s": would fire every 30s; the shortest interval a schedule may have is a minute`},
	{"serve_key.bad.yml", `{file}:2:3: serve.schedule: unknown setting; did you mean schedules?`},
	{"serve_name.bad.yml", `{file}:5:13: serve.schedules[1].name: "prices" is used twice`},
	{"serve_source.bad.yml", `{file}:5:25: serve.schedules[0].sources[1]: unknown or disabled source "openruoter" (configured: openrouter, openrouter-endpoints, huggingface, openai, fireworks, bedrock, nvidia-nim, bitdeer, litellm, modelsdev)`},
	{"serve_spec.bad.yml", `{file}:4:13: serve.schedules[0].spec: cron spec "0 25 * * *": end of range (25) above maximum (23): 25`},
	{"serve_spec_never.bad.yml", `{file}:4:13: serve.schedules[0].spec: cron spec "0 2 30 2 *" never fires`},
	{"serve_token.bad.yml", `{file}:2:10: serve.token: shorter than 16 characters`},
	{"serve_tz_empty.bad.yml", `{file}:4:13: serve.schedules[0].spec: cron spec "TZ=": TZ= names no time zone`},
	{"serve_tz_nothing_after.bad.yml", `{file}:4:13: serve.schedules[0].spec: cron spec "CRON_TZ=UTC": nothing follows the time zone UTC`},
	{"serve_tz_unknown.bad.yml", `{file}:4:13: serve.schedules[0].spec: cron spec "CRON_TZ=Mars/Olympus 0 2 * * *": provided bad location Mars/Olympus: unknown time zone Mars/Olympus`},
	{"serve_zone.bad.yml", `{file}:2:14: serve.time_zone: "Europe/Atlantis" is not an IANA time zone (such as UTC or Europe/Berlin)`},
	{"several_shapes.bad.yml", `{file}:3:12: fetch.retries: "many" is not a whole number` + "\n" +
		`{file}:4:3: fetch.timout: unknown setting; did you mean timeout?` + "\n" +
		`{file}:7:15: sources.openrouter.base_url: expected text, found a list`},
	{"several_values.bad.yml", `{file}:3:16: fetch.parallelism: 100 is not in 1..64` + "\n" +
		`{file}:6:15: sources.openrouter.base_url: "openrouter.ai" is not an absolute http(s) URL` + "\n" +
		`{file}:10:13: serve.schedules[0].spec: cron spec "@every 10s": would fire every 10s; the shortest interval a schedule may have is a minute`},
	{"source_key.bad.yml", `{file}:3:5: sources.openrouter.base_ur: unknown setting; did you mean base_url?`},
	{"source_typo.bad.yml", `{file}:2:3: sources.openruoter: unknown source; did you mean openrouter?`},
	{"syntax.bad.yml", `{file}:5: not valid YAML: a [ list is not closed (did not find expected ',' or ']')`},
	{"tab_indent.bad.yml", `{file}:2:1: a tab in the indentation; YAML indents with spaces only`},
	{"top_level_key_in_section.bad.yml", `{file}:3:3: serve.database: unknown setting; it belongs at the top level of the file`},
	{"two_documents.bad.yml", `{file}:3:1: a second YAML document; the configuration is one document (remove the ---)`},
	{"unknown_key.bad.yml", `{file}:1:1: sourcez: unknown setting; did you mean sources?`},
	{"unknown_source.bad.yml", `{file}:2:3: sources.nope: unknown source (known: openrouter, openrouter-endpoints, huggingface, openai, fireworks, bedrock, nvidia-nim, custom, litellm, modelsdev)`},
	{"unterminated_string.bad.yml", `{file}:2: not valid YAML: a quoted string that starts here is not closed (found unexpected end of stream)`},
	{"wrong_section.bad.yml", `{file}:3:3: fetch.max_change_pct: unknown setting; it belongs under review`},
}

// badConfig is the error Load gives for a table row.
func badConfig(file, want string) string {
	path := filepath.Join("testdata", file)
	return "config " + strings.ReplaceAll(want, "{file}", path)
}

// TestGoodConfigs loads every testdata/*.good.yml and builds its sources.
func TestGoodConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.good.yml")
	if len(files) == 0 {
		t.Fatal("no good cases")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := Load(f)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.BuildSources(); err != nil {
				t.Fatalf("sources: %v", err)
			}
		})
	}
}

// TestBadConfigs loads every testdata/*.bad.yml and checks its error, whole.
func TestBadConfigs(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.bad.yml")
	var listed []string
	for _, c := range badConfigs {
		listed = append(listed, filepath.Join("testdata", c.file))
	}
	for _, f := range files {
		if !slices.Contains(listed, f) {
			t.Errorf("%s has no row in badConfigs", f)
		}
	}
	for _, c := range badConfigs {
		t.Run(c.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", c.file))
			if err == nil {
				t.Fatal("loaded")
			}
			if want := badConfig(c.file, c.want); err.Error() != want {
				t.Errorf("error\n%s\nwant\n%s", err, want)
			}
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T; want Errors", err)
			}
			for _, e := range es {
				if e.Line == 0 && c.file != "empty.bad.yml" {
					t.Errorf("%q is not placed in the file", e.Msg)
				}
				if e.Path != "" && !strings.HasPrefix(e.Msg, e.Path) {
					t.Errorf("message %q does not start with its path %q", e.Msg, e.Path)
				}
			}
		})
	}
}

// TestErrorPlace reads the place of a problem from the error value, and
// checks how Parse (no file) writes it.
func TestErrorPlace(t *testing.T) {
	data, err := os.ReadFile("testdata/review_unknown_deep.bad.yml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse(strings.NewReader(string(data)))
	var es Errors
	if !errors.As(err, &es) || len(es) != 1 {
		t.Fatalf("error %v", err)
	}
	if e := es[0]; e.File != "" || e.Line != 7 || e.Column != 3 || e.Path != "review.max_facter" {
		t.Errorf("error %+v", e)
	}
	if want := "line 7, column 3: review.max_facter: unknown setting; did you mean max_factor?"; err.Error() != want {
		t.Errorf("error %q; want %q", err, want)
	}
}

// TestErrorsAreCapped: a file wrong everywhere still gives a readable
// error: the first ten problems and a count of the rest.
func TestErrorsAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("fetch:\n")
	for _, k := range "abcdefghijklmno" {
		b.WriteString("  x" + string(k) + ": 1\n")
	}
	_, err := Parse(strings.NewReader(b.String()))
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 11 || lines[10] != "(and 5 more problems)" || !strings.HasPrefix(lines[0], "line 2, column 3: fetch.xa: unknown setting") {
		t.Errorf("error:\n%v", err)
	}
}

// TestAliasBomb: merge keys that expand a small file into ten million
// values are refused at once, not walked.
func TestAliasBomb(t *testing.T) {
	var b strings.Builder
	b.WriteString("fetch:\n  <<:\n    - &a0 {timeout: 1s}\n")
	for i := 1; i < 8; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("    - &a" + string(rune('0'+i)) + " {<<: [" + strings.Repeat(prev+", ", 9) + prev + "]}\n")
	}
	_, err := Parse(strings.NewReader(b.String()))
	if err == nil || !strings.Contains(err.Error(), "aliases expand this file beyond 100000 values") {
		t.Errorf("error %v", err)
	}
}

// TestBadConfigsThroughTheBinary runs the built command on every bad file:
// one line on stderr, the same text, exit status 1 (an error, as a
// database or network failure is; 2 is kept for a bad command line).
func TestBadConfigsThroughTheBinary(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to build llmref with")
	}
	bin := filepath.Join(t.TempDir(), "llmref")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/llmref").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, c := range badConfigs {
		t.Run(c.file, func(t *testing.T) {
			cmd := exec.Command(bin, "--config", filepath.Join("testdata", c.file), "sources")
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != 1 {
				t.Errorf("exit: %v; want status 1", err)
			}
			want := "llmref: " + strings.ReplaceAll(badConfig(c.file, c.want), "\n", "; ") + "\n"
			if stderr.String() != want {
				t.Errorf("stderr\n%q\nwant\n%q", stderr.String(), want)
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout %q", stdout.String())
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	c, err := Parse(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	srcs, err := c.BuildSources()
	if err != nil || len(srcs) != len(SourceNames()) {
		t.Fatalf("%d sources, %v; want every registered source on by default", len(srcs), err)
	}
	if c.Database != DefaultDatabase {
		t.Errorf("database %q", c.Database)
	}
	full, err := Load("testdata/full.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	if s := full.Settings("openrouter").(*OpenRouterSettings); s.BaseURL != "http://127.0.0.1:9000" {
		t.Errorf("openrouter base_url %q", s.BaseURL)
	}
	if full.Settings("openai").On() {
		t.Error("openai enabled: false ignored")
	}
	if hf := full.Settings("huggingface").(*HuggingFaceSettings); len(hf.Repos) != 2 {
		t.Errorf("huggingface repos %v", hf.Repos)
	}
	if o := full.FetchOptions(); o.MaxRetries != 2 || o.Parallelism != 2 {
		t.Errorf("fetch options %+v", o)
	}
}
