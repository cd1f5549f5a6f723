package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `token issue` refuses a lifetime above JWT_MAX_TTL (default 90 days), which the server would
// refuse too, and accepts days as well as Go durations.
func TestTokenIssue_MaxTTL(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(t.TempDir(), "signing.pem")
	if err := os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DATABASE_URL", "") // sign without checking the agency
	cases := []struct {
		maxTTL, ttl string
		ok          bool
	}{
		{"", "90d", true},
		{"", "2160h", true},
		{"", "91d", false},
		{"", "2161h", false},
		{"1h", "1h", true},
		{"1h", "61m", false},
		{"30d", "720h", true},
		{"not-a-duration", "1h", false},
	}
	for _, c := range cases {
		t.Setenv("JWT_MAX_TTL", c.maxTTL)
		var stdout, stderr bytes.Buffer
		err := tokenCommand(context.Background(), []string{"issue", "--key", key, "--agency", "so-vhtt-dn", "--scope", "sanctions:write", "--ttl", c.ttl}, &stdout, &stderr)
		switch {
		case c.ok && (err != nil || strings.Count(stdout.String(), ".") != 2):
			t.Errorf("JWT_MAX_TTL=%q --ttl %s: %v, stdout %q", c.maxTTL, c.ttl, err, stdout.String())
		case !c.ok && (err == nil || stdout.Len() > 0):
			t.Errorf("JWT_MAX_TTL=%q --ttl %s: issued %q", c.maxTTL, c.ttl, stdout.String())
		}
	}
}
