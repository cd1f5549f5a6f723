package auth

import (
	"bytes"
	"crypto/elliptic"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// The checks golang-jwt leaves out, made on the token's raw segments before it parses them
// (RFC 7515 §4 and §4.1.11, RFC 7519 §2 and §4, RFC 8725 §2 and §3):
//   - a header or claim name given twice is refused: encoding/json keeps the last one, another
//     JSON library the first, so two readers could see two different tokens;
//   - a crit header is refused: this registry implements no JWS extension, and RFC 7515 says a
//     recipient must refuse a crit naming one it does not understand;
//   - exp, nbf and iat must be JSON numbers (NumericDate); golang-jwt also accepts a string
//     holding a number;
//   - an ES256 signature must have s ≤ n/2: (r, n−s) verifies too, so without the rule one
//     token has two valid signatures (ECDSA malleability), and jti-based bookkeeping could be
//     fooled by the twin.
// The lifetime bound (exp − iat ≤ MaxTTL, iat required) is checked after parsing, in Verify.

// Errors of the strict checks; each also matches jwt.ErrTokenMalformed or jwt.ErrTokenInvalidClaims
// as the jwt package classifies its own.
var (
	ErrDuplicateMember = errors.New("token header or claims name a member twice")
	ErrCritHeader      = errors.New("token header has crit: no JWS extension is supported")
	ErrNotNumericDate  = errors.New("token exp, nbf or iat is not a JSON number")
	ErrHighS           = errors.New("ES256 signature is not in low-S form")
	ErrNoIssuedAt      = errors.New("token has no iat: its lifetime cannot be checked")
	ErrLifetime        = errors.New("token lifetime (exp - iat) exceeds the maximum")
)

// maxJSONDepth bounds the nesting walked in a header or claims set; real tokens nest 2 levels.
const maxJSONDepth = 16

// strictSegments checks a compact JWS's raw header, claims and signature.
func strictSegments(token string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return fmt.Errorf("%w: token has %d segments, not 3", jwt.ErrTokenMalformed, len(parts))
	}
	header, err := members(parts[0], "header")
	if err != nil {
		return err
	}
	if _, ok := header["crit"]; ok {
		return fmt.Errorf("%w: %w", jwt.ErrTokenMalformed, ErrCritHeader)
	}
	claims, err := members(parts[1], "claims")
	if err != nil {
		return err
	}
	for _, name := range []string{"exp", "nbf", "iat"} {
		if raw, ok := claims[name]; ok && !isJSONNumber(raw) {
			return fmt.Errorf("%w: %w: %s is %s", jwt.ErrTokenInvalidClaims, ErrNotNumericDate, name, raw)
		}
	}
	return nil
}

// strictSignature refuses a verified ES256 token whose signature is not in low-S form; it runs
// after the signature check, so a token under the wrong key is refused for that first.
func strictSignature(t *jwt.Token) error {
	if t.Method.Alg() != AlgES256 {
		return nil
	}
	if sig := t.Signature; len(sig) == 64 && new(big.Int).SetBytes(sig[32:]).Cmp(p256HalfOrder) > 0 {
		return fmt.Errorf("%w: %w", jwt.ErrTokenSignatureInvalid, ErrHighS)
	}
	return nil
}

// members decodes one base64url JSON object segment into its members, refusing a name given
// twice at any level.
func members(segment, what string) (map[string]json.RawMessage, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(segment)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64url: %w", jwt.ErrTokenMalformed, what, err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := uniqueValue(dec, 0); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", jwt.ErrTokenMalformed, what, err)
	}
	if _, err := dec.Token(); err == nil {
		return nil, fmt.Errorf("%w: %s has data after its JSON object", jwt.ErrTokenMalformed, what)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return nil, fmt.Errorf("%w: %s is not a JSON object", jwt.ErrTokenMalformed, what)
	}
	return m, nil
}

// uniqueValue reads one JSON value from dec, refusing an object that names a member twice.
func uniqueValue(dec *json.Decoder, depth int) error {
	if depth > maxJSONDepth {
		return errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return err
			}
			name, _ := k.(string)
			if seen[name] {
				return fmt.Errorf("%w: %q", ErrDuplicateMember, name)
			}
			seen[name] = true
			if err := uniqueValue(dec, depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token() // '}'
	case json.Delim('['):
		for dec.More() {
			if err := uniqueValue(dec, depth+1); err != nil {
				return err
			}
		}
		_, err = dec.Token() // ']'
	}
	return err
}

// isJSONNumber says whether raw is a JSON number (not a string, even one holding digits).
func isJSONNumber(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || !(raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9')) {
		return false
	}
	_, err := strconv.ParseFloat(string(raw), 64)
	return err == nil
}

// p256HalfOrder is n/2 for P-256: a low-S signature has s ≤ n/2.
var p256HalfOrder = new(big.Int).Rsh(elliptic.P256().Params().N, 1)

// normalizeLowS rewrites an ES256 signature (r‖s) to its low-S twin (r, n−s), which verifies
// the same: Go's crypto/ecdsa does not choose, and the verifier accepts only low S.
func normalizeLowS(sig []byte) []byte {
	if len(sig) != 64 {
		return sig
	}
	s := new(big.Int).SetBytes(sig[32:])
	if s.Cmp(p256HalfOrder) <= 0 {
		return sig
	}
	s.Sub(elliptic.P256().Params().N, s)
	out := append([]byte(nil), sig[:32]...)
	return append(out, s.FillBytes(make([]byte, 32))...)
}

// lifetime checks a parsed token's iat (required) and exp − iat against max.
func lifetime(c *Claims, max time.Duration) error {
	if c.IssuedAt == nil {
		return fmt.Errorf("%w: %w", jwt.ErrTokenRequiredClaimMissing, ErrNoIssuedAt)
	}
	if c.ExpiresAt == nil {
		return jwt.ErrTokenRequiredClaimMissing
	}
	if ttl := c.ExpiresAt.Sub(c.IssuedAt.Time); ttl > max {
		return fmt.Errorf("%w: %w: %s > %s", jwt.ErrTokenInvalidClaims, ErrLifetime, ttl, max)
	}
	return nil
}

// DefaultMaxTTL is the longest token lifetime (exp − iat) when JWT_MAX_TTL is not set.
const DefaultMaxTTL = 90 * 24 * time.Hour

// ParseTTL reads a lifetime as a Go duration ("2160h", "90m") or a whole number of days ("90d").
func ParseTTL(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	var d time.Duration
	var err error
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if n, err = strconv.Atoi(days); err == nil {
			if n > 100*365 {
				return 0, fmt.Errorf("%q: more than 100 years", s)
			}
			d = time.Duration(n) * 24 * time.Hour
		}
	} else {
		d, err = time.ParseDuration(s)
	}
	switch {
	case err != nil:
		return 0, fmt.Errorf("%q is not a duration such as 90d or 2160h", s)
	case d <= 0:
		return 0, fmt.Errorf("%q: must be positive", s)
	}
	return d, nil
}

// MaxTTLFromEnv is JWT_MAX_TTL, or DefaultMaxTTL when it is unset.
func MaxTTLFromEnv(getenv func(string) string) (time.Duration, error) {
	v := getenv("JWT_MAX_TTL")
	if v == "" {
		return DefaultMaxTTL, nil
	}
	d, err := ParseTTL(v)
	if err != nil {
		return 0, fmt.Errorf("JWT_MAX_TTL: %w", err)
	}
	return d, nil
}
