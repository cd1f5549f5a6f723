package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

var dbURL string

func TestMain(m *testing.M) {
	code := dbtest.Main(m, "server", &dbURL)
	if demo.drop != nil {
		demo.drop() // the demo database of demoStore (deadline_test.go)
	}
	os.Exit(code)
}

// logBuffer collects a test server's log lines; handlers write from many goroutines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testServer struct {
	*httptest.Server
	store *db.DB
	logs  *logBuffer
}

func openStore(t *testing.T) *db.DB {
	t.Helper()
	store, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// newTestServer serves server.New over the package database.
func newTestServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	store := openStore(t)
	logs := &logBuffer{}
	srv := httptest.NewServer(New(cfg, store, slog.New(slog.NewJSONHandler(logs, nil))))
	t.Cleanup(srv.Close)
	return &testServer{Server: srv, store: store, logs: logs}
}

// gqlResponse is a GraphQL response as a client reads it. Data is raw so that tests can tell
// a missing data entry from "data": null.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// result is one HTTP exchange.
type result struct {
	status int
	header http.Header
	body   string
	gql    gqlResponse
}

func (r result) code() string {
	if len(r.gql.Errors) == 0 {
		return ""
	}
	c, _ := r.gql.Errors[0].Extensions["code"].(string)
	return c
}

func (s *testServer) do(t *testing.T, req *http.Request) result {
	t.Helper()
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	r := result{status: resp.StatusCode, header: resp.Header, body: string(body)}
	if strings.Contains(resp.Header.Get("Content-Type"), "json") && len(body) > 0 {
		if err := json.Unmarshal(body, &r.gql); err != nil {
			t.Fatalf("response is not JSON: %v\n%s", err, body)
		}
	}
	for i, e := range r.gql.Errors {
		if _, ok := e.Extensions["code"].(string); !ok {
			t.Errorf("errors[%d] has no extensions.code: %s", i, body)
		}
	}
	return r
}

// post sends a raw POST body to /graphql with the given headers (Content-Type defaults to
// application/json).
func (s *testServer) post(t *testing.T, body string, header ...string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+"/graphql", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(t, req)
}

// query POSTs a GraphQL document with variables.
func (s *testServer) query(t *testing.T, query string, vars map[string]any, header ...string) result {
	t.Helper()
	b, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return s.post(t, string(b), header...)
}

// get sends the parameters as a GET query string.
func (s *testServer) get(t *testing.T, params url.Values, header ...string) result {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, s.URL+"/graphql?"+params.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return s.do(t, req)
}

const goodQuery = `{ viewer { anonymous } influencers(first: 1) { totalCount } }`

// requireHealthy checks that the server still answers a good query.
func (s *testServer) requireHealthy(t *testing.T) {
	t.Helper()
	r := s.query(t, goodQuery, nil)
	if r.status != http.StatusOK || len(r.gql.Errors) > 0 || !strings.Contains(string(r.gql.Data), `"anonymous":true`) {
		t.Fatalf("good query after the bad one: HTTP %d %s", r.status, r.body)
	}
}
