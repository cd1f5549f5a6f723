package auth

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
)

// The only signing algorithms a token may use. Each key is bound to one of
// them by its type: Ed25519 → EdDSA, ECDSA P-256 → ES256, RSA (≥ 2048 bits) → RS256.
const (
	AlgEdDSA = "EdDSA"
	AlgES256 = "ES256"
	AlgRS256 = "RS256"
)

// allowedAlgs is handed to jwt.WithValidMethods: "none" and every HMAC are never in it.
var allowedAlgs = []string{AlgEdDSA, AlgES256, AlgRS256}

// minRSABits is the smallest RSA modulus accepted for RS256.
const minRSABits = 2048

// Key is one verification key and the one algorithm it may verify.
type Key struct {
	ID     string
	Alg    string
	Public crypto.PublicKey // ed25519.PublicKey, *ecdsa.PublicKey or *rsa.PublicKey
}

// KeySet is an immutable set of verification keys, selected by kid.
type KeySet struct {
	keys map[string]Key
}

// Lookup returns the key with this kid.
func (s *KeySet) Lookup(kid string) (Key, bool) {
	if s == nil {
		return Key{}, false
	}
	k, ok := s.keys[kid]
	return k, ok
}

// IDs returns the kids in the set, sorted.
func (s *KeySet) IDs() []string {
	if s == nil {
		return nil
	}
	ids := make([]string, 0, len(s.keys))
	for id := range s.keys {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Len is the number of keys in the set.
func (s *KeySet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.keys)
}

// LoadKeySet reads a key set from a file (see ParseKeySet).
func LoadKeySet(path string) (*KeySet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read JWT keys: %w", err)
	}
	s, err := ParseKeySet(data)
	if err != nil {
		return nil, fmt.Errorf("JWT keys %s: %w", path, err)
	}
	return s, nil
}

// ParseKeySet parses either a JWKS document (JSON, starts with '{') or PEM public keys.
//
// JWKS: every key must be usable, or the whole set is refused (a half-loaded set hides
// mistakes). kty "OKP" (crv "Ed25519"), "EC" (crv "P-256") or "RSA"; "alg", when present, must
// be the one algorithm of the key's type; "use", when present, must be "sig"; a key carrying
// private material ("d") is refused; a key without "kid" gets its RFC 7638 thumbprint as kid.
//
// PEM: one or more "PUBLIC KEY" (PKIX) blocks. A block's kid is its "kid:" header when it has
// one, else the RFC 7638 thumbprint of the key — the same kid `kolregistry keys generate`
// writes into jwks.json and `kolregistry token issue` puts in tokens:
//
//	-----BEGIN PUBLIC KEY-----
//	kid: 2025-03
//
//	MCowBQYDK2VwAyEA...
//	-----END PUBLIC KEY-----
//
// Any other block type (a private key, a certificate) is refused.
func ParseKeySet(data []byte) (*KeySet, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return parseJWKS(trimmed)
	}
	return parsePEMKeys(data)
}

// JWK is a public JSON Web Key (RFC 7517) of a type this package accepts.
type JWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid,omitempty"`
	Use string `json:"use,omitempty"`
	Alg string `json:"alg,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	// D is read only to refuse private keys in a public key set; it is never written.
	D string `json:"d,omitempty"`
}

// JWKS is a JSON Web Key Set document.
type JWKS struct {
	Keys []JWK `json:"keys"`
}

func parseJWKS(data []byte) (*KeySet, error) {
	var doc JWKS
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("parse JWKS: %w", err)
	}
	if len(doc.Keys) == 0 {
		return nil, errors.New("JWKS has no keys")
	}
	set := &KeySet{keys: make(map[string]Key, len(doc.Keys))}
	for i, j := range doc.Keys {
		k, err := j.key()
		if err != nil {
			return nil, fmt.Errorf("JWKS key %d (kid %q): %w", i, j.Kid, err)
		}
		if err := set.add(k); err != nil {
			return nil, fmt.Errorf("JWKS key %d: %w", i, err)
		}
	}
	return set, nil
}

// key turns a JWK into a verification key bound to its algorithm.
func (j JWK) key() (Key, error) {
	if j.D != "" {
		return Key{}, errors.New("contains private key material (\"d\"); publish only public keys")
	}
	if j.Use != "" && j.Use != "sig" {
		return Key{}, fmt.Errorf("use %q: only signature keys (\"sig\") are accepted", j.Use)
	}
	var pub crypto.PublicKey
	switch j.Kty {
	case "OKP":
		if j.Crv != "Ed25519" {
			return Key{}, fmt.Errorf("OKP curve %q: only Ed25519 is accepted", j.Crv)
		}
		x, err := b64(j.X, "x")
		if err != nil {
			return Key{}, err
		}
		if len(x) != ed25519.PublicKeySize {
			return Key{}, fmt.Errorf("Ed25519 x is %d bytes, want %d", len(x), ed25519.PublicKeySize)
		}
		pub = ed25519.PublicKey(x)
	case "EC":
		if j.Crv != "P-256" {
			return Key{}, fmt.Errorf("EC curve %q: only P-256 is accepted", j.Crv)
		}
		x, err := b64(j.X, "x")
		if err != nil {
			return Key{}, err
		}
		y, err := b64(j.Y, "y")
		if err != nil {
			return Key{}, err
		}
		if len(x) != 32 || len(y) != 32 {
			return Key{}, errors.New("P-256 x and y must be 32 bytes each")
		}
		ec, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return Key{}, fmt.Errorf("P-256 key: %w", err)
		}
		pub = ec
	case "RSA":
		n, err := b64(j.N, "n")
		if err != nil {
			return Key{}, err
		}
		e, err := b64(j.E, "e")
		if err != nil {
			return Key{}, err
		}
		if len(e) == 0 || len(e) > 4 {
			return Key{}, errors.New("RSA exponent out of range")
		}
		exp := new(big.Int).SetBytes(e)
		if exp.Int64() < 3 || exp.Bit(0) == 0 {
			return Key{}, errors.New("RSA exponent must be odd and at least 3")
		}
		pub = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}
	case "":
		return Key{}, errors.New("missing kty")
	default:
		return Key{}, fmt.Errorf("kty %q: only OKP (Ed25519), EC (P-256) and RSA are accepted", j.Kty)
	}
	alg, err := algFor(pub)
	if err != nil {
		return Key{}, err
	}
	if j.Alg != "" && j.Alg != alg {
		return Key{}, fmt.Errorf("alg %q does not match the key type (%s keys verify %s only)", j.Alg, j.Kty, alg)
	}
	kid := j.Kid
	if kid == "" {
		if kid, err = Thumbprint(pub); err != nil {
			return Key{}, err
		}
	}
	return Key{ID: kid, Alg: alg, Public: pub}, nil
}

func parsePEMKeys(data []byte) (*KeySet, error) {
	set := &KeySet{keys: map[string]Key{}}
	rest := data
	for n := 1; ; n++ {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "PUBLIC KEY" {
			return nil, fmt.Errorf("PEM block %d is %q: only \"PUBLIC KEY\" blocks are accepted", n, block.Type)
		}
		pub, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		alg, err := algFor(pub)
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		kid := ""
		for h, v := range block.Headers {
			if strings.EqualFold(h, "kid") {
				kid = strings.TrimSpace(v)
			}
		}
		if kid == "" {
			if kid, err = Thumbprint(pub); err != nil {
				return nil, fmt.Errorf("PEM block %d: %w", n, err)
			}
		}
		if err := set.add(Key{ID: kid, Alg: alg, Public: pub}); err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
	}
	if len(set.keys) == 0 {
		return nil, errors.New("no PEM public keys found (expected a JWKS document or \"PUBLIC KEY\" blocks)")
	}
	return set, nil
}

func (s *KeySet) add(k Key) error {
	if _, dup := s.keys[k.ID]; dup {
		return fmt.Errorf("duplicate kid %q", k.ID)
	}
	s.keys[k.ID] = k
	return nil
}

// algFor is the one algorithm a public key may verify, or an error for a key type that is not
// accepted.
func algFor(pub crypto.PublicKey) (string, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return AlgEdDSA, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", fmt.Errorf("ECDSA curve %s: only P-256 (ES256) is accepted", k.Curve.Params().Name)
		}
		return AlgES256, nil
	case *rsa.PublicKey:
		if k.N.BitLen() < minRSABits {
			return "", fmt.Errorf("RSA key of %d bits: at least %d are required", k.N.BitLen(), minRSABits)
		}
		return AlgRS256, nil
	default:
		return "", fmt.Errorf("key type %T: only Ed25519, ECDSA P-256 and RSA keys are accepted", pub)
	}
}

// PublicJWK describes a public key as a JWK bound to its algorithm, for a published JWKS.
// An empty kid becomes the key's RFC 7638 thumbprint.
func PublicJWK(pub crypto.PublicKey, kid string) (JWK, error) {
	alg, err := algFor(pub)
	if err != nil {
		return JWK{}, err
	}
	j, err := thumbprintMembers(pub)
	if err != nil {
		return JWK{}, err
	}
	if kid == "" {
		if kid, err = Thumbprint(pub); err != nil {
			return JWK{}, err
		}
	}
	j.Kid, j.Alg, j.Use = kid, alg, "sig"
	return j, nil
}

// Thumbprint is the RFC 7638 JWK thumbprint of a public key (SHA-256, base64url): the default
// kid for keys this registry generates and for PEM keys without a kid header.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	j, err := thumbprintMembers(pub)
	if err != nil {
		return "", err
	}
	// RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
	var canonical string
	switch j.Kty {
	case "OKP":
		canonical = fmt.Sprintf(`{"crv":%q,"kty":%q,"x":%q}`, j.Crv, j.Kty, j.X)
	case "EC":
		canonical = fmt.Sprintf(`{"crv":%q,"kty":%q,"x":%q,"y":%q}`, j.Crv, j.Kty, j.X, j.Y)
	case "RSA":
		canonical = fmt.Sprintf(`{"e":%q,"kty":%q,"n":%q}`, j.E, j.Kty, j.N)
	}
	sum := sha256.Sum256([]byte(canonical))
	return base64.RawURLEncoding.EncodeToString(sum[:]), nil
}

// thumbprintMembers returns the JWK's key-type members (kty, crv, x, y, n, e) only.
func thumbprintMembers(pub crypto.PublicKey) (JWK, error) {
	enc := base64.RawURLEncoding.EncodeToString
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return JWK{Kty: "OKP", Crv: "Ed25519", X: enc(k)}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return JWK{}, errors.New("only P-256 ECDSA keys are accepted")
		}
		pt, err := k.Bytes() // 0x04 || x || y, each 32 bytes
		if err != nil {
			return JWK{}, err
		}
		return JWK{Kty: "EC", Crv: "P-256", X: enc(pt[1:33]), Y: enc(pt[33:])}, nil
	case *rsa.PublicKey:
		e := big.NewInt(int64(k.E)).Bytes()
		return JWK{Kty: "RSA", N: enc(k.N.Bytes()), E: enc(e)}, nil
	default:
		return JWK{}, fmt.Errorf("key type %T: only Ed25519, ECDSA P-256 and RSA keys are accepted", pub)
	}
}

func b64(s, member string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("missing %q", member)
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not unpadded base64url: %w", member, err)
	}
	return b, nil
}
