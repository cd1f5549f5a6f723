package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/events"
	"github.com/redis/go-redis/v9"
)

// These tests run 2 API replicas over the Redis topologies of production: a Redis Cluster of 3
// masters and a Sentinel-watched primary (docs/deployment.md, "Topology"). The single-server
// case is cache_test.go and live_test.go.

// topologyReplicas starts n servers over the Redis at redisURL, each with its own connection
// and live-alert bus, as separate processes would have.
func topologyReplicas(t *testing.T, redisURL string, n int, cfg Config) []*testServer {
	t.Helper()
	store := openStore(t)
	cfg.Authenticator = agencyAuthenticator(t, store)
	if cfg.RateLimitAnon == 0 {
		cfg.RateLimitAnon = 1_000_000
	}
	channel := "kolregistry:test:" + rand.Text() + ":events"
	var out []*testServer
	for range n {
		c := cfg
		r, err := cache.Open(redisURL, cache.Options{ProbeInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		c.Redis = r
		c.Events = events.New(r.Client(), events.Options{Channel: channel})
		t.Cleanup(func() { c.Events.Close() })
		out = append(out, newTestServer(t, c))
	}
	return out
}

func TestRedisCluster_TwoReplicasShareCacheQueriesLimitsAndAlerts(t *testing.T) {
	t.Parallel() // its own Redis processes; seconds of setup overlap the other tests
	rc := redistest.StartCluster(t, 3)
	servers := topologyReplicas(t, rc.URL(), 2, Config{})
	a, b := servers[0], servers[1]

	t.Run("response cache", func(t *testing.T) {
		a.readBrands(t)
		first := b.readBrands(t)
		if hits := a.metric(t, cacheHits) + b.metric(t, cacheHits); hits < 1 {
			t.Fatal("the second replica did not answer from the shared cache")
		}
		name := "Cluster Brand " + rand.Text()[:6]
		b.registerBrand(t, name)
		for i, s := range servers {
			if body := s.readBrands(t); !strings.Contains(body, name) || body == first {
				t.Fatalf("replica %d serves the list from before the write: %s", i, body)
			}
		}
		// The keys are on the cluster, and those a script touches together share a slot.
		cl := rc.Client()
		var epochs, versions, entries []string
		err := cl.ForEachMaster(context.Background(), func(ctx context.Context, node *redis.Client) error {
			keys, err := node.Keys(ctx, "kolregistry:*").Result()
			for _, k := range keys {
				switch {
				case strings.HasSuffix(k, "}:epoch"):
					epochs = append(epochs, k)
				case strings.HasSuffix(k, "}:version"):
					versions = append(versions, k)
				case strings.HasPrefix(k, "kolregistry:resp:"):
					entries = append(entries, k)
				}
			}
			return err
		})
		if err != nil || len(epochs) == 0 || len(entries) == 0 {
			t.Fatalf("cache keys on the cluster: epochs %q, entries %q (%v)", epochs, entries, err)
		}
		for _, e := range epochs {
			v := strings.TrimSuffix(e, "epoch") + "version"
			es, _ := cl.ClusterKeySlot(context.Background(), e).Result()
			vs, _ := cl.ClusterKeySlot(context.Background(), v).Result()
			if es != vs {
				t.Errorf("%s (slot %d) and %s (slot %d) must share a slot", e, es, v, vs)
			}
		}
	})

	t.Run("persisted queries", func(t *testing.T) {
		doc := `{ brands(first: 2) { totalCount } } # ` + rand.Text()
		sum := sha256.Sum256([]byte(doc))
		ext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(sum[:]))
		if r := b.get(t, url.Values{"extensions": {ext}}); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("unknown hash: HTTP %d %s", r.status, r.body)
		}
		if r := a.post(t, fmt.Sprintf(`{"query":%q,"extensions":%s}`, doc, ext)); r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("register: HTTP %d %s", r.status, r.body)
		}
		if r := b.get(t, url.Values{"extensions": {ext}}); r.status != 200 || !strings.Contains(string(r.gql.Data), "totalCount") {
			t.Fatalf("persisted query on the other replica: HTTP %d %s", r.status, r.body)
		}
	})

	t.Run("rate limits", func(t *testing.T) {
		limited := topologyReplicas(t, rc.URL(), 2, Config{RateLimitAnon: 40})
		const q = `{ viewer { anonymous } }` // cost 2: a 40-point budget is spent by the 20th
		for i := range 40 {
			r := limited[i%2].query(t, q, nil)
			if r.status == http.StatusTooManyRequests {
				if i < 20 || r.header.Get("Retry-After") == "" {
					t.Fatalf("refused at request %d (Retry-After %q): the budget is not shared whole", i, r.header.Get("Retry-After"))
				}
				return
			}
		}
		t.Fatal("40 requests of cost 2 alternating between replicas were not refused: the budget is not shared")
	})

	t.Run("live alerts", func(t *testing.T) {
		liveAlertAcross(t, a, b)
	})
}

// liveAlertAcross records a sanction through a and expects the subscriber on b to hear of it.
func liveAlertAcross(t *testing.T, a, b *testServer) {
	t.Helper()
	var reg struct {
		P struct {
			Influencer struct{ ID string } `json:"influencer"`
		} `json:"registerInfluencer"`
	}
	mustData(t, a.query(t, `mutation($n: String!) { registerInfluencer(input: {displayName: $n}) { influencer { id } userErrors { message } } }`,
		map[string]any{"n": "Topology Live " + rand.Text()[:6]}, "Authorization", agencyToken), &reg)
	id := reg.P.Influencer.ID
	ws := dialLive(t, b.URL, nil)
	ws.subscribe(t, "s", fmt.Sprintf(`subscription { sanctionRecorded(influencerIds: [%q]) { id subject { ... on Influencer { id } } } }`, id))
	// No acknowledgement of a subscribe: record until one arrives (bounded), each a new decision.
	for attempt := range 20 {
		mustData(t, a.query(t, `mutation($in: RecordSanctionInput!) { recordSanction(input: $in) { sanction { id } userErrors { message } } }`,
			map[string]any{"in": map[string]any{
				"subjectId": id, "decisionNumber": fmt.Sprintf("%d/QĐ-XPHC", 900000+attempt+int(time.Now().UnixNano()%9000)*10),
				"decidedOn": "2025-03-20", "fineVnd": 70000000,
				"violations": []map[string]any{{"category": "UNDISCLOSED_ADVERTISING",
					"legalBasis": map[string]any{"instrument": "38/2021/NĐ-CP", "article": 34, "clause": 5}}},
			}}, "Authorization", agencyToken), new(json.RawMessage))
		select {
		case m := <-ws.msgs:
			if m.Type != "next" || !strings.Contains(string(m.Payload), id) {
				t.Fatalf("unexpected %s message: %s", m.Type, m.Payload)
			}
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
	t.Fatal("no live alert reached the subscriber on the other replica")
}

// A Sentinel failover of the Redis primary costs no failed read: while the primary is killed
// and the replica promoted, every read answers (uncached if need be); afterwards the replicas
// use the new primary for the shared cache again, and a write is seen by both.
func TestRedisSentinel_FailoverCostsNoFailedRead(t *testing.T) {
	t.Parallel()
	rs := redistest.StartSentinel(t)
	servers := topologyReplicas(t, rs.URL(), 2, Config{})
	servers[0].readBrands(t)
	servers[1].readBrands(t)
	if servers[1].metric(t, cacheHits) < 1 {
		t.Fatal("no shared cache hit before the failover")
	}
	oldPrimary := rs.Primary.Addr()

	var reads, failed atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // readers on both replicas, throughout
		defer close(done)
		for i := 0; i < 5000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			r := servers[i%2].query(t, brandsQuery, map[string]any{"first": 100})
			reads.Add(1)
			if r.status != 200 || len(r.gql.Errors) > 0 {
				failed.Add(1)
				t.Errorf("read %d during the failover: HTTP %d %s", i, r.status, r.body)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}()
	start := time.Now()
	rs.Primary.Kill()
	deadline := time.Now().Add(20 * time.Second)
	for rs.PrimaryAddr() == oldPrimary || rs.PrimaryAddr() == "" {
		if time.Now().After(deadline) {
			close(stop)
			<-done
			t.Fatalf("the sentinel did not fail over within 20 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	promoted := time.Since(start)
	// The cache is back on the new primary: a write through one replica, then both serve it
	// and the second read of it on each is a hit again.
	name := "Failover Brand " + rand.Text()[:6]
	var back time.Duration
	for deadline := time.Now().Add(15 * time.Second); ; {
		hits := servers[0].metric(t, cacheHits) + servers[1].metric(t, cacheHits)
		servers[0].readBrands(t)
		servers[1].readBrands(t)
		if servers[0].metric(t, cacheHits)+servers[1].metric(t, cacheHits) > hits && rs.Standby.Client().DBSize(context.Background()).Val() > 0 {
			back = time.Since(start)
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the shared cache did not come back on the promoted primary")
		}
		time.Sleep(50 * time.Millisecond)
	}
	wrote := time.Now()
	servers[1].registerBrand(t, name)
	tookWrite := time.Since(wrote)
	// The very next read on each replica sees the write: the writer retries an epoch
	// replacement the failover cut off before it answers, and replaces at its next lookup an
	// epoch that lost its write (docs/caching.md); the reconciliation is not waited for.
	for i, s := range servers {
		if body := s.readBrands(t); !strings.Contains(body, name) {
			t.Fatalf("replica %d after the failover serves the list from before the write: %s", i, body)
		}
	}
	close(stop)
	<-done
	t.Logf("failover: promoted after %s, cache hits again after %s; %d reads, %d failed; the write answered in %s",
		promoted, back, reads.Load(), failed.Load(), tookWrite.Round(time.Millisecond))
	if reads.Load() == 0 {
		t.Fatal("no read ran during the failover")
	}
}
