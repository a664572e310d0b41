// Package webhook delivers a run's change report to an operator's URL: one POST,
// retried with backoff within a time bound, its outcome recorded and never
// fatal to the run that sent it.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/llmref/llmref/catalog"
)

// Webhook posts a run's JSON report to a URL. Delivery is retried with
// backoff and bounded in time; it happens after the run committed, and its
// failure is reported, never fatal.
type Webhook struct {
	// URL receives a POST of the report (application/json).
	URL string
	// Timeout bounds the whole delivery, retries included; default 30s.
	Timeout time.Duration
	// Retries is how many times a failed attempt is tried again (after a
	// network error, 408, 429 or 5xx); 0 means none.
	Retries int
	// Backoff is the first pause between attempts, doubled each time; a
	// Retry-After header replaces it when it fits in the time left.
	// Default 1s.
	Backoff time.Duration
	// UserAgent identifies llmref to the receiver.
	UserAgent string
	// Client sends the requests; default http.DefaultClient. Redirects are
	// never followed, whichever client (see post).
	Client *http.Client
	// Secret, when set, signs every attempt (see sign.go): "whsec_" and
	// a key of 24 to 64 bytes in base64 (ParseSecret); several separated
	// by spaces sign with each (a secret being replaced).
	Secret string
	// MaxBytes is the most a report's body may hold (see Limit): a
	// larger report is sent shortened (publish.Notify). 0 means
	// DefaultMaxBytes.
	MaxBytes int
}

// DefaultMaxBytes is the largest report posted whole by default: 1 MiB,
// nginx's default client_max_body_size, past which a receiver behind it
// answers 413 and the report never arrives (a first run of a few hundred
// models reports every model and offering as new: ~750 KB at 300).
const DefaultMaxBytes = 1 << 20

// MinMaxBytes is the least MaxBytes a configuration may set: room for a
// report's counts and a few dozen changes.
const MinMaxBytes = 16 << 10

// Limit is the most a report's body may hold: MaxBytes, or
// DefaultMaxBytes when that is 0.
func (w Webhook) Limit() int {
	if w.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return w.MaxBytes
}

// Deliver posts body (a run's JSON report) and says how it went.
func (w Webhook) Deliver(ctx context.Context, run uint64, body []byte) catalog.Delivery {
	start := time.Now()
	d := catalog.Delivery{Run: run, URL: w.URL, At: start.UTC().Truncate(time.Second)}
	timeout, backoff := w.Timeout, w.Backoff
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	if backoff <= 0 {
		backoff = time.Second
	}
	client := http.Client{}
	if w.Client != nil {
		client = *w.Client
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	var keys [][]byte
	if strings.TrimSpace(w.Secret) != "" {
		var err error
		if keys, err = ParseSecrets(w.Secret); err != nil {
			d.Error = "webhook: " + err.Error()
			return d
		}
	}
	msg := message{id: messageID(run), keys: keys, run: run, body: body}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for attempt := 0; ; attempt++ {
		d.Attempts++
		status, retryAfter, err := w.post(ctx, &client, msg)
		d.Status = status
		if err == nil {
			d.OK, d.Error = true, ""
			break
		}
		d.Error = err.Error()
		if !retryable(status) || attempt >= w.Retries {
			break
		}
		wait := backoff << attempt
		if retryAfter > 0 {
			wait = retryAfter
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			d.Error += fmt.Sprintf("; gave up: the next attempt (in %s) would pass the %s bound", wait.Round(time.Millisecond), timeout)
			break
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			d.Error += "; gave up: " + ctx.Err().Error()
		case <-t.C:
		}
		if ctx.Err() != nil {
			break
		}
	}
	d.DurationMS = time.Since(start).Milliseconds()
	return d
}

// statusNone is the status of an attempt that got no response (retryable).
const statusNone = 0

func retryable(status int) bool {
	return status == statusNone || status == http.StatusRequestTimeout || status == http.StatusTooManyRequests || status >= 500
}

// post makes one attempt. It returns the status (0 without a response),
// the Retry-After the receiver asked for, and an error unless it was 2xx.
// A redirect is an error naming where it points, never followed: Go's
// client turns a POST redirected by 301, 302 or 303 into a GET without
// the report, which a receiver answering 200 to it made a delivery
// recorded as made that never was (an http:// URL its site moved to
// https://); and a report is not sent to another address than the one
// configured. Webhook senders (GitHub, Stripe) do the same.
func (w Webhook) post(ctx context.Context, client *http.Client, msg message) (int, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(msg.body))
	if err != nil {
		return 400, 0, fmt.Errorf("webhook: %w", err) // not retryable
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Llmref-Run", strconv.FormatUint(msg.run, 10))
	now := time.Now().Unix()
	req.Header.Set("Webhook-Id", msg.id)
	req.Header.Set("Webhook-Timestamp", strconv.FormatInt(now, 10))
	if msg.keys != nil {
		req.Header.Set("Webhook-Signature", Signatures(msg.keys, msg.id, now, msg.body))
	}
	if w.UserAgent != "" {
		req.Header.Set("User-Agent", w.UserAgent)
	}
	resp, err := client.Do(req)
	if err != nil {
		return statusNone, 0, fmt.Errorf("webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, 0, nil
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		where := "no Location"
		if loc, err := resp.Location(); err == nil {
			where = "to " + loc.Redacted()
		}
		return resp.StatusCode, 0, fmt.Errorf("webhook: HTTP %s, %s: redirects are not followed; set the webhook's URL to the address it points to", resp.Status, where)
	}
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After")), errors.New("webhook: HTTP " + resp.Status)
}

// message is one delivery: its webhook-id, the signing keys (none: unsigned),
// the run and the report.
type message struct {
	id   string
	keys [][]byte
	run  uint64
	body []byte
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
