package auth_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"slices"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/auth"
)

// The example keys of RFC 7638 §3.1 (RSA) and RFC 8037 appendix A.3 (Ed25519), with the
// thumbprints those RFCs give.
const (
	rfc7638N          = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
	rfc8037X          = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfc8037Thumbprint = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
)

func TestParseKeySet_KidDefaultsToRFC7638Thumbprint(t *testing.T) {
	set, err := auth.ParseKeySet([]byte(`{"keys":[
		{"kty":"RSA","n":"` + rfc7638N + `","e":"AQAB"},
		{"kty":"OKP","crv":"Ed25519","x":"` + rfc8037X + `"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	for kid, alg := range map[string]string{rfc7638Thumbprint: auth.AlgRS256, rfc8037Thumbprint: auth.AlgEdDSA} {
		k, ok := set.Lookup(kid)
		if !ok {
			t.Fatalf("kid %s not in set %v", kid, set.IDs())
		}
		if k.Alg != alg {
			t.Errorf("kid %s bound to %s, want %s", kid, k.Alg, alg)
		}
		if got, _ := auth.Thumbprint(k.Public); got != kid {
			t.Errorf("Thumbprint = %s, want %s", got, kid)
		}
	}
}

func TestPublicJWK_RoundTripsEveryKeyType(t *testing.T) {
	for _, alg := range []string{auth.AlgEdDSA, auth.AlgES256, auth.AlgRS256} {
		k := newKey(t, alg)
		j, err := auth.PublicJWK(k.public(), "")
		if err != nil {
			t.Fatal(err)
		}
		if j.Kid != k.kid || j.Alg != alg || j.Use != "sig" || j.D != "" {
			t.Errorf("%s: JWK = %+v", alg, j)
		}
		set, err := auth.ParseKeySet(mustJSON(t, auth.JWKS{Keys: []auth.JWK{j}}))
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		got, ok := set.Lookup(k.kid)
		if !ok || got.Alg != alg {
			t.Fatalf("%s: lookup = %+v, %v", alg, got, ok)
		}
		if eq, ok := got.Public.(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(k.public()) {
			t.Errorf("%s: parsed key differs from the original", alg)
		}
	}
}

func TestParseKeySet_RefusesUnusableJWKS(t *testing.T) {
	ed := newKey(t, auth.AlgEdDSA)
	edJWK, _ := auth.PublicJWK(ed.public(), "ed")
	ec := newKey(t, auth.AlgES256)
	ecJWK, _ := auth.PublicJWK(ec.public(), "ec")
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	smallN := rsaJWKMembers(t, &small.PublicKey)

	with := func(j auth.JWK, f func(*auth.JWK)) auth.JWK { f(&j); return j }
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"not json", `{"keys":`, "parse JWKS"},
		{"no keys", `{"keys":[]}`, "no keys"},
		{"HMAC key", `{"keys":[{"kty":"oct","kid":"h","alg":"HS256","k":"c2VjcmV0"}]}`, `kty "oct"`},
		{"missing kty", `{"keys":[{"kid":"x"}]}`, "missing kty"},
		{"Ed25519 key claiming ES256", jsonKeys(t, with(edJWK, func(j *auth.JWK) { j.Alg = "ES256" })), "does not match"},
		{"Ed25519 key claiming HS256", jsonKeys(t, with(edJWK, func(j *auth.JWK) { j.Alg = "HS256" })), "does not match"},
		{"EC key claiming none", jsonKeys(t, with(ecJWK, func(j *auth.JWK) { j.Alg = "none" })), "does not match"},
		{"encryption key", jsonKeys(t, with(edJWK, func(j *auth.JWK) { j.Use = "enc" })), "use"},
		{"private key material", jsonKeys(t, with(edJWK, func(j *auth.JWK) { j.D = j.X })), "private"},
		{"short Ed25519 x", jsonKeys(t, with(edJWK, func(j *auth.JWK) { j.X = j.X[:20] })), "bytes"},
		{"X25519 curve", jsonKeys(t, with(edJWK, func(j *auth.JWK) { j.Crv = "X25519" })), "curve"},
		{"padded base64", jsonKeys(t, with(edJWK, func(j *auth.JWK) { j.X += "=" })), "base64url"},
		{"EC point off the curve", jsonKeys(t, with(ecJWK, func(j *auth.JWK) { j.Y = ecJWK.X })), "P-256"},
		{"P-384 key", `{"keys":[{"kty":"EC","crv":"P-384","x":"` + b64x(t, p384) + `"}]}`, "curve"},
		{"RSA 1024", `{"keys":[{"kty":"RSA","kid":"r","n":"` + smallN + `","e":"AQAB"}]}`, "at least 2048"},
		{"duplicate kid", jsonKeys(t, edJWK, with(ecJWK, func(j *auth.JWK) { j.Kid = "ed" })), "duplicate kid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := auth.ParseKeySet([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestParseKeySet_PEM(t *testing.T) {
	ed, ec, rs := newKey(t, auth.AlgEdDSA), newKey(t, auth.AlgES256), newKey(t, auth.AlgRS256)
	data := append(pemPublic(t, ed, nil), pemPublic(t, ec, map[string]string{"kid": "2025-ec"})...)
	data = append(data, pemPublic(t, rs, nil)...)
	set, err := auth.ParseKeySet(data)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2025-ec", ed.kid, rs.kid}; !sameSet(set.IDs(), want) {
		t.Fatalf("kids = %v, want %v", set.IDs(), want)
	}
	if k, _ := set.Lookup("2025-ec"); k.Alg != auth.AlgES256 {
		t.Errorf("EC key bound to %s", k.Alg)
	}

	der, _ := x509.MarshalPKCS8PrivateKey(ed.signer)
	for name, doc := range map[string][]byte{
		"private key":   pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}),
		"no PEM at all": []byte("not a key\n"),
		"empty":         nil,
		"duplicate kid": append(pemPublic(t, ed, nil), pemPublic(t, ed, nil)...),
	} {
		if _, err := auth.ParseKeySet(doc); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseScopes(t *testing.T) {
	got, err := auth.ParseScopes("sanctions:write  disclosures:write,sanctions:write")
	if err != nil || !slices.Equal(got, []string{"sanctions:write", "disclosures:write"}) {
		t.Fatalf("ParseScopes = %v, %v", got, err)
	}
	for _, bad := range []string{"", "  ", "sanctions:read", "sanctions:write admin"} {
		if _, err := auth.ParseScopes(bad); err == nil {
			t.Errorf("ParseScopes(%q) accepted", bad)
		}
	}
}

func pemPublic(t *testing.T, k testKey, headers map[string]string) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.public())
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: headers, Bytes: der})
}

func jsonKeys(t *testing.T, keys ...auth.JWK) string {
	return string(mustJSON(t, auth.JWKS{Keys: keys}))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rsaJWKMembers(t *testing.T, pub *rsa.PublicKey) string {
	t.Helper()
	// PublicJWK refuses small keys, so encode n by hand.
	return base64.RawURLEncoding.EncodeToString(pub.N.Bytes())
}

func b64x(t *testing.T, k *ecdsa.PrivateKey) string {
	t.Helper()
	b, err := k.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[1:49])
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
