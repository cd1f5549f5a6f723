package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/events"
	"github.com/kolregistry/kolregistry/resolvers"
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

// websocketTransport serves subscriptions over graphql-transport-ws and the legacy graphql-ws.
//
// Any origin may connect: like the CORS policy (middleware.go), the data is public and nothing
// ambient authenticates a socket (no cookies; a browser cannot set Authorization on one), so a
// page on another site gains nothing by opening one that it could not fetch itself. That is why
// the same-origin check of coder/websocket is relaxed rather than forgotten.
func websocketTransport(cfg Config, logger *slog.Logger) graphql.Transport {
	perConn := cfg.MaxSubscriptionsPerConnection
	if perConn <= 0 {
		perConn = DefaultMaxSubscriptionsPerConnection
	}
	limit := wsReadLimit
	return websocketOnly{transport.Websocket{
		Implementation: transport.CoderWebsocketImplementation{
			AcceptOptions: websocket.AcceptOptions{OriginPatterns: []string{"*"}},
		},
		InitTimeout: wsInitTimeout,
		InitFunc: func(ctx context.Context, _ transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			return events.WithConnectionLimit(ctx, perConn), nil, nil
		},
		KeepAlivePingInterval: wsKeepAlive,
		PingPongInterval:      wsKeepAlive,
		PayloadReadLimit:      &limit,
		ErrorFunc: func(ctx context.Context, err error) {
			// A client that goes away without a close frame is ordinary, not worth a log line.
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, context.Canceled) ||
				websocket.CloseStatus(err) != -1 {
				return
			}
			logger.InfoContext(ctx, "websocket error", "request_id", RequestID(ctx), "error", err.Error())
		},
	}}
}

// websocketOnly claims only WebSocket handshakes: gqlgen's transport claims any request with
// an Upgrade header, so a query from `curl --http2` (Upgrade: h2c) would be refused.
type websocketOnly struct{ transport.Websocket }

func (websocketOnly) Supports(r *http.Request) bool { return isWebSocketUpgrade(r) }

// isWebSocketUpgrade reports whether r asks to switch to the WebSocket protocol.
func isWebSocketUpgrade(r *http.Request) bool {
	for _, v := range r.Header.Values("Upgrade") {
		for p := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), "websocket") {
				return true
			}
		}
	}
	return false
}

// freshLoadersPerEvent gives every event of a subscription its own dataloaders over the
// primary. The connection's loaders would cache: a second event about the same sanction would
// show its first status history. Queries and mutations keep their per-request loaders.
func freshLoadersPerEvent(store *db.DB, wait time.Duration) graphql.ResponseMiddleware {
	fresh := store.Fresh()
	return func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
		if graphql.HasOperationContext(ctx) {
			if op := graphql.GetOperationContext(ctx).Operation; op != nil && op.Operation == ast.Subscription {
				ctx = resolvers.WithLoaders(ctx, fresh, wait)
			}
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
	srv.AddTransport(websocketTransport(cfg, logger))
	srv.AddTransport(httpTransport{parserTokenLimit: cfg.ParserTokenLimit, caches: c, maxResponseBytes: cfg.MaxResponseBytes})
	srv.AroundFields(boundedFields)
	srv.AroundResponses(freshLoadersPerEvent(store, cfg.LoaderWait))
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
	srv.Use(textGuard{})                                           // text.go: NUL or invalid UTF-8 in any input is BAD_USER_INPUT
	srv.Use(extension.AutomaticPersistedQuery{Cache: c.persisted}) // Redis-backed, shared by replicas
	// After APQ, which puts a persisted document in place: depth, fields, directives and
	// __schema before validation, then the cost (limits.go, complexity.go, docs/limits.md).
	srv.Use(newOperationLimits(cfg.ComplexityLimit, cfg.QueryCacheSize, cfg.ParserTokenLimit))

	p := &presenter{logger: logger, counts: m.errors}
	srv.SetErrorPresenter(cappedPresenter(p.present))
	srv.SetRecoverFunc(p.recoverPanic)
	return srv
}
