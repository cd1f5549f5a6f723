package server

import (
	"cmp"
	"crypto/rand"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// A short mixed run over the replica topology, for the routing figures of docs/operations.md:
// readers on both API replicas (anonymous queries of 20 shapes, so hits and misses, and
// authenticated ones), one write every REPLICA_RUN_WRITE_EVERY (default 1s) through one of
// them, the replica's apply delay REPLICA_RUN_DELAY (default 1500ms). Every read must see every
// write acknowledged before it started. Runs only with REPLICA_RUN set to a duration:
//
//	REPLICA_RUN=10s flock /work/bench.lock go test ./server -run TestReadReplica_MixedRun -v -count=1
func TestReadReplica_MixedRun(t *testing.T) {
	d, err := time.ParseDuration(os.Getenv("REPLICA_RUN"))
	if err != nil {
		t.Skip("set REPLICA_RUN=10s for the routing figures")
	}
	every, err := time.ParseDuration(cmp.Or(os.Getenv("REPLICA_RUN_WRITE_EVERY"), "1s"))
	if err != nil {
		t.Fatal(err)
	}
	delay := cmp.Or(os.Getenv("REPLICA_RUN_DELAY"), "1500ms")
	a, b := replicaTopology(t, delay)
	servers := []*testServer{a, b}
	a.waitReplicaCaughtUp(t, db.LSN(0))
	var acked atomic.Int64
	acked.Store(int64(a.influencerCount(t, 1)))

	var reads, stale atomic.Int64
	var maxLag time.Duration
	var maxLagBytes int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				s := servers[(i+n)%2]
				want := acked.Load()
				var got int
				if i == 3 {
					got = s.influencerCount(t, 1+n%20, "Authorization", agencyToken)
				} else {
					got = s.influencerCount(t, 1+n%20)
				}
				reads.Add(1)
				if int64(got) < want {
					stale.Add(1)
				}
			}
		})
	}
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
			st := a.store.ReplicaStatus()
			maxLag, maxLagBytes = max(maxLag, st.Lag), max(maxLagBytes, st.LagBytes)
		}
	})
	writes := 0
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(every) {
		r := b.query(t, `mutation($n: String!) { registerInfluencer(input: {displayName: $n}) { influencer { id } userErrors { message } } }`,
			map[string]any{"n": "Replica Run " + rand.Text()[:8]}, "Authorization", agencyToken)
		if r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("registerInfluencer: HTTP %d %s", r.status, r.body)
		}
		acked.Add(1)
		writes++
	}
	close(stop)
	wg.Wait()

	routes := map[string]float64{}
	for _, s := range servers {
		for _, line := range strings.Split(s.metrics(t), "\n") {
			if rest, ok := strings.CutPrefix(line, "kolregistry_db_read_routes_total"); ok {
				var v float64
				label, value, _ := strings.Cut(rest, " ")
				fmt.Sscan(value, &v)
				routes[label] += v
			}
		}
	}
	var keys []string
	for k := range routes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b2 strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b2, " %s=%v", k, routes[k])
	}
	hits := a.metric(t, cacheHits) + b.metric(t, cacheHits)
	misses := a.metric(t, cacheMisses) + b.metric(t, cacheMisses)
	t.Logf("%s, apply delay %s, a write every %s: %d writes, %d reads (%d stale), cache %v hits / %v misses; routes:%s; max lag %s, %d bytes",
		d, delay, every, writes, reads.Load(), stale.Load(), hits, misses, b2.String(), maxLag.Round(time.Millisecond), maxLagBytes)
	if stale.Load() > 0 {
		t.Fatalf("%d stale reads", stale.Load())
	}
}
