package resolvers_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/resolvers"
)

// nestedQuery is the page a brand's dashboard asks for: every nested field a loader serves.
const nestedQuery = `query($n: Int!) { influencers(first: $n) { nodes {
	accounts { handle } currentMcn { name }
	sanctions(first: 5) { totalCount nodes { agency { name } } }
	disclosures(first: 5) { nodes { brands { name } } } } } }`

// statements counts the SQL statements one request sends.
func statements(t *testing.T, n int) int {
	store, err := db.Open(context.Background(), dbURL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	openStore(t) // the fixture
	var count atomic.Int64
	store.OnQuery = func(string) { count.Add(1) }
	a := newAPI(t, store)
	data := a.ok(nestedQuery, map[string]any{"n": n})
	if got := len(list(data, "influencers.nodes")); got != n {
		t.Fatalf("got %d influencers, want %d", got, n)
	}
	return int(count.Load())
}

func TestBatching_StatementCountDoesNotGrowWithPageSize(t *testing.T) {
	small, large := statements(t, 10), statements(t, 50)
	t.Logf("statements: first 10 → %d, first 50 → %d", small, large)
	if large != small {
		t.Errorf("first: 50 sent %d statements, first: 10 sent %d: something loads per row", large, small)
	}
	if large > 12 {
		t.Errorf("%d statements for one page; expected a small constant", large)
	}
}

// BenchmarkNestedPage measures the whole nested page (HTTP, executor, loaders, Postgres).
func BenchmarkNestedPage(b *testing.B) {
	a := newAPIWait(b, openStore(b), resolvers.DefaultLoaderWait)
	for _, n := range []int{10, 50} {
		b.Run(fmt.Sprintf("first=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.ok(nestedQuery, map[string]any{"n": n})
			}
		})
	}
}
