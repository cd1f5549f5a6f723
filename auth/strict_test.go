package auth_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/kolregistry/kolregistry/auth"
)

// rawToken signs a header and a claims set given as raw JSON text (so that a member can be
// written twice, or a date as a string) with k.
func rawToken(t *testing.T, k testKey, header, claims string) string {
	t.Helper()
	signing := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
	sig, err := k.method.Sign(signing, k.signer)
	if err != nil {
		t.Fatal(err)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// validRaw is the JSON of valid claims for sub, with extra members appended as written.
func validRaw(sub, extra string) string {
	now := time.Now().Unix()
	return fmt.Sprintf(`{"iss":%q,"aud":[%q],"sub":%q,"exp":%d,"iat":%d,"nbf":%d,"jti":"j","scope":"sanctions:write"%s}`,
		auth.DefaultIssuer, auth.DefaultAudience, sub, now+3600, now, now, extra)
}

// TestVerify_StrictJOSE pins each leniency of golang-jwt that Verify closes (RFC 7515, 7519,
// 8725) to the check that refuses it; the control tokens of each kind verify.
func TestVerify_StrictJOSE(t *testing.T) {
	t.Parallel()
	ed, ec := newKey(t, auth.AlgEdDSA), newKey(t, auth.AlgES256)
	v, _ := newVerifier(t, ed, ec)
	edHeader := fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"typ":"JWT"}`, ed.kid)
	now := time.Now()
	with := func(member string, val any) jwt.MapClaims { c := claims("agency"); c[member] = val; return c }
	without := func(member string) jwt.MapClaims { c := claims("agency"); delete(c, member); return c }
	// lifetime sets exp relative to the claims' own iat (claims reads the clock again: a second
	// may tick between now and then).
	lifetime := func(d time.Duration) jwt.MapClaims {
		c := claims("agency")
		c["exp"] = c["iat"].(int64) + int64(d/time.Second)
		return c
	}
	crit := func(k testKey, names ...string) string {
		tok := jwt.NewWithClaims(k.method, claims("agency"))
		tok.Header["kid"], tok.Header["crit"] = k.kid, names
		s, err := tok.SignedString(k.signer)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	lowES := sign(t, ec, claims("agency"))

	for _, ok := range []struct{ name, token string }{
		{"raw token as written", rawToken(t, ed, edHeader, validRaw("agency", ""))},
		{"ES256 low S", lowES},
		{"lifetime of exactly 90 days", sign(t, ed, lifetime(auth.DefaultMaxTTL))},
		{"fractional NumericDate", sign(t, ed, with("exp", float64(now.Add(time.Hour).Unix())+0.5))},
		{"no nbf", sign(t, ed, without("nbf"))},
	} {
		if _, _, err := v.Verify(ok.token); err != nil {
			t.Errorf("control %q refused: %v", ok.name, err)
		}
	}

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"crit header", crit(ed, "exp"), auth.ErrCritHeader},
		{"crit header, empty", crit(ed), auth.ErrCritHeader},
		{"header member twice (kid)", rawToken(t, ed, fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"kid":"other"}`, ed.kid), validRaw("agency", "")), auth.ErrDuplicateMember},
		{"header member twice (alg)", rawToken(t, ed, fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"alg":"EdDSA"}`, ed.kid), validRaw("agency", "")), auth.ErrDuplicateMember},
		{"claim twice (sub)", rawToken(t, ed, edHeader, validRaw("agency", `,"sub":"other-agency"`)), auth.ErrDuplicateMember},
		{"claim twice (exp)", rawToken(t, ed, edHeader, validRaw("agency", fmt.Sprintf(`,"exp":%d`, now.Add(100*24*time.Hour).Unix()))), auth.ErrDuplicateMember},
		{"claim twice (scope)", rawToken(t, ed, edHeader, validRaw("agency", `,"scope":"influencers:write"`)), auth.ErrDuplicateMember},
		{"member twice inside a claim", rawToken(t, ed, edHeader, validRaw("agency", `,"ext":{"a":1,"a":2}`)), auth.ErrDuplicateMember},
		{"data after the claims object", rawToken(t, ed, edHeader, validRaw("agency", "")+` {}`), jwt.ErrTokenMalformed},
		{"exp as a string", sign(t, ed, with("exp", fmt.Sprint(now.Add(time.Hour).Unix()))), auth.ErrNotNumericDate},
		{"nbf as a string", sign(t, ed, with("nbf", fmt.Sprint(now.Unix()))), auth.ErrNotNumericDate},
		{"iat as a string", sign(t, ed, with("iat", fmt.Sprint(now.Unix()))), auth.ErrNotNumericDate},
		{"exp null", sign(t, ed, with("exp", nil)), auth.ErrNotNumericDate},
		{"iat true", sign(t, ed, with("iat", true)), auth.ErrNotNumericDate},
		{"exp beyond float64", rawToken(t, ed, edHeader, strings.Replace(validRaw("agency", ""), `"exp":`, `"exp":1e400,"x":`, 1)), auth.ErrNotNumericDate},
		{"ES256 high S (the twin of a valid signature)", flipS(t, lowES), auth.ErrHighS},
		{"no iat", sign(t, ed, without("iat")), auth.ErrNoIssuedAt},
		{"lifetime 90 days and 1 s", sign(t, ed, lifetime(auth.DefaultMaxTTL+time.Second)), auth.ErrLifetime},
		{"lifetime of years, iat long ago", sign(t, ed, func() jwt.MapClaims {
			c := claims("agency")
			c["iat"], c["nbf"], c["exp"] = now.Add(-365*24*time.Hour).Unix(), now.Add(-365*24*time.Hour).Unix(), now.Add(time.Hour).Unix()
			return c
		}()), auth.ErrLifetime},
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

func TestVerify_MaxTTLFromConfig(t *testing.T) {
	t.Parallel()
	k := newKey(t, auth.AlgEdDSA)
	_, path := newVerifier(t, k)
	v, err := auth.NewVerifier(auth.Config{KeysPath: path, MaxTTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := claims("a")
	c["exp"] = now.Add(time.Hour).Unix()
	if _, _, err := v.Verify(sign(t, k, c)); err != nil {
		t.Errorf("1 h token under a 1 h maximum: %v", err)
	}
	c["exp"] = now.Add(2 * time.Hour).Unix()
	if _, _, err := v.Verify(sign(t, k, c)); !errors.Is(err, auth.ErrLifetime) {
		t.Errorf("2 h token under a 1 h maximum: %v", err)
	}
}

// Issue refuses a lifetime the verifier would refuse, and signs ES256 in low-S form only (Go's
// crypto/ecdsa alone gives a high S about half the time: 32 tokens all verifying is the proof).
func TestIssue_MaxTTLAndLowS(t *testing.T) {
	t.Parallel()
	ec := newKey(t, auth.AlgES256)
	v, _ := newVerifier(t, ec)
	for i := range 32 {
		tok, err := auth.Issue(ec.signer, auth.TokenRequest{Agency: "a", Scopes: []string{auth.ScopeSanctionsWrite}, TTL: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := v.Verify(tok); err != nil {
			t.Fatalf("issued token %d: %v", i, err)
		}
	}
	req := auth.TokenRequest{Agency: "a", Scopes: []string{auth.ScopeSanctionsWrite}, TTL: auth.DefaultMaxTTL + time.Second}
	if _, err := auth.Issue(ec.signer, req); err == nil {
		t.Error("a token longer than 90 days was issued")
	}
	req.TTL, req.MaxTTL = 2*time.Hour, time.Hour
	if _, err := auth.Issue(ec.signer, req); err == nil {
		t.Error("a 2 h token was issued under a 1 h maximum")
	}
	req.TTL = auth.DefaultMaxTTL
	req.MaxTTL = 0
	if _, err := auth.Issue(ec.signer, req); err != nil {
		t.Errorf("a 90-day token: %v", err)
	}
}

func TestParseTTL(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]time.Duration{"90d": 90 * 24 * time.Hour, "2160h": 90 * 24 * time.Hour, "1h30m": 90 * time.Minute, " 7d ": 7 * 24 * time.Hour} {
		if got, err := auth.ParseTTL(in); err != nil || got != want {
			t.Errorf("ParseTTL(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "-1h", "0d", "90 days", "d", "1.5d", "99999999d"} {
		if got, err := auth.ParseTTL(bad); err == nil {
			t.Errorf("ParseTTL(%q) = %v, want an error", bad, got)
		}
	}
	env := func(v string) func(string) string { return func(string) string { return v } }
	if d, err := auth.MaxTTLFromEnv(env("")); err != nil || d != auth.DefaultMaxTTL {
		t.Errorf("unset JWT_MAX_TTL: %v, %v", d, err)
	}
	if _, err := auth.MaxTTLFromEnv(env("soon")); err == nil || !strings.Contains(err.Error(), "JWT_MAX_TTL") {
		t.Errorf("bad JWT_MAX_TTL: %v", err)
	}
}
