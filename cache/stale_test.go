package cache

import (
	"context"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/internal/testwait"
)

// An entry of an earlier epoch is offered stale while its lookup is at most StaleMax old and
// only if it cost StaleMinCost or more; it is offered by another replica too, never once the
// bound has passed, and an entry of the current epoch is a plain hit.
func TestResponses_StaleWithinTheBoundOnly(t *testing.T) {
	rs := redistest.Start(t)
	const staleMax, minCost = 400 * time.Millisecond, 50 * time.Millisecond
	o := ResponseOptions{StaleMax: staleMax, StaleMinCost: minCost}
	a, b := openResponses(t, rs, o), openResponses(t, rs, o)
	ctx := context.Background()

	costly, _ := a.Get(ctx, "costly")
	costly.SetCost(minCost)
	a.Put(ctx, costly, []byte("costly v1"))
	cheap, _ := a.Get(ctx, "cheap")
	cheap.SetCost(minCost - time.Millisecond)
	a.Put(ctx, cheap, []byte("cheap v1"))
	if l, _ := b.Get(ctx, "costly"); !l.Hit() {
		t.Fatal("no hit before any write")
	} else if _, stale := l.Stale(); stale {
		t.Fatal("a hit offers a stale answer too")
	}

	a.Invalidate(ctx)
	for _, c := range []*Responses{a, b} {
		l, ok := c.Get(ctx, "costly")
		s, stale := l.Stale()
		if !ok || l.Hit() || !stale || string(s.Body) != "costly v1" || s.Age > staleMax {
			t.Fatalf("after a write, within the bound: ok %v hit %v stale %v %q age %s", ok, l.Hit(), stale, s.Body, s.Age)
		}
		missNotStale(t, c, "cheap", "a cheap response after a write")
	}
	// Never beyond the bound: every offer is younger than it, and the offers end.
	testwait.Until(t, 5*time.Second, "the stale offer to end after StaleMax", func() bool {
		l, _ := b.Get(ctx, "costly")
		s, stale := l.Stale()
		if stale && s.Age > staleMax {
			t.Fatalf("offered %s old, beyond %s", s.Age, staleMax)
		}
		return !stale
	})

	// A response stored under the new epoch is a hit again; StaleMax 0 offers nothing.
	l, _ := a.Get(ctx, "costly")
	l.SetCost(time.Second)
	a.Put(ctx, l, []byte("costly v2"))
	if l, _ := b.Get(ctx, "costly"); string(l.Body) != "costly v2" {
		t.Fatalf("after the refresh: %q", l.Body)
	}
	off := openResponses(t, rs, ResponseOptions{})
	a.Invalidate(ctx)
	missNotStale(t, off, "costly", "with StaleMax 0")
}

// missNotStale requires a miss of key with no stale offer.
func missNotStale(t *testing.T, c *Responses, key, why string) {
	t.Helper()
	l, _ := c.Get(context.Background(), key)
	if _, stale := l.Stale(); l.Hit() || stale {
		t.Fatalf("%s: hit %v, stale offer %v; want a plain miss", why, l.Hit(), stale)
	}
}

// Stale.Covers: a stale answer holds the writes its epoch accounted for, no later one.
func TestResponses_StaleCoversItsEpochsWrites(t *testing.T) {
	rs := redistest.Start(t)
	c := openResponses(t, rs, ResponseOptions{StaleMax: time.Minute})
	ctx := context.Background()
	c.InvalidateAt(ctx, 1000, true)
	l, _ := c.Get(ctx, "k")
	l.SetCost(time.Second)
	c.Put(ctx, l, []byte("v"))
	c.InvalidateAt(ctx, 2000, true)
	l, _ = c.Get(ctx, "k")
	s, ok := l.Stale()
	if !ok {
		t.Fatal("no stale offer")
	}
	for lsn, want := range map[uint64]bool{0: true, 999: true, 1000: true, 1001: false, 2000: false} {
		if s.Covers(lsn) != want {
			t.Errorf("Covers(%d) = %v, want %v", lsn, !want, want)
		}
	}
}

// An entry of the earlier form ("<epoch>\n<body>", no time or cost) is still a hit under its
// epoch and never offered stale.
func TestResponses_EarlierEntryFormIsNeverStale(t *testing.T) {
	rs := redistest.Start(t)
	c := openResponses(t, rs, ResponseOptions{StaleMax: time.Minute})
	ctx := context.Background()
	l, _ := c.Get(ctx, "old")
	if err := c.redis.Client().Set(ctx, c.responsePrefix+"old", l.Epoch()+"\nold body", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	if l, _ := c.Get(ctx, "old"); string(l.Body) != "old body" {
		t.Fatalf("earlier form under its epoch: %q", l.Body)
	}
	c.Invalidate(ctx)
	missNotStale(t, c, "old", "an entry without its time, after a write")
}

// The refresh lock is one holder's across replicas until released (or its TTL ends).
func TestResponses_RefreshLockHasOneHolder(t *testing.T) {
	rs := redistest.Start(t)
	a, b := openResponses(t, rs, ResponseOptions{StaleMax: time.Second}), openResponses(t, rs, ResponseOptions{StaleMax: time.Second})
	ctx := context.Background()
	release, ok := a.LockRefresh(ctx, "k", time.Minute)
	if !ok {
		t.Fatal("the first lock was refused")
	}
	if _, ok := b.LockRefresh(ctx, "k", time.Minute); ok {
		t.Fatal("a second replica took a held lock")
	}
	if _, ok := a.LockRefresh(ctx, "k", time.Minute); ok {
		t.Fatal("the holder took its own lock twice")
	}
	if rel, ok := b.LockRefresh(ctx, "other", time.Minute); !ok {
		t.Fatal("another key's lock was refused")
	} else {
		rel()
	}
	release()
	releaseB, ok := b.LockRefresh(ctx, "k", 200*time.Millisecond)
	if !ok {
		t.Fatal("a released lock was refused")
	}
	release() // a's second release must not free b's lock
	if _, ok := a.LockRefresh(ctx, "k", time.Minute); ok {
		t.Fatal("a stale release freed another holder's lock")
	}
	_ = releaseB
	testwait.Until(t, 5*time.Second, "the lock's TTL to free it", func() bool {
		rel, ok := a.LockRefresh(ctx, "k", time.Minute)
		if ok {
			rel()
		}
		return ok
	})
}
