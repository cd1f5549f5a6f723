package resolvers_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/resolvers"
	"github.com/kolregistry/kolregistry/server"
)

// nestedQuery is the page a brand's dashboard asks for: every nested field a loader serves.
const nestedQuery = `query($n: Int!) { influencers(first: $n) { nodes {
	accounts { handle } currentMcn { name }
	sanctions(first: 5) { totalCount nodes { agency { name } } }
	disclosures(first: 5) { nodes { brands { name } } } } } }`

// statements returns the SQL statements one request sends, the fewest of three tries: batching
// works in time windows, and on a loaded machine (test packages run in parallel on two cores) a
// window can close before every sibling resolver has asked, splitting one batch in two. A split
// only ever adds statements, so the fewest is what the code itself sends.
func statements(t *testing.T, n int, unplanned bool) []string {
	return statementsOf(t, nestedQuery, n, func(c *server.Config) {
		c.LoaderWait, c.UnplannedReads, c.UncompiledReads = 100*time.Millisecond, unplanned, true
	})
}

// compiledNestedQuery is nestedQuery without currentMcn, which the compiled path leaves to the
// planned one (its rule lives in registry/, in Go).
const compiledNestedQuery = `query($n: Int!) { influencers(first: $n) { nodes {
	accounts { handle }
	sanctions(first: 5) { totalCount nodes { agency { name } } }
	disclosures(first: 5) { nodes { brands { name } } } } } }`

// TestBatching_CompiledIsOneStatement: the compiled path (resolvers/compile.go) reads the
// nested page in one statement, whatever its size.
func TestBatching_CompiledIsOneStatement(t *testing.T) {
	for _, n := range []int{10, 50} {
		sent := statementsOf(t, compiledNestedQuery, n, func(*server.Config) {})
		if len(sent) != 1 || !strings.Contains(sent[0], "json_build_object") {
			t.Errorf("first: %d sent %d statements, want the one compiled statement", n, len(sent))
			for _, q := range sent {
				t.Log(truncate(q, 160))
			}
		}
	}
}

func statementsOf(t *testing.T, query string, n int, configure func(*server.Config)) []string {
	store, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	openStore(t) // the fixture
	var mu sync.Mutex
	var sent []string
	store.OnQuery = func(q string) {
		mu.Lock()
		defer mu.Unlock()
		sent = append(sent, strings.Join(strings.Fields(q), " "))
	}
	a := newAPIConfig(t, store, configure)
	var fewest []string
	for try := 0; try < 3; try++ {
		mu.Lock()
		sent = nil
		mu.Unlock()
		data := a.ok(query, map[string]any{"n": n})
		if got := len(list(data, "influencers.nodes")); got != n {
			t.Fatalf("got %d influencers, want %d", got, n)
		}
		mu.Lock()
		if fewest == nil || len(sent) < len(fewest) {
			fewest = sent
		}
		mu.Unlock()
	}
	return fewest
}

// TestBatching_StatementCountDoesNotGrowWithPageSize, on the loader path and on the planned
// path (resolvers/plan.go), which sends the same statements before the resolvers ask.
func TestBatching_StatementCountDoesNotGrowWithPageSize(t *testing.T) {
	for _, path := range []struct {
		name      string
		unplanned bool
	}{{"loaders", true}, {"planned", false}} {
		t.Run(path.name, func(t *testing.T) {
			s, l := statements(t, 10, path.unplanned), statements(t, 50, path.unplanned)
			t.Logf("statements: first 10 → %d, first 50 → %d", len(s), len(l))
			// Per-row loading would send one statement per influencer (50+ at first: 50); the same
			// statement kinds at both sizes, and a total far below the page size, means batches.
			if len(l) > 12 {
				t.Errorf("first: 50 sent %d statements; expected a small constant", len(l))
			}
			if small, large := kinds(s), kinds(l); !slices.Equal(small, large) {
				t.Errorf("statement kinds differ between first: 10 (%d) and first: 50 (%d)", len(small), len(large))
			}
			if t.Failed() {
				for _, q := range l {
					t.Log(truncate(q, 160))
				}
			}
		})
	}
}

// TestBatching_PlannedSendsNoMoreThanLoaders: looking ahead adds no statement.
func TestBatching_PlannedSendsNoMoreThanLoaders(t *testing.T) {
	loaders, planned := statements(t, 50, true), statements(t, 50, false)
	if len(planned) > len(loaders) {
		t.Errorf("planned path sent %d statements, loader path %d", len(planned), len(loaders))
		for _, q := range planned {
			t.Log(truncate(q, 160))
		}
	}
}

// kinds is the sorted set of distinct statements, numbers (inlined limits) aside: a batch split
// by timing repeats a kind.
func kinds(stmts []string) []string {
	digits := regexp.MustCompile(`[0-9]+`)
	out := make([]string, len(stmts))
	for i, q := range stmts {
		out[i] = digits.ReplaceAllString(q, "N")
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// BenchmarkNestedPage measures the whole nested page (HTTP, executor, loaders, Postgres) on
// the compiled read path (resolvers/compile.go), the planned one (resolvers/plan.go) and the
// loaders (docs/performance.md).
func BenchmarkNestedPage(b *testing.B) {
	store := openStore(b)
	for _, path := range []struct {
		name                  string
		unplanned, uncompiled bool
		query                 string
	}{{"compiled", false, false, compiledNestedQuery}, {"planned", false, true, compiledNestedQuery}, {"loaders", true, true, compiledNestedQuery}} {
		a := newAPIConfig(b, store, func(c *server.Config) {
			c.LoaderWait, c.UnplannedReads, c.UncompiledReads = resolvers.DefaultLoaderWait, path.unplanned, path.uncompiled
		})
		for _, n := range []int{10, 50} {
			b.Run(fmt.Sprintf("%s/first=%d", path.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					a.ok(path.query, map[string]any{"n": n})
				}
			})
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
