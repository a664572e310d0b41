package config

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/llmref/llmref/changes"
	"github.com/llmref/llmref/webhook"
)

// ReviewConfig holds the rules that hold anomalous changes for an operator
// (see the changes package), and the webhook that receives each run's
// change report. Every setting is optional; an unset one takes the default
// of changes.DefaultRules:
//
//	review:
//	  max_change_pct: 50   # hold a price moving more than ±50% (0: off)
//	  max_factor: 10       # hold a price moving by 10× or more, up or down (0: off)
//	  hold_zero: true      # hold a price moving to or from zero / free
//	  hold_flagged: true   # hold a price the normaliser flagged (unit slip, discrepancy)
//	  vanished_pct: 25     # hold removals when more than 25% of a source's offerings vanish at once (0: off)
//	  vanished_min: 3      # ... and at least this many
//	  added_pct: 25        # hold additions when a source adds more than 25% of its offerings at once (0: off)
//	  added_min: 20        # ... and at least this many
//	  webhook:
//	    url: https://hooks.example.org/llmref
//	    timeout: 30s       # the whole delivery, retries included
//	    retries: 3         # after a network error, 408, 429 or 5xx
//	    backoff: 1s        # first pause, doubled each time
type ReviewConfig struct {
	MaxChangePct *int          `yaml:"max_change_pct"`
	MaxFactor    *int          `yaml:"max_factor"`
	HoldZero     *bool         `yaml:"hold_zero"`
	HoldFlagged  *bool         `yaml:"hold_flagged"`
	VanishedPct  *int          `yaml:"vanished_pct"`
	VanishedMin  *int          `yaml:"vanished_min"`
	AddedPct     *int          `yaml:"added_pct"`
	AddedMin     *int          `yaml:"added_min"`
	Webhook      WebhookConfig `yaml:"webhook"`
}

// WebhookConfig is the optional webhook of the `review:` section.
type WebhookConfig struct {
	// URL receives the JSON change report after each run that has
	// changes; empty sends nothing.
	URL     string        `yaml:"url"`
	Timeout time.Duration `yaml:"timeout"`
	Retries *int          `yaml:"retries"`
	Backoff time.Duration `yaml:"backoff"`
	// Secret signs every delivery (Standard Webhooks: "whsec_" and a key
	// of 24 to 64 bytes in base64; two separated by a space sign with
	// both, while one replaces the other); the environment variable
	// LLMREF_WEBHOOK_SECRET, when set, takes its place (keep secrets out
	// of the file). Empty sends reports unsigned.
	Secret string `yaml:"secret"`
	// MaxBytes is the largest report posted whole (default 1 MiB); a
	// larger one is shortened: see webhook.DefaultMaxBytes.
	MaxBytes int `yaml:"max_bytes"`
}

// validate checks the section (Config.Validate calls it).
func (c ReviewConfig) validate() error {
	var errs []error
	if v := c.MaxChangePct; v != nil && *v < 0 {
		errs = append(errs, fmt.Errorf("review.max_change_pct: %d is negative (0 turns the rule off)", *v))
	}
	if v := c.MaxFactor; v != nil && (*v < 0 || *v == 1) {
		errs = append(errs, fmt.Errorf("review.max_factor: %d is not 0 (off) or at least 2", *v))
	}
	if v := c.VanishedPct; v != nil && (*v < 0 || *v > 100) {
		errs = append(errs, fmt.Errorf("review.vanished_pct: %d is not in 0..100", *v))
	}
	if v := c.VanishedMin; v != nil && *v < 1 {
		errs = append(errs, fmt.Errorf("review.vanished_min: %d is not at least 1", *v))
	}
	if v := c.AddedPct; v != nil && *v < 0 {
		errs = append(errs, fmt.Errorf("review.added_pct: %d is negative (0 turns the rule off)", *v))
	}
	if v := c.AddedMin; v != nil && *v < 1 {
		errs = append(errs, fmt.Errorf("review.added_min: %d is not at least 1", *v))
	}
	w := c.Webhook
	if err := checkURL("review.webhook.url", w.URL); err != nil {
		errs = append(errs, err)
	}
	if w.Timeout < 0 || w.Timeout > 10*time.Minute {
		errs = append(errs, fmt.Errorf("review.webhook.timeout: %s is not in 0s..10m", w.Timeout))
	}
	if w.Backoff < 0 {
		errs = append(errs, fmt.Errorf("review.webhook.backoff: negative duration %s", w.Backoff))
	}
	if v := w.Retries; v != nil && (*v < 0 || *v > 10) {
		errs = append(errs, fmt.Errorf("review.webhook.retries: %d is not in 0..10", *v))
	}
	if secret, from := c.webhookSecret(); secret != "" {
		if _, err := webhook.ParseSecrets(secret); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", from, err))
		}
	}
	if v := w.MaxBytes; v != 0 && (v < webhook.MinMaxBytes || v > maxWebhookBytes) {
		errs = append(errs, fmt.Errorf("review.webhook.max_bytes: %d is not in %d..%d (16 KiB..1 GiB; unset: 1 MiB)", v, webhook.MinMaxBytes, maxWebhookBytes))
	}
	return errors.Join(errs...)
}

// EnvWebhookSecret names the environment variable that holds the
// webhook's signing secret, over review.webhook.secret.
const EnvWebhookSecret = "LLMREF_WEBHOOK_SECRET"

// webhookSecret is the webhook's signing secret, from the environment or
// else the file, and where it came from.
func (c ReviewConfig) webhookSecret() (secret, from string) {
	if v := os.Getenv(EnvWebhookSecret); v != "" {
		return v, EnvWebhookSecret
	}
	return c.Webhook.Secret, "review.webhook.secret"
}

// maxWebhookBytes is the largest review.webhook.max_bytes: 1 GiB.
const maxWebhookBytes = 1 << 30

// Rules are the review rules the section describes, over the defaults.
func (c ReviewConfig) Rules() changes.Rules {
	r := changes.DefaultRules()
	setInt := func(dst *int, v *int) {
		if v != nil {
			*dst = *v
		}
	}
	setInt(&r.MaxChangePct, c.MaxChangePct)
	setInt(&r.MaxFactor, c.MaxFactor)
	setInt(&r.VanishedPct, c.VanishedPct)
	setInt(&r.VanishedMin, c.VanishedMin)
	setInt(&r.AddedPct, c.AddedPct)
	setInt(&r.AddedMin, c.AddedMin)
	if c.HoldZero != nil {
		r.HoldZero = *c.HoldZero
	}
	if c.HoldFlagged != nil {
		r.HoldFlagged = *c.HoldFlagged
	}
	return r
}

// WebhookOptions is the webhook the section describes (an empty URL sends
// nothing).
func (c ReviewConfig) WebhookOptions() webhook.Webhook {
	w := webhook.Webhook{URL: c.Webhook.URL, Timeout: c.Webhook.Timeout, Backoff: c.Webhook.Backoff, Retries: 3, MaxBytes: c.Webhook.MaxBytes}
	w.Secret, _ = c.webhookSecret()
	if c.Webhook.Retries != nil {
		w.Retries = *c.Webhook.Retries
	}
	return w
}
