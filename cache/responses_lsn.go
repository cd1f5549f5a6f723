package cache

import (
	"context"
	"crypto/rand"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// The cache epoch carries the WAL position (LSN) of the latest write it accounts for, so that
// one read of the epoch tells a replica what every read under it must see (docs/caching.md,
// "Epochs and read replicas"). An epoch is "<16 hex digits of the LSN>-<random>", or just
// "<random>" when the LSN is unknown (a write's LSN could not be read, or Redis lost the epoch
// and Postgres could not say where it is): reads under an unknown epoch go to the primary.
//
// The LSN of a new epoch is merged in Redis by one script (epochMerge), never set blindly:
// writers that replace the epoch concurrently in the opposite order of their commits must not
// lower it. Equal-length hex strings compare as their numbers do.

const lsnDigits = 16

// formatEpoch is the epoch for lsn (known) and a random token.
func formatEpoch(lsn uint64, known bool, token string) string {
	if !known {
		return token
	}
	return fmt.Sprintf("%016x-%s", lsn, token)
}

// epochLSN is the LSN an epoch accounts for, or known false.
func epochLSN(epoch string) (lsn uint64, known bool) {
	if len(epoch) <= lsnDigits || epoch[lsnDigits] != '-' {
		return 0, false
	}
	v, err := strconv.ParseUint(epoch[:lsnDigits], 16, 64)
	return v, err == nil
}

// lsnArg is an LSN as the scripts take it: 16 hex digits, or "" when unknown.
func lsnArg(lsn uint64, known bool) string {
	if !known {
		return ""
	}
	return fmt.Sprintf("%016x", lsn)
}

// epochMerge is the Lua that computes the next epoch from the current one (cur, false when
// missing), the new write's LSN (lsn, "" when unknown) and a token:
//   - an unknown LSN makes the epoch unknown;
//   - with a known current LSN, the higher of the two;
//   - over an unknown or missing epoch, a write's own LSN (> 0) is safe: it was read after
//     that write's commit, so it is at or past every commit that returned before; 0 (a
//     mutation that committed nothing) leaves the LSN unknown.
const epochMerge = `
local function merge(cur, lsn, token)
  if lsn == '' then return token end
  if cur and string.len(cur) > 16 and string.sub(cur, 17, 17) == '-' then
    local c = string.sub(cur, 1, 16)
    if c > lsn then lsn = c end
    return lsn .. '-' .. token
  end
  if lsn == '0000000000000000' then return token end
  return lsn .. '-' .. token
end
`

// bumpScript replaces the epoch (KEYS[1]) with the merge of ARGV[1] (the LSN) and returns it.
var bumpScript = redis.NewScript(epochMerge + `
local e = merge(redis.call('GET', KEYS[1]), ARGV[1], ARGV[2])
redis.call('SET', KEYS[1], e)
return e`)

// Lookup's LSN: what a read under its epoch must see.

// LSN is the WAL position the lookup's epoch accounts for: a response stored under it must be
// computed on a server that has replayed at least this far. known is false when the epoch
// does not say (reads then go to the primary).
func (l Lookup) LSN() (lsn uint64, known bool) { return l.lsn, l.lsnKnown }

// CompleteThrough records how far the server that computes the response had replayed
// (math.MaxUint64 for the primary): Put then stores the response only if that covers the
// epoch's LSN, so that a response missing a write is never kept under an epoch that counts it.
func (l *Lookup) CompleteThrough(lsn uint64) { l.through, l.throughSet = lsn, true }

// complete says whether a response computed through l.through may be stored under l's epoch.
func (l Lookup) complete() bool {
	if !l.throughSet {
		return true // computed where every write is seen (the caller did not route)
	}
	if l.through == ^uint64(0) {
		return true
	}
	return l.lsnKnown && l.through >= l.lsn
}

// Latest is the LSN of the latest write the current epoch accounts for, for reads that do not
// go through the cache (authenticated ones): known is false when Redis cannot say.
func (c *Responses) Latest(ctx context.Context) (lsn uint64, known bool) {
	if c.redis == nil {
		return c.localLSN.Load(), true
	}
	if !c.redis.Available() {
		return 0, false
	}
	rctx, cancel := c.redis.Context(ctx)
	defer cancel()
	e, err := c.epoch(rctx)
	if c.redis.Failed(responseCacheMetricLabel, err) {
		return 0, false
	}
	if lsn, known = epochLSN(e); known && lsn < c.invalidated.Load() {
		c.reassert(rctx)
		return c.invalidated.Load(), true
	}
	return lsn, known
}

// InvalidateAt is Invalidate for a write that committed at lsn (known false: committed, but
// its LSN could not be read; 0: nothing was committed). The new epoch accounts for it.
func (c *Responses) InvalidateAt(ctx context.Context, lsn uint64, known bool) {
	if c.redis == nil {
		c.localEpoch.Add(1)
		raise(&c.localLSN, lsn)
		c.local.Purge()
		return
	}
	c.local.Purge()
	if known {
		raise(&c.invalidated, lsn)
	}
	// Try even when Redis is believed down: if it answers, other replicas see the write now.
	// Until the epoch is replaced, the other replicas, which may still reach Redis, serve what
	// was cached before the write; so a failed call is tried again, every 50 ms for up to
	// invalidateRetryFor, before the write's response leaves: a Sentinel failover (this
	// process's client still looking for the promoted primary) or a dead pooled connection.
	// In an outage older than failoverWindow every replica has long been serving uncached:
	// one attempt, so that writes do not each wait for a Redis that is gone.
	retry := c.redis.downFor() < failoverWindow
	deadline := time.Now().Add(invalidateRetryFor)
	for {
		rctx, cancel := c.redis.Context(ctx)
		err := c.bumpAt(rctx, lsn, known)
		cancel()
		if err == nil {
			return
		}
		if !retry || time.Now().Add(invalidateRetryWait).After(deadline) {
			c.redis.Failed("invalidation", err)
			return
		}
		time.Sleep(invalidateRetryWait)
	}
}

// How InvalidateAt retries (above), and how long it waits under Sentinel for the replica to
// acknowledge the new epoch (WAIT 1 20).
const (
	invalidateRetryFor  = time.Second
	invalidateRetryWait = 50 * time.Millisecond
	failoverWindow      = 10 * time.Second
	sentinelReplicaWait = 20 * time.Millisecond
)

// bumpAt replaces the epoch with one that accounts for lsn, and tells the replicas.
func (c *Responses) bumpAt(ctx context.Context, lsn uint64, known bool) error {
	c.local.Purge()
	token, err := bumpScript.Run(ctx, c.redis.client, []string{c.epochKey}, lsnArg(lsn, known), rand.Text()).Text()
	if err != nil {
		return err
	}
	if c.redis.sentinel {
		// Under Sentinel, wait briefly for the replica to have the new epoch, so that a
		// failover right after the write does not promote one that still holds the old epoch.
		// Best effort, never a failure: without a connected replica it costs the wait.
		c.redis.client.Do(ctx, "WAIT", 1, sentinelReplicaWait.Milliseconds())
	}
	// Best effort: hits check the epoch anyway, the message only frees memory early.
	c.redis.client.Publish(ctx, InvalidationChannel, token)
	return nil
}

// bump replaces the epoch after an outage or a missed write: its LSN is the primary's current
// position when the store can say (at or past every commit so far), else unknown.
func (c *Responses) bump(ctx context.Context) error {
	lsn, known := c.currentLSN(ctx)
	return c.bumpAt(ctx, lsn, known)
}

// currentLSN asks the store where the primary's WAL is now (ResponseOptions.CurrentLSN).
func (c *Responses) currentLSN(ctx context.Context) (uint64, bool) {
	if c.currentLSNFunc == nil {
		return 0, false
	}
	lsn, err := c.currentLSNFunc(ctx)
	return lsn, err == nil && lsn > 0
}

// reassert replaces an epoch that has lost a write this process made (its LSN is below the
// highest this process invalidated at: a Redis failover dropped the replacement): from now on
// no replica serves what was cached before that write.
func (c *Responses) reassert(ctx context.Context) {
	c.redis.Failed(responseCacheMetricLabel, c.bumpAt(ctx, c.invalidated.Load(), true))
}

// raise sets a to v when v is higher.
func raise(a *atomic.Uint64, v uint64) {
	for {
		cur := a.Load()
		if v <= cur || a.CompareAndSwap(cur, v) {
			return
		}
	}
}

// setEpoch records the epoch read and the LSN it accounts for.
func (l *Lookup) setEpoch(epoch string) {
	l.epoch = epoch
	l.lsn, l.lsnKnown = epochLSN(epoch)
}

// lostWrite says whether the epoch l read has lost one of this process's writes.
func (c *Responses) lostWrite(l Lookup) bool {
	return l.lsnKnown && l.lsn < c.invalidated.Load()
}

// afterReassert replaces an epoch that lost a write (reassert) and returns a miss under the
// new one.
func (c *Responses) afterReassert(ctx context.Context, l Lookup) (Lookup, bool) {
	c.reassert(ctx)
	c.local.Remove(l.key)
	epoch, err := c.epoch(ctx)
	if c.redis.Failed(responseCacheMetricLabel, err) {
		return Lookup{key: l.key}, false
	}
	l.Body, l.ETag = nil, ""
	l.setEpoch(epoch)
	return l, true
}
