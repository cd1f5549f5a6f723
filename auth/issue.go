package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenRequest is what the operator asks a token for.
type TokenRequest struct {
	Agency   string   // sub: the agency slug
	Scopes   []string // each one of Scopes
	TTL      time.Duration
	MaxTTL   time.Duration // the longest TTL allowed (JWT_MAX_TTL); zero: DefaultMaxTTL
	KeyID    string        // kid; empty: the signing key's RFC 7638 thumbprint
	Issuer   string        // empty: DefaultIssuer
	Audience string        // empty: DefaultAudience
	Now      time.Time
}

// Issue signs an agency token with key (Ed25519 → EdDSA, ECDSA P-256 → ES256, RSA → RS256):
// iss, aud, sub, iat, nbf, exp = now+TTL, a random jti and the scopes. A TTL above MaxTTL is
// refused: the verifier would refuse the token. An ES256 signature is written in low-S form,
// the only one the verifier accepts.
func Issue(key crypto.Signer, req TokenRequest) (string, error) {
	alg, err := algFor(key.Public())
	if err != nil {
		return "", err
	}
	if req.Agency == "" {
		return "", errors.New("no agency (sub)")
	}
	if req.TTL <= 0 {
		return "", errors.New("ttl must be positive")
	}
	if req.MaxTTL <= 0 {
		req.MaxTTL = DefaultMaxTTL
	}
	if req.TTL > req.MaxTTL {
		return "", fmt.Errorf("ttl %s is longer than the maximum token lifetime %s (JWT_MAX_TTL)", req.TTL, req.MaxTTL)
	}
	if len(req.Scopes) == 0 {
		return "", errors.New("no scope")
	}
	for _, s := range req.Scopes {
		if !KnownScope(s) {
			return "", fmt.Errorf("unknown scope %q", s)
		}
	}
	if req.KeyID == "" {
		if req.KeyID, err = Thumbprint(key.Public()); err != nil {
			return "", err
		}
	}
	if req.Issuer == "" {
		req.Issuer = DefaultIssuer
	}
	if req.Audience == "" {
		req.Audience = DefaultAudience
	}
	if req.Now.IsZero() {
		req.Now = time.Now()
	}
	jti := make([]byte, 16)
	if _, err := rand.Read(jti); err != nil {
		return "", err
	}
	now := req.Now.Truncate(time.Second)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    req.Issuer,
			Subject:   req.Agency,
			Audience:  jwt.ClaimStrings{req.Audience},
			ExpiresAt: jwt.NewNumericDate(now.Add(req.TTL)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        base64.RawURLEncoding.EncodeToString(jti),
		},
		Scope: strings.Join(req.Scopes, " "),
	}
	t := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims)
	t.Header["kid"] = req.KeyID
	signing, err := t.SigningString()
	if err != nil {
		return "", err
	}
	sig, err := t.Method.Sign(signing, key) // *ecdsa.PrivateKey, *rsa.PrivateKey or an Ed25519 crypto.Signer
	if err != nil {
		return "", err
	}
	if alg == AlgES256 {
		sig = normalizeLowS(sig)
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// LoadSigningKey reads a PEM private key: PKCS#8 ("PRIVATE KEY", what `keys generate` writes),
// or SEC 1 ("EC PRIVATE KEY") and PKCS#1 ("RSA PRIVATE KEY") as other tools write them.
func LoadSigningKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%s: PEM block %q is not a private key", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: key type %T cannot sign", path, key)
	}
	if _, err := algFor(signer.Public()); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return signer, nil
}
