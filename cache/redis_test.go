package cache

import (
	"context"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/internal/testwait"
)

func TestParseURL_Forms(t *testing.T) {
	cases := []struct {
		url      string
		addrs    []string
		master   string
		db       int
		password string
		tls      bool
	}{
		{url: "redis://127.0.0.1:6379", addrs: []string{"127.0.0.1:6379"}},
		{url: "redis://:s3cret@cache.internal:6380/2", addrs: []string{"cache.internal:6380"}, db: 2, password: "s3cret"},
		{url: "rediss://cache.internal", addrs: []string{"cache.internal:6379"}, tls: true},
		{url: "redis://a:7000,b:7001,redis://c:7002", addrs: []string{"a:7000", "b:7001", "c:7002"}},
		{url: "redis+sentinel://:pw@s1:26379,s2/mymaster/1", addrs: []string{"s1:26379", "s2:26379"}, master: "mymaster", db: 1, password: "pw"},
	}
	for _, c := range cases {
		o, err := ParseURL(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if !slices.Equal(o.Addrs, c.addrs) || o.MasterName != c.master || o.DB != c.db || o.Password != c.password || (o.TLSConfig != nil) != c.tls {
			t.Errorf("%s: got addrs %v master %q db %d password %q tls %v", c.url, o.Addrs, o.MasterName, o.DB, o.Password, o.TLSConfig != nil)
		}
	}
	for _, bad := range []string{"", "127.0.0.1:6379", "http://x", "redis://a:1,b:2/3", "redis+sentinel://s1:26379", "redis://h/x"} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("%q: accepted", bad)
		}
	}
}

func TestResponses_EpochSurvivesNothingStale(t *testing.T) {
	rs := redistest.Start(t)
	open := func() *Responses {
		r, err := Open(rs.URL(), Options{ProbeInterval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return NewResponses(r, ResponseOptions{})
	}
	a, b := open(), open()
	ctx := context.Background()

	l, ok := a.Get(ctx, "k")
	if !ok || l.Hit() {
		t.Fatalf("empty cache: ok %v hit %v", ok, l.Hit())
	}
	a.Put(ctx, l, []byte("v1"))
	if l, _ := b.Get(ctx, "k"); string(l.Body) != "v1" {
		t.Fatalf("other replica: %q", l.Body)
	}
	// A lookup taken before a write must not store under the new epoch.
	stale, _ := b.Get(ctx, "k2")
	a.Invalidate(ctx)
	b.Put(ctx, stale, []byte("pre-write"))
	for _, c := range []*Responses{a, b} {
		if l, _ := c.Get(ctx, "k"); l.Hit() {
			t.Fatalf("hit after invalidation: %q", l.Body)
		}
		if l, _ := c.Get(ctx, "k2"); l.Hit() {
			t.Fatalf("a response computed before the write was served: %q", l.Body)
		}
	}
	// Restarted empty: the in-process copy of b carries an epoch that can never come back.
	l, _ = b.Get(ctx, "k3")
	b.Put(ctx, l, []byte("before restart"))
	rs.Restart()
	deadline := time.Now().Add(10 * time.Second)
	for {
		l, ok := b.Get(ctx, "k3")
		if ok && l.Hit() {
			t.Fatalf("served %q from before the restart", l.Body)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("cache never usable again after the restart")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPersistedQueries_SharedAndCapped(t *testing.T) {
	rs := redistest.Start(t)
	r, err := Open(rs.URL(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	a := NewPersistedQueries(r, PersistedOptions{MaxBytes: 100})
	b := NewPersistedQueries(r, PersistedOptions{MaxBytes: 100})
	ctx := context.Background()
	if _, ok := b.Get(ctx, "h1"); ok {
		t.Fatal("unknown hash found")
	}
	a.Add(ctx, "h1", "{ viewer { anonymous } }")
	if q, ok := b.Get(ctx, "h1"); !ok || q != "{ viewer { anonymous } }" {
		t.Fatalf("other replica: %q %v", q, ok)
	}
	if ttl := rs.Client().TTL(ctx, persistedKeyPrefix+"h1").Val(); ttl <= 0 || ttl > DefaultPersistedTTL {
		t.Errorf("TTL %v", ttl)
	}
	a.Add(ctx, "big", string(make([]byte, 101)))
	if _, ok := b.Get(ctx, "big"); ok {
		t.Error("a document over the size cap was persisted")
	}
}

// A write whose own invalidation never reached Redis (its replica was cut off, then died) is
// caught by reconciling with the source of truth's write version.
func TestResponses_ReconcilesWithTheWriteVersion(t *testing.T) {
	rs := redistest.Start(t)
	r, err := Open(rs.URL(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	var version, reads atomic.Int64
	version.Store(7)
	c := NewResponses(r, ResponseOptions{
		WriteVersion: func(context.Context) (int64, error) {
			reads.Add(1)
			return version.Load(), nil
		},
		ReconcileInterval: 20 * time.Millisecond,
	})
	// Reconciles run one after another: when the version is read for the n-th time, the
	// (n-1)-th reconcile has finished.
	reconciled := func(n int64) func() bool { return func() bool { return reads.Load() > n } }
	ctx := context.Background()
	testwait.Until(t, 10*time.Second, "the first reconcile to record version 7", reconciled(1))
	l, _ := c.Get(ctx, "k")
	c.Put(ctx, l, []byte("v"))
	testwait.Until(t, 10*time.Second, "three reconciles after the put", reconciled(reads.Load()+3))
	if l, _ := c.Get(ctx, "k"); !l.Hit() {
		t.Fatal("reconciling without a write dropped the entry")
	}
	version.Add(1) // a write nobody told Redis about
	deadline := time.Now().Add(10 * time.Second)
	for {
		if l, _ := c.Get(ctx, "k"); !l.Hit() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the entry from before the write is still served")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestResponses_NamespacesDoNotMix(t *testing.T) {
	rs := redistest.Start(t)
	r, err := Open(rs.URL(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	ctx := context.Background()
	a := NewResponses(r, ResponseOptions{Namespace: "registry_a"})
	a2 := NewResponses(r, ResponseOptions{Namespace: "registry_a"})
	b := NewResponses(r, ResponseOptions{Namespace: "registry_b"})
	l, _ := a.Get(ctx, "k")
	a.Put(ctx, l, []byte("from a"))
	if l, _ := a2.Get(ctx, "k"); string(l.Body) != "from a" {
		t.Fatalf("same namespace, other replica: %q", l.Body)
	}
	if l, _ := b.Get(ctx, "k"); l.Hit() {
		t.Fatalf("another registry's response was served: %q", l.Body)
	}
}

// A hit carries its body's ETag, kept with the entry: in this process, from this replica's
// local copy, and from another replica that reads the entry from Redis.
func TestResponses_HitCarriesItsETag(t *testing.T) {
	ctx := context.Background()
	body := []byte(`{"data":{"brands":{"totalCount":1}}}`)
	want := ETag(body)
	if len(want) != 34 || want[0] != '"' || want == ETag([]byte(`{"data":{}}`)) {
		t.Fatalf("ETag %s", want)
	}
	local := NewResponses(nil, ResponseOptions{})
	l, _ := local.Get(ctx, "k")
	local.Put(ctx, l, body)
	if l, _ := local.Get(ctx, "k"); string(l.Body) != string(body) || l.ETag != want {
		t.Fatalf("in-process hit: %q ETag %q, want %q", l.Body, l.ETag, want)
	}
	rs := redistest.Start(t)
	r, err := Open(rs.URL(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	a, b := NewResponses(r, ResponseOptions{}), NewResponses(r, ResponseOptions{})
	l, _ = a.Get(ctx, "k")
	a.Put(ctx, l, body)
	for name, c := range map[string]*Responses{"same replica": a, "other replica": b} {
		if l, _ := c.Get(ctx, "k"); string(l.Body) != string(body) || l.ETag != want {
			t.Fatalf("%s: %q ETag %q, want %q", name, l.Body, l.ETag, want)
		}
	}
	if l, _ := b.Get(ctx, "other"); l.Hit() || l.ETag != "" {
		t.Fatalf("a miss has an ETag: %+v", l)
	}
}
