package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/seed"
)

// The hot query of the benchmarks: a page of influencers with their accounts and current MCN,
// what a newsroom front page asks for.
const hotQuery = `query Hot($n: Int) { influencers(first: $n) { totalCount nodes { id displayName province accounts { platform handle followerCount } currentMcn { name } } } }`

func hotBody(n int) string {
	b, _ := json.Marshal(map[string]any{"query": hotQuery, "variables": map[string]any{"n": n}})
	return string(b)
}

// benchHandler is server.New over the package database; redisURL "" runs without Redis.
func benchHandler(b *testing.B, redisURL string) (http.Handler, *cache.Redis) {
	b.Helper()
	cfg := Config{RateLimitAnon: 1 << 30, RateLimitAgency: 1 << 30}
	store := openStoreTB(b)
	if _, err := seed.Demo(context.Background(), store); err != nil {
		b.Fatalf("seed: %v", err)
	}
	cfg.Authenticator = agencyAuthenticator(b, store)
	var r *cache.Redis
	if redisURL != "" {
		var err error
		if r, err = cache.Open(redisURL, cache.Options{ProbeInterval: time.Hour}); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { r.Close() })
		cfg.Redis = r
	}
	return New(cfg, store, nil), r
}

func openStoreTB(b *testing.B) *db.DB {
	b.Helper()
	store, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		b.Fatalf("open store: %v", err)
	}
	b.Cleanup(func() { store.Close() })
	return store
}

func serve(b *testing.B, h http.Handler, body string, header ...string) []byte {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != 200 || strings.Contains(w.Body.String(), `"errors"`) {
		b.Fatalf("HTTP %d %s", w.Code, w.Body)
	}
	return w.Body.Bytes()
}

func reportRate(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkHotQuery compares the same query served from the cache and executed against
// Postgres, and the overhead of a cache miss (lookup, execute, store) over plain execution.
func BenchmarkHotQuery(b *testing.B) {
	rs := redistest.Start(b)
	body := hotBody(20)

	b.Run("cached/redis", func(b *testing.B) {
		h, _ := benchHandler(b, rs.URL())
		serve(b, h, body)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			serve(b, h, body)
		}
		reportRate(b)
	})
	b.Run("cached/in-process", func(b *testing.B) {
		h, _ := benchHandler(b, "")
		serve(b, h, body)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			serve(b, h, body)
		}
		reportRate(b)
	})
	b.Run("uncached", func(b *testing.B) {
		// An agency's request bypasses the cache: plain execution against Postgres.
		h, _ := benchHandler(b, rs.URL())
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			serve(b, h, body, "Authorization", agencyToken)
		}
		reportRate(b)
	})
	b.Run("miss/redis", func(b *testing.B) {
		// Every request misses: another replica's write has replaced the epoch.
		h, _ := benchHandler(b, rs.URL())
		r, err := cache.Open(rs.URL(), cache.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close()
		writer := cache.NewResponses(r, cache.ResponseOptions{})
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			b.StopTimer()
			writer.Invalidate(context.Background())
			b.StartTimer()
			serve(b, h, body)
		}
		reportRate(b)
	})
	b.Run("redis-down", func(b *testing.B) {
		down := redistest.Start(b)
		h, r := benchHandler(b, down.URL())
		serve(b, h, body)
		down.Kill()
		serve(b, h, body) // the first failure opens the breaker
		if r.Available() {
			b.Fatal("Redis still believed up")
		}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			serve(b, h, body)
		}
		reportRate(b)
	})
}
