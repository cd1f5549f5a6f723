package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/cache/redistest"
)

func apqExtension(doc string) string {
	sum := sha256.Sum256([]byte(doc))
	return fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(sum[:]))
}

// register sends doc with its hash (registering it); byHash sends the hash alone.
func (s *testServer) register(t *testing.T, doc string) result {
	t.Helper()
	return s.post(t, fmt.Sprintf(`{"query":%q,"extensions":%s}`, doc, apqExtension(doc)))
}

func (s *testServer) byHash(t *testing.T, doc string) result {
	t.Helper()
	return s.post(t, fmt.Sprintf(`{"extensions":%s}`, apqExtension(doc)))
}

func apqKeys(t *testing.T, rs *redistest.Server) int {
	t.Helper()
	keys, err := rs.Client().Keys(context.Background(), "kolregistry:apq:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	return len(keys)
}

func cost(t *testing.T, r result) int {
	t.Helper()
	var ext struct {
		Extensions struct {
			Cost int `json:"cost"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal([]byte(r.body), &ext); err != nil {
		t.Fatal(err)
	}
	return ext.Extensions.Cost
}

// Persisted queries are stored only once they parse, validate and pass the cost check, their
// bytes are charged with the operation, and documents above the cap are not stored.
func TestPersistedQueries_StoredOnlyOnceValidAndCharged(t *testing.T) {
	rs := redistest.Start(t)
	s := replicas(t, rs, 1, Config{})[0]
	tag := rand.Text()

	for name, c := range map[string]struct{ doc, code string }{
		"does not parse":    {`{ brands(first: 2) { totalCount } # ` + tag + "\n{", "GRAPHQL_PARSE_FAILED"},
		"does not validate": {`{ brands(first: 2) { nope } } # ` + tag, "GRAPHQL_VALIDATION_FAILED"},
		"over the cost limit": {`{ sanctions(first: 100) { nodes { relatedDisclosures { relatedSanctions { id } } } } } # ` + tag,
			"COMPLEXITY_LIMIT_EXCEEDED"},
		"too deep": {`{ influencers(first: 1) { nodes { accounts { influencer { accounts { influencer { accounts { influencer { accounts { influencer { accounts { influencer { accounts { id } } } } } } } } } } } } } } # ` + tag,
			"COMPLEXITY_LIMIT_EXCEEDED"},
	} {
		r := s.register(t, c.doc)
		if r.code() == "" {
			t.Errorf("%s: registering answered HTTP %d %s; want an error", name, r.status, r.body)
		}
		if r := s.byHash(t, c.doc); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("%s: the hash was stored: HTTP %d %s", name, r.status, r.body)
		}
	}
	if n := apqKeys(t, rs); n != 0 {
		t.Errorf("Redis holds %d persisted queries after only refused ones; want 0", n)
	}

	// A valid document is stored, and its bytes are charged once, with the first request.
	doc := `{ brands(first: 2) { totalCount } } # ` + tag
	first := s.register(t, doc)
	if first.status != 200 || len(first.gql.Errors) > 0 {
		t.Fatalf("register a valid document: HTTP %d %s", first.status, first.body)
	}
	again := s.register(t, doc)
	if got, want := cost(t, first)-cost(t, again), persistCost(len(doc)); got != want {
		t.Errorf("storing %d bytes cost %d points more than the operation; want %d (1 per %d bytes)",
			len(doc), got, want, persistedBytesPerPoint)
	}
	if r := s.byHash(t, doc); r.status != 200 || !strings.Contains(string(r.gql.Data), "totalCount") {
		t.Errorf("by hash after registering: HTTP %d %s", r.status, r.body)
	}

	// Above the cap (8 KiB): served, not stored.
	big := `{ brands(first: 2) { totalCount } } #` + strings.Repeat("x", 9<<10)
	if r := s.register(t, big); r.status != 200 || len(r.gql.Errors) > 0 {
		t.Errorf("a document above the cap: HTTP %d %s; want it served", r.status, r.body)
	}
	if r := s.byHash(t, big); r.code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Errorf("a document above the cap was stored: HTTP %d %s", r.status, r.body[:min(len(r.body), 200)])
	}
	if n := apqKeys(t, rs); n != 1 {
		t.Errorf("Redis holds %d persisted queries; want 1", n)
	}
}

// A caller whose budget holds the operation but not the stored bytes is refused, and nothing
// is stored.
func TestPersistedQueries_BytesOverBudgetAreNotStored(t *testing.T) {
	rs := redistest.Start(t)
	s := replicas(t, rs, 1, Config{RateLimitAnon: 300})[0]
	doc := `{ brands(first: 2) { totalCount } } #` + strings.Repeat("y", 4000) // ~400 points to store
	r := s.register(t, doc)
	if r.status != http.StatusTooManyRequests || r.code() != "RATE_LIMITED" {
		t.Errorf("registering %d bytes on a 300-point budget: HTTP %d %s; want 429 RATE_LIMITED", len(doc), r.status, r.body)
	}
	if n := apqKeys(t, rs); n != 0 {
		t.Errorf("Redis holds %d persisted queries; want 0", n)
	}
}

// Responses above RESPONSE_CACHE_MAX_BYTES are served and not cached.
func TestResponseCache_LargeResponsesAreNotStored(t *testing.T) {
	rs := redistest.Start(t)
	s := replicas(t, rs, 1, Config{ResponseCacheMaxBytes: 100})[0]
	small := `{ brands(first: 1) { totalCount } }`
	large := `{ b1: brands(first: 1) { totalCount } b2: brands(first: 1) { totalCount } b3: brands(first: 1) { totalCount } b4: brands(first: 1) { totalCount } b5: brands(first: 1) { totalCount } }`
	for _, q := range []string{small, large} {
		if r := s.query(t, q, nil); r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
	}
	keys, err := rs.Client().Keys(context.Background(), "kolregistry:resp:*:*").Result()
	if err != nil {
		t.Fatal(err)
	}
	var responses []string
	for _, k := range keys {
		if !strings.HasSuffix(k, ":epoch") && !strings.HasSuffix(k, ":version") {
			responses = append(responses, k)
		}
	}
	if len(responses) != 1 {
		t.Errorf("Redis holds %d cached responses (%v); want 1: the small one only", len(responses), responses)
	}
}

// Redis may evict anything at any time (maxmemory with allkeys-lru, docs/caching.md): a
// FLUSHALL in the middle of a run loses persisted queries, cached responses, the epoch and the
// rate-limit counters, and the server carries on with documented answers only.
func TestRedis_FlushedMidRunIsTolerated(t *testing.T) {
	rs := redistest.Start(t)
	servers := replicas(t, rs, 2, Config{})
	a, b := servers[0], servers[1]
	doc := `{ brands(first: 100) { totalCount nodes { name } } } # ` + rand.Text()
	round := func(name string) string {
		t.Helper()
		a.registerBrand(t, name)
		if r := a.register(t, doc); r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("register: HTTP %d %s", r.status, r.body)
		}
		r := b.byHash(t, doc)
		if r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("by hash on the other replica: HTTP %d %s", r.status, r.body)
		}
		return r.body
	}
	if body := round("Flush A " + rand.Text()); !strings.Contains(body, "Flush A") {
		t.Fatalf("first round: %s", body)
	}
	b.readBrands(t) // cached
	if err := rs.Client().FlushAll(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	// Everything Redis held is gone: an unknown hash is the documented miss (or the replica's
	// own copy answers), never INTERNAL.
	if r := b.byHash(t, doc); r.code() != "PERSISTED_QUERY_NOT_FOUND" && (r.status != 200 || r.code() != "") {
		t.Errorf("by hash after FLUSHALL: HTTP %d %s; want PERSISTED_QUERY_NOT_FOUND or the data", r.status, r.body)
	}
	before := b.readBrands(t)
	name := "Flush B " + rand.Text()
	body := round(name)
	if !strings.Contains(body, name) {
		t.Errorf("after FLUSHALL a write is not seen through the persisted query: %s", body)
	}
	if after := b.readBrands(t); after == before || !strings.Contains(after, name) {
		t.Errorf("after FLUSHALL the response cache served a response older than a write")
	}
	for _, s := range servers {
		if strings.Contains(s.logs.String(), `"level":"ERROR"`) {
			t.Errorf("the server logged errors around the flush:\n%s", s.logs.String())
		}
	}
}
