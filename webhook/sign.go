// Package webhook delivers the changes a subscriber's watchlists follow to its HTTPS endpoints
// (docs/webhooks.md): from the Postgres outbox the write path fills in the event's own
// transaction, at least once, in seq order per endpoint, by workers on any replica, signed per
// the Standard Webhooks specification.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// SecretPrefix starts every endpoint secret; the rest is the base64 of the HMAC key.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh endpoint secret: whsec_ and 32 random bytes in base64.
func NewSecret() string {
	key := make([]byte, 32)
	rand.Read(key) // never fails (crypto/rand)
	return SecretPrefix + base64.StdEncoding.EncodeToString(key)
}

// Sign returns the Standard Webhooks signature of one message under secret:
// "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)).
func Sign(secret, id string, timestamp int64, body []byte) (string, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || !strings.HasPrefix(secret, SecretPrefix) || len(key) == 0 {
		return "", errors.New("webhook secret: want whsec_ and base64")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
}

// Verify reports whether header (a webhook-signature value: space-separated "v1,<sig>") holds
// a valid signature of the message under secret. Receivers use the same steps
// (docs/webhooks.md); the tests verify every delivery with it.
func Verify(secret, id string, timestamp int64, body []byte, header string) bool {
	want, err := Sign(secret, id, timestamp, body)
	if err != nil {
		return false
	}
	for _, s := range strings.Fields(header) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}
