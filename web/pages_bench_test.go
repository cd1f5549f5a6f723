package web_test

import (
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/cache"
	"github.com/kolregistry/kolregistry/cache/redistest"
	"github.com/kolregistry/kolregistry/server"
)

// BenchmarkPages measures the three main pages served from the response cache (Redis, as in
// production) and rendered from Postgres (cache off), reporting p50 and p99 per request. The
// target is p99 ≤ 30 ms cached (docs/pages.md).
func BenchmarkPages(b *testing.B) {
	rs := redistest.Start(b)
	s := newSite(b)
	d := s.gql(`{ sanctions(first: 1, filter: { active: true }) { nodes { url subject { ... on Influencer { url } } } } }`)
	paths := map[string]string{
		"home":     "/",
		"sanction": str(at(d, "sanctions", "nodes", 0, "url"))[len(s.srv.URL):],
		"profile":  str(at(d, "sanctions", "nodes", 0, "subject", "url"))[len(s.srv.URL):],
	}
	for _, mode := range []string{"cached", "uncached"} {
		var h http.Handler
		newSite(b, func(c *server.Config) {
			if mode == "cached" {
				r, err := cache.Open(rs.URL(), cache.Options{ProbeInterval: time.Hour})
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { r.Close() })
				c.Redis = r
			} else {
				c.NoResponseCache = true
			}
		}).capture(&h)
		for _, name := range []string{"home", "profile", "sanction"} {
			b.Run(mode+"/"+name, func(b *testing.B) {
				get := func() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, paths[name], nil))
					if w.Code != 200 {
						b.Fatalf("%s: %d", paths[name], w.Code)
					}
				}
				get() // fills the cache
				var lat []time.Duration
				b.ResetTimer()
				for b.Loop() {
					t0 := time.Now()
					get()
					lat = append(lat, time.Since(t0))
				}
				sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
				b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
				b.ReportMetric(ms(lat[(len(lat)*99)/100]), "p99-ms")
			})
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
