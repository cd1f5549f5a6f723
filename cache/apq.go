package cache

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
)

const persistedKeyPrefix = "kolregistry:apq:"

// Defaults of PersistedOptions.
const (
	DefaultPersistedTTL      = 24 * time.Hour
	DefaultLocalPersisted    = 1000
	DefaultMaxPersistedBytes = 8 << 10
	persistedMetricLabel     = "persisted_queries"
)

// PersistedOptions tune the persisted-query store. A zero field takes its default.
type PersistedOptions struct {
	// TTL is how long a query stays in Redis after it was last used.
	TTL time.Duration
	// LocalEntries is how many queries the in-process LRU keeps.
	LocalEntries int
	// MaxBytes: longer documents are not persisted (the client keeps sending them in full).
	MaxBytes int
}

// PersistedQueries stores automatic persisted queries (hash → document) for gqlgen's
// extension.AutomaticPersistedQuery: in Redis, shared by every replica, with a sliding TTL,
// and in an in-process LRU. gqlgen checks the hash of every document before adding it, so an
// entry can never be wrong, only missing: the local copy needs no invalidation, and a Redis
// outage only means clients resend the document (PERSISTED_QUERY_NOT_FOUND, then a retry
// with the query, as the APQ protocol expects).
type PersistedQueries struct {
	redis    *Redis
	local    *lru.Cache[string, string]
	ttl      time.Duration
	maxBytes int
}

var _ graphql.Cache[string] = (*PersistedQueries)(nil)

// NewPersistedQueries returns a persisted-query store over r (nil: in-process only).
func NewPersistedQueries(r *Redis, o PersistedOptions) *PersistedQueries {
	if o.TTL <= 0 {
		o.TTL = DefaultPersistedTTL
	}
	if o.LocalEntries <= 0 {
		o.LocalEntries = DefaultLocalPersisted
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxPersistedBytes
	}
	local, _ := lru.New[string, string](o.LocalEntries) // only fails for a size < 1
	return &PersistedQueries{redis: r, local: local, ttl: o.TTL, maxBytes: o.MaxBytes}
}

// Get returns the document registered under hash.
func (p *PersistedQueries) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := p.local.Get(hash); ok {
		return q, true
	}
	if p.redis == nil {
		return "", false
	}
	if !p.redis.Available() {
		p.redis.Fallback(persistedMetricLabel)
		return "", false
	}
	rctx, cancel := p.redis.Context(ctx)
	defer cancel()
	q, err := p.redis.client.GetEx(rctx, persistedKeyPrefix+hash, p.ttl).Result()
	if err != nil {
		p.redis.Failed(persistedMetricLabel, err)
		return "", false
	}
	p.local.Add(hash, q)
	return q, true
}

// Accepts reports whether a document of query's size may be persisted at all.
func (p *PersistedQueries) Accepts(query string) bool { return len(query) <= p.maxBytes }

// Add registers query under hash (gqlgen has checked that hash is its SHA-256).
func (p *PersistedQueries) Add(ctx context.Context, hash, query string) {
	if len(query) > p.maxBytes {
		return
	}
	if q, ok := p.local.Get(hash); ok && q == query && p.redis == nil {
		return
	}
	p.local.Add(hash, query)
	if p.redis == nil || !p.redis.Available() {
		return
	}
	rctx, cancel := p.redis.Context(ctx)
	defer cancel()
	p.redis.Failed(persistedMetricLabel, p.redis.client.Set(rctx, persistedKeyPrefix+hash, query, p.ttl).Err())
}
