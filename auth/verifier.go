package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Defaults of the JWT settings (ARCHITECTURE.md §6).
const (
	DefaultIssuer       = "kolregistry"
	DefaultAudience     = "kolregistry-api"
	DefaultPollInterval = 5 * time.Second
	// MaxLeeway is the clock skew allowed on exp, nbf and iat (ARCHITECTURE.md §5: ≤ 30 s).
	MaxLeeway = 30 * time.Second
	// maxTokenBytes bounds what is parsed at all; real tokens are well under 2 KiB.
	maxTokenBytes = 8 << 10
)

// Config configures a Verifier.
type Config struct {
	// KeysPath is the JWKS or PEM file (JWT_KEYS). Empty: no keys, every token is refused.
	KeysPath string
	// Issuer is the required iss (JWT_ISSUER); empty means DefaultIssuer.
	Issuer string
	// Audience must be one of the token's aud (JWT_AUDIENCE); empty means DefaultAudience.
	Audience string
	// Leeway is the clock skew allowed; zero or more than MaxLeeway means MaxLeeway.
	Leeway time.Duration
	// MaxTTL is the longest lifetime (exp − iat) a token may claim (JWT_MAX_TTL); zero means DefaultMaxTTL.
	MaxTTL time.Duration
	// PollInterval is how often Watch checks the key file's mtime and size; zero means DefaultPollInterval.
	PollInterval time.Duration
	// Logger receives reload results; nil discards them.
	Logger *slog.Logger
}

// ConfigFromEnv reads JWT_KEYS, JWT_ISSUER, JWT_AUDIENCE and JWT_MAX_TTL; a malformed
// JWT_MAX_TTL is an error, so a misconfigured server does not start.
func ConfigFromEnv(logger *slog.Logger) (Config, error) {
	maxTTL, err := MaxTTLFromEnv(os.Getenv)
	if err != nil {
		return Config{}, err
	}
	return Config{
		KeysPath: os.Getenv("JWT_KEYS"),
		Issuer:   os.Getenv("JWT_ISSUER"),
		Audience: os.Getenv("JWT_AUDIENCE"),
		MaxTTL:   maxTTL,
		Logger:   logger,
	}, nil
}

// Errors of Verify, beside the jwt package's (jwt.ErrTokenExpired, …).
var (
	ErrNoKeys      = errors.New("no JWT verification keys are configured (JWT_KEYS)")
	ErrNoKeyID     = errors.New("token header has no kid")
	ErrUnknownKey  = errors.New("token kid is not in the key set")
	ErrAlgMismatch = errors.New("token alg is not the algorithm its key is bound to")
	ErrNoSubject   = errors.New("token has no sub")
	ErrTooLong     = errors.New("token too long")
)

// Claims are the claims of an agency token.
type Claims struct {
	jwt.RegisteredClaims
	// Scope is the space-separated list of granted scopes.
	Scope string `json:"scope,omitempty"`
}

// Verifier checks tokens against the current key set. It is safe for concurrent use; the key
// set is swapped atomically on reload, so a request sees either the old set or the new one.
type Verifier struct {
	cfg  Config
	keys atomic.Pointer[KeySet]
	log  *slog.Logger

	mu     sync.Mutex  // serializes reloads
	loaded os.FileInfo // the key file as last read (mtime, size, inode), under mu
}

// NewVerifier loads the key set from cfg.KeysPath. A missing or invalid file is an error, so a
// misconfigured server does not start; with no KeysPath the verifier refuses every token.
func NewVerifier(cfg Config) (*Verifier, error) {
	if cfg.Issuer == "" {
		cfg.Issuer = DefaultIssuer
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	if cfg.Leeway <= 0 || cfg.Leeway > MaxLeeway {
		cfg.Leeway = MaxLeeway
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	if cfg.MaxTTL <= 0 {
		cfg.MaxTTL = DefaultMaxTTL
	}
	v := &Verifier{cfg: cfg, log: cfg.Logger}
	if v.log == nil {
		v.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.KeysPath == "" {
		return v, nil
	}
	if err := v.Reload(); err != nil {
		return nil, err
	}
	return v, nil
}

// Configured reports whether the verifier has keys, i.e. whether any token can be accepted.
func (v *Verifier) Configured() bool { return v.keys.Load().Len() > 0 }

// Keys returns the current key set (nil when none is configured).
func (v *Verifier) Keys() *KeySet { return v.keys.Load() }

// MaxTTL is the longest lifetime a token may claim.
func (v *Verifier) MaxTTL() time.Duration { return v.cfg.MaxTTL }

// Issuer and Audience are the values tokens must carry.
func (v *Verifier) Issuer() string   { return v.cfg.Issuer }
func (v *Verifier) Audience() string { return v.cfg.Audience }

// Reload reads the key file again. On error the current set stays in use.
func (v *Verifier) Reload() error {
	if v.cfg.KeysPath == "" {
		return ErrNoKeys
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.reloadLocked()
}

func (v *Verifier) reloadLocked() error {
	// Stat before reading: if the file changes in between, the next poll sees a newer stamp.
	fi, err := os.Stat(v.cfg.KeysPath)
	if err != nil {
		return fmt.Errorf("JWT keys: %w", err)
	}
	v.loaded = fi // a broken file is reported once per change, not on every poll
	set, err := LoadKeySet(v.cfg.KeysPath)
	if err != nil {
		return err
	}
	v.keys.Store(set)
	return nil
}

// Watch reloads the key set on SIGHUP and whenever the key file's mtime, size or inode changes
// (polled every PollInterval), until ctx is done. It returns at once; the watching runs in the
// background. A failed reload is logged and the previous set stays in use.
func (v *Verifier) Watch(ctx context.Context) {
	if v.cfg.KeysPath == "" {
		return
	}
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		tick := time.NewTicker(v.cfg.PollInterval)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				v.reloadAndLog("SIGHUP", true)
			case <-tick.C:
				v.reloadAndLog("key file changed", false)
			}
		}
	}()
}

// reloadAndLog reloads when forced or when the file differs from the one last read.
func (v *Verifier) reloadAndLog(why string, force bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !force {
		fi, err := os.Stat(v.cfg.KeysPath)
		if err != nil {
			// Often a rename in progress; say so once, keep serving with the keys we have.
			if v.loaded != nil {
				v.log.Error("JWT keys: cannot stat key file; keeping the current keys", "path", v.cfg.KeysPath, "error", err)
				v.loaded = nil
			}
			return
		}
		if v.loaded != nil && fi.ModTime().Equal(v.loaded.ModTime()) && fi.Size() == v.loaded.Size() && os.SameFile(fi, v.loaded) {
			return
		}
	}
	if err := v.reloadLocked(); err != nil {
		v.log.Error("JWT keys: reload failed; keeping the current keys", "reason", why, "path", v.cfg.KeysPath, "error", err)
		return
	}
	set := v.keys.Load()
	v.log.Info("JWT keys reloaded", "reason", why, "path", v.cfg.KeysPath, "keys", set.Len(), "kids", set.IDs())
}

// Verify checks a compact JWS: no member named twice in its header or claims, no crit header,
// alg allowed and equal to the algorithm of the key its kid selects, signature (ES256 in low-S
// form), iss, aud, exp and iat (both required, JSON numbers) and nbf (when present, a JSON
// number) within the leeway, a lifetime exp − iat of at most MaxTTL, and a non-empty sub
// (strict.go says why each). It returns the claims and the kid used.
func (v *Verifier) Verify(token string) (*Claims, string, error) {
	set := v.keys.Load()
	if set.Len() == 0 {
		return nil, "", ErrNoKeys
	}
	if len(token) > maxTokenBytes {
		return nil, "", ErrTooLong
	}
	if err := strictSegments(token); err != nil {
		return nil, "", err
	}
	var kid string
	keyFunc := func(t *jwt.Token) (any, error) {
		id, _ := t.Header["kid"].(string)
		if id == "" {
			return nil, ErrNoKeyID
		}
		k, ok := set.Lookup(id)
		if !ok {
			return nil, ErrUnknownKey
		}
		// WithValidMethods already refused none/HMAC; this stops an RS256 token from being
		// checked against an EC key and the like: one key, one algorithm.
		if t.Method.Alg() != k.Alg {
			return nil, ErrAlgMismatch
		}
		kid = id
		return k.Public, nil
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods(allowedAlgs),
		jwt.WithLeeway(v.cfg.Leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(v.cfg.Issuer),
		jwt.WithAudience(v.cfg.Audience),
		jwt.WithStrictDecoding(),
	)
	claims := &Claims{}
	t, err := parser.ParseWithClaims(token, claims, keyFunc)
	if err != nil {
		return nil, "", err
	}
	if err := strictSignature(t); err != nil {
		return nil, "", err
	}
	if err := lifetime(claims, v.cfg.MaxTTL); err != nil {
		return nil, "", err
	}
	if claims.Subject == "" {
		return nil, "", ErrNoSubject
	}
	return claims, kid, nil
}
