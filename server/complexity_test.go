package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolregistry/kolregistry/db"
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

// TestComplexity_EveryListReturningFieldHasAPrice walks the schema: every field that returns
// a list must be priced by its arguments (complexityRoot), be the page of a connection, or
// have a maximum in listPrices. A new list field without one fails here.
func TestComplexity_EveryListReturningFieldHasAPrice(t *testing.T) {
	es := graph.NewExecutableSchema(graph.Config{Complexity: complexityRoot()})
	c := newCoster(es)
	for _, typ := range es.Schema().Types {
		if strings.HasPrefix(typ.Name, "__") || (typ.Kind != ast.Object && typ.Kind != ast.Interface) {
			continue
		}
		for _, f := range typ.Fields {
			if f.Type.Elem == nil || strings.HasPrefix(f.Name, "__") {
				continue
			}
			if _, ok := es.Complexity(context.Background(), typ.Name, f.Name, 10, map[string]any{"ids": []any{"x"}, "first": 5}); ok {
				continue
			}
			if pricedByPage(typ.Name, f.Name) {
				continue
			}
			if n, ok := c.lists[typ.Name+"."+f.Name]; !ok || n < 1 {
				t.Errorf("%s.%s returns a list with no price: add its maximum to listPrices (and enforce it in the store)", typ.Name, f.Name)
			}
		}
	}
}

func TestComplexity_ListFieldsCostTheirMaximum(t *testing.T) {
	s := newTestServer(t, Config{ComplexityLimit: 1 << 30})
	for _, c := range []struct {
		query string
		want  int
	}{
		// influencer(1) + accounts(1 + 10 × handle(1)) = 12
		{`{ influencer(id: "SW5mbHVlbmNlcjox") { accounts { handle } } }`, 1 + 1 + db.MaxAccountsPerInfluencer*1},
		// aliases: a list of 50 strings at 1 point per 10
		{`{ influencer(id: "SW5mbHVlbmNlcjox") { aliases } }`, 1 + 1 + db.MaxAliasesPerInfluencer/10},
		// sanctions(first: 2) × (nodes(1) + relatedDisclosures(1 + 20 × (id + relatedSanctions(1 + 10 × id))))
		{`{ sanctions(first: 2) { nodes { relatedDisclosures { id relatedSanctions { id } } } } }`,
			1 + 2*(1+1+db.MaxRelatedDisclosuresPerSanction*(1+1+db.MaxSanctionsPerDisclosure*1))},
		// a fragment is priced where it is spread, each time
		{`{ a: influencer(id: "SW5mbHVlbmNlcjox") { ...F } b: influencer(id: "SW5mbHVlbmNlcjoy") { ...F } } fragment F on Influencer { credentials { title } }`,
			2 * (1 + 1 + db.MaxCredentialsPerInfluencer)},
	} {
		r := s.query(t, c.query, nil)
		if r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("%s: HTTP %d %s", c.query, r.status, truncate(r.body))
		}
		var body struct {
			Extensions struct{ Cost int } `json:"extensions"`
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil {
			t.Fatal(err)
		}
		if body.Extensions.Cost != c.want {
			t.Errorf("%s: cost %d, want %d", c.query, body.Extensions.Cost, c.want)
		}
	}
}

func TestComplexity_IntrospectionIsPricedAndChargedOnce(t *testing.T) {
	s := newTestServer(t, Config{})
	r := s.query(t, `{ __schema { types { name fields { name } } } }`, nil)
	if r.status != 200 || len(r.gql.Errors) > 0 {
		t.Fatalf("HTTP %d %s", r.status, truncate(r.body))
	}
	var body struct {
		Data struct {
			Schema struct {
				Types []struct {
					Name   string
					Fields []struct{ Name string }
				}
			} `json:"__schema"`
		}
		Extensions struct{ Cost int }
	}
	if err := json.Unmarshal([]byte(r.body), &body); err != nil {
		t.Fatal(err)
	}
	// Exactly the fields it resolved: types, and per type name and fields, and per field name.
	resolved := 1
	for _, ty := range body.Data.Schema.Types {
		resolved += 2 + len(ty.Fields)
	}
	if want := 1 + (resolved+9)/10; body.Extensions.Cost != want {
		t.Errorf("introspection cost %d, want %d (%d fields resolved)", body.Extensions.Cost, want, resolved)
	}
	r = s.query(t, `{ a: __schema { queryType { name } } b: __schema { queryType { name } } }`, nil)
	if r.code() != "COMPLEXITY_LIMIT_EXCEEDED" {
		t.Errorf("two __schema: HTTP %d %s", r.status, truncate(r.body))
	}
}

// TestComplexity_KeptCostFollowsTheVariables: a document asked again is priced from the kept
// cost only when its variables are the same; other variables are priced anew, as a server that
// never saw the document prices them.
func TestComplexity_KeptCostFollowsTheVariables(t *testing.T) {
	const q = `query($n: Int) { influencers(first: $n) { nodes { id displayName } } }`
	cost := func(s *testServer, n int) int {
		t.Helper()
		r := s.query(t, q, map[string]any{"n": n})
		if r.status != 200 || len(r.gql.Errors) > 0 {
			t.Fatalf("first %d: HTTP %d %s", n, r.status, truncate(r.body))
		}
		var body struct {
			Extensions struct{ Cost int } `json:"extensions"`
		}
		if err := json.Unmarshal([]byte(r.body), &body); err != nil {
			t.Fatal(err)
		}
		return body.Extensions.Cost
	}
	s := newTestServer(t, Config{ComplexityLimit: 1 << 30})
	for _, n := range []int{1, 50, 1, 50, 7} {
		fresh := newTestServer(t, Config{ComplexityLimit: 1 << 30})
		if got, want := cost(s, n), cost(fresh, n); got != want {
			t.Errorf("first %d: cost %d, want %d", n, got, want)
		}
	}
	if cost(s, 1) == cost(s, 50) {
		t.Errorf("first 1 and first 50 cost the same")
	}
}
