package config

import (
	"strings"
	"testing"
	"time"

	"github.com/llmref/llmref/changes"
)

func TestReviewDefaults(t *testing.T) {
	c, err := Parse(strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Review.Rules(); got != changes.DefaultRules() {
		t.Errorf("rules without a review section %+v, want the defaults %+v", got, changes.DefaultRules())
	}
	if w := c.Review.WebhookOptions(); w.URL != "" {
		t.Errorf("webhook %+v without a url", w)
	}
}

func TestReviewFile(t *testing.T) {
	c, err := Load("testdata/review.good.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := changes.Rules{MaxChangePct: 30, MaxFactor: 5, HoldZero: true, HoldFlagged: false, VanishedPct: 40, VanishedMin: 5, AddedPct: 50, AddedMin: 100}
	if got := c.Review.Rules(); got != want {
		t.Errorf("rules %+v, want %+v", got, want)
	}
	w := c.Review.WebhookOptions()
	if w.URL != "http://127.0.0.1:9999/hooks/llmref" || w.Timeout != 20*time.Second || w.Retries != 2 || w.Backoff != 250*time.Millisecond || w.Limit() != 256<<10 {
		t.Errorf("webhook %+v", w)
	}
	// A rule set to 0 is off, not the default.
	off, err := Parse(strings.NewReader("review:\n  max_change_pct: 0\n  vanished_pct: 0\n  webhook:\n    url: https://hooks.example.org/x\n    retries: 0\n"))
	if err != nil {
		t.Fatal(err)
	}
	if r := off.Review.Rules(); r.MaxChangePct != 0 || r.VanishedPct != 0 || r.MaxFactor != 10 {
		t.Errorf("rules %+v", r)
	}
	if w := off.Review.WebhookOptions(); w.Retries != 0 || w.Limit() != 1<<20 {
		t.Errorf("retries: 0 gave %d; no max_bytes, a limit of %d", w.Retries, w.Limit())
	}
}

// TestReviewWebhookSecret: the signing secret comes from the file or,
// over it, from LLMREF_WEBHOOK_SECRET; a malformed one is refused when the
// configuration is read, saying where it came from and never quoting it.
func TestReviewWebhookSecret(t *testing.T) {
	const file = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	const env = "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	yml := "review:\n  webhook:\n    url: https://hooks.example.org/x\n    secret: " + file + "\n"
	t.Setenv(EnvWebhookSecret, "")
	c, err := Parse(strings.NewReader(yml))
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Review.WebhookOptions(); w.Secret != file {
		t.Errorf("secret %q, want the file's", w.Secret)
	}
	t.Setenv(EnvWebhookSecret, env)
	if c, err = Parse(strings.NewReader(yml)); err != nil {
		t.Fatal(err)
	}
	if w := c.Review.WebhookOptions(); w.Secret != env {
		t.Errorf("secret %q, want the environment's", w.Secret)
	}
	t.Setenv(EnvWebhookSecret, "whsec_c2VjcmV0")
	_, err = Parse(strings.NewReader(yml))
	if err == nil || !strings.Contains(err.Error(), "LLMREF_WEBHOOK_SECRET: the signing secret's key is 6 bytes, want 24 to 64") || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("a short secret in the environment: %v", err)
	}
}
