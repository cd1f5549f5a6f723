package cache

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
	"github.com/redis/go-redis/v9"
)

// Redis keys and channel of the response cache.
const (
	// The epoch and the write version it was last reconciled with share a hash tag, so one
	// script can update both on Redis Cluster. %s is the namespace.
	epochKeyFormat    = "kolregistry:{resp:%s}:epoch"
	versionKeyFormat  = "kolregistry:{resp:%s}:version"
	responseKeyFormat = "kolregistry:resp:%s:"
	// refreshKeyFormat + response key: the lock of a stale response's refresh (stale.go).
	refreshKeyFormat = "kolregistry:resp:%s:refresh:"
	// InvalidationChannel carries every new epoch, so replicas drop their in-process copies.
	InvalidationChannel = "kolregistry:resp:invalidate"
)

// Defaults of ResponseOptions.
const (
	DefaultResponseTTL       = 5 * time.Minute
	DefaultLocalResponses    = 2000
	DefaultMaxResponseBytes  = 512 << 10
	DefaultReconcileInterval = time.Second
	responseCacheMetricLabel = "response_cache"
)

// ResponseOptions tune a response cache. A zero field takes its default.
type ResponseOptions struct {
	// TTL bounds how long an entry lives, in Redis and in process.
	TTL time.Duration
	// LocalEntries is how many responses the in-process LRU keeps.
	LocalEntries int
	// MaxBytes: larger responses are not cached.
	MaxBytes int
	// WriteVersion, when set, reads a number from the source of truth that grows with every
	// committed write (the audit chain's head seq). Every ReconcileInterval each replica
	// compares it with the version Redis last saw and replaces the epoch when it grew: this
	// catches the writes whose own invalidation never reached Redis (a writer cut off from
	// Redis alone, or dead before Redis came back) and writes made outside the API.
	WriteVersion      func(context.Context) (int64, error)
	ReconcileInterval time.Duration
	// CurrentLSN, when set, reads the primary's WAL position now (at or past every commit so
	// far): an epoch made without a write of its own (after an outage, a missed write, or a
	// Redis that lost it) accounts for that LSN instead of an unknown one (responses_lsn.go).
	CurrentLSN func(context.Context) (uint64, error)
	// Namespace separates registries (databases) that share one Redis: their responses and
	// epochs never mix. Replicas of one registry must use the same namespace.
	Namespace string
	// StaleMax bounds stale-while-revalidate (stale.go): a response whose epoch is no longer
	// current is still offered (Lookup.Stale) while its lookup is at most StaleMax old, if it
	// took at least StaleMinCost to compute. Zero: never (every answer is fresh).
	StaleMax, StaleMinCost time.Duration
}

// Responses caches the bytes of anonymous query responses, shared by every replica through
// Redis, with an in-process LRU in front.
//
// Correctness comes from an epoch: a random token in Redis, replaced after every mutation
// (Invalidate). An entry is stored with the epoch read before its query ran, and served only
// while that is still the epoch; the epoch is read from Redis on every hit, in-process copies
// included, so a write that has returned is seen by the next read on every replica. Pub/sub
// only frees in-process copies early. Tokens are random, never counters, so a Redis that
// restarts empty can never re-issue an epoch an old in-process copy carries.
//
// When Redis fails, the cache steps aside (reads run uncached) until Redis answers again; the
// recovery then replaces the epoch before the cache is used, because a mutation made during
// the outage could not replace it. Without Redis (nil), the epoch lives in this process only:
// right for a single replica.
type Responses struct {
	redis *Redis
	// Redis keys, in the namespace.
	epochKey, versionKey, responsePrefix string
	local                                *expirable.LRU[string, entry]
	ttl                                  time.Duration
	maxBytes                             int
	// localEpoch is the epoch when there is no Redis, localLSN the LSN it accounts for.
	localEpoch, localLSN atomic.Uint64
	// invalidated is the highest LSN this process replaced the epoch at: an epoch below it has
	// lost one of this process's writes (responses_lsn.go).
	invalidated    atomic.Uint64
	currentLSNFunc func(context.Context) (uint64, error)
	// staleMax and staleMinCost: ResponseOptions.StaleMax, StaleMinCost (stale.go).
	staleMax, staleMinCost time.Duration
	refreshPrefix          string
}

// entry is a stored response: the epoch it was computed under, when its lookup read that
// epoch (the response holds every write acknowledged before) and how long it took to compute.
type entry struct {
	epoch string
	at    time.Time
	cost  time.Duration
	body  []byte
	etag  string // ETag(body), computed once when the entry enters this process
}

// ETag is the HTTP validator of a response body: a strong ETag, the first 128 bits of the
// body's SHA-256 in hex, quoted. A cached entry keeps its own (Lookup.ETag), so a hit, and a
// revalidation answered 304, hashes nothing.
func ETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:16]) + `"`
}

// NewResponses returns a response cache over r (nil: in-process only).
func NewResponses(r *Redis, o ResponseOptions) *Responses {
	if o.TTL <= 0 {
		o.TTL = DefaultResponseTTL
	}
	if o.LocalEntries <= 0 {
		o.LocalEntries = DefaultLocalResponses
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxResponseBytes
	}
	ns := "default"
	if o.Namespace != "" {
		sum := sha256.Sum256([]byte(o.Namespace)) // never a DSN in a key name
		ns = hex.EncodeToString(sum[:8])
	}
	c := &Responses{
		redis:          r,
		epochKey:       fmt.Sprintf(epochKeyFormat, ns),
		versionKey:     fmt.Sprintf(versionKeyFormat, ns),
		responsePrefix: fmt.Sprintf(responseKeyFormat, ns),
		local:          expirable.NewLRU[string, entry](o.LocalEntries, nil, o.TTL),
		ttl:            o.TTL,
		maxBytes:       o.MaxBytes,
		currentLSNFunc: o.CurrentLSN,
		staleMax:       max(o.StaleMax, 0),
		staleMinCost:   o.StaleMinCost,
		refreshPrefix:  fmt.Sprintf(refreshKeyFormat, ns),
	}
	if r != nil {
		r.Subscribe(InvalidationChannel, func(string) { c.local.Purge() })
		r.OnRecover(c.bump)
		if o.WriteVersion != nil {
			if o.ReconcileInterval <= 0 {
				o.ReconcileInterval = DefaultReconcileInterval
			}
			r.every(o.ReconcileInterval, func() { c.reconcile(o.WriteVersion) })
		}
	}
	return c
}

// reconcileScript raises the recorded write version and replaces the epoch when the version
// read from Postgres is ahead of it, merging the LSN ARGV[2] into it (epochMerge); it returns
// 1 when it replaced the epoch.
var reconcileScript = redis.NewScript(epochMerge + `
local seen = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) > seen then
  redis.call('SET', KEYS[1], ARGV[1])
  redis.call('SET', KEYS[2], merge(redis.call('GET', KEYS[2]), ARGV[2], ARGV[3]))
  return 1
end
return 0`)

// reconcile replaces the epoch when a write committed that Redis has not accounted for.
func (c *Responses) reconcile(writeVersion func(context.Context) (int64, error)) {
	if !c.redis.Available() {
		return // the recovery replaces the epoch anyway
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	v, err := writeVersion(ctx)
	if err != nil {
		return // Postgres unreachable: nothing can be written either
	}
	// Read after the version: at or past the commit of every write the version counts.
	lsn, known := c.currentLSN(ctx)
	rctx, rcancel := c.redis.Context(ctx)
	defer rcancel()
	token := rand.Text()
	bumped, err := reconcileScript.Run(rctx, c.redis.client, []string{c.versionKey, c.epochKey}, v, lsnArg(lsn, known), token).Int()
	if c.redis.Failed(responseCacheMetricLabel, err) {
		return
	}
	if bumped == 1 {
		c.local.Purge()
		c.redis.client.Publish(rctx, InvalidationChannel, token)
	}
}

// Lookup is the outcome of Get: a hit, or what Put needs to store the response.
type Lookup struct {
	// Body is the cached response on a hit, nil on a miss; ETag is Body's (ETag).
	Body  []byte
	ETag  string
	key   string
	epoch string
	// lsn is what the epoch accounts for (lsnKnown), through how far the response's server had
	// replayed (throughSet: CompleteThrough was called); responses_lsn.go.
	lsn, through         uint64
	lsnKnown, throughSet bool
	// at is when Get read the epoch; cost, set by SetCost, how long the response took to
	// compute; stale, a response of an older epoch that may be served meanwhile (stale.go).
	at    time.Time
	cost  time.Duration
	stale *entry
}

// Hit reports whether Body holds a cached response.
func (l Lookup) Hit() bool { return l.Body != nil }

// Epoch is the cache epoch the lookup read: requests that read the same epoch may share one
// execution of a miss (a write in between replaces the epoch).
func (l Lookup) Epoch() string { return l.epoch }

// Get looks key up. The returned Lookup carries the epoch read now, before the caller runs the
// query on a miss; Put stores under that epoch, so a write committed while the query ran makes
// the entry stale at once. ok is false when the cache cannot be used (Redis is down).
func (c *Responses) Get(ctx context.Context, key string) (l Lookup, ok bool) {
	l.key, l.at = key, time.Now()
	if c.redis == nil {
		l.epoch = strconv.FormatUint(c.localEpoch.Load(), 10)
		l.lsn, l.lsnKnown = c.localLSN.Load(), true
		if e, found := c.local.Get(key); found && e.epoch == l.epoch {
			l.Body, l.ETag = e.body, e.etag
		} else if found {
			c.offerStale(&l, e)
		}
		return l, true
	}
	if !c.redis.Available() {
		c.redis.Fallback(responseCacheMetricLabel)
		return l, false
	}
	rctx, cancel := c.redis.Context(ctx)
	defer cancel()
	if e, found := c.local.Get(key); found {
		epoch, err := c.epoch(rctx)
		if c.redis.Failed(responseCacheMetricLabel, err) {
			return l, false
		}
		if l.setEpoch(epoch); c.lostWrite(l) {
			return c.afterReassert(rctx, l)
		}
		if e.epoch == epoch {
			l.Body, l.ETag = e.body, e.etag
			return l, true
		}
		c.local.Remove(key)
	}
	pipe := c.redis.client.Pipeline()
	epochCmd := pipe.Get(rctx, c.epochKey)
	bodyCmd := pipe.Get(rctx, c.responsePrefix+key)
	_, err := pipe.Exec(rctx)
	if err != nil && !errors.Is(err, redis.Nil) {
		c.redis.Failed(responseCacheMetricLabel, err)
		return l, false
	}
	l.setEpoch(epochCmd.Val())
	if l.epoch == "" {
		epoch, err := c.epoch(rctx)
		if c.redis.Failed(responseCacheMetricLabel, err) {
			return l, false
		}
		l.setEpoch(epoch)
		return l, true // a new epoch: nothing stored can belong to it
	}
	if c.lostWrite(l) {
		return c.afterReassert(rctx, l)
	}
	if bodyCmd.Err() != nil {
		return l, true
	}
	if e, ok := parseEntry(bodyCmd.Val()); !ok {
		return l, true
	} else if e.epoch == l.epoch {
		e.etag = ETag(e.body)
		l.Body, l.ETag = e.body, e.etag
		c.local.Add(key, e)
	} else {
		c.offerStale(&l, e)
	}
	return l, true
}

// Put stores body for the key and epoch of a missed Lookup.
func (c *Responses) Put(ctx context.Context, l Lookup, body []byte) {
	if l.Hit() || l.epoch == "" || len(body) > c.maxBytes || !l.complete() {
		return
	}
	e := entry{epoch: l.epoch, at: l.at, cost: l.cost, body: bytes.Clone(body)}
	e.etag = ETag(e.body)
	c.local.Add(l.key, e)
	if c.redis == nil || !c.redis.Available() {
		return
	}
	rctx, cancel := c.redis.Context(ctx)
	defer cancel()
	c.redis.Failed(responseCacheMetricLabel, c.redis.client.Set(rctx, c.responsePrefix+l.key, e.marshal(), c.ttl).Err())
}

// An entry in Redis is "<epoch>\t<at, Unix µs>\t<cost, µs>\n<body>". An entry of the earlier
// form, "<epoch>\n<body>", has no time: it is served while its epoch is current, never stale.
// (A replica of that earlier version reads this form as another epoch's: a miss.)

func (e entry) marshal() []byte {
	v := make([]byte, 0, len(e.epoch)+48+len(e.body))
	v = append(v, e.epoch...)
	v = append(append(v, '\t'), strconv.FormatInt(e.at.UnixMicro(), 10)...)
	v = append(append(v, '\t'), strconv.FormatInt(e.cost.Microseconds(), 10)...)
	return append(append(v, '\n'), e.body...)
}

func parseEntry(v string) (entry, bool) {
	head, body, ok := strings.Cut(v, "\n")
	if !ok {
		return entry{}, false
	}
	e := entry{body: []byte(body)}
	f := strings.Split(head, "\t")
	e.epoch = f[0]
	if len(f) == 3 {
		at, err1 := strconv.ParseInt(f[1], 10, 64)
		cost, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil {
			return entry{}, false
		}
		e.at, e.cost = time.UnixMicro(at), time.Duration(cost)*time.Microsecond
	}
	return e, true
}

// Invalidate makes every cached response stale, on every replica: call it after a mutation
// has committed, before its response leaves. If Redis cannot take the new epoch, Redis is
// marked unavailable, so that no replica of this process serves from it until the recovery
// has replaced the epoch.
func (c *Responses) Invalidate(ctx context.Context) { c.InvalidateAt(ctx, 0, true) }

// epoch reads the current epoch, creating one when Redis has none (first start, or a Redis
// that restarted empty).
func (c *Responses) epoch(ctx context.Context) (string, error) {
	e, err := c.redis.client.Get(ctx, c.epochKey).Result()
	if err == nil {
		return e, nil
	}
	if !errors.Is(err, redis.Nil) {
		return "", err
	}
	lsn, known := c.currentLSN(ctx)
	if err := c.redis.client.SetNX(ctx, c.epochKey, formatEpoch(lsn, known, rand.Text()), 0).Err(); err != nil {
		return "", err
	}
	return c.redis.client.Get(ctx, c.epochKey).Result()
}

// Key is the cache key of a query: a hash of its normalized document, operation name and
// variables (as canonical JSON), each length-prefixed so no two triples share a key.
func Key(normalizedDoc, operationName string, variablesJSON []byte) string {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(normalizedDoc), []byte(operationName), variablesJSON} {
		h.Write(strconv.AppendInt(nil, int64(len(part)), 10))
		h.Write([]byte{':'})
		h.Write(part)
	}
	return hex.EncodeToString(h.Sum(nil))
}
