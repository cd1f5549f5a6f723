package server

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/internal/envconf"
)

// Bounded stale-while-revalidate (docs/caching.md, "Stale answers"). An anonymous query whose
// cached answer is of an earlier epoch is answered with it at once when cache.Responses
// offers it (its lookup at most CACHE_STALE_MAX old, its computation at least
// CACHE_STALE_MIN_COST) and it holds the reader's own last write (X-Registry-LSN or the
// kolregistry_lsn cookie); meanwhile one refresh recomputes it for the current epoch. Every
// other reader, and every reader of a cheap query, gets a fresh answer as before.

// Defaults of CACHE_STALE_MAX and CACHE_STALE_MIN_COST (serve). Config's zero CacheStaleMax
// is off.
const (
	DefaultCacheStaleMax     = 5 * time.Second
	DefaultCacheStaleMinCost = 10 * time.Millisecond
	// staleAgeHeader says, on a stale answer, how old (ms) the lookup it was computed after is.
	staleAgeHeader = "X-Registry-Stale-Age-Ms"
	// refreshTimeout bounds one refresh, and is how long its Redis lock lives at most (the
	// refresh releases it when it ends).
	refreshTimeout = 10 * time.Second
)

// CacheStaleFromEnv reads CACHE_STALE_MAX (default 5s, 0 turns stale answers off) and
// CACHE_STALE_MIN_COST (default 10ms).
func CacheStaleFromEnv() (staleMax, minCost time.Duration, err error) {
	staleMax, minCost = DefaultCacheStaleMax, DefaultCacheStaleMinCost
	for name, dst := range map[string]*time.Duration{"CACHE_STALE_MAX": &staleMax, "CACHE_STALE_MIN_COST": &minCost} {
		if err := envconf.Duration(name, dst, 0, time.Minute); err != nil {
			return 0, 0, err
		}
	}
	return staleMax, minCost, nil
}

// requestLSN is the reader's own last write as it says (X-Registry-LSN, else the cookie), 0
// without one or when it does not parse. A stale answer is given only when it holds this
// write; a made-up, huge one only gets its sender fresh answers.
func requestLSN(r *http.Request) db.LSN {
	raw := r.Header.Get(lsnHeader)
	if raw == "" {
		if c, err := r.Cookie(lsnCookie); err == nil {
			raw = c.Value
		}
	}
	if raw == "" {
		return 0
	}
	l, err := db.ParseLSN(raw)
	if err != nil {
		return 0
	}
	return l
}

// refresh recomputes key for lookup's epoch in the background, unless a refresh or an
// execution of key runs on this replica already or another replica holds key's refresh lock
// in Redis: one refresh per key, whoever serves it stale. The refresh is an ordinary
// coalesced execution (requests that miss meanwhile join it) and stores its answer as a miss
// would. If the key was served stale again while it ran and a write has come since (its
// answer is stale already), it runs again, up to maxRefreshRuns times: a popular costly query
// is recomputed while it is read, not only when the next reader comes. Runs start at least
// refreshGap apart: under a steady stream of writes a key would otherwise be recomputed back
// to back, one busy connection per popular costly key, for answers a few milliseconds
// fresher than the bound needs.
func (c *caches) refresh(ctx context.Context, key string, lookup cache.Lookup, run func(context.Context, cache.Lookup) outcome) {
	if !c.flights.startRefresh(key) {
		return
	}
	release, ok := c.responses.LockRefresh(ctx, key, refreshTimeout)
	if !ok {
		c.flights.endRefresh(key)
		return
	}
	// Detached from the request, which is answered now; each run bounded by refreshTimeout
	// (the lock's life) and the request's deadline.
	bctx := context.WithoutCancel(ctx)
	limit, hasLimit := ctx.Deadline()
	go func() {
		defer c.flights.endRefresh(key)
		gap := refreshGap(c.responses.StaleMax())
		for n := 0; ; n++ {
			c.refreshes.Inc()
			started := time.Now()
			deadline := time.Now().Add(refreshTimeout)
			if hasLimit && n == 0 && limit.Before(deadline) {
				deadline = limit
			}
			fctx, cancel := context.WithDeadline(bctx, deadline)
			c.flights.do(key, lookup, func(l cache.Lookup) outcome { return run(fctx, l) })
			cancel()
			release()
			if n+1 >= maxRefreshRuns || !c.flights.wantedAgain(key) {
				return
			}
			time.Sleep(time.Until(started.Add(gap)))
			var ok bool
			if lookup, ok = c.responses.Get(bctx, key); !ok || lookup.Hit() {
				return // Redis is down, or no write since: the answer is current
			}
			if release, ok = c.responses.LockRefresh(bctx, key, refreshTimeout); !ok {
				return // another replica refreshes it now
			}
		}
	}()
}

// refreshGap is the least time between the starts of two runs of one refresh: a fifth of
// CACHE_STALE_MAX, at most a second. An answer served stale is then at most about a gap and
// a computation old (well within the bound while computations stay under it), and a key
// read stale without a pause costs at most one computation a gap.
func refreshGap(staleMax time.Duration) time.Duration {
	return min(staleMax/5, time.Second)
}

// maxRefreshRuns bounds the runs of one refresh (a later stale answer starts a new one).
const maxRefreshRuns = 100

// writeStale answers with a stale response, saying so: Age (whole seconds, RFC 9111) and
// X-Registry-Stale-Age-Ms.
func writeStale(w http.ResponseWriter, r *http.Request, s cache.Stale) {
	w.Header().Set("Age", strconv.FormatInt(int64(s.Age/time.Second), 10))
	w.Header().Set(staleAgeHeader, strconv.FormatInt(s.Age.Milliseconds(), 10))
	writeQueryResponse(w, r, s.Body, s.ETag, false, false)
}
