package server

import (
	"context"
	"testing"

	"github.com/kolregistry/kolregistry/graph"
)

func TestComplexity_ConnectionCostsPageSizeTimesSelection(t *testing.T) {
	n := func(v int) *int { return &v }
	for _, c := range []struct {
		name        string
		first, last *int
		child, want int
	}{
		{"default page of 20", nil, nil, 3, 1 + 20*3},
		{"first", n(100), nil, 3, 1 + 100*3},
		{"last", nil, n(7), 3, 1 + 7*3},
		{"both: the larger", n(5), n(50), 2, 1 + 50*2},
		{"out of range is clamped high", n(1_000_000), nil, 2, 1 + 100*2},
		{"out of range is clamped low", n(-5), nil, 2, 1 + 1*2},
		{"empty selection still costs", n(10), nil, 0, 1 + 10*1},
		{"saturates instead of overflowing", n(100), nil, complexityCap, complexityCap},
	} {
		if got := page(c.child, c.first, c.last); got != c.want {
			t.Errorf("%s: page(%d, %v, %v) = %d, want %d", c.name, c.child, c.first, c.last, got, c.want)
		}
	}
}

func TestComplexity_NestedConnectionsMultiply(t *testing.T) {
	s := newTestServer(t, Config{ComplexityLimit: 1 << 30})
	// Every level of nesting multiplies: 100 influencers × 100 disclosures × a brand list.
	r := s.query(t, `{ influencers(first: 100) { nodes { disclosures(first: 100) { nodes { brands { name } } } } } }`, nil)
	if r.status != 200 || len(r.gql.Errors) > 0 {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	deep := `{ influencers(first: 100) { nodes { disclosures(first: 100) { nodes { brands { sanctions(first: 100) { nodes { agency { sanctions(first: 100) { nodes { agency { sanctions(first: 100) { nodes { agency { sanctions(first: 100) { nodes { agency { sanctions(first: 100) { nodes { id } } } } } } } } } } } } } } } } } } } }`
	s2 := newTestServer(t, Config{})
	r = s2.query(t, deep, nil)
	if r.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("a deeply nested query must saturate, not overflow past the limit: HTTP %d %s", r.status, truncate(r.body))
	}
}

// TestComplexity_EveryListFieldIsPriced walks the schema: a field that takes first: (a
// connection) or ids: must multiply its selection, or one request could fetch far more rows
// than its cost admits. A new connection field without a price fails here.
func TestComplexity_EveryListFieldIsPriced(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Complexity: complexityRoot()})
	const child, n = 10, 50
	ids := make([]any, n)
	for i := range ids {
		ids[i] = "x"
	}
	for _, typ := range es.Schema().Types {
		for _, f := range typ.Fields {
			var args map[string]any
			switch {
			case f.Arguments.ForName("first") != nil:
				args = map[string]any{"first": n}
			case f.Arguments.ForName("ids") != nil:
				args = map[string]any{"ids": ids}
			default:
				continue
			}
			got, ok := es.Complexity(context.Background(), typ.Name, f.Name, child, args)
			if !ok || got < n*child {
				t.Errorf("%s.%s costs %d (priced: %v), want at least %d: set it in complexityRoot", typ.Name, f.Name, got, ok, n*child)
			}
		}
	}
}
