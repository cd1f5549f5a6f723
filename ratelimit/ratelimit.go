// Package ratelimit limits callers by the cost of what they ask, as GitHub's and Shopify's
// GraphQL APIs do: each caller has a budget of points per minute, refilled continuously by
// GCRA (the generic cell rate algorithm), and each request spends its query cost.
//
// Anonymous callers are limited per client IP (X-Forwarded-For is believed only from trusted
// proxies), agencies per agency whatever token or replica they use. The counters live in Redis
// (github.com/go-redis/redis_rate) so that every replica draws on one budget; while Redis is
// unavailable each replica falls back to the same algorithm in process, which lets a caller
// spend at most one budget per replica until Redis is back.
package ratelimit

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// Default budgets, in query-cost points per minute. An anonymous caller may run two queries of
// the highest allowed cost (5000) a minute, or a page of 20 rows with a few fields (~60
// points) three times a second; an agency gets ten times that.
const (
	DefaultAnonPerMinute   = 10_000
	DefaultAgencyPerMinute = 100_000
)

// MaxPerMinute is the largest budget: the in-process limiter counts a point as period/budget
// of time, which must stay at least a few nanoseconds (a budget above 60 billion would make it
// zero). Allow cuts a larger limit to it.
const MaxPerMinute = 10_000_000_000

const period = time.Minute

// Config sets a Limiter's budgets and whom to believe about client addresses.
type Config struct {
	// AnonPerMinute and AgencyPerMinute are the budgets; zero takes the default.
	AnonPerMinute, AgencyPerMinute int
	// TrustedProxies are the networks whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

// Limiter spends callers' budgets.
type Limiter struct {
	cfg    Config
	redis  *cache.Redis
	shared *redis_rate.Limiter
	local  *localGCRA
}

// New returns a Limiter counting in r (nil: in this process only).
func New(r *cache.Redis, cfg Config) *Limiter {
	if cfg.AnonPerMinute <= 0 {
		cfg.AnonPerMinute = DefaultAnonPerMinute
	}
	if cfg.AgencyPerMinute <= 0 {
		cfg.AgencyPerMinute = DefaultAgencyPerMinute
	}
	l := &Limiter{cfg: cfg, redis: r, local: newLocalGCRA()}
	if r != nil {
		l.shared = redis_rate.NewLimiter(r.Client())
	}
	return l
}

// ParseTrustedProxies reads TRUSTED_PROXIES: comma-separated CIDRs or single addresses.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is neither a CIDR nor an IP address", f)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// Result is the state of a budget after a request.
type Result struct {
	Allowed   bool
	Limit     int
	Remaining int
	// RetryAfter is how long until the refused request could pass.
	RetryAfter time.Duration
	// ResetAfter is how long until the budget is full again.
	ResetAfter time.Duration
	// TooCostly: the request costs more than the whole budget and can never pass.
	TooCostly bool
}

// Allow spends cost points of key's budget of limit points per minute, if it has them.
func (l *Limiter) Allow(ctx context.Context, key string, limit, cost int) Result {
	limit = min(limit, MaxPerMinute)
	if cost > limit {
		return Result{Limit: limit, TooCostly: true, RetryAfter: period, ResetAfter: period}
	}
	if l.redis != nil {
		if l.redis.Available() {
			rctx, cancel := l.redis.Context(ctx)
			res, err := l.shared.AllowN(rctx, key, redis_rate.Limit{Rate: limit, Burst: limit, Period: period}, cost)
			cancel()
			if !l.redis.Failed("rate_limit", err) {
				return Result{Allowed: res.Allowed > 0, Limit: limit, Remaining: res.Remaining,
					RetryAfter: res.RetryAfter, ResetAfter: res.ResetAfter}
			}
		} else {
			l.redis.Fallback("rate_limit")
		}
	}
	return l.local.allow(key, limit, cost, time.Now())
}

// ClientIP is the address a request comes from: the peer, or, when the peer is a trusted
// proxy, the right-most X-Forwarded-For entry that is not one.
func (l *Limiter) ClientIP(r *http.Request) netip.Addr {
	addr := peer(r.RemoteAddr)
	if !l.trusted(addr) {
		return addr
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if h == "" {
			continue
		}
		a, err := netip.ParseAddr(h)
		if err != nil {
			return addr // a forged or broken entry: stop at the last hop we could check
		}
		addr = a.Unmap()
		if !l.trusted(addr) {
			return addr
		}
	}
	return addr
}

func peer(remote string) netip.Addr {
	if ap, err := netip.ParseAddrPort(remote); err == nil {
		return ap.Addr().Unmap()
	}
	a, _ := netip.ParseAddr(remote)
	return a.Unmap()
}

func (l *Limiter) trusted(a netip.Addr) bool {
	for _, p := range l.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// budget is whose budget a request spends and its size: ctx's agency, else r's client IP.
func (l *Limiter) budget(ctx context.Context, r *http.Request) (key string, limit int) {
	if p, ok := auth.FromContext(ctx); ok {
		return "agency:" + p.Agency.Slug, l.cfg.AgencyPerMinute
	}
	return "ip:" + l.ClientIP(r).String(), l.cfg.AnonPerMinute
}

// Charge spends cost points (at least 1) of the budget of ctx's caller: the agency when
// authentication has put one in ctx, else r's client IP. The WebSocket transport charges each
// operation of a socket with it; HTTP requests use Spend.
func (l *Limiter) Charge(ctx context.Context, r *http.Request, cost int) Result {
	key, limit := l.budget(ctx, r)
	return l.Allow(ctx, key, limit, max(cost, 1))
}

// meter is one request's pending charge.
type meter struct {
	l      *Limiter
	w      http.ResponseWriter
	r      *http.Request
	spent  bool
	result Result
}

type meterKey struct{}

// Spend charges the request's budget with cost, once: a handler behind ByQueryCost calls it as
// soon as it knows the cost, and answers 429 (WriteRefusal or its own error body) when the
// result is not Allowed. The X-RateLimit-* headers are set. ok is false outside ByQueryCost.
func Spend(ctx context.Context, cost int) (res Result, ok bool) {
	m, _ := ctx.Value(meterKey{}).(*meter)
	if m == nil {
		return Result{}, false
	}
	return m.spend(ctx, cost), true
}

// spend charges the budget of ctx's caller: the agency when authentication has put one there.
func (m *meter) spend(ctx context.Context, cost int) Result {
	if m.spent {
		return m.result
	}
	m.spent = true
	key, limit := m.l.budget(ctx, m.r)
	m.result = m.l.Allow(ctx, key, limit, max(cost, 1))
	SetHeaders(m.w.Header(), m.result)
	return m.result
}

// SetHeaders writes X-RateLimit-Limit, -Remaining and -Reset (seconds until the budget is
// full again), and Retry-After on a refusal.
func SetHeaders(h http.Header, res Result) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(res.Limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(res.Remaining, 0)))
	h.Set("X-RateLimit-Reset", strconv.Itoa(seconds(res.ResetAfter)))
	if !res.Allowed {
		h.Set("Retry-After", strconv.Itoa(max(seconds(res.RetryAfter), 1)))
	}
}

func seconds(d time.Duration) int { return int(math.Ceil(max(d, 0).Seconds())) }

// Message says why res refused a request.
func Message(res Result) string {
	if res.TooCostly {
		return fmt.Sprintf("this request costs more than the whole budget of %d points per minute; ask for fewer rows or fields", res.Limit)
	}
	return fmt.Sprintf("rate limit of %d query-cost points per minute exceeded; retry in %d s", res.Limit, max(seconds(res.RetryAfter), 1))
}

// WriteRefusal answers 429 RATE_LIMITED in the shape of a GraphQL error response.
func WriteRefusal(w http.ResponseWriter, res Result) {
	SetHeaders(w.Header(), res)
	body, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"message":    Message(res),
		"extensions": map[string]any{"code": string(errcode.RateLimited)},
	}}})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusTooManyRequests)
	w.Write(body)
}

// ByQueryCost is the rate-limit middleware of /graphql, placed before authentication so that
// refusals get the X-RateLimit-* headers too. The handler spends the request's query cost with
// Spend once it knows it, from its own context, which carries the agency if any; a request that
// ends before that (refused credentials, a malformed body, a parse error) is charged one point
// of its client IP's budget when its response starts, and refused with 429 instead if even that
// point is not left. Every response carries the X-RateLimit-* headers.
func (l *Limiter) ByQueryCost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := &meter{l: l, r: r}
		mw := &meteredWriter{ResponseWriter: w, m: m}
		m.w = mw
		next.ServeHTTP(mw, r.WithContext(context.WithValue(r.Context(), meterKey{}, m)))
	})
}

// PerRequest is the rate-limit middleware for endpoints whose cost is known up front (the
// exports): it spends cost points before the handler runs and answers 429 RATE_LIMITED when
// the budget does not hold them. Place it after authentication.
func (l *Limiter) PerRequest(cost int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key, limit := l.budget(r.Context(), r)
			res := l.Allow(r.Context(), key, limit, max(cost, 1))
			if !res.Allowed {
				WriteRefusal(w, res)
				return
			}
			SetHeaders(w.Header(), res)
			next.ServeHTTP(w, r)
		})
	}
}

// meteredWriter charges the default point when a response starts uncharged.
type meteredWriter struct {
	http.ResponseWriter
	m       *meter
	refused bool
}

func (w *meteredWriter) WriteHeader(code int) {
	if w.refused {
		return
	}
	if !w.m.spent && code >= 200 {
		if res := w.m.spend(w.m.r.Context(), 1); !res.Allowed {
			w.refused = true
			WriteRefusal(w.ResponseWriter, res)
			return
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *meteredWriter) Write(b []byte) (int, error) {
	if !w.m.spent {
		w.WriteHeader(http.StatusOK)
	}
	if w.refused {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *meteredWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// localGCRA is GCRA in process: per key, the theoretical arrival time (tat) of the next
// request; a request of cost n passes when tat + n·T − period ≤ now, T = period/limit.
type localGCRA struct {
	mu    sync.Mutex
	tat   map[string]time.Time
	sweep time.Time
}

func newLocalGCRA() *localGCRA { return &localGCRA{tat: map[string]time.Time{}} }

// maxLocalKeys bounds the map between sweeps of full budgets.
const maxLocalKeys = 100_000

func (g *localGCRA) allow(key string, limit, cost int, now time.Time) Result {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.tat) > maxLocalKeys && now.Sub(g.sweep) > time.Second {
		g.sweep = now
		for k, t := range g.tat {
			if !t.After(now) {
				delete(g.tat, k) // a full budget: forgetting it changes nothing
			}
		}
	}
	t := period / time.Duration(limit)
	tat := g.tat[key]
	if tat.Before(now) {
		tat = now
	}
	newTat := tat.Add(time.Duration(cost) * t)
	allowAt := newTat.Add(-period)
	if now.Before(allowAt) {
		return Result{Limit: limit, Remaining: int(now.Sub(tat.Add(-period)) / t),
			RetryAfter: allowAt.Sub(now), ResetAfter: tat.Sub(now)}
	}
	g.tat[key] = newTat
	return Result{Allowed: true, Limit: limit, Remaining: int(now.Sub(allowAt) / t), ResetAfter: newTat.Sub(now)}
}
