package server

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Operations are counted by type and name; WebSocket sessions, exports and log reads have
// families of their own and stay out of the GraphQL request series; persisted queries, live
// subscriptions and the build are reported.
func TestMetrics_ByOperationNameAndOwnFamilies(t *testing.T) {
	s := newTestServer(t, Config{})
	if r := s.query(t, `query TopBrands { brands(first: 1) { totalCount } }`, nil); r.status != 200 {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	s.query(t, `{ viewer { anonymous } }`, nil)
	for series, want := range map[string]float64{
		`kolregistry_graphql_operations_total{name="TopBrands",status="200",type="query"}`: 1,
		`kolregistry_graphql_operations_total{name="anonymous",status="200",type="query"}`: 1,
	} {
		if got := s.metric(t, series); got != want {
			t.Errorf("%s = %v, want %v", series, got, want)
		}
	}

	// Persisted queries: a miss, a registration, a hit.
	doc := `{ brands(first: 2) { totalCount } } # ` + rand.Text()
	sum := sha256.Sum256([]byte(doc))
	ext := fmt.Sprintf(`{"persistedQuery":{"version":1,"sha256Hash":%q}}`, hex.EncodeToString(sum[:]))
	s.get(t, url.Values{"extensions": {ext}})
	s.post(t, fmt.Sprintf(`{"query":%q,"extensions":%s}`, doc, ext))
	s.get(t, url.Values{"extensions": {ext}})
	for _, result := range []string{"miss", "registered", "hit"} {
		if got := s.metric(t, `kolregistry_graphql_persisted_queries_total{result="`+result+`"}`); got != 1 {
			t.Errorf("persisted queries %s = %v, want 1", result, got)
		}
	}

	// A WebSocket session with a subscription: its own family, not a GraphQL request "none".
	none := s.metric(t, `kolregistry_graphql_requests_total{operation="none",status="101"}`)
	ws := dialLive(t, s.URL, nil)
	ws.subscribe(t, "a", `subscription { sanctionRecorded { id } }`)
	eventually(t, 5*time.Second, func() bool {
		return s.metric(t, `kolregistry_live_subscriptions`) == 1
	})
	if got := s.metric(t, `kolregistry_websocket_connections`); got != 1 {
		t.Errorf("websocket connections = %v, want 1", got)
	}
	ws.conn.CloseNow()
	eventually(t, 5*time.Second, func() bool {
		return s.metric(t, `kolregistry_websocket_connections`) == 0
	})
	if got := s.metric(t, `kolregistry_websocket_sessions_total{status="accepted"}`); got != 1 {
		t.Errorf("accepted sessions = %v, want 1", got)
	}
	if got := s.metric(t, `kolregistry_graphql_requests_total{operation="none",status="101"}`); got != none {
		t.Errorf("the WebSocket session was counted as a GraphQL request too")
	}

	// An export and a log read, each in its family.
	resp, err := s.Client().Get(s.URL + "/export/brands.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := s.metric(t, fmt.Sprintf(`kolregistry_export_requests_total{file="brands.ndjson",status="%d"}`, resp.StatusCode)); got != 1 {
		t.Errorf("export not counted in its family (HTTP %d)", resp.StatusCode)
	}
	resp, err = s.Client().Get(s.URL + "/log/checkpoint")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := s.metric(t, fmt.Sprintf(`kolregistry_log_requests_total{endpoint="checkpoint",status="%d"}`, resp.StatusCode)); got != 1 {
		t.Errorf("log read not counted in its family (HTTP %d)", resp.StatusCode)
	}

	b := Build()
	build := fmt.Sprintf(`kolregistry_build_info{commit=%q,date=%q,goversion=%q,version=%q}`, b.Commit, b.Date, b.GoVersion, b.Version)
	if got := s.metric(t, build); got != 1 {
		t.Errorf("%s = %v, want 1", build, got)
	}
}

// Client-chosen operation names cannot grow the series without bound.
func TestMetrics_OperationNamesAreBounded(t *testing.T) {
	o := newOpMetrics()
	for i := range maxOperationNames {
		if n := o.operationName(fmt.Sprintf("Op%d", i)); n != fmt.Sprintf("Op%d", i) {
			t.Fatalf("name %d became %q", i, n)
		}
	}
	for _, n := range []string{"OneTooMany", "has space", strings.Repeat("x", 65)} {
		if got := o.operationName(n); got != "other" {
			t.Errorf("operationName(%q) = %q, want other", n, got)
		}
	}
	if got := o.operationName("Op7"); got != "Op7" {
		t.Errorf("a known name became %q", got)
	}
}

// With SeparateMetrics (METRICS_ADDR) the API port does not serve /metrics; the handler
// NewWithMetrics returns does.
func TestMetrics_SeparateListener(t *testing.T) {
	store := openStore(t)
	api, metrics := NewWithMetrics(Config{SeparateMetrics: true}, store, nil)
	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("API /metrics: HTTP %d, want 404", rec.Code)
	}
	rec = httptest.NewRecorder()
	metrics.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "kolregistry_build_info") {
		t.Errorf("metrics handler: HTTP %d %.200s", rec.Code, rec.Body.String())
	}
}

// eventually polls cond every 10 ms until it holds, failing the test after timeout.
func eventually(t *testing.T, timeout time.Duration, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(timeout); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %s", timeout)
		}
	}
}
