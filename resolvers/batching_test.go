package resolvers_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/resolvers"
)

// nestedQuery is the page a brand's dashboard asks for: every nested field a loader serves.
const nestedQuery = `query($n: Int!) { influencers(first: $n) { nodes {
	accounts { handle } currentMcn { name }
	sanctions(first: 5) { totalCount nodes { agency { name } } }
	disclosures(first: 5) { nodes { brands { name } } } } } }`

// statements counts the SQL statements one request sends.
func statements(t *testing.T, n int) []string {
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
	// A wide batching window: under a loaded CI machine (test packages run in parallel on two
	// cores) the 50 sibling resolvers of one level can take longer than the default to run.
	a := newAPIWait(t, store, 300*time.Millisecond)
	data := a.ok(nestedQuery, map[string]any{"n": n})
	if got := len(list(data, "influencers.nodes")); got != n {
		t.Fatalf("got %d influencers, want %d", got, n)
	}
	mu.Lock()
	defer mu.Unlock()
	return sent
}

func TestBatching_StatementCountDoesNotGrowWithPageSize(t *testing.T) {
	s, l := statements(t, 10), statements(t, 50)
	small, large := len(s), len(l)
	t.Logf("statements: first 10 → %d, first 50 → %d", small, large)
	if large != small {
		t.Errorf("first: 50 sent %d statements, first: 10 sent %d: something loads per row", large, small)
	}
	if large > 12 {
		t.Errorf("%d statements for one page; expected a small constant", large)
	}
	if t.Failed() {
		for _, q := range l {
			t.Log(truncate(q, 160))
		}
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

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
