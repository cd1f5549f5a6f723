package main

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/internal/envconf"
	"github.com/kolregistry/kolregistry/ratelimit"
	"github.com/kolregistry/kolregistry/server"
	"github.com/kolregistry/kolregistry/tracing"
	"github.com/kolregistry/kolregistry/translog"
	"github.com/kolregistry/kolregistry/webhook"
)

// Shutdown (docs/operations.md): on SIGINT/SIGTERM /readyz turns 503 at once, the server keeps
// serving for SHUTDOWN_DELAY so that the load balancer notices and stops sending, then stops
// accepting and lets in-flight requests (exports included) finish for up to SHUTDOWN_GRACE.
const (
	defaultShutdownDelay = 5 * time.Second
	defaultShutdownGrace = 60 * time.Second
)

// The collector's defaults for the server (docs/operations.md, "Memory"): its live heap is small
// (~6–10 MB under load) and every request leaves garbage, so with Go's GOGC=100 it collected
// about 5 times a second, one of two Ps marking for 12–50 ms each time, which every request
// in flight then waited behind. GOGC=400 collects a quarter as often (docs/performance.md);
// the soft limit makes it collect sooner when a large live heap (a full in-process response
// cache) would otherwise grow the heap to 5 times its size. GOGC and GOMEMLIMIT in the
// environment take precedence (the runtime has applied them).
const (
	serveGCPercent   = 400
	serveMemoryLimit = 256 << 20
)

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
}

// runServe serves the GraphQL API until ctx is cancelled (SIGINT, SIGTERM), then drains.
//
// Environment: DATABASE_URL (required), DATABASE_READ_URL, LISTEN_ADDR
// (default 127.0.0.1:8080), REDIS_URL, RATE_LIMIT_ANON, RATE_LIMIT_AGENCY,
// TRUSTED_PROXIES, JWT_KEYS, JWT_ISSUER, JWT_AUDIENCE, REGISTRY_SIGNING_KEY, REGISTRY_LOG_ORIGIN,
// RESPONSE_CACHE, CACHE_STALE_MAX, CACHE_STALE_MIN_COST, PUBLIC_BASE_URL (default http://<LISTEN_ADDR>), REQUEST_TIMEOUT,
// MAX_RESPONSE_BYTES, WS_MAX_CONNECTIONS_PER_IP, WS_MAX_CONNECTIONS, APQ_MAX_BYTES,
// RESPONSE_CACHE_MAX_BYTES (docs/limits.md);
// DATABASE_MAX_CONNS, DATABASE_WRITE_CONNS, DATABASE_EXPORT_CONNS, DATABASE_AUTH_CONNS,
// DATABASE_*_TIMEOUT, ADMISSION_*, SHUTDOWN_DELAY, SHUTDOWN_GRACE (docs/operations.md).
func runServe(ctx context.Context, args []string) error {
	if err := newFlags("serve", serveUsage).parse(args, os.Stdout); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	tuneGC()
	// First: the store, Redis and the server are instrumented only if tracing is on when they
	// are built (OTEL_EXPORTER_OTLP_ENDPOINT; docs/operations.md, "Tracing").
	stopTracing, err := tracing.Start(ctx, server.Build().Version)
	if err != nil {
		return fmt.Errorf("tracing: %w", err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopTracing(sctx) // flushes the spans still batched
	}()
	if tracing.Enabled() {
		logger.Info("tracing: exporting spans over OTLP/HTTP", "endpoint", os.Getenv(tracing.EndpointEnv))
	}

	dbURL, err := databaseURL()
	if err != nil {
		return err
	}
	cfg := server.DefaultConfig()
	if addr := os.Getenv("LISTEN_ADDR"); addr != "" {
		cfg.ListenAddr = addr
	}
	// Where readers reach the public pages: the base of every url field (docs/pages.md).
	cfg.PublicBaseURL = os.Getenv("PUBLIC_BASE_URL")
	// Which browser origins may read (default any: the registry is public).
	if cfg.CORSOrigins, err = server.ParseCORSOrigins(os.Getenv("CORS_ORIGINS")); err != nil {
		return err
	}
	if err := configureRedis(&cfg, logger); err != nil {
		return err
	}
	if err := configureLimits(&cfg); err != nil {
		return err
	}
	if cfg.Admission, err = server.AdmissionFromEnv(); err != nil {
		return err
	}
	delay, grace, err := shutdownTimes()
	if err != nil {
		return err
	}
	draining := make(chan struct{})
	cfg.Draining = draining
	if cfg.NoResponseCache, err = responseCacheOff(); err != nil {
		return err
	}
	if cfg.CacheStaleMax, cfg.CacheStaleMinCost, err = server.CacheStaleFromEnv(); err != nil {
		return err
	}
	if cfg.NoResponseCache {
		logger.Info("RESPONSE_CACHE=off: every query runs against the database (no response cache)")
	}
	if cfg.Redis != nil {
		defer cfg.Redis.Close()
	}
	// The bus is not closed on the way out: that would end every subscription with a normal
	// "complete", which tells clients to stop listening. Exiting drops the sockets instead,
	// and clients reconnect (to another replica).
	cfg.Events = liveAlerts(cfg.Redis, logger)

	pools, err := db.PoolConfigFromEnv() // DATABASE_MAX_CONNS and friends (docs/operations.md)
	if err != nil {
		return err
	}
	store, err := db.OpenWith(ctx, dbURL, os.Getenv("DATABASE_READ_URL"), pools)
	if err != nil {
		return fmt.Errorf("connect to postgres: %w", err)
	}
	defer store.Close()
	logger.Info("connected to postgres", "database", redactDSN(dbURL),
		"read_replica", os.Getenv("DATABASE_READ_URL") != "")
	// The same on every replica of this registry, different for another database on one Redis.
	if err := store.SQL().QueryRowContext(ctx, "SELECT current_database()").Scan(&cfg.CacheNamespace); err != nil {
		return fmt.Errorf("read the database name: %w", err)
	}

	// Without JWT_KEYS the verifier refuses every token: reads stay open, writes are refused.
	jwtCfg, err := auth.ConfigFromEnv(logger)
	if err != nil {
		return err
	}
	verifier, err := auth.NewVerifier(jwtCfg)
	if err != nil {
		return fmt.Errorf("JWT keys: %w", err)
	}
	if !verifier.Configured() {
		logger.Warn("JWT_KEYS is not set: every token is refused, so writes are refused")
	}
	verifier.Watch(ctx)
	cfg.Authenticator = auth.NewAuthenticator(verifier, store)

	if cfg.SigningKey, err = registrySigningKey(); err != nil {
		return err
	}
	if cfg.SigningKey == nil {
		logger.Warn("REGISTRY_SIGNING_KEY is not set: registryHead is served unsigned (signature and publicKey are null)")
	} else {
		logger.Info("registryHead is signed", "public_key",
			base64.StdEncoding.EncodeToString(cfg.SigningKey.Public().(ed25519.PublicKey)))
	}

	if cfg.Log, err = translog.NewIdentity(logOrigin(), cfg.SigningKey); err != nil {
		return fmt.Errorf("REGISTRY_LOG_ORIGIN: %w", err)
	}
	if cfg.Log.VerifierKey != "" {
		logger.Info("transparency log checkpoints are signed", "origin", cfg.Log.Origin, "verifier_key", cfg.Log.VerifierKey)
	} else {
		logger.Warn("REGISTRY_SIGNING_KEY is not set: /log/checkpoint is served unsigned", "origin", cfg.Log.Origin)
	}

	cfg.WebSockets = server.NewWebSockets()

	// Webhook deliveries (docs/webhooks.md): every replica runs workers over the shared outbox.
	cfg.WebhookAllowPrivate = os.Getenv("WEBHOOK_ALLOW_PRIVATE") == "1"
	if cfg.WebhookAllowPrivate {
		logger.Warn("WEBHOOK_ALLOW_PRIVATE=1: webhook endpoints may resolve to private addresses (tests only)")
	}
	wctx, stopWebhooks := context.WithCancel(context.WithoutCancel(ctx))
	webhooksDone := make(chan struct{})
	go func() {
		defer close(webhooksDone)
		webhook.New(store, webhook.Options{AllowPrivate: cfg.WebhookAllowPrivate, Base: cfg.PublicBase(), Logger: logger}).Run(wctx)
	}()
	defer func() { stopWebhooks(); <-webhooksDone }()

	// METRICS_ADDR: /metrics on a listener of its own (kept until the process exits, so the
	// drain can be watched), not on the public API port; with PPROF=on, /debug/pprof/ too.
	metricsAddr := os.Getenv("METRICS_ADDR")
	cfg.SeparateMetrics = metricsAddr != ""
	api, metricsHandler := server.NewWithMetrics(cfg, store, logger)
	if metricsAddr != "" {
		stopMetrics, err := serveMetrics(metricsAddr, metricsHandler, os.Getenv("PPROF") == "on", logger)
		if err != nil {
			return err
		}
		defer stopMetrics()
	}

	ln, err := net.Listen("tcp", cfg.ListenAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           api,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		// Above Config.RequestTimeout, so a slow request gets its GraphQL error, not a cut.
		WriteTimeout:   cfg.RequestTimeout + 15*time.Second,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		ErrorLog:       slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		BaseContext:    func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// Shutdown closes every WebSocket with 1001 "going away" (the http.Server does not track them).
	srv.RegisterOnShutdown(cfg.WebSockets.GoingAway)
	logger.Info("serving", "url", "http://"+ln.Addr().String()+"/graphql")

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	close(draining)
	logger.Info("shutting down: /readyz answers 503; serving on until the balancer notices",
		"delay", delay.String(), "grace", grace.String())
	select {
	case err := <-served:
		return err
	case <-time.After(delay):
	}
	logger.Info("shutting down: no new connections; draining in-flight requests", "grace", grace.String())
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// The grace is over: what still runs is cut (an export resumes with after=, docs/export.md).
		logger.Warn("shutdown grace over: closing the requests still in flight", "error", err.Error())
		srv.Close()
	}
	if err := cfg.WebSockets.Wait(sctx); err != nil {
		logger.Warn("shutdown: WebSockets still open after the grace", "open", cfg.WebSockets.Open())
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	logger.Info("stopped")
	return nil
}

// shutdownTimes reads SHUTDOWN_DELAY (default 5s, may be 0) and SHUTDOWN_GRACE (default 60s).
func shutdownTimes() (delay, grace time.Duration, err error) {
	delay, grace = defaultShutdownDelay, defaultShutdownGrace
	if err := envconf.Duration("SHUTDOWN_DELAY", &delay, 0, 0); err != nil {
		return 0, 0, err
	}
	return delay, grace, envconf.Duration("SHUTDOWN_GRACE", &grace, time.Millisecond, 0)
}

// registrySigningKey reads REGISTRY_SIGNING_KEY: the path of a PKCS#8 Ed25519 private key in
// PEM, as `kolregistry keys generate` writes signing.pem. Unset: nil, registryHead goes unsigned.
// A key that cannot be read, or is not Ed25519, stops the server rather than serving unsigned.
func registrySigningKey() (ed25519.PrivateKey, error) {
	path := os.Getenv("REGISTRY_SIGNING_KEY")
	if path == "" {
		return nil, nil
	}
	signer, err := auth.LoadSigningKey(path)
	if err != nil {
		return nil, fmt.Errorf("REGISTRY_SIGNING_KEY: %w", err)
	}
	key, ok := signer.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("REGISTRY_SIGNING_KEY %s: a %T key; registryHead is signed with Ed25519 only", path, signer)
	}
	return key, nil
}

// configureRedis reads REDIS_URL, RATE_LIMIT_ANON, RATE_LIMIT_AGENCY and TRUSTED_PROXIES into
// cfg (docs/caching.md). Redis is not dialled here: one that is down at start is served around
// like one that goes down later.
func configureRedis(cfg *server.Config, logger *slog.Logger) error {
	if raw := os.Getenv("REDIS_URL"); raw != "" {
		r, err := cache.Open(raw, cache.Options{Logger: logger})
		if err != nil {
			return err
		}
		cfg.Redis = r
		logger.Info("redis configured: shared response cache, persisted queries and rate limits")
	} else {
		logger.Warn("REDIS_URL is not set: response cache, persisted queries and rate limits stay in " +
			"this process; run one replica only, or set REDIS_URL")
	}
	for name, dst := range map[string]*int{"RATE_LIMIT_ANON": &cfg.RateLimitAnon, "RATE_LIMIT_AGENCY": &cfg.RateLimitAgency} {
		v := os.Getenv(name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > ratelimit.MaxPerMinute {
			return fmt.Errorf("%s must be a number of query-cost points per minute from 1 to %d, not %q", name, ratelimit.MaxPerMinute, v)
		}
		*dst = n
	}
	proxies, err := ratelimit.ParseTrustedProxies(os.Getenv("TRUSTED_PROXIES"))
	if err != nil {
		return err
	}
	cfg.TrustedProxies = proxies
	return nil
}

// responseCacheOff reads RESPONSE_CACHE: "off" serves every query from the database, for
// benchmarking the engine and for deployments that cache at a CDN (docs/caching.md); unset or
// "on" keeps the response cache. Anything else stops the server rather than guess.
func responseCacheOff() (bool, error) {
	switch v := os.Getenv("RESPONSE_CACHE"); v {
	case "", "on":
		return false, nil
	case "off":
		return true, nil
	default:
		return false, fmt.Errorf("RESPONSE_CACHE must be on or off, not %q", v)
	}
}

// redactDSN names the database by host and name only: no user, password or parameters.
func redactDSN(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		return "(key=value DSN)"
	}
	return u.Host + u.Path
}

// configureLimits reads REQUEST_TIMEOUT (a Go duration, default 30s), MAX_RESPONSE_BYTES
// (default 8 MiB), COMPLEXITY_LIMIT (default server.DefaultComplexityLimit),
// WS_MAX_CONNECTIONS_PER_IP, WS_MAX_CONNECTIONS, APQ_MAX_BYTES and RESPONSE_CACHE_MAX_BYTES
// into cfg (docs/limits.md).
func configureLimits(cfg *server.Config) error {
	if err := envconf.Int("COMPLEXITY_LIMIT", &cfg.ComplexityLimit, 1, 0, "cost points"); err != nil {
		return err
	}
	if err := envconf.Duration("REQUEST_TIMEOUT", &cfg.RequestTimeout, time.Millisecond, 0); err != nil {
		return err
	}
	if err := envconf.Int("MAX_RESPONSE_BYTES", &cfg.MaxResponseBytes, 1024, 0, "bytes"); err != nil {
		return err
	}
	for name, dst := range map[string]*int{"WS_MAX_CONNECTIONS_PER_IP": &cfg.MaxWebSocketsPerIP, "WS_MAX_CONNECTIONS": &cfg.MaxWebSockets,
		"APQ_MAX_BYTES": &cfg.MaxPersistedQueryBytes, "RESPONSE_CACHE_MAX_BYTES": &cfg.ResponseCacheMaxBytes} {
		unit := "connections"
		if strings.HasSuffix(name, "_BYTES") {
			unit = "bytes"
		}
		if err := envconf.Int(name, dst, 1, 0, unit); err != nil {
			return err
		}
	}
	return nil
}
