package server

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestHealthz_AnswersWhileTheProcessRuns(t *testing.T) {
	s := newTestServer(t, Config{})
	r := s.do(t, mustRequest(t, http.MethodGet, s.URL+"/healthz", nil))
	if r.status != 200 || strings.TrimSpace(r.body) != `{"status":"ok"}` {
		t.Errorf("HTTP %d %s", r.status, r.body)
	}
}

func TestReadyz_ReportsPostgres(t *testing.T) {
	s := newTestServer(t, Config{})
	r := s.do(t, mustRequest(t, http.MethodGet, s.URL+"/readyz", nil))
	if r.status != 200 || strings.TrimSpace(r.body) != `{"postgres":"ok","redis":"not configured"}` {
		t.Errorf("open store: HTTP %d %s", r.status, r.body)
	}

	s.store.Close()
	r = s.do(t, mustRequest(t, http.MethodGet, s.URL+"/readyz", nil))
	if r.status != 503 || strings.TrimSpace(r.body) != `{"postgres":"unavailable","redis":"not configured"}` {
		t.Errorf("closed store: HTTP %d %s", r.status, r.body)
	}
	// /healthz is about the process, not its dependencies.
	if r := s.do(t, mustRequest(t, http.MethodGet, s.URL+"/healthz", nil)); r.status != 200 {
		t.Errorf("healthz with a closed store: HTTP %d", r.status)
	}
}

func TestCORS_AnswersPreflight(t *testing.T) {
	s := newTestServer(t, Config{})
	req := mustRequest(t, http.MethodOptions, s.URL+"/graphql", nil)
	req.Header.Set("Origin", "https://journalist.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	req.Header.Set("Access-Control-Request-Headers", "content-type, authorization, x-request-id")
	r := s.do(t, req)
	if r.status != http.StatusNoContent {
		t.Errorf("HTTP %d, want 204", r.status)
	}
	for header, want := range map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
		"Access-Control-Allow-Headers": corsAllowHeaders,
	} {
		if got := r.header.Get(header); got != want {
			t.Errorf("%s = %q, want %q", header, got, want)
		}
	}
	for _, h := range []string{"Content-Type", "Authorization", "X-Request-Id"} {
		if !strings.Contains(r.header.Get("Access-Control-Allow-Headers"), h) {
			t.Errorf("preflight does not allow %s", h)
		}
	}
}

// A browser script can read the rate-limit budget, the back-off of a refusal and the request
// id: they are exposed, and they are there to read.
func TestCORS_ExposesRateLimitAndRetryHeaders(t *testing.T) {
	s := newTestServer(t, Config{RateLimitAnon: 40})
	var refused result
	for i := 0; i < 40; i++ { // cost 2 each: refused by the 21st
		r := s.query(t, `{ viewer { anonymous } }`, nil, "Origin", "https://journalist.example")
		if r.header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("response %d not readable cross-origin: %v", i, r.header)
		}
		exposed := map[string]bool{}
		for _, h := range strings.Split(r.header.Get("Access-Control-Expose-Headers"), ",") {
			exposed[http.CanonicalHeaderKey(strings.TrimSpace(h))] = true
		}
		for _, h := range []string{"X-Request-Id", "X-Ratelimit-Limit", "X-Ratelimit-Remaining", "X-Ratelimit-Reset", "Retry-After"} {
			if !exposed[h] {
				t.Errorf("%s is not exposed: %q", h, r.header.Get("Access-Control-Expose-Headers"))
			}
		}
		if r.header.Get("X-RateLimit-Limit") == "" || r.header.Get("X-Request-Id") == "" {
			t.Fatalf("response %d lacks the headers it exposes: %v", i, r.header)
		}
		if r.status == http.StatusTooManyRequests {
			refused = r
			break
		}
	}
	if refused.header.Get("Retry-After") == "" {
		t.Fatalf("no refusal with Retry-After within 40 queries of cost 2 on a 40-point budget: %+v", refused)
	}
}

// CORS_ORIGINS narrows reads to the origins named: another origin's preflight is refused and
// its responses carry no Access-Control-Allow-Origin, so the browser keeps them from the script.
func TestCORS_ConfiguredOrigins(t *testing.T) {
	origins, err := ParseCORSOrigins(" https://Journalist.example , http://127.0.0.1:3000")
	if err != nil || len(origins) != 2 || origins[0] != "https://journalist.example" {
		t.Fatalf("ParseCORSOrigins: %q, %v", origins, err)
	}
	for _, bad := range []string{"journalist.example", "https://x.example/path", "ftp://x.example"} {
		if _, err := ParseCORSOrigins(bad); err == nil {
			t.Errorf("ParseCORSOrigins(%q) accepted", bad)
		}
	}
	s := newTestServer(t, Config{CORSOrigins: origins})
	preflight := func(origin string) result {
		req := mustRequest(t, http.MethodOptions, s.URL+"/graphql", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		return s.do(t, req)
	}
	if r := preflight("https://journalist.example"); r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != "https://journalist.example" {
		t.Errorf("allowed origin's preflight: HTTP %d, %v", r.status, r.header)
	}
	if r := preflight("https://evil.example"); r.status != http.StatusForbidden || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("other origin's preflight: HTTP %d, %v", r.status, r.header)
	}
	r := s.query(t, goodQuery, nil, "Origin", "https://journalist.example")
	if r.header.Get("Access-Control-Allow-Origin") != "https://journalist.example" || !strings.Contains(r.header.Get("Vary"), "Origin") {
		t.Errorf("allowed origin's response: %v", r.header)
	}
	r = s.query(t, goodQuery, nil, "Origin", "https://evil.example")
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "" || r.header.Get("Access-Control-Expose-Headers") != "" {
		t.Errorf("other origin's response: HTTP %d %v", r.status, r.header)
	}
}

func TestRequestID_EchoedOrGenerated(t *testing.T) {
	s := newTestServer(t, Config{})
	r := s.query(t, goodQuery, nil, "X-Request-Id", "trace-42.a:b")
	if got := r.header.Get("X-Request-Id"); got != "trace-42.a:b" {
		t.Errorf("echoed id = %q", got)
	}
	if !strings.Contains(s.logs.String(), `"request_id":"trace-42.a:b"`) {
		t.Errorf("access log lacks the request id:\n%s", s.logs)
	}
	generated := s.query(t, goodQuery, nil).header.Get("X-Request-Id")
	if len(generated) < 16 {
		t.Errorf("generated id = %q", generated)
	}
	// An id that could forge log lines or headers is replaced, not echoed.
	r = s.query(t, goodQuery, nil, "X-Request-Id", `"}{"level":"ERROR`)
	if got := r.header.Get("X-Request-Id"); got == "" || strings.ContainsAny(got, `"{}`) {
		t.Errorf("unsafe id came back as %q", got)
	}
}

func TestAccessLog_NeverLogsVariablesOrTokens(t *testing.T) {
	s := newTestServer(t, Config{})
	s.get(t, map[string][]string{
		"query":     {`query($p: [String!]) { influencers(filter: {province: $p}) { totalCount } }`},
		"variables": {`{"p": ["VN-SECRET-VARIABLE"]}`},
	})
	s.query(t, goodQuery, nil, "Authorization", "Bearer SECRET-TOKEN")
	logs := s.logs.String()
	for _, secret := range []string{"SECRET-VARIABLE", "SECRET-TOKEN"} {
		if strings.Contains(logs, secret) {
			t.Errorf("log holds %s:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"path":"/graphql"`) || !strings.Contains(logs, `"status":200`) {
		t.Errorf("access log lacks path or status:\n%s", logs)
	}
}

func TestBodyLimit_RefusesUndeclaredOversizeBody(t *testing.T) {
	s := newTestServer(t, Config{MaxBodyBytes: 1024})
	// A reader of unknown length makes the client send a chunked body without Content-Length.
	body := io.MultiReader(strings.NewReader(`{"query": "{ viewer { anonymous } }", "variables": {"pad": "`),
		strings.NewReader(strings.Repeat("x", 4096)), strings.NewReader(`"}}`))
	req := mustRequest(t, http.MethodPost, s.URL+"/graphql", body)
	req.Header.Set("Content-Type", "application/json")
	r := s.do(t, req)
	if r.status != http.StatusRequestEntityTooLarge || r.code() != "BAD_USER_INPUT" {
		t.Errorf("HTTP %d %s", r.status, r.body)
	}
	s.requireHealthy(t)
}

func TestMetrics_CountRequestsByOperationAndStatus(t *testing.T) {
	s := newTestServer(t, Config{})
	s.query(t, goodQuery, nil)
	s.post(t, `{ "not a JSON`)
	r := s.do(t, mustRequest(t, http.MethodGet, s.URL+"/metrics", nil))
	for _, want := range []string{
		`kolregistry_graphql_requests_total{operation="query",status="200"} 1`,
		`kolregistry_graphql_requests_total{operation="none",status="400"} 1`,
		`kolregistry_graphql_request_duration_seconds_bucket{operation="query",status="200"`,
		`go_goroutines`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestMetrics_CountErrorsByCode(t *testing.T) {
	s := newTestServer(t, Config{})
	s.query(t, `{ influencers(first: 0) { totalCount } }`, nil)
	r := s.do(t, mustRequest(t, http.MethodGet, s.URL+"/metrics", nil))
	if !strings.Contains(r.body, `kolregistry_graphql_errors_total{code="BAD_USER_INPUT"} 1`) {
		t.Errorf("/metrics lacks the BAD_USER_INPUT error:\n%s", grepLines(r.body, "errors_total"))
	}
}

func grepLines(s, substr string) string {
	var out []string
	for line := range strings.SplitSeq(s, "\n") {
		if strings.Contains(line, substr) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func mustRequest(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// logLines returns the JSON log records whose msg is msg.
func logLines(t *testing.T, logs, msg string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for line := range strings.SplitSeq(strings.TrimSpace(logs), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}
