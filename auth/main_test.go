package auth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "auth", &dbURL)) }

var (
	storeOnce sync.Once
	store     *db.DB
	storeErr  error
)

// testStore is the package's store on its private database, shared by every test.
func testStore(t *testing.T) *db.DB {
	t.Helper()
	storeOnce.Do(func() { store, storeErr = db.Open(context.Background(), dbURL, "") })
	if storeErr != nil {
		t.Fatalf("open store: %v", storeErr)
	}
	return store
}

var agencySeq atomic.Int64

// addAgency accredits an agency for one test, its slug made unique from base (the package's
// database lives as long as the test binary, which -count may run several times).
func addAgency(t *testing.T, base, jurisdiction string) db.Agency {
	t.Helper()
	slug := fmt.Sprintf("%s-%d", base, agencySeq.Add(1))
	a, err := testStore(t).AddAgency(context.Background(), db.NewAgency{
		Slug: slug, Name: "Sở Văn hóa " + slug, Kind: "PROVINCIAL_DEPARTMENT", Jurisdiction: jurisdiction,
	})
	if err != nil {
		t.Fatalf("add agency %s: %v", slug, err)
	}
	return a
}

// testKey is a signing key with its kid and algorithm.
type testKey struct {
	kid    string
	alg    string
	method jwt.SigningMethod
	signer crypto.Signer
}

func (k testKey) public() crypto.PublicKey { return k.signer.Public() }

var (
	rsaOnce sync.Once
	rsaKeys [2]*rsa.PrivateKey
)

func newKey(t *testing.T, alg string) testKey {
	t.Helper()
	var s crypto.Signer
	var err error
	switch alg {
	case auth.AlgEdDSA:
		_, s, err = ed25519.GenerateKey(rand.Reader)
	case auth.AlgES256:
		s, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case auth.AlgRS256:
		return rsaKey(t, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return keyOf(t, alg, s)
}

// rsaKey is one of two RSA keys generated once: RSA generation is slow.
func rsaKey(t *testing.T, i int) testKey {
	t.Helper()
	var err error
	rsaOnce.Do(func() {
		for i := range rsaKeys {
			if rsaKeys[i], err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
				return
			}
		}
	})
	if err != nil || rsaKeys[i] == nil {
		t.Fatalf("generate RSA keys: %v", err)
	}
	return keyOf(t, auth.AlgRS256, rsaKeys[i])
}

func keyOf(t *testing.T, alg string, s crypto.Signer) testKey {
	t.Helper()
	kid, err := auth.Thumbprint(s.Public())
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, alg: alg, method: jwt.GetSigningMethod(alg), signer: s}
}

// writeJWKS writes the public halves of keys as a JWKS file.
func writeJWKS(t *testing.T, path string, keys ...testKey) {
	t.Helper()
	var doc auth.JWKS
	for _, k := range keys {
		j, err := auth.PublicJWK(k.public(), k.kid)
		if err != nil {
			t.Fatal(err)
		}
		doc.Keys = append(doc.Keys, j)
	}
	writeJSON(t, path, doc)
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, b)
}

// writeFile replaces path atomically, as an operator's deploy would.
func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// newVerifier writes keys to a JWKS file in a temp dir and loads it.
func newVerifier(t *testing.T, keys ...testKey) (*auth.Verifier, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "jwks.json")
	writeJWKS(t, path, keys...)
	v, err := auth.NewVerifier(auth.Config{KeysPath: path})
	if err != nil {
		t.Fatal(err)
	}
	return v, path
}

// claims are valid claims for sub; tests change or delete members.
func claims(sub string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"iss":   auth.DefaultIssuer,
		"aud":   []string{auth.DefaultAudience},
		"sub":   sub,
		"exp":   now.Add(time.Hour).Unix(),
		"iat":   now.Unix(),
		"nbf":   now.Unix(),
		"jti":   "jti-" + sub,
		"scope": "sanctions:write disclosures:write",
	}
}

// sign signs c with k under k's own kid and algorithm.
func sign(t *testing.T, k testKey, c jwt.MapClaims) string {
	t.Helper()
	return signWith(t, k.method, k.signer, k.kid, c)
}

// signWith signs c with any method, key and kid ("" for no kid header).
func signWith(t *testing.T, m jwt.SigningMethod, key any, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	// Go's crypto/ecdsa signs with a high S half the time and the verifier accepts only low S:
	// sign again until S is low (TestVerify_StrictJOSE makes the high-S twin on purpose).
	for i := 0; m.Alg() == auth.AlgES256 && highS(t, s); i++ {
		if i == 64 {
			t.Fatal("64 ES256 signatures in a row with a high S")
		}
		if s, err = tok.SignedString(key); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// p256HalfOrder is n/2 of P-256.
var p256HalfOrder = new(big.Int).Rsh(elliptic.P256().Params().N, 1)

// highS says whether an ES256 token's signature has s > n/2.
func highS(t *testing.T, token string) bool {
	t.Helper()
	sig, err := base64.RawURLEncoding.DecodeString(token[strings.LastIndex(token, ".")+1:])
	if err != nil || len(sig) != 64 {
		t.Fatalf("ES256 signature of %d bytes: %v", len(sig), err)
	}
	return new(big.Int).SetBytes(sig[32:]).Cmp(p256HalfOrder) > 0
}

// flipS returns an ES256 token with its signature's twin (r, n−s): valid, with the other S.
func flipS(t *testing.T, token string) string {
	t.Helper()
	i := strings.LastIndex(token, ".")
	sig, err := base64.RawURLEncoding.DecodeString(token[i+1:])
	if err != nil || len(sig) != 64 {
		t.Fatalf("ES256 signature of %d bytes: %v", len(sig), err)
	}
	s := new(big.Int).Sub(elliptic.P256().Params().N, new(big.Int).SetBytes(sig[32:]))
	out := append(append([]byte(nil), sig[:32]...), s.FillBytes(make([]byte, 32))...)
	return token[:i+1] + base64.RawURLEncoding.EncodeToString(out)
}
