package server

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/kolregistry/kolregistry/cache"
)

// Persisted queries cannot fill the shared Redis cheaply (docs/caching.md, docs/limits.md):
// gqlgen's APQ extension adds a document as soon as its hash checks out, before it is parsed;
// here the addition waits in the request until the operation has parsed, validated and passed
// the cost check, and its stored bytes are charged to the caller's budget with the operation.

// persistedBytesPerPoint: a persisted document costs 1 point per this many bytes (an 8 KiB
// document, the largest kept by default, 820 points), on top of its operation's price, when it
// is stored; a hash already stored costs nothing more.
const persistedBytesPerPoint = 10

// persistCost is the price of storing a document of n bytes.
func persistCost(n int) int { return (n + persistedBytesPerPoint - 1) / persistedBytesPerPoint }

// deferredPersisted is the APQ extension's cache: reads go to the store, additions to the
// request's pendingPersist (none outside a transport that commits them: nothing is stored).
type deferredPersisted struct{ store *cache.PersistedQueries }

var _ graphql.Cache[string] = deferredPersisted{}

func (d deferredPersisted) Get(ctx context.Context, hash string) (string, bool) {
	return d.store.Get(ctx, hash)
}

func (d deferredPersisted) Add(ctx context.Context, hash, query string) {
	p, _ := ctx.Value(pendingPersistKey{}).(*pendingPersist)
	if p == nil || !d.store.Accepts(query) {
		return
	}
	if q, ok := d.store.Get(ctx, hash); ok && q == query {
		return // already stored: nothing to charge
	}
	p.mu.Lock()
	p.hash, p.query = hash, query
	p.mu.Unlock()
}

// pendingPersist is one request's persisted document, waiting for its operation to pass.
type pendingPersist struct {
	store *cache.PersistedQueries
	mu    sync.Mutex
	hash  string
	query string
	done  bool
}

type pendingPersistKey struct{}

// withPendingPersist lets the APQ extension propose a document during ctx's request.
func withPendingPersist(ctx context.Context, store *cache.PersistedQueries) (context.Context, *pendingPersist) {
	p := &pendingPersist{store: store}
	return context.WithValue(ctx, pendingPersistKey{}, p), p
}

// cost is what storing the pending document costs (0 when there is none).
func (p *pendingPersist) cost() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.query == "" {
		return 0
	}
	return persistCost(len(p.query))
}

// commit stores the pending document: call it once the operation was valid, priced within the
// limit and its price (with cost()) allowed by the budget.
func (p *pendingPersist) commit(ctx context.Context) {
	p.mu.Lock()
	hash, query, done := p.hash, p.query, p.done
	p.done = true
	p.mu.Unlock()
	if query != "" && !done {
		p.store.Add(ctx, hash, query)
	}
}

// persisting reports whether ctx's request stores a persisted query: its response is neither
// served from nor put in the response cache, whose copy would carry another price.
func persisting(ctx context.Context) bool {
	p, _ := ctx.Value(pendingPersistKey{}).(*pendingPersist)
	return p != nil && p.cost() > 0
}
