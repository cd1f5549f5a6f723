package auth_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/internal/testwait"
)

// TestVerify_RefusesForTheRightReason pins the check that refuses each forged token, so a
// refusal in the middleware matrix cannot pass for an unrelated reason.
func TestVerify_RefusesForTheRightReason(t *testing.T) {
	t.Parallel()
	ed, ec, rs := newKey(t, auth.AlgEdDSA), newKey(t, auth.AlgES256), rsaKey(t, 0)
	v, _ := newVerifier(t, ed, ec, rs)
	c := claims("agency")
	now := time.Now()
	set := func(member string, val any) jwt.MapClaims { c := claims("agency"); c[member] = val; return c }
	without := func(member string) jwt.MapClaims { c := claims("agency"); delete(c, member); return c }

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none", signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, ed.kid, c), jwt.ErrTokenSignatureInvalid},
		{"HS256 with public key PEM", signWith(t, jwt.SigningMethodHS256, pemOf(t, rs), rs.kid, c), jwt.ErrTokenSignatureInvalid},
		{"RS256 under the EC kid", signWith(t, rs.method, rs.signer, ec.kid, c), auth.ErrAlgMismatch},
		{"ES256 under the Ed25519 kid", signWith(t, ec.method, ec.signer, ed.kid, c), auth.ErrAlgMismatch},
		{"unknown kid", signWith(t, ed.method, ed.signer, "nope", c), auth.ErrUnknownKey},
		{"no kid", signWith(t, ed.method, ed.signer, "", c), auth.ErrNoKeyID},
		{"wrong signer", signWith(t, ed.method, newKey(t, auth.AlgEdDSA).signer, ed.kid, c), jwt.ErrTokenSignatureInvalid},
		{"expired", sign(t, ed, set("exp", now.Add(-time.Hour).Unix())), jwt.ErrTokenExpired},
		{"not yet valid", sign(t, ed, set("nbf", now.Add(time.Hour).Unix())), jwt.ErrTokenNotValidYet},
		{"issued in the future", sign(t, ed, set("iat", now.Add(time.Hour).Unix())), jwt.ErrTokenUsedBeforeIssued},
		{"wrong issuer", sign(t, ed, set("iss", "x")), jwt.ErrTokenInvalidIssuer},
		{"wrong audience", sign(t, ed, set("aud", "x")), jwt.ErrTokenInvalidAudience},
		{"no exp", sign(t, ed, without("exp")), jwt.ErrTokenRequiredClaimMissing},
		{"no sub", sign(t, ed, without("sub")), auth.ErrNoSubject},
		{"garbage", "a.b.c", jwt.ErrTokenMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := v.Verify(tt.token)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestVerify_AudienceMayBeOneOfSeveral(t *testing.T) {
	t.Parallel()
	k := newKey(t, auth.AlgEdDSA)
	v, _ := newVerifier(t, k)
	for _, aud := range []any{"kolregistry-api", []string{"other", "kolregistry-api"}} {
		if _, _, err := v.Verify(sign(t, k, func() jwt.MapClaims { c := claims("a"); c["aud"] = aud; return c }())); err != nil {
			t.Errorf("aud %v: %v", aud, err)
		}
	}
}

func TestVerify_IssuerAndAudienceFromConfig(t *testing.T) {
	t.Parallel()
	k := newKey(t, auth.AlgES256)
	_, path := newVerifier(t, k)
	v, err := auth.NewVerifier(auth.Config{KeysPath: path, Issuer: "registry.example.vn", Audience: "writes"})
	if err != nil {
		t.Fatal(err)
	}
	c := claims("a")
	if _, _, err := v.Verify(sign(t, k, c)); !errors.Is(err, jwt.ErrTokenInvalidIssuer) {
		t.Errorf("default iss accepted by a verifier configured otherwise: %v", err)
	}
	c["iss"], c["aud"] = "registry.example.vn", "writes"
	if _, _, err := v.Verify(sign(t, k, c)); err != nil {
		t.Error(err)
	}
}

func TestNewVerifier_RefusesBadKeyFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{"garbage": "hello", "hmac": `{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`} {
		path := dir + "/" + name
		writeFile(t, path, []byte(content))
		if _, err := auth.NewVerifier(auth.Config{KeysPath: path}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := auth.NewVerifier(auth.Config{KeysPath: dir + "/missing.json"}); err == nil {
		t.Error("missing file accepted")
	}
}

func TestReload_RotatesKeys(t *testing.T) {
	t.Parallel()
	old, next := newKey(t, auth.AlgEdDSA), newKey(t, auth.AlgES256)
	v, path := newVerifier(t, old)
	oldTok, nextTok := sign(t, old, claims("a")), sign(t, next, claims("a"))
	mustVerify(t, v, oldTok, nil)
	mustVerify(t, v, nextTok, auth.ErrUnknownKey)

	// Rotation step 1: publish the new key next to the old one.
	writeJWKS(t, path, old, next)
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, v, oldTok, nil)
	mustVerify(t, v, nextTok, nil)

	// Step 2: retire the old key; its tokens stop working at once.
	writeJWKS(t, path, next)
	if err := v.Reload(); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, v, oldTok, auth.ErrUnknownKey)
	mustVerify(t, v, nextTok, nil)

	// A broken file is refused and the current keys stay.
	writeFile(t, path, []byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}`))
	if err := v.Reload(); err == nil {
		t.Fatal("reload of a broken file succeeded")
	}
	mustVerify(t, v, nextTok, nil)
	os.Remove(path)
	if err := v.Reload(); err == nil {
		t.Fatal("reload of a missing file succeeded")
	}
	mustVerify(t, v, nextTok, nil)
}

func TestWatch_ReloadsWhenTheFileChanges(t *testing.T) {
	t.Parallel()
	old, next := newKey(t, auth.AlgEdDSA), rsaKey(t, 1)
	_, path := newVerifier(t, old)
	logs := &syncBuffer{}
	v, err := auth.NewVerifier(auth.Config{KeysPath: path, PollInterval: 10 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v.Watch(ctx)
	oldTok, nextTok := sign(t, old, claims("a")), sign(t, next, claims("a"))

	writeJWKS(t, path, next)
	eventually(t, "the new key to be picked up", func() bool { _, _, err := v.Verify(nextTok); return err == nil })
	mustVerify(t, v, oldTok, auth.ErrUnknownKey)

	// A broken write is logged and the keys in use stay.
	writeFile(t, path, []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
	eventually(t, "the failed reload to be logged", func() bool { return strings.Contains(logs.String(), "reload failed") })
	mustVerify(t, v, nextTok, nil)

	// A deleted file (a deploy mid-rename) keeps the keys too; its return is picked up.
	os.Remove(path)
	eventually(t, "the missing file to be noticed", func() bool { return strings.Contains(logs.String(), "cannot stat key file") })
	mustVerify(t, v, nextTok, nil)
	writeJWKS(t, path, old)
	eventually(t, "the restored file to be picked up", func() bool { _, _, err := v.Verify(oldTok); return err == nil })
	mustVerify(t, v, nextTok, auth.ErrUnknownKey)
}

// TestWatch_ReloadsOnSIGHUP sends the process a real SIGHUP; Watch has installed its handler
// before returning, so the signal cannot kill the test binary.
func TestWatch_ReloadsOnSIGHUP(t *testing.T) {
	t.Parallel()
	old, next := newKey(t, auth.AlgES256), newKey(t, auth.AlgEdDSA)
	_, path := newVerifier(t, old)
	v, err := auth.NewVerifier(auth.Config{KeysPath: path, PollInterval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	v.Watch(ctx)
	nextTok := sign(t, next, claims("a"))

	writeJWKS(t, path, next)
	mustVerify(t, v, nextTok, auth.ErrUnknownKey) // the poll is an hour away
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	eventually(t, "SIGHUP to reload the keys", func() bool { _, _, err := v.Verify(nextTok); return err == nil })
}

func mustVerify(t *testing.T, v *auth.Verifier, token string, want error) {
	t.Helper()
	_, _, err := v.Verify(token)
	if want == nil && err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if want != nil && !errors.Is(err, want) {
		t.Fatalf("Verify err = %v, want %v", err, want)
	}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testwait.Until(t, 5*time.Second, what, cond)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
