package server

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kolregistry/kolregistry/auth"
)

// The JWT leniencies closed by auth/strict.go, through the API: each token is refused with
// HTTP 401 UNAUTHENTICATED before the mutation runs, and nothing is written.
func TestWrites_StrictJWTIsRefusedAndWritesNothing(t *testing.T) {
	ed := newEdKey(t)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecKid, err := auth.Thumbprint(ec.Public())
	if err != nil {
		t.Fatal(err)
	}
	// A JWKS trusting both keys, each bound to its algorithm.
	var doc auth.JWKS
	for kid, pub := range map[string]any{ed.kid: ed.pub(), ecKid: ec.Public()} {
		j, err := auth.PublicJWK(pub, kid)
		if err != nil {
			t.Fatal(err)
		}
		doc.Keys = append(doc.Keys, j)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.Config{KeysPath: path})
	if err != nil {
		t.Fatal(err)
	}
	store := openStore(t)
	s := newTestServer(t, Config{Authenticator: auth.NewAuthenticator(v, store)})
	slug := accredit(t, s.store, "cuc-ptth-strict", "VN").Slug
	const scope = auth.ScopeBrandsWrite

	now := time.Now()
	with := func(member string, val any) jwt.MapClaims { c := validClaims(slug, scope); c[member] = val; return c }
	without := func(member string) jwt.MapClaims { c := validClaims(slug, scope); delete(c, member); return c }
	edDSA := jwt.SigningMethodEdDSA
	raw := func(header, claims string) string {
		signing := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(claims))
		return signing + "." + base64.RawURLEncoding.EncodeToString(ed25519.Sign(ed.priv, []byte(signing)))
	}
	header := fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"typ":"JWT"}`, ed.kid)
	claimsJSON := func(extra string) string {
		return fmt.Sprintf(`{"iss":%q,"aud":[%q],"sub":%q,"exp":%d,"iat":%d,"jti":"j","scope":%q%s}`,
			auth.DefaultIssuer, auth.DefaultAudience, slug, now.Add(time.Hour).Unix(), now.Unix(), scope, extra)
	}
	crit := func() string {
		tok := jwt.NewWithClaims(edDSA, validClaims(slug, scope))
		tok.Header["kid"], tok.Header["crit"] = ed.kid, []string{"exp"}
		s, err := tok.SignedString(ed.priv)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}()
	// The ES256 token issued by `token issue` is low S; its twin (r, n−s) verifies with ecdsa too.
	lowS, err := auth.Issue(ec, auth.TokenRequest{Agency: slug, Scopes: []string{scope}, TTL: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	highS := func() string {
		i := strings.LastIndex(lowS, ".")
		sig, err := base64.RawURLEncoding.DecodeString(lowS[i+1:])
		if err != nil || len(sig) != 64 {
			t.Fatalf("ES256 signature: %d bytes, %v", len(sig), err)
		}
		s := new(big.Int).Sub(elliptic.P256().Params().N, new(big.Int).SetBytes(sig[32:]))
		return lowS[:i+1] + base64.RawURLEncoding.EncodeToString(append(sig[:32:32], s.FillBytes(make([]byte, 32))...))
	}()

	cases := []struct{ name, token string }{
		{"crit header", crit},
		{"kid twice in the header", raw(fmt.Sprintf(`{"alg":"EdDSA","kid":%q,"kid":"x"}`, ed.kid), claimsJSON(""))},
		{"sub twice", raw(header, claimsJSON(`,"sub":"another-agency"`))},
		{"scope twice", raw(header, claimsJSON(`,"scope":"sanctions:write"`))},
		{"exp as a string", signToken(t, edDSA, ed.priv, ed.kid, with("exp", fmt.Sprint(now.Add(time.Hour).Unix())))},
		{"iat as a string", signToken(t, edDSA, ed.priv, ed.kid, with("iat", fmt.Sprint(now.Unix())))},
		{"nbf as a string", signToken(t, edDSA, ed.priv, ed.kid, with("nbf", fmt.Sprint(now.Unix())))},
		{"no iat", signToken(t, edDSA, ed.priv, ed.kid, without("iat"))},
		{"lifetime over 90 days", signToken(t, edDSA, ed.priv, ed.kid, with("exp", now.Add(auth.DefaultMaxTTL+time.Minute).Unix()))},
		{"ES256 high S", highS},
	}
	before := tableCounts(t, s.store)
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := s.query(t, registerBrand, brandInput(fmt.Sprintf("Strict %d %s", i, c.name)), "Authorization", "Bearer "+c.token)
			if r.status != http.StatusUnauthorized || r.code() != "UNAUTHENTICATED" || r.gql.Data != nil {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
		})
	}
	if d := changed(before, tableCounts(t, s.store)); len(d) > 0 {
		t.Errorf("refused tokens wrote rows: %v", d)
	}
	// The same server accepts the raw EdDSA token written without a leniency, and the low-S ES256 one.
	for name, tok := range map[string]string{"raw EdDSA": raw(header, claimsJSON("")), "low-S ES256": lowS} {
		r := s.query(t, registerBrand, brandInput("Strict control "+name), "Authorization", "Bearer "+tok)
		if r.status != http.StatusOK || len(r.gql.Errors) > 0 || !strings.Contains(string(r.gql.Data), `"name":"Strict control `+name+`"`) {
			t.Fatalf("%s control: HTTP %d %s", name, r.status, r.body)
		}
	}
}
