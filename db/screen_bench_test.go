package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/kolregistry/kolregistry/resolvers"
)

// BenchmarkScreen100 screens 100 candidates at once over the search benchmark's registry
// (200,000 influencers and accounts): 25 full names, 25 handles with their platform, 25
// profile addresses and 25 people not on record, with the vetting reports of the matches, as
// the screen query and POST /screen.csv run it. docs/screening.md reports the numbers.
func BenchmarkScreen100(b *testing.B) {
	store := benchSearchStore(b)
	ctx := context.Background()
	rows, err := store.SQL().QueryContext(ctx, `SELECT i.display_name, pa.handle, pa.platform, coalesce(pa.url, '')
		FROM influencer i JOIN platform_account pa ON pa.influencer_id = i.id
		WHERE i.id % 2000 = 7 ORDER BY i.id LIMIT 75`)
	if err != nil {
		b.Fatal(err)
	}
	var cands []registry.ScreenCandidate
	for k := 0; rows.Next(); k++ {
		var name, handle, platform, url string
		if err := rows.Scan(&name, &handle, &platform, &url); err != nil {
			b.Fatal(err)
		}
		switch k % 3 {
		case 0:
			cands = append(cands, registry.ScreenCandidate{Name: name})
		case 1:
			cands = append(cands, registry.ScreenCandidate{Handle: handle, Platform: registry.Platform(platform)})
		default:
			cands = append(cands, registry.ScreenCandidate{URL: url, Name: name})
		}
	}
	rows.Close()
	for len(cands) < 100 {
		cands = append(cands, registry.ScreenCandidate{Name: fmt.Sprintf("Zzyxq Wwvvk %d", len(cands))})
	}
	day := time.Now().In(time.UTC)
	day = time.Date(day.Year(), day.Month(), day.Day()-1, 0, 0, 0, 0, time.UTC)
	if _, err := resolvers.Screen(ctx, store, cands, day, true); err != nil { // warm the cache
		b.Fatal(err)
	}
	durations := make([]time.Duration, 0, b.N)
	var decisions map[registry.ScreenDecision]int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		out, err := resolvers.Screen(ctx, store, cands, day, true)
		if err != nil {
			b.Fatal(err)
		}
		durations = append(durations, time.Since(start))
		decisions = map[registry.ScreenDecision]int{}
		for _, s := range out {
			decisions[s.Decision]++
		}
	}
	b.StopTimer()
	// The lookups alone (db.Screen: the names and the accounts statements), without vetting.
	qs, err := resolvers.ReadScreenCandidates(cands)
	if err != nil {
		b.Fatal(err)
	}
	var lookups []time.Duration
	for range 3 {
		start := time.Now()
		if _, err := store.Screen(ctx, qs); err != nil {
			b.Fatal(err)
		}
		lookups = append(lookups, time.Since(start))
	}
	b.ReportMetric(ms(percentile(lookups, 0.50)), "lookup-p50-ms")
	b.ReportMetric(ms(percentile(durations, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(durations, 0.99)), "p99-ms")
	b.Logf("100 candidates: %v", decisions)
}
