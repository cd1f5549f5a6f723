package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
)

// These tests run several server.New instances (replicas) over the package database and a
// private redis-server, which some of them kill and restart.

const agencyToken = "Bearer cache-test-agency"

// agencyAuthenticator accepts agencyToken as an agency with every scope.
func agencyAuthenticator(t testing.TB, store *db.DB) Authenticator {
	t.Helper()
	slug := "cache-" + strings.ToLower(rand.Text()[:10])
	a, err := store.AddAgency(context.Background(), db.NewAgency{
		Slug: slug, Name: "Thanh tra " + slug, Kind: "INSPECTORATE", Jurisdiction: "VN",
	})
	if err != nil {
		t.Fatalf("add agency: %v", err)
	}
	return authFunc(func(r *http.Request) (context.Context, error) {
		if r.Header.Get("Authorization") != agencyToken {
			return nil, errcode.New(errcode.Unauthenticated, "unknown token")
		}
		return auth.WithPrincipal(r.Context(), &auth.Principal{Agency: a, Scopes: auth.Scopes}), nil
	})
}

// replicas starts n servers sharing the package database and rs, each with its own Redis
// connection as separate processes would have.
func replicas(t *testing.T, rs *redistest.Server, n int, cfg Config) []*testServer {
	t.Helper()
	cfg.Authenticator = agencyAuthenticator(t, openStore(t))
	if cfg.RateLimitAnon == 0 { // these tests read a lot from one address
		cfg.RateLimitAnon = 1_000_000
	}
	var out []*testServer
	for range n {
		c := cfg
		if rs != nil {
			// A call timeout above the default: on a loaded machine (go test -race in CI) a
			// Redis round trip can take longer than 250 ms, and a timed-out lookup is a miss
			// that a test counting hits would misread. Stalls are made longer than this.
			r, err := cache.Open(rs.URL(), cache.Options{ProbeInterval: 50 * time.Millisecond, CallTimeout: testRedisCallTimeout})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { r.Close() })
			c.Redis = r
		}
		out = append(out, newTestServer(t, c))
	}
	return out
}

// testRedisCallTimeout is the Redis call timeout of the test replicas; a stall of Redis in a
// test lasts several times longer, so that the replicas see it whatever the machine's load.
const testRedisCallTimeout = time.Second

const brandsQuery = `query Brands($first: Int) { brands(first: $first) { totalCount nodes { name } } }`

func (s *testServer) registerBrand(t *testing.T, name string) {
	t.Helper()
	r := s.query(t, `mutation($n: String!) { registerBrand(input: {name: $n}) { brand { id } userErrors { message } } }`,
		map[string]any{"n": name}, "Authorization", agencyToken)
	if r.status != 200 || len(r.gql.Errors) > 0 || !strings.Contains(string(r.gql.Data), `"userErrors":[]`) {
		t.Fatalf("registerBrand %q: HTTP %d %s", name, r.status, r.body)
	}
}

// readBrands reads the brands (anonymously, so through the cache) and fails on any error.
func (s *testServer) readBrands(t *testing.T) string {
	t.Helper()
	r := s.query(t, brandsQuery, map[string]any{"first": 100})
	if r.status != 200 || len(r.gql.Errors) > 0 {
		t.Fatalf("brands: HTTP %d %s", r.status, r.body)
	}
	return r.body
}

// metric returns the value of one Prometheus series of s ("" when absent).
func (s *testServer) metric(t *testing.T, series string) float64 {
	t.Helper()
	resp, err := s.Client().Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(b)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

const (
	cacheHits   = `kolregistry_graphql_response_cache_total{result="hit"}`
	cacheMisses = `kolregistry_graphql_response_cache_total{result="miss"}`
)

func TestResponseCache_HitReturnsExactlyTheFirstResponsesBytes(t *testing.T) {
	rs := redistest.Start(t)
	s := replicas(t, rs, 1, Config{})[0]
	s.registerBrand(t, "Exact Bytes "+rand.Text()[:6])

	first := s.readBrands(t)
	// The same document written differently and with the name spelled out normalizes alike.
	r := s.query(t, "query Brands($first: Int) {\n  brands(first: $first) {\n    totalCount # how many\n    nodes { name }\n  }\n}",
		map[string]any{"first": 100})
	if r.body != first {
		t.Fatalf("cache hit differs from the first response:\nfirst %s\nhit   %s", first, r.body)
	}
	// A miss and a hit are sent whole, with their length, even above the 2 kB net/http
	// buffers before it sends a body in chunks.
	var wide strings.Builder
	for i := range 300 {
		fmt.Fprintf(&wide, " t%d: __typename", i)
	}
	for _, what := range []string{"miss", "hit"} {
		x := s.query(t, "{"+wide.String()+" }", nil)
		if got := x.header.Get("Content-Length"); len(x.body) < 4096 || got != strconv.Itoa(len(x.body)) {
			t.Errorf("%s: Content-Length %q for a body of %d bytes", what, got, len(x.body))
		}
	}
	if hits := s.metric(t, cacheHits); hits != 2 {
		t.Fatalf("want 2 cache hits, metrics say %v", hits)
	}
	if !strings.Contains(first, `"extensions":{"cost":`) {
		t.Errorf("response has no extensions.cost: %s", first)
	}

	// Anonymous GET: the same bytes, with Cache-Control and an ETag that If-None-Match turns into 304.
	params := url.Values{"query": {brandsQuery}, "variables": {`{"first":100}`}}
	g := s.get(t, params)
	etag := g.header.Get("ETag")
	if g.body != first || etag == "" || !strings.Contains(g.header.Get("Cache-Control"), "public") {
		t.Fatalf("GET: HTTP %d ETag %q Cache-Control %q\n%s", g.status, etag, g.header.Get("Cache-Control"), g.body)
	}
	if nm := s.get(t, params, "If-None-Match", etag); nm.status != http.StatusNotModified || nm.body != "" {
		t.Fatalf("If-None-Match %s: HTTP %d %q", etag, nm.status, nm.body)
	}
	// A write changes the response, so the old ETag no longer matches.
	s.registerBrand(t, "Etag Changer "+rand.Text()[:6])
	if nm := s.get(t, params, "If-None-Match", etag); nm.status != http.StatusOK || nm.header.Get("ETag") == etag {
		t.Fatalf("after a write, If-None-Match %s: HTTP %d ETag %s", etag, nm.status, nm.header.Get("ETag"))
	}
	// Authenticated requests bypass the cache.
	hits := s.metric(t, cacheHits)
	s.query(t, brandsQuery, map[string]any{"first": 100}, "Authorization", agencyToken)
	if after := s.metric(t, cacheHits); after != hits {
		t.Errorf("an authenticated query was served from the cache")
	}
}

func TestResponseCache_WriteThroughOneReplicaIsSeenAtOnceByAll(t *testing.T) {
	rs := redistest.Start(t)
	servers := replicas(t, rs, 3, Config{})
	params := url.Values{"query": {brandsQuery}, "variables": {`{"first":100}`}}
	for round := range 3 {
		name := fmt.Sprintf("Replica Write %d %s", round, rand.Text()[:6])
		// Every replica has the list cached, in process and in Redis, by POST and by GET.
		for _, s := range servers {
			s.readBrands(t)
			s.get(t, params)
		}
		hits := 0.0
		for _, s := range servers {
			s.readBrands(t)
			hits += s.metric(t, cacheHits)
		}
		if hits == 0 {
			t.Fatal("nothing was served from the cache")
		}
		servers[round].registerBrand(t, name)
		for i, s := range servers {
			if body := s.readBrands(t); !strings.Contains(body, name) {
				t.Fatalf("round %d: replica %d serves the list from before the write through replica %d:\n%s", round, i, round, body)
			}
			if g := s.get(t, params); !strings.Contains(g.body, name) {
				t.Fatalf("round %d: replica %d serves GET from before the write: %s", round, i, g.body)
			}
		}
	}
}

func TestResponseCache_RedisOutage(t *testing.T) {
	rs := redistest.Start(t)
	servers := replicas(t, rs, 3, Config{})
	before := "Before Outage " + rand.Text()[:6]
	servers[0].registerBrand(t, before)
	queries := []struct {
		q    string
		vars map[string]any
	}{
		{brandsQuery, map[string]any{"first": 100}},
		{`{ influencers(first: 5) { totalCount nodes { displayName } } }`, nil},
		{`query($n: Int) { sanctions(first: $n) { totalCount } }`, map[string]any{"n": 3}},
		{`{ viewer { anonymous } registryHead { seq } }`, nil},
	}
	for _, s := range servers { // warm every cache
		for _, q := range queries {
			s.query(t, q.q, q.vars)
		}
	}

	rs.Kill()
	start := time.Now()
	for i := range 500 {
		s := servers[i%3]
		q := queries[i%len(queries)]
		var r result
		if i%2 == 0 {
			r = s.query(t, q.q, q.vars)
		} else {
			p := url.Values{"query": {q.q}}
			if q.vars != nil {
				v, _ := jsonString(q.vars)
				p.Set("variables", v)
			}
			r = s.get(t, p)
		}
		if r.status != 200 || len(r.gql.Errors) > 0 || len(r.gql.Data) == 0 {
			t.Fatalf("read %d with Redis down: HTTP %d %s", i, r.status, r.body)
		}
	}
	t.Logf("500 reads with Redis down took %v", time.Since(start))
	during := "During Outage " + rand.Text()[:6]
	servers[1].registerBrand(t, during)
	for i, s := range servers {
		if body := s.readBrands(t); !strings.Contains(body, during) {
			t.Fatalf("replica %d does not show the write made while Redis was down: %s", i, body)
		}
		if st := s.readyz(t); st.status != 200 || !strings.Contains(st.body, `"redis":"degraded"`) {
			t.Fatalf("replica %d /readyz with Redis down: HTTP %d %s", i, st.status, st.body)
		}
		if n := s.metric(t, `kolregistry_redis_fallbacks_total{user="response_cache"}`); n == 0 {
			t.Errorf("replica %d counted no fallback", i)
		}
	}

	rs.Restart()
	for i, s := range servers {
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(s.readyz(t).body, `"redis":"ok"`) {
			if time.Now().After(deadline) {
				t.Fatalf("replica %d did not see Redis come back", i)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	for i, s := range servers {
		hits := s.metric(t, cacheHits)
		for range 2 {
			if body := s.readBrands(t); !strings.Contains(body, during) || !strings.Contains(body, before) {
				t.Fatalf("replica %d after Redis came back serves data from before the write: %s", i, body)
			}
		}
		if s.metric(t, cacheHits) <= hits {
			t.Errorf("replica %d: caching did not resume after Redis came back", i)
		}
	}
}

// TestResponseCache_RedisStallDuringWrite pauses Redis (it keeps its data, unlike a restart)
// while a write goes through one replica: once Redis answers again, the entries it still holds
// under the old epoch must never be served.
func TestResponseCache_RedisStallDuringWrite(t *testing.T) {
	rs := redistest.Start(t)
	servers := replicas(t, rs, 2, Config{})
	for _, s := range servers {
		s.readBrands(t)
		s.readBrands(t)
	}
	ctl := rs.Client()
	if err := ctl.Do(context.Background(), "CLIENT", "PAUSE", strconv.Itoa(int(6*testRedisCallTimeout/time.Millisecond)), "ALL").Err(); err != nil {
		t.Fatal(err)
	}
	name := "During Stall " + rand.Text()[:6]
	servers[0].registerBrand(t, name)
	if st := servers[0].readyz(t); !strings.Contains(st.body, `"redis":"degraded"`) {
		t.Fatalf("the writer did not notice Redis stalling: %s", st.body)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(servers[0].readyz(t).body, `"redis":"ok"`) {
		if time.Now().After(deadline) {
			t.Fatal("the writer did not see Redis come back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for i, s := range servers {
		if body := s.readBrands(t); !strings.Contains(body, name) {
			t.Fatalf("replica %d serves an entry from before the write: %s", i, body)
		}
	}
}

func (s *testServer) readyz(t *testing.T) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/readyz", nil)
	return s.do(t, req)
}

func TestRateLimit_RefusesOverBudgetPerClientIP(t *testing.T) {
	rs := redistest.Start(t)
	cfg := Config{RateLimitAnon: 40, RateLimitAgency: 1000,
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}
	servers := replicas(t, rs, 2, cfg)
	const q = `{ viewer { anonymous } }` // cost 2
	xff := func(ip string) []string { return []string{"X-Forwarded-For", "198.51.100.1, " + ip} }

	var last result
	for i := range 40 {
		// Alternate replicas: the budget is shared through Redis.
		last = servers[i%2].query(t, q, nil, xff("203.0.113.7")...)
		if last.status == http.StatusTooManyRequests {
			break
		}
		if lim := last.header.Get("X-RateLimit-Limit"); lim != "40" || last.header.Get("X-RateLimit-Remaining") == "" || last.header.Get("X-RateLimit-Reset") == "" {
			t.Fatalf("request %d: X-RateLimit headers %v", i, last.header)
		}
		if !strings.Contains(last.body, `"cost":2`) {
			t.Fatalf("request %d: no extensions.cost 2: %s", i, last.body)
		}
	}
	if last.status != http.StatusTooManyRequests || last.code() != "RATE_LIMITED" || last.header.Get("Retry-After") == "" {
		t.Fatalf("over budget: HTTP %d Retry-After %q %s", last.status, last.header.Get("Retry-After"), last.body)
	}
	if n, err := strconv.Atoi(last.header.Get("Retry-After")); err != nil || n < 1 || n > 60 {
		t.Errorf("Retry-After %q", last.header.Get("Retry-After"))
	}
	// Another client behind the same trusted proxy has its own budget.
	if r := servers[0].query(t, q, nil, xff("203.0.113.8")...); r.status != 200 {
		t.Fatalf("another IP: HTTP %d %s", r.status, r.body)
	}
	// An agency spends its own budget, not its proxy's.
	if r := servers[1].query(t, q, nil, append(xff("203.0.113.7"), "Authorization", agencyToken)...); r.status != 200 || r.header.Get("X-RateLimit-Limit") != "1000" {
		t.Fatalf("agency: HTTP %d %v %s", r.status, r.header, r.body)
	}

	// Refused credentials are charged to the client's address, with the headers.
	if r := servers[0].query(t, q, nil, append(xff("203.0.113.9"), "Authorization", "Bearer nonsense")...); r.status != http.StatusUnauthorized || r.header.Get("X-RateLimit-Limit") != "40" {
		t.Fatalf("refused token: HTTP %d %v", r.status, r.header)
	}

	// Without trusted proxies X-Forwarded-For is ignored: every request is the peer's.
	untrusting := replicas(t, rs, 1, Config{RateLimitAnon: 10})[0]
	refused := false
	for i := range 20 {
		r := untrusting.query(t, q, nil, xff(fmt.Sprintf("192.0.2.%d", i))...)
		if r.status == http.StatusTooManyRequests {
			refused = true
			break
		}
	}
	if !refused {
		t.Fatal("a client rotating X-Forwarded-For through an untrusted peer was never limited")
	}
}

func TestRateLimit_LocalFallbackWithoutRedis(t *testing.T) {
	s := replicas(t, nil, 1, Config{RateLimitAnon: 10})[0]
	refused := false
	for range 10 {
		if r := s.query(t, `{ viewer { anonymous } }`, nil); r.status == http.StatusTooManyRequests && r.code() == "RATE_LIMITED" {
			refused = true
			break
		}
	}
	if !refused {
		t.Fatal("the in-process limiter never refused")
	}
	if st := s.readyz(t); !strings.Contains(st.body, `"redis":"not configured"`) {
		t.Errorf("/readyz: %s", st.body)
	}
}

func TestPersistedQueries_SharedByReplicasOverGET(t *testing.T) {
	rs := redistest.Start(t)
	servers := replicas(t, rs, 2, Config{})
	doc := `{ brands(first: 2) { totalCount } } # ` + rand.Text()
	sum := sha256.Sum256([]byte(doc))
	ext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(sum[:]))

	if r := servers[1].get(t, url.Values{"extensions": {ext}}); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("unknown hash: HTTP %d %s", r.status, r.body)
	}
	if r := servers[0].post(t, fmt.Sprintf(`{"query":%q,"extensions":%s}`, doc, ext)); r.status != 200 || len(r.gql.Errors) > 0 {
		t.Fatalf("register: HTTP %d %s", r.status, r.body)
	}
	r := servers[1].get(t, url.Values{"extensions": {ext}})
	if r.status != 200 || len(r.gql.Errors) > 0 || !strings.Contains(string(r.gql.Data), "totalCount") {
		t.Fatalf("persisted query by GET on another replica: HTTP %d %s", r.status, r.body)
	}
}

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
