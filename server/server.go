// Package server is the registry's HTTP surface: the GraphQL endpoint built on gqlgen, the
// health and readiness probes, Prometheus metrics, and the middleware every request passes
// through (request id, access log, panic recovery, CORS, body limit, authentication, dataloaders).
//
// Routes: /graphql (and its explorer for browsers), /schema.graphql, /healthz, /readyz, /metrics;
// /export/{list}.{csv,ndjson}; the public pages under / (docs/pages.md).
package server

import (
	"crypto/ed25519"
	"log/slog"
	"net/http"
	"net/netip"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/events"
	"github.com/kolregistry/kolregistry/graph"
	"github.com/kolregistry/kolregistry/permalink"
	"github.com/kolregistry/kolregistry/resolvers"
	"github.com/kolregistry/kolregistry/tracing"
	"github.com/kolregistry/kolregistry/translog"
	"github.com/kolregistry/kolregistry/web"
)

// Config holds the server's limits. A zero field takes its default (see DefaultConfig).
type Config struct {
	// ListenAddr is where cmd/kolregistry listens; New itself does not listen.
	ListenAddr string
	// PublicBaseURL is the absolute address the public pages are reached at (PUBLIC_BASE_URL),
	// the base of every url field and link; empty means http://<ListenAddr>.
	PublicBaseURL string
	// ComplexityLimit is the highest cost an operation may have; connection fields cost their
	// page size times their selection (see complexity.go).
	ComplexityLimit int
	// QueryCacheSize is how many parsed and validated documents the LRU keeps.
	QueryCacheSize int
	// ParserTokenLimit bounds the tokens of one document, before parsing gets expensive.
	ParserTokenLimit int
	// MaxBodyBytes bounds a request body; larger ones get HTTP 413.
	MaxBodyBytes int64
	// RequestTimeout bounds the work of one GraphQL request (REQUEST_TIMEOUT): no resolver,
	// loader or statement starts after it (deadline.go).
	RequestTimeout time.Duration
	// MaxResponseBytes caps one GraphQL response (MAX_RESPONSE_BYTES): an operation whose
	// values pass it stops with RESPONSE_TOO_LARGE instead of being built (deadline.go).
	MaxResponseBytes int64
	// Authenticator verifies credentials (an *auth.Authenticator in production). Requests
	// without an Authorization header are anonymous; with a nil Authenticator, requests with
	// one are refused, never served anonymously (see auth.go).
	Authenticator Authenticator
	// LoaderWait is how long dataloaders gather keys before one batched query; zero means
	// resolvers.DefaultLoaderWait. Tests widen it so statement counts do not depend on load.
	LoaderWait time.Duration
	// UnplannedReads turns the planned read path off: every nested field loads through its
	// dataloader's batching window (resolvers/plan.go). Tests compare the two paths with it.
	UnplannedReads bool
	// UncompiledReads turns the compiled read path off (resolvers/compile.go): queries the
	// JSON read covers run through the planned path instead. Tests compare the paths with it.
	UncompiledReads bool
	// SigningKey signs registryHead (REGISTRY_SIGNING_KEY); nil leaves its signature and
	// publicKey null.
	SigningKey ed25519.PrivateKey
	// Log names the transparency log and signs its checkpoints (REGISTRY_LOG_ORIGIN with
	// SigningKey); zero is translog.DefaultOrigin signed with SigningKey.
	Log translog.Identity
	// Events carries live alerts (subscriptions) between replicas: an events.Bus over Redis
	// in production. nil gives an in-process bus, which reaches this replica's subscribers only.
	Events *events.Bus
	// WebhookAllowPrivate lets webhook endpoints resolve to private addresses
	// (WEBHOOK_ALLOW_PRIVATE=1): for tests on loopback only (docs/webhooks.md).
	WebhookAllowPrivate bool
	// MaxSubscriptionsPerConnection caps the open subscriptions of one WebSocket; zero means
	// DefaultMaxSubscriptionsPerConnection. The whole process's cap is the bus's.
	MaxSubscriptionsPerConnection int
	// MaxWebSocketsPerIP caps the open WebSockets of one client IP (WS_MAX_CONNECTIONS_PER_IP);
	// zero means DefaultMaxWebSocketsPerIP. The next handshake is refused with HTTP 429
	// RATE_LIMITED (websocket.go).
	MaxWebSocketsPerIP int
	// MaxWebSockets caps the open WebSockets of this process (WS_MAX_CONNECTIONS); zero means
	// DefaultMaxWebSockets.
	MaxWebSockets int
	// WebSockets tracks the open sockets; give one (NewWebSockets) to close them all with 1001
	// on shutdown (WebSockets.GoingAway). nil: New makes its own.
	WebSockets *WebSockets
	// MaxPersistedQueryBytes: longer documents are not persisted (APQ_MAX_BYTES); zero means
	// cache.DefaultMaxPersistedBytes (8 KiB).
	MaxPersistedQueryBytes int
	// ResponseCacheMaxBytes: larger responses are served but not cached
	// (RESPONSE_CACHE_MAX_BYTES); zero means cache.DefaultMaxResponseBytes (512 KiB).
	ResponseCacheMaxBytes int
	// CacheStaleMax and CacheStaleMinCost bound stale-while-revalidate (CACHE_STALE_MAX,
	// CACHE_STALE_MIN_COST; stale.go, docs/caching.md "Stale answers"): an anonymous reader
	// may get an earlier epoch's answer at most CacheStaleMax old of a query that took
	// CacheStaleMinCost (zero: DefaultCacheStaleMinCost) or more to compute. Zero
	// CacheStaleMax (the default here; serve's is DefaultCacheStaleMax) answers fresh only.
	CacheStaleMax, CacheStaleMinCost time.Duration
	// Redis holds the shared response cache, persisted queries and rate-limit counters
	// (cache.Open(REDIS_URL)); nil keeps all three in this process, right for one replica only.
	Redis *cache.Redis
	// RateLimitAnon and RateLimitAgency are the query-cost budgets in points per minute, per
	// client IP and per agency; zero takes ratelimit.DefaultAnonPerMinute / DefaultAgencyPerMinute,
	// or twice ComplexityLimit when that is more.
	RateLimitAnon, RateLimitAgency int
	// TrustedProxies are the networks whose X-Forwarded-For names the client (TRUSTED_PROXIES).
	TrustedProxies []netip.Prefix
	// CacheNamespace keeps registries (databases) that share one Redis from serving each
	// other's cached responses; every replica of one registry must use the same value. serve
	// uses the database's name.
	CacheNamespace string
	// NoResponseCache runs every query, cached or not (RESPONSE_CACHE=off): for measuring the
	// engine, for deployments that cache at a CDN, and for tests that change rows with plain
	// SQL, around the mutations that replace the cache epoch.
	NoResponseCache bool
	// Admission bounds the requests of each class of work running at once (admission.go,
	// ADMISSION_*); zero limits take their defaults.
	Admission AdmissionConfig
	// Draining is closed when the server begins to shut down: /readyz answers 503 from then
	// on, while every request is still served (cmd/kolregistry: SHUTDOWN_DELAY, SHUTDOWN_GRACE).
	// nil never drains.
	Draining <-chan struct{}
	// admission, when set (tests), is used instead of one built from Admission.
	admission *admissionControl
	// CORSOrigins are the origins whose browser scripts may read responses (CORS_ORIGINS,
	// ParseCORSOrigins); empty or "*" allows any, as fits a public registry.
	CORSOrigins []string
	// SeparateMetrics leaves /metrics off the API routes: cmd/kolregistry serves it on
	// METRICS_ADDR instead (NewWithMetrics), so that it need not be public.
	SeparateMetrics bool
}

// Defaults of Config.
const (
	DefaultListenAddr       = "127.0.0.1:8080"
	DefaultComplexityLimit  = 5000
	DefaultQueryCacheSize   = 1000
	DefaultParserTokenLimit = 15000
	DefaultMaxBodyBytes     = 1 << 20 // 1 MiB
	DefaultRequestTimeout   = 30 * time.Second
)

// DefaultConfig returns the limits a public deployment starts from.
func DefaultConfig() Config {
	return Config{
		ListenAddr:       DefaultListenAddr,
		ComplexityLimit:  DefaultComplexityLimit,
		QueryCacheSize:   DefaultQueryCacheSize,
		ParserTokenLimit: DefaultParserTokenLimit,
		MaxBodyBytes:     DefaultMaxBodyBytes,
		RequestTimeout:   DefaultRequestTimeout,
		MaxResponseBytes: DefaultMaxResponseBytes,
	}
}

func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.ListenAddr == "" {
		c.ListenAddr = d.ListenAddr
	}
	if c.ComplexityLimit <= 0 {
		c.ComplexityLimit = d.ComplexityLimit
	}
	if c.QueryCacheSize <= 0 {
		c.QueryCacheSize = d.QueryCacheSize
	}
	if c.ParserTokenLimit <= 0 {
		c.ParserTokenLimit = d.ParserTokenLimit
	}
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = d.MaxBodyBytes
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = d.RequestTimeout
	}
	if c.MaxResponseBytes <= 0 {
		c.MaxResponseBytes = d.MaxResponseBytes
	}
	if c.Log.Origin == "" {
		c.Log, _ = translog.NewIdentity(translog.DefaultOrigin, c.SigningKey) // the default origin is valid
	}
	if c.LoaderWait <= 0 {
		c.LoaderWait = resolvers.DefaultLoaderWait
	}
	return c
}

// PublicBase is the base of every permalink (webhook deliveries carry them too).
func (c Config) PublicBase() permalink.Base { return c.publicBase() }

// publicBase is the base of every permalink: PublicBaseURL, else http://<ListenAddr>.
func (c Config) publicBase() permalink.Base {
	return permalink.NewBase(c.PublicBaseURL, c.withDefaults().ListenAddr)
}

// New returns the registry's HTTP handler over the store. logger receives the access log and
// every internal error (with its request id); nil discards them.
func New(cfg Config, store *db.DB, logger *slog.Logger) http.Handler {
	api, _ := NewWithMetrics(cfg, store, logger)
	return api
}

// NewWithMetrics is New, with the server's /metrics handler for a listener of its own
// (METRICS_ADDR): with cfg.SeparateMetrics the API handler does not serve /metrics itself.
func NewWithMetrics(cfg Config, store *db.DB, logger *slog.Logger) (api, metrics http.Handler) {
	if cfg.Events == nil {
		cfg.Events = events.New(nil, events.Options{Logger: logger})
	}
	cfg = cfg.withDefaults()
	base := cfg.publicBase()
	es := graph.NewExecutableSchema(graph.Config{
		Resolvers: resolvers.New(store).WithSigningKey(cfg.SigningKey).WithEvents(cfg.Events).WithPublicBase(base).
			WithLog(cfg.Log).WithWebhooks(cfg.WebhookAllowPrivate),
		Directives: graph.DirectiveRoot{HasScope: resolvers.HasScope},
		Complexity: complexityRoot(),
	})
	h, m := buildHandler(cfg, es, store, logger)
	return h, m.handler()
}

// newHandler wires the routes and middleware around an executable schema (tests pass their own).
func newHandler(cfg Config, es graphql.ExecutableSchema, store *db.DB, logger *slog.Logger) http.Handler {
	h, _ := buildHandler(cfg, es, store, logger)
	return h
}

func buildHandler(cfg Config, es graphql.ExecutableSchema, store *db.DB, logger *slog.Logger) (http.Handler, *metrics) {
	cfg = cfg.withDefaults()
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if cfg.WebSockets == nil {
		cfg.WebSockets = NewWebSockets()
	}
	m := newMetrics()
	c := newCaches(cfg, store)
	m.registry.MustRegister(c.collectors()...)
	m.registerPools(store)
	m.registry.MustRegister(m.ops.collectors(cfg.Events)...)

	var api http.Handler = newGraphQL(cfg, es, store, logger, m, c)
	if cfg.UnplannedReads {
		api = resolvers.MiddlewareUnplanned(store, cfg.LoaderWait, api)
	} else {
		api = resolvers.MiddlewareWait(store, cfg.LoaderWait, api)
	}
	api = resolvers.MessageLanguage(api)
	api = authenticate(cfg.Authenticator, logger, api)
	// Around authentication, so that its refusals carry X-RateLimit-* and spend their IP's
	// budget; the GraphQL transport spends an agency's own budget (ratelimit.Spend).
	api = c.limiter.ByQueryCost(api)
	api = withTimeout(cfg.RequestTimeout, api) // covers the agency lookup of authentication too
	api = m.instrument(api)

	mux := http.NewServeMux()
	mux.Handle("/graphql", explorerOr(api))
	mux.Handle("GET /graphql/explorer/", web.Explorer())
	mux.Handle("GET /schema.graphql", schemaHandler(es))
	// Public pages (docs/pages.md): server-rendered from the same schema, cache and loaders.
	pages := pagesHandler(cfg, es, store, logger, m, c)
	for _, route := range web.Routes {
		mux.Handle(route, pages)
	}
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /version", versionHandler)
	mux.Handle("GET /readyz", readyz(store, c, cfg.Draining, logger))
	if !cfg.SeparateMetrics {
		mux.Handle("GET /metrics", m.handler())
	}
	// Bulk export (export.go): streamed, so outside the GraphQL request timeout; each valid
	// export spends exportCost points of the caller's rate-limit budget before it starts.
	mux.Handle("GET /export/{file}", m.ops.instrumentExport(authenticate(cfg.Authenticator, logger,
		exportHandler(es, store, logger, cfg.publicBase(), c.admission, c.limiter.PerRequest(exportCost)))))

	// Batch screening for spreadsheets (screen_csv.go, docs/screening.md): within the request
	// timeout; the candidates read are charged before any is screened.
	mux.Handle("POST /screen.csv", m.instrument(withTimeout(cfg.RequestTimeout, authenticate(cfg.Authenticator, logger,
		screenCSVHandler(store, logger, cfg.publicBase(), c.limiter.PerRequest)))))

	// For mirrors (changes.go): the changes feed as NDJSON, and Atom feeds.
	mux.Handle("GET /export/changes.ndjson", m.instrument(authenticate(cfg.Authenticator, logger,
		changesExport(store, logger, cfg.publicBase(), c.admission, c.limiter.PerRequest(exportCost)))))
	mux.Handle("GET /feeds/", m.instrument(authenticate(cfg.Authenticator, logger,
		c.limiter.PerRequest(feedCost)(feeds(store, logger, cfg.publicBase())))))

	// The transparency log (log.go): public, cheap, cacheable.
	mux.Handle("GET /log/checkpoint", m.ops.instrumentLog("checkpoint", logCheckpoint(store, cfg.Log, logger)))
	mux.Handle("GET /log/tile/{path...}", m.ops.instrumentLog("tile", logTile(store, logger)))

	// Outermost first: every response carries a request id and is logged, even a panic's.
	var h http.Handler = mux
	h = validQueryString(h) // text.go
	h = limitBody(cfg.MaxBodyBytes, h)
	h = cors(cfg.CORSOrigins, h)
	h = recoverPanics(logger, h)
	h = accessLog(logger, h)
	h = requestID(h)
	h = tracing.HTTP(h) // outermost: traceparent in and out (h itself when tracing is off)
	return h, m
}
