package server

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// Postgres stopped (a private cluster of the test's own): reads, writes and authenticated
// requests answer 503 SERVICE_UNAVAILABLE with Retry-After, and /readyz 503; started again,
// the same server serves within a second, without a restart.
func TestOutage_PostgresDownAnswers503AndRecovers(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL")
	}
	cluster := dbtest.StartCluster(t)
	store, err := db.Open(context.Background(), cluster.CreateDatabase(t, "outage"), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	key := newEdKey(t)
	s := newTestServerOn(t, Config{NoResponseCache: true, RateLimitAnon: 1 << 30, RateLimitAgency: 1 << 30,
		Authenticator: authenticator(t, store, key)}, store)
	agency := accredit(t, store, "cuc-ptth", "VN")
	token := "Bearer " + signToken(t, jwt.SigningMethodEdDSA, key.priv, key.kid, validClaims(agency.Slug, "brands:write"))

	const read = `{ influencers(first: 3) { totalCount nodes { id } } }`
	const write = `mutation($input: RegisterBrandInput!) { registerBrand(input: $input) { brand { id } userErrors { code } } }`
	type req struct {
		name, query string
		vars        map[string]any
		auth        bool
	}
	n := 0
	reqs := func() []req {
		n++
		return []req{
			{"anonymous read", read, nil, false},
			{"authenticated read", read, nil, true},
			{"write", write, brandInput("Nhãn hàng sự cố " + string(rune('A'+n))), true},
		}
	}
	send := func(r req) result {
		var h []string
		if r.auth {
			h = []string{"Authorization", token}
		}
		b, _ := json.Marshal(map[string]any{"query": r.query, "variables": r.vars})
		return s.post(t, string(b), h...)
	}
	for _, r := range reqs() {
		if got := send(r); got.status != 200 || len(got.gql.Errors) > 0 {
			t.Fatalf("%s before the outage: HTTP %d %s", r.name, got.status, got.body)
		}
	}

	cluster.Stop(t, "fast")
	for _, r := range reqs() {
		got := send(r)
		if got.status != http.StatusServiceUnavailable || got.header.Get("Retry-After") == "" || got.code() != "SERVICE_UNAVAILABLE" {
			t.Errorf("%s with Postgres down: HTTP %d Retry-After %q %s", r.name, got.status, got.header.Get("Retry-After"), got.body)
		}
		for _, leak := range leaks {
			if strings.Contains(strings.ToLower(got.body), leak) {
				t.Errorf("%s: the response leaks %q: %s", r.name, leak, got.body)
			}
		}
	}
	if got := s.do(t, mustRequest(t, http.MethodGet, s.URL+"/readyz", nil)); got.status != 503 || !strings.Contains(got.body, `"postgres":"unavailable"`) {
		t.Errorf("/readyz with Postgres down: HTTP %d %s", got.status, got.body)
	}

	cluster.Start(t)
	up := time.Now()
	// Each kind is served within a second of trying (a slow answer on this shared machine is
	// not a failure; a refusal after a second is).
	for _, r := range reqs() {
		start := time.Now()
		for {
			got := send(r)
			if got.status == 200 && len(got.gql.Errors) == 0 {
				break
			}
			if time.Since(start) > time.Second {
				t.Fatalf("%s not served %v after Postgres came back: HTTP %d %s", r.name, time.Since(up), got.status, got.body)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	t.Logf("served again %v after Postgres came back", time.Since(up))
	if got := s.do(t, mustRequest(t, http.MethodGet, s.URL+"/readyz", nil)); got.status != 200 {
		t.Errorf("/readyz after the outage: HTTP %d %s", got.status, got.body)
	}
}
