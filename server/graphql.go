package server

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/resolvers"
	"github.com/kolregistry/kolregistry/tracing"
)

// Live alerts over WebSocket (docs/alerts.md).
const (
	// DefaultMaxSubscriptionsPerConnection is Config.MaxSubscriptionsPerConnection's default.
	DefaultMaxSubscriptionsPerConnection = 10
	// wsInitTimeout: a socket that does not send connection_init in time is closed.
	wsInitTimeout = 10 * time.Second
	// wsKeepAlive is how often a graphql-ws socket gets "ka", and a graphql-transport-ws socket
	// a ping; one that does not answer a ping within twice this is closed. Below the usual 60 s
	// idle timeout of load balancers.
	wsKeepAlive = 25 * time.Second
	// wsReadLimit bounds one client message (a subscribe carries one document).
	wsReadLimit int64 = 64 << 10
)

// liveLoadersPerEvent gives every subscription dataloaders over the primary that each event
// replaces with a set shared by all of that event's subscribers (resolvers.WithLiveLoaders).
// The connection's loaders would cache: a second event about the same sanction would show its
// first status history. Queries and mutations keep their per-request loaders.
func liveLoadersPerEvent(store *db.DB, wait time.Duration) graphql.OperationMiddleware {
	return func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Subscription {
			ctx = resolvers.WithLiveLoaders(ctx, store, wait)
		}
		return next(ctx)
	}
}

// newGraphQL builds the gqlgen server explicitly (never the deprecated default server): one
// GraphQL-over-HTTP transport, a WebSocket transport for subscriptions, a parsed-document cache, a token limit before parsing, public
// introspection, no field suggestions, a fixed complexity limit, and one error presenter.
func newGraphQL(cfg Config, es graphql.ExecutableSchema, store *db.DB, logger *slog.Logger, m *metrics, c *caches) *handler.Server {
	srv := handler.New(es)
	// The WebSocket transport comes first: httpTransport claims every request.
	srv.AddTransport(websocketTransport(cfg, logger, c)) // websocket.go
	srv.AddTransport(httpTransport{parserTokenLimit: cfg.ParserTokenLimit, caches: c, maxResponseBytes: cfg.MaxResponseBytes})
	if tracing.Enabled() {
		srv.AroundOperations(tracing.Operation) // first, so the operations below run in its span
	}
	srv.AroundFields(boundedFields)
	srv.AroundOperations(liveLoadersPerEvent(store, cfg.LoaderWait))
	if !cfg.UnplannedReads && !cfg.UncompiledReads {
		// A query the JSON read covers is one statement; every other operation runs as usual.
		srv.AroundOperations(resolvers.CompiledReads(es.Schema()))
	}

	srv.SetQueryCache(lru.New[*ast.QueryDocument](cfg.QueryCacheSize))
	srv.SetParserTokenLimit(cfg.ParserTokenLimit)
	// The schema is public, so introspection is on; suggestions stay off
	// all the same: they turn every typo into a schema probe and bloat error messages.
	srv.Use(extension.Introspection{})
	srv.SetDisableSuggestion(true)
	srv.Use(textGuard{}) // text.go: NUL or invalid UTF-8 in any input is BAD_USER_INPUT
	// Redis-backed, shared by replicas; a document is stored once its operation is valid and paid for (persisted.go).
	srv.Use(extension.AutomaticPersistedQuery{Cache: countedAPQ{deferredPersisted{c.persisted}, m.ops.apq}})
	// After APQ, which puts a persisted document in place: depth, fields, directives and
	// __schema before validation, then the cost (limits.go, complexity.go, docs/limits.md).
	srv.Use(newOperationLimits(cfg.ComplexityLimit, cfg.QueryCacheSize, cfg.ParserTokenLimit))

	p := &presenter{logger: logger, counts: m.errors}
	srv.SetErrorPresenter(cappedPresenter(p.present))
	srv.SetRecoverFunc(p.recoverPanic)
	return srv
}
