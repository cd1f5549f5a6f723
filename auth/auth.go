// Package auth authenticates accredited agencies.
//
// Agencies hold JWTs signed with the registry operator's private key; the server holds only
// public keys (JWT_KEYS: a JWKS file or PEM public keys), reloaded on SIGHUP and when the file
// changes. A Verifier checks a token's signature and claims; Middleware (or Authenticator, for
// a server that owns its own HTTP wiring) turns a verified token into a Principal in the request
// context, reading the agency row on every request so a suspension takes effect at once.
//
// No Authorization header means an anonymous reader. A header that is there but does not carry
// a valid token for an active agency is refused with 401 UNAUTHENTICATED, never served anonymously.
package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// Write scopes (one per group of mutations).
const (
	ScopeInfluencersWrite = "influencers:write"
	ScopeMcnsWrite        = "mcns:write"
	ScopeBrandsWrite      = "brands:write"
	ScopeDisclosuresWrite = "disclosures:write"
	ScopeSanctionsWrite   = "sanctions:write"
	// ScopeSanctionsReview lets a reviewing authority (a court, a superior body) record the
	// annulment or amendment of another agency's sanction decision (reviewSanction).
	ScopeSanctionsReview = "sanctions:review"
	// ScopeWatchlistsWrite lets a subscriber (not an agency) manage its watchlists and
	// webhooks; it is the only scope a subscriber's token carries (docs/webhooks.md).
	ScopeWatchlistsWrite = "watchlists:write"
)

// SubscriberPrefix starts the sub claim of a subscriber's token: "subscriber:<name>".
// Agency slugs never hold a colon.
const SubscriberPrefix = "subscriber:"

// Scopes lists every scope a token may grant.
var Scopes = []string{ScopeInfluencersWrite, ScopeMcnsWrite, ScopeBrandsWrite, ScopeDisclosuresWrite, ScopeSanctionsWrite,
	ScopeSanctionsReview, ScopeWatchlistsWrite}

// KnownScope reports whether s is one of Scopes.
func KnownScope(s string) bool { return slices.Contains(Scopes, s) }

// ParseScopes splits a space-separated scope list (commas are accepted too), refusing unknown
// scopes and an empty list, and dropping duplicates. The token issuer uses it.
func ParseScopes(s string) ([]string, error) {
	fields := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
	var out []string
	for _, f := range fields {
		if !KnownScope(f) {
			return nil, fmt.Errorf("unknown scope %q (known: %s)", f, strings.Join(Scopes, " "))
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scope given (known: %s)", strings.Join(Scopes, " "))
	}
	return out, nil
}

// grantedScopes reads a token's scope claim: known scopes only (a scope this version does not
// know grants nothing), without duplicates, in the order given.
func grantedScopes(claim string) []string {
	out := []string{}
	for _, f := range strings.Fields(claim) {
		if KnownScope(f) && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// Principal is the authenticated caller: an active agency, as stored now, and what its token grants.
type Principal struct {
	// Agency is the agency row read for this request: jurisdiction and status come from here,
	// never from the token. Zero for a subscriber.
	Agency db.Agency
	// Subscriber is set, instead of Agency, for a subscriber's token (sub "subscriber:<name>");
	// its only scope is watchlists:write.
	Subscriber *db.Subscriber
	// Scopes are the token's known scopes.
	Scopes []string
	// TokenID is the token's jti ("" when it has none), for logs and audit.
	TokenID string
	// KeyID is the kid of the key that verified the token.
	KeyID string
	// ExpiresAt is the token's exp.
	ExpiresAt time.Time
}

// Has reports whether the principal was granted scope. A nil principal (anonymous) has none.
func (p *Principal) Has(scope string) bool {
	return p != nil && slices.Contains(p.Scopes, scope)
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal; false for an anonymous reader.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}
