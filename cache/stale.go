package cache

import (
	"context"
	"crypto/rand"
	"time"

	"github.com/redis/go-redis/v9"
)

// Bounded stale-while-revalidate (docs/caching.md, "Stale answers"). A stored response whose
// epoch is no longer current (a write has happened since) is offered by Get as Lookup.Stale
// when both hold:
//
//   - its lookup read its epoch at most StaleMax ago: every write acknowledged before that
//     moment had replaced the epoch, so it is in the response; the response misses only writes
//     acknowledged less than StaleMax ago;
//   - it took at least StaleMinCost to compute: cheap queries are always answered fresh.
//
// Whether a given reader may have it (its own writes must be in it) and the refresh are the
// server's (server/cache.go). The age is measured on the wall clocks of the replica that
// stored the entry and of the one that serves it: replicas' clocks must agree (NTP) to well
// within StaleMax.

// Stale is a response of an earlier epoch that Get offers meanwhile.
type Stale struct {
	Body []byte
	ETag string // Body's ETag when this process computed it already, else ""
	// Age is how long ago its lookup read its epoch.
	Age time.Duration
	lsn uint64
	// lsnKnown: lsn is the LSN of the latest write its epoch accounted for.
	lsnKnown bool
}

// Stale returns the response of an earlier epoch that may be served instead of computing this
// one, if any (within StaleMax and computed in StaleMinCost or more).
func (l Lookup) Stale() (Stale, bool) {
	if l.stale == nil {
		return Stale{}, false
	}
	lsn, known := epochLSN(l.stale.epoch)
	return Stale{Body: l.stale.body, ETag: l.stale.etag, Age: max(l.at.Sub(l.stale.at), 0), lsn: lsn, lsnKnown: known}, true
}

// Covers reports whether the stale response holds the write at lsn (0: no write to hold),
// e.g. the reader's own last write (X-Registry-LSN): a reader whose write it may miss must get
// a fresh answer.
func (s Stale) Covers(lsn uint64) bool { return lsn == 0 || s.lsnKnown && s.lsn >= lsn }

// SetCost records how long the response took to compute, for Put: only responses that cost
// StaleMinCost or more are ever offered stale.
func (l *Lookup) SetCost(d time.Duration) { l.cost = d }

// offerStale makes e the lookup's stale offer when the bound allows it.
func (c *Responses) offerStale(l *Lookup, e entry) {
	if c.staleMax <= 0 || e.at.IsZero() || e.cost < c.staleMinCost || e.epoch == l.epoch {
		return
	}
	if age := l.at.Sub(e.at); age > c.staleMax || age < -c.staleMax {
		return // too old (or stored by a replica whose clock is far off)
	}
	l.stale = &e
}

// StaleMax is ResponseOptions.StaleMax (0: stale answers are off).
func (c *Responses) StaleMax() time.Duration { return c.staleMax }

// releaseScript deletes the lock KEYS[1] if it still holds this holder's token ARGV[1].
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// LockRefresh takes the lock of key's refresh for ttl (SET NX PX) so that of all replicas
// serving key stale, one recomputes it; release frees it early. ok is false when another
// holds it. Without Redis (one replica), the lock is always this process's.
func (c *Responses) LockRefresh(ctx context.Context, key string, ttl time.Duration) (release func(), ok bool) {
	if c.redis == nil {
		return func() {}, true
	}
	if !c.redis.Available() {
		return nil, false
	}
	rctx, cancel := c.redis.Context(ctx)
	defer cancel()
	token := rand.Text()
	lockKey := c.refreshPrefix + key
	got, err := c.redis.client.SetNX(rctx, lockKey, token, ttl).Result()
	if c.redis.Failed(responseCacheMetricLabel, err) || !got {
		return nil, false
	}
	return func() {
		rctx, cancel := c.redis.Context(context.Background())
		defer cancel()
		c.redis.Failed(responseCacheMetricLabel, releaseScript.Run(rctx, c.redis.client, []string{lockKey}, token).Err())
	}, true
}
