// Package cache holds what the registry keeps in Redis and can always rebuild: the shared
// response cache for anonymous queries, automatic persisted queries, and the
// connection they and the rate limiter share, with its health.
//
// Redis is never required. Every call has a short timeout; the first failure opens a breaker
// (Redis.Available turns false) so that later requests skip Redis at once instead of waiting
// for their own timeouts, and a background probe closes it again when Redis answers. While it
// is open, reads go to Postgres uncached and writes still succeed. Correctness across an outage
// is the response cache's business: see Responses.
package cache

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/kolregistry/kolregistry/tracing"
)

// Defaults of Options.
const (
	DefaultCallTimeout   = 250 * time.Millisecond
	DefaultProbeInterval = 500 * time.Millisecond
)

// Options tune a Redis connection. A zero field takes its default.
type Options struct {
	// CallTimeout bounds every Redis call (dial, read, write, pool wait and the whole command).
	CallTimeout time.Duration
	// ProbeInterval is how often an unavailable Redis is pinged.
	ProbeInterval time.Duration
	// Logger receives state changes (Redis lost, Redis back); nil discards them.
	Logger *slog.Logger
}

// quietDriver silences go-redis's own log: it would print every failed reconnect of an outage,
// which the breaker already reports once.
var quietDriver sync.Once

type driverLog struct{}

func (driverLog) Printf(context.Context, string, ...any) {}

// Redis is the process's connection to Redis and what it knows about Redis's health. One is
// shared by every user in the process; Close it when done.
type Redis struct {
	client   redis.UniversalClient
	timeout  time.Duration
	interval time.Duration
	logger   *slog.Logger

	down    atomic.Bool
	probing atomic.Bool
	// downSince is when Redis was last marked unavailable (unix ns; 0 while available).
	downSince atomic.Int64
	closed    chan struct{}
	wg        sync.WaitGroup

	mu          sync.Mutex
	onRecover   []func(context.Context) error
	onBroadcast map[string][]func(string)
	sub         *redis.PubSub

	up        prometheus.Gauge
	fallbacks *prometheus.CounterVec
	// sentinel: the client follows a Sentinel-watched primary, whose replica a failover promotes.
	sentinel bool
}

// Open connects to the Redis that rawURL names (see ParseURL). It does not wait for Redis:
// a Redis that is down at start is handled like one that goes down later.
func Open(rawURL string, o Options) (*Redis, error) {
	opts, err := ParseURL(rawURL)
	if err != nil {
		return nil, err
	}
	return New(opts, o), nil
}

// New wraps a client built from opts, with every timeout set from o.CallTimeout.
func New(opts *redis.UniversalOptions, o Options) *Redis {
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultCallTimeout
	}
	if o.ProbeInterval <= 0 {
		o.ProbeInterval = DefaultProbeInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	opts.DialTimeout = o.CallTimeout
	opts.ReadTimeout = o.CallTimeout
	opts.WriteTimeout = o.CallTimeout
	opts.PoolTimeout = o.CallTimeout
	opts.ContextTimeoutEnabled = true
	// A retry doubles the wait on a Redis that is down; the breaker handles failures instead.
	opts.MaxRetries = -1
	opts.DialerRetries = 1
	quietDriver.Do(func() { redis.SetLogger(driverLog{}) })
	opts.DisableIdentity = true
	r := &Redis{
		client:      redis.NewUniversalClient(opts),
		timeout:     o.CallTimeout,
		interval:    o.ProbeInterval,
		logger:      o.Logger,
		closed:      make(chan struct{}),
		onBroadcast: map[string][]func(string){},
		sentinel:    opts.MasterName != "",
		up: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: "kolregistry", Subsystem: "redis", Name: "up",
			Help: "1 while Redis answers, 0 while the server runs degraded without it.",
		}),
		fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: "kolregistry", Subsystem: "redis", Name: "fallbacks_total",
			Help: "Operations served without Redis because it was down or slow (degraded mode), by user: " +
				"response_cache, persisted_queries, rate_limit, invalidation, readiness.",
		}, []string{"user"}),
	}
	r.up.Set(1)
	tracing.Redis(r.client) // a span per command when tracing is on
	return r
}

var laterSchemes = regexp.MustCompile(`,\s*rediss?://`)

// ParseURL reads REDIS_URL. Three forms:
//
//	redis://[user:password@]host:6379[/db]          one server (rediss:// for TLS)
//	redis://[user:password@]h1:6379,h2:6379,h3:6379   Redis Cluster: the seed nodes, comma-separated
//	redis+sentinel://[user:password@]s1:26379,s2:26379/mymaster[/db]
//	                                                  Sentinel: the sentinels and the master's name
//
// In the cluster form later entries may repeat the scheme (redis://h2:6379); user, password
// and TLS come from the first. The password of the sentinel form is the master's; a sentinel
// password, when the sentinels need one, goes in ?sentinel_password=.
func ParseURL(raw string) (*redis.UniversalOptions, error) {
	raw = strings.TrimSpace(raw)
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return nil, errors.New("REDIS_URL must start with redis://, rediss:// or redis+sentinel://")
	}
	// Later cluster entries may repeat the scheme: redis://a:7000,redis://b:7001.
	rest = laterSchemes.ReplaceAllString(rest, ",")
	var userinfo string
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		userinfo, rest = rest[:at], rest[at+1:]
	}
	hostPart, pathPart, _ := strings.Cut(rest, "/")
	pathPart, rawQuery, _ := strings.Cut(pathPart, "?")
	if i := strings.Index(hostPart, "?"); i >= 0 { // redis://host?x=y without a path
		hostPart, rawQuery = hostPart[:i], hostPart[i+1:]
	}
	query, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: bad query string: %w", err)
	}
	opts := &redis.UniversalOptions{}
	if userinfo != "" {
		u, err := url.Parse("redis://" + userinfo + "@x")
		if err != nil {
			return nil, errors.New("REDIS_URL: bad user or password")
		}
		opts.Username = u.User.Username()
		opts.Password, _ = u.User.Password()
	}
	for h := range strings.SplitSeq(hostPart, ",") {
		h = strings.TrimSpace(h)
		if h == "" {
			continue
		}
		if !strings.Contains(h, ":") {
			if scheme == "redis+sentinel" {
				h += ":26379"
			} else {
				h += ":6379"
			}
		}
		opts.Addrs = append(opts.Addrs, h)
	}
	if len(opts.Addrs) == 0 {
		return nil, errors.New("REDIS_URL names no host")
	}
	segments := strings.FieldsFunc(pathPart, func(r rune) bool { return r == '/' })
	switch scheme {
	case "redis", "rediss":
		if scheme == "rediss" {
			opts.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		if len(segments) > 1 {
			return nil, errors.New("REDIS_URL: the path may only hold the database number")
		}
		if len(segments) == 1 {
			if opts.DB, err = strconv.Atoi(segments[0]); err != nil || opts.DB < 0 {
				return nil, fmt.Errorf("REDIS_URL: database %q is not a number", segments[0])
			}
			if len(opts.Addrs) > 1 && opts.DB != 0 {
				return nil, errors.New("REDIS_URL: Redis Cluster has only database 0")
			}
		}
	case "redis+sentinel":
		if len(segments) == 0 || len(segments) > 2 {
			return nil, errors.New("REDIS_URL: the sentinel form is redis+sentinel://host:26379,host:26379/master-name[/db]")
		}
		opts.MasterName = segments[0]
		if len(segments) == 2 {
			if opts.DB, err = strconv.Atoi(segments[1]); err != nil || opts.DB < 0 {
				return nil, fmt.Errorf("REDIS_URL: database %q is not a number", segments[1])
			}
		}
		opts.SentinelPassword = query.Get("sentinel_password")
	default:
		return nil, fmt.Errorf("REDIS_URL: unknown scheme %q (want redis, rediss or redis+sentinel)", scheme)
	}
	return opts, nil
}

// Client is the underlying go-redis client, for packages that run their own commands (the
// rate limiter). Bound every call with Context and report failures to Failed.
func (r *Redis) Client() redis.UniversalClient { return r.client }

// Context bounds one Redis call. It ignores the parent's cancellation (a client hanging up
// must not look like Redis failing) but keeps its values.
func (r *Redis) Context(parent context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(parent), r.timeout)
}

// Available reports whether Redis is believed to answer. While it is false, skip Redis and
// call Fallback.
func (r *Redis) Available() bool { return !r.down.Load() }

// downFor is how long Redis has been marked unavailable (0 while available).
func (r *Redis) downFor() time.Duration {
	if since := r.downSince.Load(); since != 0 && r.down.Load() {
		return time.Since(time.Unix(0, since))
	}
	return 0
}

// Fallback counts one operation served without Redis by user (a metric label).
func (r *Redis) Fallback(user string) { r.fallbacks.WithLabelValues(user).Inc() }

// Failed reports the outcome of a Redis call: any error but redis.Nil (a missing key) marks
// Redis unavailable until the probe succeeds, and counts a fallback for user. It returns
// whether err was such a failure.
func (r *Redis) Failed(user string, err error) bool {
	if err == nil || errors.Is(err, redis.Nil) {
		return false
	}
	r.Fallback(user)
	if r.down.CompareAndSwap(false, true) {
		r.downSince.Store(time.Now().UnixNano())
		r.up.Set(0)
		r.logger.Warn("redis unavailable: serving degraded (uncached reads, local rate limits)", "error", err.Error())
		r.startProbe()
	}
	return true
}

// OnRecover registers fn to run when Redis answers again after an outage, before Available
// turns true. If fn fails, Redis stays unavailable and the probe tries again.
func (r *Redis) OnRecover(fn func(context.Context) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onRecover = append(r.onRecover, fn)
}

func (r *Redis) startProbe() {
	if !r.probing.CompareAndSwap(false, true) {
		return
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		defer r.probing.Store(false)
		t := time.NewTicker(r.interval)
		defer t.Stop()
		for {
			select {
			case <-r.closed:
				return
			case <-t.C:
			}
			if r.recover() {
				return
			}
		}
	}()
}

// recover pings Redis and runs the recovery hooks; true when Redis is back.
func (r *Redis) recover() bool {
	ctx, cancel := r.Context(context.Background())
	defer cancel()
	if err := r.client.Ping(ctx).Err(); err != nil {
		return false
	}
	r.mu.Lock()
	hooks := append([]func(context.Context) error(nil), r.onRecover...)
	r.mu.Unlock()
	for _, fn := range hooks {
		hctx, hcancel := r.Context(context.Background())
		err := fn(hctx)
		hcancel()
		if err != nil {
			return false
		}
	}
	r.down.Store(false)
	r.downSince.Store(0)
	r.up.Set(1)
	r.logger.Info("redis available again: shared cache and rate limits resume")
	return true
}

// every runs fn every d until Close.
func (r *Redis) every(d time.Duration, fn func()) {
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-r.closed:
				return
			case <-t.C:
				fn()
			}
		}
	}()
}

// Publish sends msg on channel to every process subscribed through Subscribe.
func (r *Redis) Publish(ctx context.Context, channel, msg string) error {
	ctx, cancel := r.Context(ctx)
	defer cancel()
	return r.client.Publish(ctx, channel, msg).Err()
}

// Subscribe calls fn with every message published on channel, from one goroutine per Redis,
// until Close. The subscription reconnects by itself after an outage.
func (r *Redis) Subscribe(channel string, fn func(msg string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, known := r.onBroadcast[channel]
	r.onBroadcast[channel] = append(r.onBroadcast[channel], fn)
	if r.sub == nil {
		r.sub = r.client.Subscribe(context.Background(), channel)
		r.wg.Add(1)
		go r.listen(r.sub.Channel(redis.WithChannelHealthCheckInterval(5 * time.Second)))
		return
	}
	if !known {
		ctx, cancel := r.Context(context.Background())
		defer cancel()
		_ = r.sub.Subscribe(ctx, channel) // on failure the reconnect resubscribes
	}
}

func (r *Redis) listen(msgs <-chan *redis.Message) {
	defer r.wg.Done()
	for {
		select {
		case <-r.closed:
			return
		case m, ok := <-msgs:
			if !ok {
				return
			}
			r.mu.Lock()
			fns := append([]func(string){}, r.onBroadcast[m.Channel]...)
			r.mu.Unlock()
			for _, fn := range fns {
				fn(m.Payload)
			}
		}
	}
}

// Status is "ok" or "degraded", for /readyz.
func (r *Redis) Status() string {
	if r.Available() {
		return "ok"
	}
	return "degraded"
}

// Collectors are the Redis metrics, to register with a Prometheus registry.
func (r *Redis) Collectors() []prometheus.Collector {
	return []prometheus.Collector{r.up, r.fallbacks}
}

// Close stops the probe and the subscription and closes the connections.
func (r *Redis) Close() error {
	select {
	case <-r.closed:
		return nil
	default:
	}
	close(r.closed)
	r.mu.Lock()
	if r.sub != nil {
		r.sub.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
	return r.client.Close()
}
