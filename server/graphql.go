package server

import (
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
)

// newGraphQL builds the gqlgen server explicitly (never the deprecated default server): one
// GraphQL-over-HTTP transport, a parsed-document cache, a token limit before parsing, public
// introspection, no field suggestions, a fixed complexity limit, and one error presenter.
func newGraphQL(cfg Config, es graphql.ExecutableSchema, logger *slog.Logger, m *metrics, c *caches) *handler.Server {
	srv := handler.New(es)
	srv.AddTransport(httpTransport{parserTokenLimit: cfg.ParserTokenLimit, caches: c})

	srv.SetQueryCache(lru.New[*ast.QueryDocument](cfg.QueryCacheSize))
	srv.SetParserTokenLimit(cfg.ParserTokenLimit)
	// The schema is public (ARCHITECTURE.md §4), so introspection is on; suggestions stay off
	// all the same: they turn every typo into a schema probe and bloat error messages.
	srv.Use(extension.Introspection{})
	srv.SetDisableSuggestion(true)
	srv.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
	srv.Use(extension.AutomaticPersistedQuery{Cache: c.persisted}) // Redis-backed, shared by replicas

	p := &presenter{logger: logger, counts: m.errors}
	srv.SetErrorPresenter(p.present)
	srv.SetRecoverFunc(p.recoverPanic)
	return srv
}
