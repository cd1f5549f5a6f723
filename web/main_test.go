package web_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/db/seed"
	"github.com/kolregistry/kolregistry/server"
)

var dbURL string

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m, "web", &dbURL)) }

var seedOnce sync.Once

// site is the whole server (API and pages) over the demo registry, its permalinks under its
// own address.
type site struct {
	t   testing.TB
	srv *httptest.Server
	h   http.Handler
}

func newSite(t testing.TB, mutate ...func(*server.Config)) *site {
	t.Helper()
	store, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { store.Close() })
	var seedErr error
	seedOnce.Do(func() { _, seedErr = seed.Demo(context.Background(), store) })
	if seedErr != nil {
		t.Fatalf("seed: %v", seedErr)
	}
	srv := httptest.NewUnstartedServer(nil)
	cfg := server.DefaultConfig()
	cfg.PublicBaseURL = "http://" + srv.Listener.Addr().String()
	cfg.RateLimitAnon = 1 << 30
	for _, m := range mutate {
		m(&cfg)
	}
	h := server.New(cfg, store, nil)
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return &site{t: t, srv: srv, h: h}
}

// capture hands out the site's handler, for benchmarks that skip the network.
func (s *site) capture(h *http.Handler) { *h = s.h }

// gql runs a query that must succeed and returns its data.
func (s *site) gql(query string) map[string]any {
	s.t.Helper()
	res, err := http.Get(s.srv.URL + "/graphql?query=" + url.QueryEscape(query))
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Data   map[string]any
		Errors []any
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
		s.t.Fatalf("query %s: %v %v", query, err, out.Errors)
	}
	return out.Data
}

// get fetches a path (or absolute URL) with optional header pairs.
func (s *site) get(path string, header ...string) (*http.Response, string) {
	s.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = s.srv.URL + path
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// at walks decoded JSON by keys and list indexes.
func at(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any) string { s, _ := v.(string); return s }
