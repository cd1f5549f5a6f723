package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// AgencyLookup reads the agency a token names. *db.DB implements it; it must return an error
// wrapping db.ErrNotFound for an unknown slug.
type AgencyLookup interface {
	AgencyBySlug(ctx context.Context, slug string) (db.Agency, error)
}

// Authenticator turns a request's Authorization header into a Principal.
type Authenticator struct {
	verifier *Verifier
	agencies AgencyLookup
}

// NewAuthenticator returns an Authenticator verifying tokens with v and reading agencies from agencies.
func NewAuthenticator(v *Verifier, agencies AgencyLookup) *Authenticator {
	return &Authenticator{verifier: v, agencies: agencies}
}

// Authenticate returns r's context carrying the calling agency's Principal, or r's context
// unchanged when r has no Authorization header (an anonymous reader).
//
// Refused credentials are a *errcode.Error with code UNAUTHENTICATED whose message is a short
// reason safe to show (it never says which signature or claim check failed) and which wraps
// nothing; the detailed cause is in the error returned by Principal. Any other error (Postgres
// unreachable) is internal: answer it 500 INTERNAL, not 401, since the credentials may be fine.
func (a *Authenticator) Authenticate(r *http.Request) (context.Context, error) {
	h, present := r.Header["Authorization"]
	if !present {
		return r.Context(), nil
	}
	if len(h) != 1 {
		return nil, refused("send one Authorization header", errors.New("several Authorization headers"))
	}
	p, err := a.Principal(r.Context(), h[0])
	if err != nil {
		return nil, err
	}
	return WithPrincipal(r.Context(), p), nil
}

// Refusal is a refused credential: Public is what the client is told, Err the cause, for logs.
type Refusal struct {
	Public *errcode.Error
	Err    error
}

func (e *Refusal) Error() string { return e.Public.Message + ": " + e.Err.Error() }

// Unwrap exposes both the client-safe error (for errcode.As) and the cause (for errors.Is).
func (e *Refusal) Unwrap() []error { return []error{e.Public, e.Err} }

func refused(reason string, cause error) *Refusal {
	return &Refusal{Public: errcode.New(errcode.Unauthenticated, "%s", reason), Err: cause}
}

// Principal verifies an Authorization header value ("Bearer <token>") and reads the agency it
// names. Errors are *Refusal (errcode.As finds an UNAUTHENTICATED error in them) or internal.
//
// A SUSPENDED agency is refused as UNAUTHENTICATED (HTTP 401), not FORBIDDEN: its tokens are
// revoked credentials, whatever they say, exactly as if they had expired.
func (a *Authenticator) Principal(ctx context.Context, authorization string) (*Principal, error) {
	scheme, token, _ := strings.Cut(strings.TrimSpace(authorization), " ")
	token = strings.TrimSpace(token)
	if !strings.EqualFold(scheme, "Bearer") || token == "" {
		return nil, refused(`the Authorization header must be "Bearer <token>"`, errors.New("not a bearer token"))
	}
	claims, kid, err := a.verifier.Verify(token)
	if err != nil {
		return nil, refused(safeReason(err), err)
	}
	if name, ok := strings.CutPrefix(claims.Subject, SubscriberPrefix); ok {
		return a.subscriber(ctx, name, claims, kid)
	}
	agency, err := a.agencies.AgencyBySlug(ctx, claims.Subject)
	if errors.Is(err, db.ErrNotFound) {
		return nil, refused("the token's agency is not accredited", fmt.Errorf("unknown agency %q", claims.Subject))
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate agency %q: %w", claims.Subject, err)
	}
	if agency.Status != db.AgencyActive {
		return nil, refused("the token's agency is suspended", fmt.Errorf("agency %q is %s", agency.Slug, agency.Status))
	}
	p := &Principal{Agency: agency, Scopes: grantedScopes(claims.Scope), TokenID: claims.ID, KeyID: kid}
	if claims.ExpiresAt != nil {
		p.ExpiresAt = claims.ExpiresAt.Time
	}
	return p, nil
}

// SubscriberLookup reads the subscriber a token names; *db.DB implements it. An
// Authenticator whose lookup does not refuses subscribers' tokens.
type SubscriberLookup interface {
	SubscriberByName(ctx context.Context, name string) (db.Subscriber, error)
}

// subscriber is the Principal of a subscriber's token: the subscriber row, and of the token's
// scopes only watchlists:write.
func (a *Authenticator) subscriber(ctx context.Context, name string, claims *Claims, kid string) (*Principal, error) {
	lookup, ok := a.agencies.(SubscriberLookup)
	if !ok {
		return nil, refused("this server accepts no subscriber tokens", errors.New("no subscriber lookup"))
	}
	s, err := lookup.SubscriberByName(ctx, name)
	if errors.Is(err, db.ErrNotFound) {
		return nil, refused("the token's subscriber is not registered", fmt.Errorf("unknown subscriber %q", name))
	}
	if err != nil {
		return nil, fmt.Errorf("authenticate subscriber %q: %w", name, err)
	}
	p := &Principal{Subscriber: &s, TokenID: claims.ID, KeyID: kid}
	if slices.Contains(grantedScopes(claims.Scope), ScopeWatchlistsWrite) {
		p.Scopes = []string{ScopeWatchlistsWrite}
	}
	if claims.ExpiresAt != nil {
		p.ExpiresAt = claims.ExpiresAt.Time
	}
	return p, nil
}

// safeReason is what a client may learn about a refused token: whether to get a new one
// (expired, not yet valid, or the server takes none), or only that it is invalid.
func safeReason(err error) string {
	switch {
	case errors.Is(err, ErrNoKeys):
		return "this server accepts no tokens (no verification keys are configured)"
	case errors.Is(err, jwt.ErrTokenExpired):
		return "token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return "token is not valid yet"
	case errors.Is(err, jwt.ErrTokenMalformed), errors.Is(err, ErrTooLong):
		return "malformed token"
	default:
		return "invalid token"
	}
}

// Middleware authenticates every request that carries an Authorization header and serves it
// with the Principal in its context (FromContext); a request without one is served anonymously.
// Refused credentials get HTTP 401 with a GraphQL-shaped body
//
//	{"errors":[{"message":"…","extensions":{"code":"UNAUTHENTICATED"}}]}
//
// and WWW-Authenticate: Bearer error="invalid_token"; a failure to read the agency gets 500 INTERNAL.
func Middleware(v *Verifier, agencies AgencyLookup, logger *slog.Logger, next http.Handler) http.Handler {
	a := NewAuthenticator(v, agencies)
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, err := a.Authenticate(r)
		if err == nil {
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		var ref *Refusal
		if errors.As(err, &ref) {
			logger.InfoContext(r.Context(), "credentials refused", "reason", ref.Public.Message, "error", ref.Err.Error())
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			WriteError(w, r, http.StatusUnauthorized, ref.Public)
			return
		}
		logger.ErrorContext(r.Context(), "authentication failed", "error", err.Error())
		WriteError(w, r, http.StatusInternalServerError, errcode.New(errcode.Internal, "internal error"))
	})
}

// WriteError writes a GraphQL-over-HTTP error response carrying e's code and message, as
// application/graphql-response+json when the client accepts it, else application/json.
func WriteError(w http.ResponseWriter, r *http.Request, status int, e *errcode.Error) {
	type ext struct {
		Code errcode.Code `json:"code"`
	}
	type gqlError struct {
		Message    string `json:"message"`
		Extensions ext    `json:"extensions"`
	}
	body, _ := json.Marshal(struct {
		Errors []gqlError `json:"errors"`
	}{[]gqlError{{Message: e.Message, Extensions: ext{Code: e.Code}}}})
	ct := "application/json; charset=utf-8"
	if strings.Contains(r.Header.Get("Accept"), "application/graphql-response+json") {
		ct = "application/graphql-response+json; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
