package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/internal/testwait"
)

// brandStatements is a store hook (db.DB.OnQuery, set before the server starts) that makes
// the reads of brands slow or holds them, and counts them.
type brandStatements struct {
	delay atomic.Int64 // ns each brands statement sleeps
	gate  atomic.Pointer[chan struct{}]
	seen  atomic.Int64
}

func (b *brandStatements) hook(q string) {
	if !strings.Contains(strings.ToLower(q), "brand") {
		return
	}
	b.seen.Add(1)
	if g := b.gate.Load(); g != nil {
		<-*g
	}
	time.Sleep(time.Duration(b.delay.Load()))
}

// staleReplicas starts n servers over the package database and rs, each with a store of its
// own whose brands statements h slows down.
func staleReplicas(t *testing.T, rs *redistest.Server, n int, cfg Config, h *brandStatements) []*testServer {
	t.Helper()
	cfg.Authenticator = agencyAuthenticator(t, openStore(t))
	cfg.RateLimitAnon = 1_000_000
	var out []*testServer
	for range n {
		store := openStore(t)
		store.OnQuery = h.hook
		r, err := cache.Open(rs.URL(), cache.Options{ProbeInterval: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		c := cfg
		c.Redis = r
		out = append(out, newTestServerOn(t, c, store))
	}
	return out
}

// staleAge is the X-Registry-Stale-Age-Ms of a response (-1: a fresh answer).
func staleAge(t *testing.T, r result) time.Duration {
	t.Helper()
	v := r.header.Get(staleAgeHeader)
	if v == "" {
		if r.header.Get("Age") != "" {
			t.Errorf("a fresh answer carries Age %s", r.header.Get("Age"))
		}
		return -1
	}
	ms, err := strconv.Atoi(v)
	age, _ := strconv.Atoi(r.header.Get("Age"))
	if err != nil || ms < 0 || age != ms/1000 {
		t.Errorf("stale answer: %s %q, Age %q", staleAgeHeader, v, r.header.Get("Age"))
	}
	return time.Duration(ms) * time.Millisecond
}

// After a write, an anonymous reader gets the costly query's earlier answer at once, marked
// with its age, within CACHE_STALE_MAX; the writer (its LSN by header or cookie) gets the
// fresh one; the refresh makes everyone's fresh; an answer older than the bound is never
// served; a cheap query is always fresh.
func TestResponseCache_StaleAnswersWithinTheBoundAndNotToTheWriter(t *testing.T) {
	rs := redistest.Start(t)
	const staleMax, minCost = 3 * time.Second, 300 * time.Millisecond
	h := &brandStatements{}
	s := staleReplicas(t, rs, 1, Config{CacheStaleMax: staleMax, CacheStaleMinCost: minCost}, h)[0]
	read := func(first int, header ...string) result {
		t.Helper()
		r := s.query(t, brandsQuery, map[string]any{"first": first}, header...)
		if r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("brands: HTTP %d %s", r.status, r.body)
		}
		return r
	}
	write := func(name string) db.LSN {
		t.Helper()
		r := s.query(t, `mutation($n: String!) { registerBrand(input: {name: $n}) { userErrors { message } } }`,
			map[string]any{"n": name}, "Authorization", agencyToken)
		lsn, err := db.ParseLSN(r.header.Get(lsnHeader))
		if r.status != 200 || !strings.Contains(r.body, `"userErrors":[]`) || err != nil {
			t.Fatalf("registerBrand: HTTP %d %s %s %v", r.status, r.header.Get(lsnHeader), r.body, err)
		}
		return lsn
	}
	costly := int64(minCost + 50*time.Millisecond) // each brands statement sleeps this long
	cheap := func(first int) result {
		t.Helper()
		h.delay.Store(0)
		defer h.delay.Store(costly)
		return read(first)
	}
	h.delay.Store(costly)
	before := read(100)
	cheapBefore := cheap(7)
	lsn := write("Stale Brand " + rand.Text()[:6])

	stale := read(100)
	if age := staleAge(t, stale); age < 0 || age > staleMax || stale.body != before.body {
		t.Fatalf("anonymous read after the write: stale age %s (bound %s), same bytes as before %v", age, staleMax, stale.body == before.body)
	}
	// The writer's position, by header or cookie: the pre-write answer does not hold it. (It
	// may get the refreshed answer stale: that one holds its write.)
	for _, header := range [][]string{{lsnHeader, lsn.String()}, {"Cookie", lsnCookie + "=" + lsn.String()}} {
		if r := read(100, header...); brandCount(t, r) <= brandCount(t, before) {
			t.Fatalf("the writer (%s) got an answer without its write: stale age %s, %s", header[0], staleAge(t, r), r.body)
		}
	}
	if r := cheap(7); staleAge(t, r) >= 0 || brandCount(t, r) <= brandCount(t, cheapBefore) {
		t.Fatalf("a cheap query was answered stale: %s", r.body)
	}
	testwait.Until(t, 20*time.Second, "the refresh to reach anonymous readers", func() bool {
		r := read(100)
		if age := staleAge(t, r); age > staleMax {
			t.Fatalf("served %s stale, beyond %s", age, staleMax)
		}
		return brandCount(t, r) > brandCount(t, before)
	})
	if m := s.metric(t, `kolregistry_graphql_response_cache_total{result="stale"}`); m < 1 {
		t.Errorf("stale answers counted: %v", m)
	}
	if m := s.metric(t, "kolregistry_graphql_stale_refreshes_total"); m < 1 {
		t.Errorf("refreshes counted: %v", m)
	}

	// Beyond the bound: a costly answer read once, older than staleMax when the write comes.
	old := read(50)
	computed := time.Now()
	testwait.Until(t, 2*staleMax, "the cached answer to pass the bound", func() bool { return time.Since(computed) > staleMax })
	write("Later Brand " + rand.Text()[:6])
	if r := read(50); staleAge(t, r) >= 0 || brandCount(t, r) <= brandCount(t, old) {
		t.Fatalf("an answer older than %s was served after a write: %s", staleMax, r.body)
	}
}

// Twenty readers on two replicas meet the same stale entry while its refresh is held: all get
// the earlier answer at once, and exactly one refresh runs (one execution across the replicas,
// under the Redis lock), which the readers' next requests then get. (Once released, it may
// run again: a write since, the reconciliation's epoch included, makes its answer stale.)
func TestResponseCache_StaleRefreshRunsOncePerKeyAcrossReplicas(t *testing.T) {
	rs := redistest.Start(t)
	h := &brandStatements{}
	servers := staleReplicas(t, rs, 2, Config{CacheStaleMax: 30 * time.Second, CacheStaleMinCost: 50 * time.Millisecond}, h)
	h.delay.Store(int64(60 * time.Millisecond))
	// What one execution of the query runs, with other variables (another cache key).
	if r := servers[1].query(t, brandsQuery, map[string]any{"first": 99}); r.status != 200 {
		t.Fatalf("baseline: %d %s", r.status, r.body)
	}
	once := h.seen.Swap(0)
	if once == 0 {
		t.Fatal("the brands query ran no statement the hook saw")
	}
	before := servers[0].readBrands(t)
	servers[0].registerBrand(t, "Refreshed Brand "+rand.Text()[:6])

	gate := make(chan struct{})
	h.gate.Store(&gate)
	released := false
	release := func() {
		if !released {
			released = true
			h.gate.Store(nil)
			close(gate)
		}
	}
	defer release()
	h.seen.Store(0)
	var wg sync.WaitGroup
	bodies := make([]string, 20)
	ages := make([]string, 20)
	start := make(chan struct{})
	for i := range bodies {
		wg.Go(func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			body := fmt.Sprintf(`{"query":%q,"variables":{"first":100}}`, brandsQuery)
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, servers[i%2].URL+"/graphql", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Errorf("reader %d: %v (waited for the held refresh?)", i, err)
				return
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Errorf("reader %d: %v", i, err)
			}
			bodies[i], ages[i] = string(b), resp.Header.Get(staleAgeHeader)
		})
	}
	close(start)
	wg.Wait() // with the refresh held: every answer came without waiting for it
	for i := range bodies {
		if bodies[i] != before || ages[i] == "" {
			t.Errorf("reader %d: stale age %q, the earlier answer %v: %s", i, ages[i], bodies[i] == before, bodies[i])
		}
	}
	refreshes, staleServed := 0.0, 0.0
	for _, s := range servers {
		refreshes += s.metric(t, "kolregistry_graphql_stale_refreshes_total")
		staleServed += s.metric(t, `kolregistry_graphql_response_cache_total{result="stale"}`)
	}
	if refreshes != 1 || staleServed != 20 {
		t.Fatalf("20 stale readers on 2 replicas: %v refreshes started, %v stale answers counted; want 1 and 20", refreshes, staleServed)
	}
	testwait.Until(t, 5*time.Second, "the refresh to start", func() bool { return h.seen.Load() >= 1 })
	if got := h.seen.Load(); got > once {
		t.Errorf("%d brands statements started for 20 stale readers, one execution runs %d", got, once)
	}
	// A write lands while the refresh runs (the epoch is replaced, as a mutation does): its
	// answer is stale at once, and the key was wanted meanwhile, so it runs again with no
	// reader asking.
	r, err := cache.Open(rs.URL(), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	cache.NewResponses(r, cache.ResponseOptions{}).Invalidate(context.Background())
	release()
	testwait.Until(t, 10*time.Second, "the refresh to run again by itself", func() bool { return h.seen.Load() > once })
	testwait.Until(t, 20*time.Second, "the refresh to reach the readers", func() bool {
		return brandCountOf(t, servers[0].readBrands(t)) > brandCountOf(t, before) &&
			brandCountOf(t, servers[1].readBrands(t)) > brandCountOf(t, before)
	})
}

// brandCount is the totalCount of a brandsQuery answer.
func brandCount(t *testing.T, r result) int { t.Helper(); return brandCountOf(t, r.body) }

func brandCountOf(t *testing.T, body string) int {
	t.Helper()
	var out struct {
		Data struct {
			Brands struct {
				TotalCount int `json:"totalCount"`
			} `json:"brands"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		t.Fatalf("brands answer: %v %s", err, body)
	}
	return out.Data.Brands.TotalCount
}

// Under a steady stream of writes, a key read stale without a pause is recomputed once a
// refreshGap, not back to back: with CACHE_STALE_MAX 5 s (a gap of 1 s), a 60 ms query read
// and invalidated every 30 ms for 2.5 s runs about 3 times, where back to back it would run
// about 40 times.
func TestResponseCache_StaleRefreshIsPaced(t *testing.T) {
	rs := redistest.Start(t)
	h := &brandStatements{}
	s := staleReplicas(t, rs, 1, Config{CacheStaleMax: 5 * time.Second, CacheStaleMinCost: 50 * time.Millisecond}, h)[0]
	h.delay.Store(int64(60 * time.Millisecond))
	vars := map[string]any{"first": 100}
	if r := s.query(t, brandsQuery, vars); r.status != 200 {
		t.Fatalf("first computation: %d %s", r.status, r.body)
	}
	once := h.seen.Swap(0)
	if once == 0 {
		t.Fatal("the brands query ran no statement the hook saw")
	}
	r, err := cache.Open(rs.URL(), cache.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	writes := cache.NewResponses(r, cache.ResponseOptions{})
	stale := 0
	for t0 := time.Now(); time.Since(t0) < 2500*time.Millisecond; time.Sleep(30 * time.Millisecond) {
		writes.Invalidate(context.Background())
		if staleAge(t, s.query(t, brandsQuery, vars)) >= 0 {
			stale++
		}
	}
	runs := s.metric(t, "kolregistry_graphql_stale_refreshes_total")
	if stale < 40 || runs < 2 || runs > 5 {
		t.Errorf("2.5 s of reads and writes every 30 ms: %d stale answers (want most of ~80), %v refresh runs (want 2–5: one a second)", stale, runs)
	}
	if got := h.seen.Load(); float64(got) > (runs+1)*float64(once) {
		t.Errorf("%d brands statements for %v refresh runs of %d each", got, runs, once)
	}
}
