package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

const (
	routedReplica = `kolregistry_db_read_routes_total{reason="caught_up",target="replica"}`
	routedBehind  = `kolregistry_db_read_routes_total{reason="behind",target="primary"}`
)

// A streaming replica (pg_basebackup -R of a private primary, replaying 1.5 s behind) under 2
// API replicas sharing one Redis: right after a write through one API replica, the count read
// through the other, through the shared cache, authenticated (uncached) and with the client's
// own token is never the old one (the reads go to the primary while the replica is behind);
// once the replica has replayed the write, reads go to it.
func TestReadReplica_TwoAPIReplicasNeverReadStale(t *testing.T) {
	t.Parallel() // its own Postgres and Redis processes
	start := time.Now()
	ctx := context.Background()
	a, b := replicaTopology(t, "1500ms")
	servers := []*testServer{a, b}
	t.Logf("primary, standby, Redis and 2 API replicas up in %s", time.Since(start).Round(time.Millisecond))

	count := func(s *testServer, first int, header ...string) int {
		t.Helper()
		return s.influencerCount(t, first, header...)
	}
	waitCaughtUp := func(s *testServer, lsn db.LSN) time.Duration { t.Helper(); return s.waitReplicaCaughtUp(t, lsn) }
	head, err := a.store.CurrentLSN(ctx)
	if err != nil {
		t.Fatal(err)
	}
	waitCaughtUp(a, head)
	waitCaughtUp(b, head)
	want := count(a, 1)
	if count(b, 1) != want || a.metric(t, cacheHits)+b.metric(t, cacheHits) < 1 {
		t.Fatal("the second API replica did not answer from the shared cache")
	}

	var maxLag time.Duration
	var maxLagBytes int64
	for round := range 3 {
		r := b.query(t, `mutation($n: String!) { registerInfluencer(input: {displayName: $n}) { influencer { id } userErrors { message } } }`,
			map[string]any{"n": "Replica Round " + rand.Text()[:8]}, "Authorization", agencyToken)
		if r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("registerInfluencer: HTTP %d %s", r.status, r.body)
		}
		wroteAt := time.Now()
		want++
		written, err := db.ParseLSN(r.header.Get(lsnHeader))
		if err != nil || written == 0 {
			t.Fatalf("the mutation's response carries no %s: %q (%v)", lsnHeader, r.header.Get(lsnHeader), err)
		}
		if st := a.store.ReplicaStatus(); st.Replay >= written {
			t.Fatalf("round %d: the replica has replayed the write already (%s ≥ %s): the apply delay is not in effect", round, st.Replay, written)
		}
		behind := a.metric(t, routedBehind) + b.metric(t, routedBehind)
		for i, got := range map[string]int{
			"other API replica, shared cache": count(a, 1),
			"writing API replica, cache":      count(b, 1),
			"other API replica, uncached":     count(a, 1, "Authorization", agencyToken),
			"other API replica, own token":    count(a, 3, lsnHeader, written.String()),
			"other API replica, new query":    count(a, 10+round),
		} {
			if got != want {
				t.Fatalf("round %d, %s: totalCount %d, want %d (a stale read)", round, i, got, want)
			}
		}
		if a.metric(t, routedBehind)+b.metric(t, routedBehind) <= behind {
			t.Fatalf("round %d: no read was sent to the primary while the replica was behind", round)
		}
		// The replica shows the lag, then catches up; reads that need the write go to it then.
		for st := a.store.ReplicaStatus(); st.Replay < written; st = a.store.ReplicaStatus() {
			maxLag, maxLagBytes = max(maxLag, st.Lag), max(maxLagBytes, st.LagBytes)
			time.Sleep(20 * time.Millisecond)
		}
		replayed := time.Since(wroteAt)
		waitCaughtUp(a, written)
		waitCaughtUp(b, written)
		onReplica := a.metric(t, routedReplica)
		for i, got := range []int{count(a, 50+round), count(a, 1, "Authorization", agencyToken), count(b, 3, lsnHeader, written.String())} {
			if got != want {
				t.Fatalf("round %d, read %d after the replica caught up: totalCount %d, want %d", round, i, got, want)
			}
		}
		if a.metric(t, routedReplica) < onReplica+2 {
			t.Fatalf("round %d: after the replica caught up, reads did not go to it (%v → %v)", round, onReplica, a.metric(t, routedReplica))
		}
		if got := count(a, 1); got != want { // the cached answer of this round, never an older one
			t.Fatalf("round %d: the cached count is %d, want %d", round, got, want)
		}
		t.Logf("round %d: write at %s, replayed by the replica %s after its response", round, written, replayed.Round(time.Millisecond))
	}
	if maxLag <= 0 || maxLagBytes <= 0 {
		t.Fatalf("the replica never showed lag (%s, %d bytes)", maxLag, maxLagBytes)
	}
	if a.metric(t, "kolregistry_db_replica_up") != 1 {
		t.Fatal("kolregistry_db_replica_up is not 1")
	}
	var routes []string
	for _, s := range servers {
		for _, series := range []string{routedReplica, routedBehind} {
			routes = append(routes, fmt.Sprintf("%s=%v", series[len("kolregistry_db_read_routes_total"):], s.metric(t, series)))
		}
	}
	t.Logf("max lag seen %s (%d bytes); routes per API replica %v; %s in all", maxLag.Round(time.Millisecond),
		maxLagBytes, routes, time.Since(start).Round(time.Millisecond))
}

// replicaTopology starts a private primary, a streaming replica of it replaying applyDelay behind,
// one Redis and 2 API replicas over them, each with its own store and Redis connection.
func replicaTopology(t *testing.T, applyDelay string) (a, b *testServer) {
	t.Helper()
	ctx := context.Background()
	primary := dbtest.StartCluster(t)
	const name = "kolregistry_replica"
	primaryURL := primary.CreateDatabase(t, name)
	standby := primary.StartStandby(t, applyDelay)
	rs := redistest.Start(t)
	var servers []*testServer
	var auth Authenticator
	for range 2 {
		store, err := db.OpenWith(ctx, primaryURL, standby.URL(name), db.PoolConfig{Read: 4, Write: 2, Export: 1, Auth: 1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		if auth == nil {
			auth = agencyAuthenticator(t, store)
		}
		r, err := cache.Open(rs.URL(), cache.Options{ProbeInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		servers = append(servers, newTestServerOn(t, Config{Redis: r, Authenticator: auth, RateLimitAnon: 1 << 30,
			CacheNamespace: name}, store))
	}
	return servers[0], servers[1]
}

const countQuery = `query Count($first: Int) { influencers(first: $first) { totalCount } }`

// influencerCount reads totalCount (anonymously unless header says otherwise).
func (s *testServer) influencerCount(t *testing.T, first int, header ...string) int {
	t.Helper()
	r := s.query(t, countQuery, map[string]any{"first": first}, header...)
	var d struct {
		Influencers struct{ TotalCount int } `json:"influencers"`
	}
	if r.status != 200 || len(r.gql.Errors) > 0 || json.Unmarshal(r.gql.Data, &d) != nil {
		t.Fatalf("count: HTTP %d %s", r.status, r.body)
	}
	return d.Influencers.TotalCount
}

// waitReplicaCaughtUp waits until s's store sees the replica at lsn with no lag.
func (s *testServer) waitReplicaCaughtUp(t *testing.T, lsn db.LSN) time.Duration {
	t.Helper()
	began := time.Now()
	for st := s.store.ReplicaStatus(); !st.Up || st.Replay < lsn || st.Lag > 0; st = s.store.ReplicaStatus() {
		if time.Since(began) > 15*time.Second {
			t.Fatalf("the replica did not replay %s within 15 s: %+v", lsn, st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(began)
}
