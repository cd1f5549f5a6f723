package server

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/ratelimit"
	"github.com/kolregistry/kolregistry/resolvers"
)

// anonymousGETCacheControl lets a CDN keep anonymous GET responses but revalidate each use
// (ETag, 304): a write must be visible on the next read, so nothing may be served unchecked.
const anonymousGETCacheControl = "public, max-age=0, must-revalidate"

// caches are the Redis-backed parts of one handler: the response cache, persisted queries and
// the rate limiter (docs/caching.md). With Config.Redis nil they live in this process only.
type caches struct {
	redis      *cache.Redis
	responses  *cache.Responses
	persisted  *cache.PersistedQueries
	limiter    *ratelimit.Limiter
	normalized *lru.Cache[string, string]
	lookups    *prometheus.CounterVec
	// serveCached is false with Config.NoResponseCache.
	serveCached bool
	// flights coalesce identical concurrent misses (coalesce.go); coalesced counts the
	// requests that joined an execution instead of running their own.
	flights   *coalescer
	coalesced prometheus.Counter
	// refreshes counts the refreshes of stale answers this replica started (stale.go).
	refreshes prometheus.Counter
	// admission bounds each class of work (admission.go).
	admission *admissionControl
	// routing sends queries' reads to the replica when it is caught up (replica_routing.go).
	routing *readRouting
}

func newCaches(cfg Config, store *db.DB) *caches {
	normalized, _ := lru.New[string, string](cfg.QueryCacheSize) // withDefaults made it ≥ 1
	return &caches{
		redis:     cfg.Redis,
		responses: cache.NewResponses(cfg.Redis, responseOptions(cfg, store)),
		persisted: cache.NewPersistedQueries(cfg.Redis, cache.PersistedOptions{MaxBytes: cfg.MaxPersistedQueryBytes}),
		limiter: ratelimit.New(cfg.Redis, ratelimit.Config{
			AnonPerMinute:   budget(cfg.RateLimitAnon, ratelimit.DefaultAnonPerMinute, cfg.ComplexityLimit),
			AgencyPerMinute: budget(cfg.RateLimitAgency, ratelimit.DefaultAgencyPerMinute, cfg.ComplexityLimit),
			TrustedProxies:  cfg.TrustedProxies,
		}),
		normalized:  normalized,
		flights:     newCoalescer(),
		routing:     newReadRouting(store),
		serveCached: !cfg.NoResponseCache,
		admission:   cmp.Or(cfg.admission, newAdmission(cfg.Admission)),
		coalesced: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "graphql", Name: "coalesced_total",
			Help: "Anonymous queries answered by an identical query already running (one execution for all).",
		}),
		refreshes: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "graphql", Name: "stale_refreshes_total",
			Help: "Background recomputations (runs) of responses served stale, by this replica (one per key at a time across replicas).",
		}),
		lookups: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "graphql", Name: "response_cache_total",
			Help: "Anonymous queries by response-cache outcome: hit, stale (an earlier epoch's answer within CACHE_STALE_MAX), miss, or bypass (Redis unavailable).",
		}, []string{"result"}),
	}
}

// collectors are the cache metrics, for the handler's registry.
func (c *caches) collectors() []prometheus.Collector {
	cs := []prometheus.Collector{c.lookups, c.coalesced, c.refreshes, c.admission.refusals}
	cs = append(cs, c.routing.collectors()...)
	if c.redis != nil {
		cs = append(cs, c.redis.Collectors()...)
	}
	return cs
}

// budget is a configured rate-limit budget, or by default the larger of def and two queries
// at the complexity limit: a server configured to admit costlier queries must not refuse every
// one of them as over budget.
func budget(configured, def, complexityLimit int) int {
	if configured > 0 {
		return configured
	}
	return max(def, 2*complexityLimit)
}

// responseOptions reconcile the cache epoch with the audit chain: every committed write adds an
// audit event in its own transaction, so the head's seq grows with every write.
func responseOptions(cfg Config, store *db.DB) cache.ResponseOptions {
	o := cache.ResponseOptions{Namespace: cfg.CacheNamespace, MaxBytes: cfg.ResponseCacheMaxBytes,
		StaleMax: cfg.CacheStaleMax, StaleMinCost: cmp.Or(cfg.CacheStaleMinCost, DefaultCacheStaleMinCost)}
	if store != nil {
		o.WriteVersion = func(ctx context.Context) (int64, error) {
			h, err := store.AuditHead(ctx)
			return h.Seq, err
		}
		o.CurrentLSN = func(ctx context.Context) (uint64, error) {
			l, err := store.CurrentLSN(ctx)
			return uint64(l), err
		}
	}
	return o
}

// redisStatus is the Redis entry of /readyz. It pings a Redis believed up, so that the probe
// reports an outage even before a request has met it.
func (c *caches) redisStatus(ctx context.Context) string {
	if c == nil || c.redis == nil {
		return "not configured"
	}
	if c.redis.Available() {
		rctx, cancel := c.redis.Context(ctx)
		c.redis.Failed("readiness", c.redis.Client().Ping(rctx).Err())
		cancel()
	}
	return c.redis.Status()
}

// execute runs a valid operation the way the caches say: it spends the operation's cost from
// the caller's budget (429 when over), serves an anonymous query from the response cache or
// runs it once for every identical request arriving meanwhile (coalescing) and stores its
// response there, admits the rest by class (admission.go; 503 when the class is saturated),
// replaces the cache epoch after a mutation, and puts the cost in extensions.cost.
func (t httpTransport) execute(ctx context.Context, w http.ResponseWriter, r *http.Request,
	exec graphql.GraphExecutor, opCtx *graphql.OperationContext) {
	c := t.caches
	cost := 0
	if s := extension.GetComplexityStats(graphql.WithOperationContext(ctx, opCtx)); s != nil {
		cost = s.Complexity
	}
	if res, ok := ratelimit.Spend(ctx, cost); ok && !res.Allowed {
		writeError(w, r, http.StatusTooManyRequests, errcode.RateLimited, ratelimit.Message(res))
		return
	}

	_, authenticated := auth.FromContext(ctx)
	isQuery := opCtx.Operation.Operation == ast.Query
	var token db.LSN // the client's own last write (replica_routing.go)
	if c != nil && isQuery {
		token = c.routing.clientLSN(r)
	}
	var lookup cache.Lookup
	cacheable, serveStale := false, false
	var stale cache.Stale
	key := ""
	// A request that stores a persisted query pays for it: its price is its own (persisted.go).
	if c != nil && c.serveCached && isQuery && !authenticated && !persisting(ctx) {
		var ok bool
		if key, ok = c.key(opCtx); ok {
			lookup, cacheable = c.responses.Get(ctx, key)
			if cacheable && !coversClient(lookup, token) {
				// The epoch lost the client's own write: run uncached, store nothing.
				lookup, cacheable = cache.Lookup{}, false
			}
			stale, serveStale = lookup.Stale()
			// The reader's own last write must be in what it gets (read-your-writes).
			serveStale = serveStale && cacheable && stale.Covers(uint64(requestLSN(r)))
			switch {
			case !cacheable:
				c.lookups.WithLabelValues("bypass").Inc()
			case lookup.Hit():
				c.lookups.WithLabelValues("hit").Inc()
			case serveStale:
				c.lookups.WithLabelValues("stale").Inc()
			default:
				c.lookups.WithLabelValues("miss").Inc()
			}
			if lookup.Hit() {
				writeQueryResponse(w, r, lookup.Body, lookup.ETag, authenticated, false)
				return
			}
		}
	}

	var writes *db.WriteTracker
	if c != nil && opCtx.Operation.Operation == ast.Mutation {
		ctx, writes = db.TrackWrites(ctx)
	}
	run := func(ctx context.Context, lookup cache.Lookup) outcome {
		switch {
		case cacheable:
			// Reads see what the epoch accounts for; the response is stored under it only if
			// the server that computed it had replayed that far (db.Route.Through).
			need, known := lookup.LSN()
			var route db.Route
			ctx, route = c.routing.route(ctx, need, known, token)
			lookup.CompleteThrough(uint64(route.Through))
		case c != nil && isQuery:
			ctx = c.routing.routeUncached(ctx, c.responses, token)
		}
		out := t.run(ctx, exec, opCtx, cost)
		if cacheable && out.cacheable() {
			lookup.SetCost(out.elapsed)
			c.responses.Put(ctx, lookup, out.body)
		}
		return out
	}
	if serveStale {
		// Bounded stale-while-revalidate (docs/caching.md, "Stale answers"): the earlier
		// epoch's answer now, and one refresh for everyone.
		c.refresh(ctx, key, lookup, run)
		writeStale(w, r, stale)
		return
	}
	var out outcome
	if cacheable {
		// Identical misses share executions (coalesce.go). An execution runs detached from the
		// request that runs it, until that request's deadline: one client going away does not
		// fail the others.
		var joined bool
		out, joined = c.flights.do(key, lookup, func(l cache.Lookup) outcome {
			fctx := context.WithoutCancel(ctx)
			if dl, ok := ctx.Deadline(); ok {
				var cancel context.CancelFunc
				fctx, cancel = context.WithDeadline(fctx, dl)
				defer cancel()
			}
			return run(fctx, l)
		})
		if joined {
			c.coalesced.Inc()
		}
	} else {
		out = run(ctx, lookup)
	}
	if writes != nil {
		// After the commit (the resolvers have returned), before the client hears of it: the
		// new epoch accounts for the write's LSN, and the client gets it for its next reads.
		c.responses.InvalidateAt(ctx, uint64(writes.LSN()), !writes.Lost())
		handBackLSN(w, r, writes.LSN())
	}
	out.write(w, r, authenticated)
}

// outcome is what one execution of an operation answers: shared by every coalesced caller.
type outcome struct {
	refused     db.Class // admission refused the operation's class
	cancelled   bool     // the context ended before execution started
	tooLarge    bool
	limit       int64
	cost        int
	body        []byte // the marshalled response
	resp        *graphql.Response
	hasErrors   bool
	unavailable bool          // an error is SERVICE_UNAVAILABLE: HTTP 503
	elapsed     time.Duration // the execution's time, once admitted (what a cache hit saves)
}

// cacheable reports whether the outcome is a complete response without errors: error
// responses (a timeout, an outage) are never cached, so the next request tries again.
func (o outcome) cacheable() bool {
	return o.refused == "" && !o.cancelled && !o.tooLarge && o.body != nil && !o.hasErrors
}

// run admits the operation by class, executes it under the response meter and marshals it.
func (t httpTransport) run(ctx context.Context, exec graphql.GraphExecutor, opCtx *graphql.OperationContext, cost int) outcome {
	if c := t.caches; c != nil && c.admission != nil {
		class, cheap := classify(opCtx.Operation, cost)
		ctx = db.WithClass(ctx, class)
		if !cheap {
			release, ok := c.admission.acquire(ctx, class)
			if !ok {
				return outcome{refused: class}
			}
			defer release()
		}
	}
	t0 := time.Now()
	limit := cmp.Or(t.maxResponseBytes, DefaultMaxResponseBytes)
	out := outcome{limit: limit, cost: cost}
	ctx, stopMeter := withResponseMeter(ctx, limit)
	ctx, compiled := resolvers.MarkCompiled(ctx)
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	out.tooLarge = stopMeter()
	if resp == nil { // the request's context ended before execution started
		out.cancelled = true
		return out
	}
	resp.Errors = capErrors(resp.Errors)
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = cost
	if out.tooLarge {
		return out
	}
	out.hasErrors = len(resp.Errors) > 0
	for _, e := range resp.Errors {
		if code, _ := e.Extensions["code"].(string); code == string(errcode.ServiceUnavailable) {
			out.unavailable = true
		}
	}
	body, err := marshalResponse(resp, *compiled)
	if err != nil {
		out.resp = resp // written with writeJSON, which answers INTERNAL
		return out
	}
	if int64(len(body)) > limit { // the estimate fell short: still never sent
		out.tooLarge = true
		return out
	}
	out.body, out.elapsed = body, time.Since(t0)
	return out
}

// marshalResponse writes resp as json.Marshal does. When compactData (a compiled read:
// resolvers.MarkCompiled) and the response is data and extensions only, the data is copied as
// it is: it is already compact, with encoding/json's escapes, and json.Marshal's check and
// re-compaction of a json.RawMessage was 12 % of the server's CPU on a page of 20 sanctions
// (docs/performance.md). TestMarshalResponse_AsJSONMarshal and the read paths' equivalence
// corpus hold the two to the same bytes.
func marshalResponse(resp *graphql.Response, compactData bool) ([]byte, error) {
	if !compactData || len(resp.Data) == 0 || len(resp.Errors) > 0 || resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		return json.Marshal(resp)
	}
	var ext []byte
	if len(resp.Extensions) > 0 {
		var err error
		if ext, err = json.Marshal(resp.Extensions); err != nil {
			return nil, err
		}
	}
	body := make([]byte, 0, len(`{"data":,"extensions":}`)+len(resp.Data)+len(ext))
	body = append(append(body, `{"data":`...), resp.Data...)
	if ext != nil {
		body = append(append(body, `,"extensions":`...), ext...)
	}
	return append(body, '}'), nil
}

// write sends the outcome to one caller.
func (o outcome) write(w http.ResponseWriter, r *http.Request, authenticated bool) {
	switch {
	case o.refused != "":
		writeOverloaded(w, r, o.refused)
	case o.cancelled:
		w.Header().Set("Retry-After", "1")
		writeError(w, r, http.StatusServiceUnavailable, errcode.ServiceUnavailable, "request timed out or was cancelled")
	case o.tooLarge:
		writeTooLarge(w, r, o.limit, o.cost)
	case o.body == nil:
		writeJSON(w, r, http.StatusOK, o.resp)
	case o.unavailable:
		// The database could not do the work now (docs/operations.md): a load balancer, a CDN
		// and the status metric must see it, and the client may retry.
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Cache-Control", "no-store")
		writeBody(w, r, http.StatusServiceUnavailable, o.body)
	default:
		writeQueryResponse(w, r, o.body, "", authenticated, o.hasErrors)
	}
}

// key is the response-cache key of an operation: its normalized document (printed from the
// AST, so spacing and comments do not matter), the chosen operation's name and the coerced
// variables.
func (c *caches) key(opCtx *graphql.OperationContext) (string, bool) {
	doc, ok := c.normalized.Get(opCtx.RawQuery)
	if !ok {
		var b strings.Builder
		formatter.NewFormatter(&b).FormatQueryDocument(opCtx.Doc)
		doc = b.String()
		c.normalized.Add(opCtx.RawQuery, doc)
	}
	vars, err := json.Marshal(opCtx.Variables) // maps marshal with sorted keys
	if err != nil {
		return "", false
	}
	return cache.Key(doc, opCtx.Operation.Name, vars), true
}

// writeQueryResponse writes an executed (or cached) response. An anonymous GET without errors
// carries Cache-Control and an ETag (etag: the cache's for a hit; "" computes it), and gets 304
// when If-None-Match already names it; one with errors (a timeout, an internal error) must not
// be kept by anyone.
func writeQueryResponse(w http.ResponseWriter, r *http.Request, body []byte, etag string, authenticated, hasErrors bool) {
	h := w.Header()
	if r.Method == http.MethodGet {
		if authenticated || hasErrors {
			h.Set("Cache-Control", "private, no-store")
		} else {
			if etag == "" { // not from the cache: computed now
				etag = cache.ETag(body)
			}
			h.Set("Cache-Control", anonymousGETCacheControl)
			h.Set("ETag", etag)
			h.Add("Vary", "Accept, Authorization")
			if etagMatches(r.Header.Get("If-None-Match"), etag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
	}
	writeBody(w, r, http.StatusOK, body)
}

// etagMatches applies If-None-Match's weak comparison.
func etagMatches(header, etag string) bool {
	for tag := range strings.SplitSeq(header, ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" || strings.TrimPrefix(tag, "W/") == etag {
			return true
		}
	}
	return false
}
