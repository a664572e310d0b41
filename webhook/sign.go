package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Signing follows Standard Webhooks 1.0 (standardwebhooks.com), as
// OpenAI's, Svix's and others' webhooks do, so a receiver verifies a
// report with that project's library in its own language: every attempt
// carries webhook-id (the delivery's, the same on each retry, for a
// receiver's deduplication), webhook-timestamp (the attempt's, in Unix
// seconds: a receiver refuses one more than five minutes off, which
// defeats replays) and, with a secret, webhook-signature: "v1," and the
// base64 HMAC-SHA256 of "<id>.<timestamp>.<body>" under the secret's key.

// secretPrefix starts a signing secret: "whsec_" and the key in base64.
const secretPrefix = "whsec_"

// Key lengths a signing secret may hold (Standard Webhooks: 24 to 64
// random bytes).
const (
	minKeyBytes = 24
	maxKeyBytes = 64
)

// ParseSecret is the HMAC key of a signing secret: "whsec_" and 24 to 64
// bytes in standard base64. Its errors never quote the secret.
func ParseSecret(s string) ([]byte, error) {
	enc, ok := strings.CutPrefix(strings.TrimSpace(s), secretPrefix)
	if !ok {
		return nil, errors.New(`a signing secret is "whsec_" and its key in base64 (make one: echo "whsec_$(head -c 32 /dev/urandom | base64)")`)
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, errors.New(`the signing secret's key after "whsec_" is not standard base64`)
	}
	if len(key) < minKeyBytes || len(key) > maxKeyBytes {
		return nil, fmt.Errorf("the signing secret's key is %d bytes, want %d to %d", len(key), minKeyBytes, maxKeyBytes)
	}
	return key, nil
}

// ParseSecrets is the keys of one signing secret or several separated by
// spaces: while a secret is replaced, every delivery is signed with the
// old and the new one (Standard Webhooks lists a signature each), so a
// receiver may switch at its own time.
func ParseSecrets(s string) ([][]byte, error) {
	var keys [][]byte
	secrets := strings.Fields(s)
	for i, f := range secrets {
		key, err := ParseSecret(f)
		if err != nil {
			if len(secrets) > 1 {
				return nil, fmt.Errorf("secret %d of %d: %w", i+1, len(secrets), err)
			}
			return nil, err
		}
		keys = append(keys, key)
	}
	if len(keys) == 0 {
		return nil, errors.New("no signing secret")
	}
	return keys, nil
}

// Signatures is the webhook-signature header of a message under every
// key: Sign's, separated by spaces.
func Signatures(keys [][]byte, id string, timestamp int64, body []byte) string {
	sigs := make([]string, len(keys))
	for i, k := range keys {
		sigs[i] = Sign(k, id, timestamp, body)
	}
	return strings.Join(sigs, " ")
}

// Sign is the webhook-signature header of a message under key: "v1,"
// and the base64 HMAC-SHA256 of "<id>.<timestamp>.<body>".
func Sign(key []byte, id string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	m.Write([]byte{'.'})
	m.Write(strconv.AppendInt(nil, timestamp, 10))
	m.Write([]byte{'.'})
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// messageID is a delivery's webhook-id: the run, and random bytes so that
// a database made anew (its runs numbered from 1 again) never repeats an
// id a receiver has seen.
func messageID(run uint64) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return "msg_llmref_run" + strconv.FormatUint(run, 10) + "_" + hex.EncodeToString(b[:])
}
