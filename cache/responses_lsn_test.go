package cache

import (
	"context"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache/redistest"
)

func openResponses(t *testing.T, rs *redistest.Server, o ResponseOptions) *Responses {
	t.Helper()
	r, err := Open(rs.URL(), Options{ProbeInterval: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return NewResponses(r, o)
}

func lookupLSN(t *testing.T, c *Responses, key string) (Lookup, uint64, bool) {
	t.Helper()
	l, ok := c.Get(context.Background(), key)
	if !ok {
		t.Fatal("cache unavailable")
	}
	lsn, known := l.LSN()
	return l, lsn, known
}

// The epoch carries the highest LSN of the writes it accounts for: writers replacing it in the
// opposite order of their commits never lower it; an unknown LSN makes it unknown until a
// write's own LSN replaces it; and a response computed on a server that had not replayed the
// epoch's LSN is not stored under it.
func TestResponses_EpochLSNOnlyGrowsAndGuardsPut(t *testing.T) {
	rs := redistest.Start(t)
	a := openResponses(t, rs, ResponseOptions{Namespace: "lsn-grows"})
	b := openResponses(t, rs, ResponseOptions{Namespace: "lsn-grows"})
	ctx := context.Background()

	if _, _, known := lookupLSN(t, a, "k"); known {
		t.Fatal("a first epoch without CurrentLSN claims an LSN")
	}
	a.InvalidateAt(ctx, 0, true) // a mutation that committed nothing: still unknown
	if _, _, known := lookupLSN(t, b, "k"); known {
		t.Fatal("a mutation that wrote nothing made the unknown epoch known")
	}
	a.InvalidateAt(ctx, 500, true)
	b.InvalidateAt(ctx, 300, true) // committed before 500, replaced the epoch after it
	if _, lsn, known := lookupLSN(t, a, "k"); !known || lsn != 500 {
		t.Fatalf("epoch LSN %d (known %v), want 500", lsn, known)
	}
	b.InvalidateAt(ctx, 0, false) // a write whose LSN was lost
	if _, _, known := lookupLSN(t, a, "k"); known {
		t.Fatal("a write with a lost LSN left the epoch's LSN known")
	}
	b.InvalidateAt(ctx, 900, true)

	l, lsn, _ := lookupLSN(t, a, "k")
	if lsn != 900 {
		t.Fatalf("epoch LSN %d, want 900", lsn)
	}
	l.CompleteThrough(899) // a replica one byte short of the last write
	a.Put(ctx, l, []byte(`{"data":"stale"}`))
	if l, _, _ := lookupLSN(t, b, "k"); l.Hit() {
		t.Fatal("a response computed before the epoch's LSN was stored under it")
	}
	l.CompleteThrough(900)
	a.Put(ctx, l, []byte(`{"data":"fresh"}`))
	if l, _, _ := lookupLSN(t, b, "k"); string(l.Body) != `{"data":"fresh"}` {
		t.Fatalf("a complete response was not stored: %q", l.Body)
	}
}

// An epoch that lost a write this process made (Redis replaced by a failover that dropped
// the new epoch) is replaced at the next lookup: what was cached before the write is not
// served, here or on the other replicas. A new epoch made without a write takes the
// primary's current LSN.
func TestResponses_EpochThatLostOurWriteIsReplaced(t *testing.T) {
	rs := redistest.Start(t)
	current := func(context.Context) (uint64, error) { return 0x1000, nil }
	a := openResponses(t, rs, ResponseOptions{Namespace: "lsn-lost", CurrentLSN: current})
	b := openResponses(t, rs, ResponseOptions{Namespace: "lsn-lost", CurrentLSN: current})
	ctx := context.Background()

	l, lsn, known := lookupLSN(t, b, "k")
	if !known || lsn != 0x1000 {
		t.Fatalf("a new epoch's LSN is %x (known %v), want the current 1000", lsn, known)
	}
	b.Put(ctx, l, []byte(`{"data":"before"}`))
	old := l.Epoch()
	a.InvalidateAt(ctx, 0x2000, true)
	// The failover: the new primary still holds the epoch from before the write.
	if err := rs.Client().Set(ctx, a.epochKey, old, 0).Err(); err != nil {
		t.Fatal(err)
	}
	if l, lsn, _ := lookupLSN(t, a, "k"); l.Hit() || lsn < 0x2000 {
		t.Fatalf("the writer served the entry from before its write (hit %v, epoch LSN %x)", l.Hit(), lsn)
	}
	if l, lsn, _ := lookupLSN(t, b, "k"); l.Hit() || lsn < 0x2000 {
		t.Fatalf("the other replica served the entry from before the write (hit %v, epoch LSN %x)", l.Hit(), lsn)
	}
	if lsn, known := a.Latest(ctx); !known || lsn < 0x2000 {
		t.Fatalf("Latest = %x (known %v), want at least 2000", lsn, known)
	}
}
