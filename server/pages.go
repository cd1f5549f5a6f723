package server

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/resolvers"
	"github.com/kolregistry/kolregistry/web"
)

// pageCost is what one page view spends of the caller's rate-limit budget: a page runs one
// query of a few nested lists, about what a typical API query costs.
const pageCost = 20

// pageExec runs the pages' GraphQL queries in process: the same schema, resolvers and error
// presenter as /graphql, with one set of dataloaders per page request (docs/pages.md), and
// admitted by class like a GraphQL query (admission.go): a search page is in the search class,
// a record page in the read class; a refusal is SERVICE_UNAVAILABLE, a 503 page.
func pageExec(cfg Config, es graphql.ExecutableSchema, store *db.DB, logger *slog.Logger, m *metrics, a *admissionControl) web.Exec {
	exec := executor.New(es)
	exec.SetQueryCache(lru.New[*ast.QueryDocument](100))
	exec.Use(extension.FixedComplexityLimit(cfg.ComplexityLimit))
	p := &presenter{logger: logger, counts: m.errors}
	exec.SetErrorPresenter(p.present)
	exec.SetRecoverFunc(p.recoverPanic)
	return func(ctx context.Context, query string, vars map[string]any) (json.RawMessage, []web.GraphQLError) {
		ctx = resolvers.WithLoaders(ctx, store, cfg.LoaderWait)
		ctx = graphql.StartOperationTrace(ctx)
		opCtx, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query, Variables: vars})
		var resp *graphql.Response
		if errs != nil {
			resp = exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		} else {
			if a != nil {
				cost := 0
				if st := extension.GetComplexityStats(graphql.WithOperationContext(ctx, opCtx)); st != nil {
					cost = st.Complexity
				}
				class, cheap := classify(opCtx.Operation, cost)
				ctx = db.WithClass(ctx, class)
				if !cheap {
					release, ok := a.acquire(ctx, class)
					if !ok {
						return nil, []web.GraphQLError{{Message: "the server is at its limit of " + string(class) + " requests",
							Extensions: map[string]any{"code": string(errcode.ServiceUnavailable)}}}
					}
					defer release()
				}
			}
			h, rctx := exec.DispatchOperation(ctx, opCtx)
			resp = h(rctx)
		}
		if resp == nil {
			return nil, []web.GraphQLError{{Message: "request cancelled", Extensions: map[string]any{"code": "INTERNAL"}}}
		}
		out := make([]web.GraphQLError, len(resp.Errors))
		for i, e := range resp.Errors {
			out[i] = web.GraphQLError{Message: e.Message, Extensions: e.Extensions}
		}
		return resp.Data, out
	}
}

// pagesHandler is the public pages, rate limited per client like the API, answered from the
// API's response cache (before admission: a cached page never waits for a slot) and within the
// API's request timeout.
func pagesHandler(cfg Config, es graphql.ExecutableSchema, store *db.DB, logger *slog.Logger, m *metrics, c *caches) http.Handler {
	h := web.New(web.Options{
		Exec:    pageExec(cfg, es, store, logger, m, c.admission),
		Cache:   c.responses,
		NoCache: !c.serveCached,
		Logger:  logger,
	})
	return m.instrument(withTimeout(cfg.RequestTimeout, c.limiter.PerRequest(pageCost)(h)))
}

// schemaSDL is the schema as SDL, for GET /schema.graphql (gqlgen's internal directives left out).
func schemaSDL(es graphql.ExecutableSchema) []byte {
	s := *es.Schema()
	s.Directives = map[string]*ast.DirectiveDefinition{}
	for name, d := range es.Schema().Directives {
		if !strings.HasPrefix(name, "go") {
			s.Directives[name] = d
		}
	}
	var b strings.Builder
	formatter.NewFormatter(&b).FormatSchema(&s)
	return []byte(b.String())
}

func schemaHandler(es graphql.ExecutableSchema) http.Handler {
	sdl := schemaSDL(es)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(sdl)
	})
}

// explorerOr serves the explorer to a browser opening /graphql, and the API to everyone else.
func explorerOr(api http.Handler) http.Handler {
	ex := web.Explorer()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if web.WantsExplorer(r) {
			ex.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}
