package auth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/db"
)

// seen is what the protected handler observed about the request.
type seen struct {
	Anonymous bool
	Slug      string
	Scopes    []string
	TokenID   string
	KeyID     string
}

// serve runs one request through auth.Middleware with authorization as the header value
// ("" sends no header) and returns the recorded response and what the handler saw.
func serve(t *testing.T, v *auth.Verifier, agencies auth.AgencyLookup, authorization string) (*httptest.ResponseRecorder, *seen) {
	t.Helper()
	var got *seen
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := auth.FromContext(r.Context())
		got = &seen{Anonymous: !ok}
		if ok {
			got.Slug, got.Scopes, got.TokenID, got.KeyID = p.Agency.Slug, p.Scopes, p.TokenID, p.KeyID
		}
		w.WriteHeader(http.StatusNoContent)
	})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{viewer{anonymous}}"}`))
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	rec := httptest.NewRecorder()
	auth.Middleware(v, agencies, nil, next).ServeHTTP(rec, req)
	return rec, got
}

// safeReasons are the only messages a refused token may get.
var safeReasons = []string{
	`the Authorization header must be "Bearer <token>"`,
	"invalid token", "malformed token", "token has expired", "token is not valid yet",
	"the token's agency is not accredited", "the token's agency is suspended",
	"this server accepts no tokens (no verification keys are configured)",
}

// assertUnauthenticated checks a 401 with the GraphQL-shaped UNAUTHENTICATED body, and that
// the request never reached the handler.
func assertUnauthenticated(t *testing.T, rec *httptest.ResponseRecorder, got *seen) {
	t.Helper()
	if got != nil {
		t.Fatalf("request reached the handler as %+v", *got)
	}
	if rec.Code != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401; body %s", rec.Code, rec.Body)
	}
	if h := rec.Header().Get("WWW-Authenticate"); h != `Bearer error="invalid_token"` {
		t.Errorf("WWW-Authenticate = %q", h)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	var body struct {
		Errors []struct {
			Message    string
			Extensions struct{ Code string }
		}
		Data *json.RawMessage
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if len(body.Errors) != 1 || body.Errors[0].Extensions.Code != "UNAUTHENTICATED" || body.Data != nil {
		t.Fatalf("body = %s", rec.Body)
	}
	if !slices.Contains(safeReasons, body.Errors[0].Message) {
		t.Errorf("message %q is not one of the safe reasons", body.Errors[0].Message)
	}
}

func TestMiddleware_NoHeaderIsAnonymous(t *testing.T) {
	t.Parallel()
	v, _ := newVerifier(t, newKey(t, auth.AlgEdDSA))
	rec, got := serve(t, v, testStore(t), "")
	if rec.Code != http.StatusNoContent || got == nil || !got.Anonymous {
		t.Fatalf("status %d, seen %+v", rec.Code, got)
	}
}

func TestMiddleware_AcceptsEachAlgorithm(t *testing.T) {
	t.Parallel()
	slug := addAgency(t, "cuc-ptth", "VN").Slug
	for _, alg := range []string{auth.AlgEdDSA, auth.AlgES256, auth.AlgRS256} {
		t.Run(alg, func(t *testing.T) {
			t.Parallel()
			k := newKey(t, alg)
			v, _ := newVerifier(t, k)
			c := claims(slug)
			c["scope"] = "sanctions:write disclosures:write future:scope sanctions:write"
			c["jti"] = "jti-" + alg
			rec, got := serve(t, v, testStore(t), "Bearer "+sign(t, k, c))
			if rec.Code != http.StatusNoContent || got == nil {
				t.Fatalf("status %d body %s", rec.Code, rec.Body)
			}
			want := seen{Slug: slug, Scopes: []string{"sanctions:write", "disclosures:write"}, TokenID: "jti-" + alg, KeyID: k.kid}
			if got.Anonymous || got.Slug != want.Slug || !slices.Equal(got.Scopes, want.Scopes) || got.TokenID != want.TokenID || got.KeyID != want.KeyID {
				t.Errorf("seen %+v, want %+v", *got, want)
			}
		})
	}
}

func TestMiddleware_PrincipalHasScopesAndAgencyRow(t *testing.T) {
	t.Parallel()
	a := addAgency(t, "so-vhtt-hn", "VN-HN")
	k := newKey(t, auth.AlgEdDSA)
	v, _ := newVerifier(t, k)
	tok, err := auth.Issue(k.signer, auth.TokenRequest{Agency: a.Slug, Scopes: []string{auth.ScopeSanctionsWrite}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	p, err := auth.NewAuthenticator(v, testStore(t)).Principal(context.Background(), "bearer "+tok)
	if err != nil {
		t.Fatal(err)
	}
	if p.Agency.ID != a.ID || p.Agency.Jurisdiction != "VN-HN" || p.Agency.Kind != "PROVINCIAL_DEPARTMENT" || p.Agency.Status != db.AgencyActive {
		t.Errorf("agency = %+v", p.Agency)
	}
	if !p.Has(auth.ScopeSanctionsWrite) || p.Has(auth.ScopeBrandsWrite) || p.TokenID == "" || time.Until(p.ExpiresAt) < 59*time.Minute {
		t.Errorf("principal = %+v", p)
	}
	var anon *auth.Principal
	if anon.Has(auth.ScopeSanctionsWrite) {
		t.Error("nil principal has a scope")
	}
	ctx := auth.WithPrincipal(context.Background(), p)
	if got, ok := auth.FromContext(ctx); !ok || got != p {
		t.Error("FromContext did not return the principal")
	}
	if _, ok := auth.FromContext(context.Background()); ok {
		t.Error("FromContext found a principal in an empty context")
	}
}

func TestMiddleware_RefusesBadTokens(t *testing.T) {
	t.Parallel()
	slug := addAgency(t, "thanh-tra-bo", "VN").Slug
	ed, ec, rs := newKey(t, auth.AlgEdDSA), newKey(t, auth.AlgES256), rsaKey(t, 0)
	outsider := newKey(t, auth.AlgEdDSA)
	otherRSA := rsaKey(t, 1)
	v, _ := newVerifier(t, ed, ec, rs)

	edPEM := pemOf(t, ed)
	rsPEM := pemOf(t, rs)
	now := time.Now()
	without := func(member string) jwt.MapClaims { c := claims(slug); delete(c, member); return c }
	set := func(member string, val any) jwt.MapClaims { c := claims(slug); c[member] = val; return c }
	valid := sign(t, ed, claims(slug))
	parts := strings.Split(valid, ".")

	tests := []struct {
		name  string
		token string // the header is "Bearer " + token unless header is set
		head  string
	}{
		{name: "signed by another key under a trusted kid", token: signWith(t, ed.method, outsider.signer, ed.kid, claims(slug))},
		{name: "key outside the set", token: sign(t, outsider, claims(slug))},
		{name: "unknown kid", token: signWith(t, ed.method, ed.signer, "no-such-kid", claims(slug))},
		{name: "no kid", token: signWith(t, ed.method, ed.signer, "", claims(slug))},
		{name: "alg none", token: signWith(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, ed.kid, claims(slug))},
		{name: "alg none, signature stripped from a valid token", token: noneHeader(ed.kid) + "." + parts[1] + "."},
		{name: "HS256 with a random secret", token: signWith(t, jwt.SigningMethodHS256, []byte("secret"), ed.kid, claims(slug))},
		{name: "HS256 keyed with the Ed25519 public key bytes", token: signWith(t, jwt.SigningMethodHS256, []byte(ed.public().(ed25519.PublicKey)), ed.kid, claims(slug))},
		{name: "HS256 keyed with the Ed25519 public key PEM", token: signWith(t, jwt.SigningMethodHS256, edPEM, ed.kid, claims(slug))},
		{name: "HS256 keyed with the RSA public key PEM", token: signWith(t, jwt.SigningMethodHS256, rsPEM, rs.kid, claims(slug))},
		{name: "HS512", token: signWith(t, jwt.SigningMethodHS512, rsPEM, rs.kid, claims(slug))},
		{name: "RS256 token under the EC key's kid", token: signWith(t, rs.method, rs.signer, ec.kid, claims(slug))},
		{name: "PS256 with a trusted RSA key", token: signWith(t, jwt.SigningMethodPS256, rs.signer, rs.kid, claims(slug))},
		{name: "RS256 signed by an RSA key outside the set", token: signWith(t, rs.method, otherRSA.signer, rs.kid, claims(slug))},
		{name: "EdDSA token under the RSA key's kid", token: signWith(t, ed.method, ed.signer, rs.kid, claims(slug))},
		{name: "expired", token: sign(t, ed, set("exp", now.Add(-2*time.Minute).Unix()))},
		{name: "nbf in the future", token: sign(t, ed, set("nbf", now.Add(2*time.Minute).Unix()))},
		{name: "iat in the future", token: sign(t, ed, set("iat", now.Add(2*time.Minute).Unix()))},
		{name: "wrong iss", token: sign(t, ed, set("iss", "someone-else"))},
		{name: "no iss", token: sign(t, ed, without("iss"))},
		{name: "wrong aud", token: sign(t, ed, set("aud", []string{"other-api"}))},
		{name: "no aud", token: sign(t, ed, without("aud"))},
		{name: "no exp", token: sign(t, ed, without("exp"))},
		{name: "exp not a number", token: sign(t, ed, set("exp", "tomorrow"))},
		{name: "no sub", token: sign(t, ed, without("sub"))},
		{name: "unknown agency", token: sign(t, ed, set("sub", "no-such-agency"))},
		{name: "scope not a string", token: sign(t, ed, set("scope", []string{"sanctions:write"}))},
		{name: "payload tampered", token: parts[0] + "." + tamper(t, parts[1]) + "." + parts[2]},
		{name: "signature truncated", token: parts[0] + "." + parts[1] + "." + parts[2][:len(parts[2])-4]},
		{name: "signature missing", token: parts[0] + "." + parts[1] + "."},
		{name: "garbage", token: "not-a-jwt"},
		{name: "garbage with dots", token: "aaa.bbb.ccc"},
		{name: "too long", token: valid + strings.Repeat("A", 9000)},
		{name: "Bearer with nothing after", head: "Bearer"},
		{name: "Bearer and spaces", head: "Bearer    "},
		{name: "Basic scheme", head: "Basic dXNlcjpwYXNz"},
		{name: "token without a scheme", head: valid},
		{name: "Token scheme", head: "Token " + valid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			head := tt.head
			if head == "" {
				head = "Bearer " + tt.token
			}
			rec, got := serve(t, v, testStore(t), head)
			assertUnauthenticated(t, rec, got)
		})
	}

	// The same verifier accepts the untouched token: the refusals above are the changes.
	if rec, got := serve(t, v, testStore(t), "Bearer "+valid); rec.Code != http.StatusNoContent || got == nil || got.Slug != slug {
		t.Fatalf("valid token: status %d body %s", rec.Code, rec.Body)
	}
}

func TestMiddleware_LeewayIsThirtySeconds(t *testing.T) {
	t.Parallel()
	slug := addAgency(t, "cuc-attp", "VN").Slug
	k := newKey(t, auth.AlgEdDSA)
	v, _ := newVerifier(t, k)
	now := time.Now()
	for _, tt := range []struct {
		member string
		at     time.Time
		ok     bool
	}{
		{"exp", now.Add(-10 * time.Second), true},
		{"exp", now.Add(-45 * time.Second), false},
		{"nbf", now.Add(10 * time.Second), true},
		{"nbf", now.Add(45 * time.Second), false},
		{"iat", now.Add(10 * time.Second), true},
		{"iat", now.Add(45 * time.Second), false},
	} {
		c := claims(slug)
		c[tt.member] = tt.at.Unix()
		rec, got := serve(t, v, testStore(t), "Bearer "+sign(t, k, c))
		if tt.ok && rec.Code != http.StatusNoContent {
			t.Errorf("%s %v from now: status %d, want accepted", tt.member, time.Until(tt.at).Round(time.Second), rec.Code)
		}
		if !tt.ok {
			assertUnauthenticated(t, rec, got)
		}
	}
}

func TestMiddleware_RefusesSuspendedAgencyAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	slug := addAgency(t, "so-tt-sg", "VN-SG").Slug
	k := newKey(t, auth.AlgES256)
	v, _ := newVerifier(t, k)
	tok := "Bearer " + sign(t, k, claims(slug))

	if rec, _ := serve(t, v, testStore(t), tok); rec.Code != http.StatusNoContent {
		t.Fatalf("before suspension: status %d", rec.Code)
	}
	if _, err := testStore(t).SuspendAgency(ctx, slug); err != nil {
		t.Fatal(err)
	}
	rec, got := serve(t, v, testStore(t), tok)
	assertUnauthenticated(t, rec, got)
	if !strings.Contains(rec.Body.String(), "suspended") {
		t.Errorf("body %s does not say the agency is suspended", rec.Body)
	}
	if _, err := testStore(t).SetAgencyStatus(ctx, slug, db.AgencyActive); err != nil {
		t.Fatal(err)
	}
	if rec, _ := serve(t, v, testStore(t), tok); rec.Code != http.StatusNoContent {
		t.Fatalf("after reactivation: status %d", rec.Code)
	}
}

func TestMiddleware_NoKeysConfiguredRefusesEveryToken(t *testing.T) {
	t.Parallel()
	slug := addAgency(t, "bo-cong-an", "VN").Slug
	v, err := auth.NewVerifier(auth.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Configured() {
		t.Fatal("a verifier without JWT_KEYS says it is configured")
	}
	k := newKey(t, auth.AlgEdDSA)
	rec, got := serve(t, v, testStore(t), "Bearer "+sign(t, k, claims(slug)))
	assertUnauthenticated(t, rec, got)
	if rec, got := serve(t, v, testStore(t), ""); rec.Code != http.StatusNoContent || !got.Anonymous {
		t.Errorf("anonymous request: status %d", rec.Code)
	}
}

func TestMiddleware_AgencyReadFailureIsInternalNot401(t *testing.T) {
	t.Parallel()
	closed, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	closed.Close()
	k := newKey(t, auth.AlgEdDSA)
	v, _ := newVerifier(t, k)
	rec, got := serve(t, v, closed, "Bearer "+sign(t, k, claims("any-agency")))
	if got != nil || rec.Code != http.StatusInternalServerError {
		t.Fatalf("status %d, seen %+v", rec.Code, got)
	}
	if body := rec.Body.String(); !strings.Contains(body, `"INTERNAL"`) || strings.Contains(body, "closed") {
		t.Errorf("body %s", body)
	}
}

func TestAuthenticate_RefusalCarriesClientSafeCode(t *testing.T) {
	t.Parallel()
	v, _ := newVerifier(t, newKey(t, auth.AlgEdDSA))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("Authorization", "Bearer garbage")
	_, err := auth.NewAuthenticator(v, testStore(t)).Authenticate(req)
	var ref *auth.Refusal
	if !errors.As(err, &ref) || ref.Public.Code != "UNAUTHENTICATED" || ref.Public.Message != "malformed token" {
		t.Fatalf("err = %#v", err)
	}
	if !errors.Is(err, jwt.ErrTokenMalformed) {
		t.Errorf("cause is not kept: %v", err)
	}
}

func pemOf(t *testing.T, k testKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.public())
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func noneHeader(kid string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","kid":"` + kid + `","typ":"JWT"}`))
}

// tamper grants the payload every scope, leaving header and signature as they were.
func tamper(t *testing.T, payload string) string {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	c["scope"] = "sanctions:write influencers:write mcns:write brands:write disclosures:write"
	b, _ = json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}
