package webhook

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSignKnownAnswer: the Standard Webhooks reference libraries' test
// vector, so that their verifiers accept llmref's signatures.
func TestSignKnownAnswer(t *testing.T) {
	key, err := ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil {
		t.Fatal(err)
	}
	got := Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, []byte(`{"test": 2432232314}`))
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Errorf("signature %s, want %s", got, want)
	}
}

func TestParseSecret(t *testing.T) {
	key32 := base64.StdEncoding.EncodeToString(make([]byte, 32))
	for _, tt := range []struct {
		in, errPart string
	}{
		{"whsec_" + key32, ""},
		{"  whsec_" + key32 + "\n", ""}, // a file's or a variable's newline
		{key32, `"whsec_"`},
		{"whsec_not base64!", "not standard base64"},
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 16)), "16 bytes, want 24 to 64"},
		{"whsec_" + base64.StdEncoding.EncodeToString(make([]byte, 65)), "65 bytes"},
	} {
		_, err := ParseSecret(tt.in)
		if (err == nil) != (tt.errPart == "") || err != nil && !strings.Contains(err.Error(), tt.errPart) {
			t.Errorf("ParseSecret(%q): %v, want %q", tt.in, err, tt.errPart)
		}
		if err != nil && strings.Contains(err.Error(), "bm90") {
			t.Errorf("the error quotes the secret: %v", err)
		}
	}
}

// TestWebhookSigned: a receiver verifying as the Standard Webhooks
// libraries do (the id, the timestamp within five minutes, an HMAC of
// id.timestamp.body compared in constant time) accepts every attempt; a
// retry keeps the id and is signed again at its own time; without a
// secret the id and timestamp are sent and no signature.
func TestWebhookSigned(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	var mu sync.Mutex
	var ids, sigs []string
	var verified int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		id, ts, sig := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
		mu.Lock()
		defer mu.Unlock()
		ids, sigs = append(ids, id), append(sigs, sig)
		n, err := strconv.ParseInt(ts, 10, 64)
		if id == "" || err != nil || time.Since(time.Unix(n, 0)).Abs() > 5*time.Minute {
			http.Error(w, "no id or a bad timestamp", http.StatusBadRequest)
			return
		}
		m := hmac.New(sha256.New, key)
		m.Write([]byte(id + "." + ts + "."))
		m.Write(body)
		want := base64.StdEncoding.EncodeToString(m.Sum(nil))
		for _, s := range strings.Fields(sig) {
			if v, ok := strings.CutPrefix(s, "v1,"); ok && hmac.Equal([]byte(v), []byte(want)) {
				verified++
			}
		}
		if len(ids) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable) // a retry follows
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	w := Webhook{URL: srv.URL, Secret: secret, Retries: 2, Backoff: time.Millisecond, Timeout: 5 * time.Second}
	d := w.Deliver(context.Background(), 5, []byte(`{"schema_version":1}`))
	mu.Lock()
	if !d.OK || d.Attempts != 2 || verified != 2 || ids[0] != ids[1] || !strings.HasPrefix(ids[0], "msg_llmref_run5_") {
		t.Errorf("delivery %+v: %d of %d attempts verified, ids %q", d, verified, len(ids), ids)
	}
	mu.Unlock()

	// Another delivery of the same run (a database made anew) has another id.
	w.Deliver(context.Background(), 5, []byte(`{}`))
	w.Secret = ""
	d = w.Deliver(context.Background(), 5, []byte(`{}`))
	mu.Lock()
	defer mu.Unlock()
	if n := len(ids); !d.OK || ids[n-1] == ids[0] || ids[n-2] == ids[0] || ids[n-1] == "" || sigs[n-1] != "" {
		t.Errorf("unsigned delivery %+v: ids %q, signature %q", d, ids, sigs[n-1])
	}

	// A malformed secret fails the delivery before anything is sent.
	before := len(ids)
	mu.Unlock()
	d = Webhook{URL: srv.URL, Secret: "whsec_short"}.Deliver(context.Background(), 5, []byte(`{}`))
	mu.Lock()
	if d.OK || d.Attempts != 0 || !strings.Contains(d.Error, "signing secret") || len(ids) != before {
		t.Errorf("delivery with a bad secret %+v", d)
	}
}

// TestWebhookSignedWithTwoSecrets: while a secret is replaced, each
// delivery carries a signature under each, and a receiver holding either
// key verifies it; a malformed one of the two is named by its place.
func TestWebhookSignedWithTwoSecrets(t *testing.T) {
	const old, next = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	var mu sync.Mutex
	var id, ts, sig string
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		body, _ = io.ReadAll(r.Body)
		id, ts, sig = r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp"), r.Header.Get("webhook-signature")
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	d := Webhook{URL: srv.URL, Secret: old + " " + next, Timeout: 5 * time.Second}.Deliver(context.Background(), 9, []byte(`{"schema_version":1}`))
	mu.Lock()
	defer mu.Unlock()
	n, _ := strconv.ParseInt(ts, 10, 64)
	sigs := strings.Fields(sig)
	if !d.OK || len(sigs) != 2 {
		t.Fatalf("delivery %+v, signatures %q", d, sig)
	}
	for _, secret := range []string{old, next} {
		key, _ := ParseSecret(secret)
		if want := Sign(key, id, n, body); !slices.Contains(sigs, want) {
			t.Errorf("no signature under %s…: %q", secret[:10], sig)
		}
	}
	if _, err := ParseSecrets(old + " whsec_short"); err == nil || !strings.HasPrefix(err.Error(), "secret 2 of 2: ") {
		t.Errorf("a malformed second secret: %v", err)
	}
}

// FuzzParseSecrets: any text gives keys of 24 to 64 bytes, one per secret
// given, or an error that does not quote what it was given.
func FuzzParseSecrets(f *testing.F) {
	for _, s := range []string{"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "", "whsec_", "hunter2", "whsec_c2VjcmV0\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		keys, err := ParseSecrets(s)
		if err != nil {
			for _, field := range strings.Fields(s) {
				if enc := strings.TrimPrefix(field, "whsec_"); len(enc) >= 8 && strings.Contains(err.Error(), enc) {
					t.Fatalf("the error quotes the secret: %v", err)
				}
			}
			return
		}
		if len(keys) != len(strings.Fields(s)) {
			t.Fatalf("%d keys from %d secrets", len(keys), len(strings.Fields(s)))
		}
		for _, k := range keys {
			if len(k) < minKeyBytes || len(k) > maxKeyBytes {
				t.Fatalf("a key of %d bytes", len(k))
			}
		}
	})
}
