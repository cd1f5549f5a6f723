package resolvers_test

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/server"
)

var dbURL string

//go:embed testdata/fixture.sql
var fixture string

func TestMain(m *testing.M) {
	os.Exit(dbtest.Main(m, "resolvers", &dbURL))
}

var (
	fixtureOnce sync.Once
	fixtureErr  error
)

// openStore connects to the package database, loading the fixture the first time.
func openStore(t testing.TB) *db.DB {
	t.Helper()
	store, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	fixtureOnce.Do(func() { _, fixtureErr = store.SQL().Exec(fixture) })
	if fixtureErr != nil {
		t.Fatalf("load fixture: %v", fixtureErr)
	}
	return store
}

// api is the server's GraphQL endpoint over the store, with its error presenter and limits.
type api struct {
	t   testing.TB
	srv *httptest.Server
}

// newAPI batches over a wide window, so that statement counts do not depend on the machine's load.
func newAPI(t testing.TB, store *db.DB) *api {
	return newAPIWait(t, store, 50*time.Millisecond)
}

func newAPIWait(t testing.TB, store *db.DB, wait time.Duration) *api {
	t.Helper()
	return newAPIConfig(t, store, func(c *server.Config) { c.LoaderWait = wait })
}

// newAPIConfig is newAPI with the test's changes to the server's configuration.
func newAPIConfig(t testing.TB, store *db.DB, configure func(*server.Config)) *api {
	t.Helper()
	cfg := server.DefaultConfig()
	cfg.LoaderWait = 50 * time.Millisecond
	cfg.NoResponseCache = true  // the tests insert rows with plain SQL, around the cache epoch
	cfg.RateLimitAnon = 1 << 30 // page walks send hundreds of queries in a second
	configure(&cfg)
	srv := httptest.NewServer(server.New(cfg, store, nil))
	t.Cleanup(srv.Close)
	return &api{t: t, srv: srv}
}

// response is a GraphQL response with the parts tests look at.
type response struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// code returns the first error's extensions.code, or "".
func (r response) code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// do sends a query and decodes the response.
func (a *api) do(query string, vars map[string]any) response {
	a.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	res, err := http.Post(a.srv.URL+"/graphql", "application/json", bytes.NewReader(body))
	if err != nil {
		a.t.Fatalf("post: %v", err)
	}
	defer res.Body.Close()
	var out response
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		a.t.Fatalf("decode: %v", err)
	}
	return out
}

// ok sends a query that must succeed and returns its data.
func (a *api) ok(query string, vars map[string]any) map[string]any {
	a.t.Helper()
	r := a.do(query, vars)
	if len(r.Errors) > 0 {
		a.t.Fatalf("query failed: %+v\n%s", r.Errors, query)
	}
	return r.Data
}

// get walks a decoded JSON value by a dotted path ("influencers.nodes.0.id").
func get(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i := 0
			for _, c := range p {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

func list(v any, path string) []any {
	l, _ := get(v, path).([]any)
	return l
}
