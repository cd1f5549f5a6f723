package resolvers_test

import (
	"fmt"
	"testing"
)

// walk pages through a connection with pages of size, forward (first/after) or backward
// (last/before), calling between after each page, and returns the ids in list order.
func walk(t *testing.T, a *api, field, args string, size int, backward bool, between func(page int)) (ids []string, total int) {
	t.Helper()
	query := fmt.Sprintf(`query($n: Int, $cur: String) { %s(%s first: $n, after: $cur) {
		totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, field, args)
	if backward {
		query = fmt.Sprintf(`query($n: Int, $cur: String) { %s(%s last: $n, before: $cur) {
		totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`, field, args)
	}
	var cur any
	for page := 0; ; page++ {
		data := a.ok(query, map[string]any{"n": size, "cur": cur})
		conn := get(data, field)
		total = int(get(conn, "totalCount").(float64))
		var pageIDs []string
		for _, e := range list(conn, "edges") {
			pageIDs = append(pageIDs, get(e, "node.id").(string))
		}
		if len(pageIDs) > size {
			t.Fatalf("page %d has %d rows, asked for %d", page, len(pageIDs), size)
		}
		if backward {
			ids = append(pageIDs, ids...)
			if get(conn, "pageInfo.hasPreviousPage") != true {
				return ids, total
			}
			cur = get(conn, "pageInfo.startCursor")
		} else {
			ids = append(ids, pageIDs...)
			if get(conn, "pageInfo.hasNextPage") != true {
				return ids, total
			}
			cur = get(conn, "pageInfo.endCursor")
		}
		if len(pageIDs) != size {
			t.Fatalf("page %d is short (%d rows) but says more follow", page, len(pageIDs))
		}
		if between != nil {
			between(page)
		}
	}
}

// all fetches a whole (small) filtered list in one request, in order.
func all(t *testing.T, a *api, field, args string) []string {
	t.Helper()
	data := a.ok(fmt.Sprintf(`{ %s(%s first: 100) { nodes { id } pageInfo { hasNextPage } } }`, field, args), nil)
	if get(data, field+".pageInfo.hasNextPage") == true {
		t.Fatalf("%s(%s) has more than 100 rows; narrow the filter", field, args)
	}
	var ids []string
	for _, n := range list(data, field+".nodes") {
		ids = append(ids, get(n, "id").(string))
	}
	return ids
}

func TestPagination_WalksFilteredSetsExactlyOnceBothWays(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	cases := []struct{ field, args string }{
		{"influencers", `filter: {province: "VN-SG"},`},
		{"influencers", `filter: {category: HEALTH}, orderBy: {field: CREATED_AT, direction: DESC},`},
		{"disclosures", `filter: {productCategory: COSMETICS, label: NONE, province: "VN-SG"},`},
		{"disclosures", `filter: {publishedFrom: "2025-06-02", publishedTo: "2025-06-02", province: "VN-HN"}, orderBy: {field: PUBLISHED_AT, direction: ASC},`},
		{"sanctions", `filter: {status: IN_FORCE, minFineVnd: 40000000},`},
		{"sanctions", `filter: {decidedFrom: "2025-02-01", decidedTo: "2025-03-31"}, orderBy: {field: FINE_VND, direction: DESC},`},
		{"mcns", ``},
		{"brands", `filter: {industry: COSMETICS},`},
		{"agencies", ``},
	}
	for _, c := range cases {
		t.Run(c.field+"("+c.args+")", func(t *testing.T) {
			want := all(t, a, c.field, c.args)
			if len(want) < 3 {
				t.Fatalf("filter matches only %d rows; the test needs more", len(want))
			}
			fwd, total := walk(t, a, c.field, c.args, 7, false, nil)
			if fmt.Sprint(fwd) != fmt.Sprint(want) {
				t.Errorf("forward walk differs from the single page:\n got %v\nwant %v", fwd, want)
			}
			if total != len(want) {
				t.Errorf("totalCount = %d, walked %d", total, len(want))
			}
			back, _ := walk(t, a, c.field, c.args, 7, true, nil)
			if fmt.Sprint(back) != fmt.Sprint(want) {
				t.Errorf("backward walk differs:\n got %v\nwant %v", back, want)
			}
		})
	}
}

func TestPagination_StableWhileRowsAreInserted(t *testing.T) {
	store := openStore(t)
	a := newAPI(t, store)
	// A private province so that the inserts touch only this test's filtered set.
	if _, err := store.SQL().Exec(`INSERT INTO influencer (display_name, province)
		SELECT 'Pager ' || lpad(g::text, 3, '0'), 'VN-PG' FROM generate_series(1, 40) g`); err != nil {
		t.Fatal(err)
	}
	args := `filter: {province: "VN-PG"},`
	before := all(t, a, "influencers", args)
	insert := func(name string) {
		if _, err := store.SQL().Exec(`INSERT INTO influencer (display_name, province) VALUES ($1, 'VN-PG')`, name); err != nil {
			t.Fatal(err)
		}
	}
	seen, total := walk(t, a, "influencers", args, 7, false, func(page int) {
		// One row lands before the cursor (already passed), one after it (still to come).
		insert(fmt.Sprintf("Pager 000 early %d", page))
		insert(fmt.Sprintf("Pager 999 late %d", page))
	})
	counts := map[string]int{}
	for _, id := range seen {
		counts[id]++
	}
	for id, n := range counts {
		if n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
	for _, id := range before {
		if counts[id] != 1 {
			t.Errorf("row %s present before the walk was not seen", id)
		}
	}
	if want := len(all(t, a, "influencers", args)); total > want {
		t.Errorf("totalCount %d exceeds the rows there are (%d)", total, want)
	}
	// Every "late" row was inserted after the cursor, so the walk must have reached all of them.
	data := a.ok(`{ influencers(filter: {province: "VN-PG"}, orderBy: {field: DISPLAY_NAME, direction: DESC}, first: 10) { nodes { id displayName } } }`, nil)
	for _, n := range list(data, "influencers.nodes") {
		name := get(n, "displayName").(string)
		if len(name) > 9 && name[:9] == "Pager 999" && counts[get(n, "id").(string)] != 1 {
			t.Errorf("row %q inserted ahead of the cursor was not seen", name)
		}
	}
}

func TestPagination_RejectsBadArguments(t *testing.T) {
	a := newAPI(t, openStore(t))
	cases := []struct{ name, query string }{
		{"first 0", `{ influencers(first: 0) { totalCount } }`},
		{"first 101", `{ influencers(first: 101) { totalCount } }`},
		{"last -1", `{ sanctions(last: -1) { totalCount } }`},
		{"first and last", `{ sanctions(first: 5, last: 5) { totalCount } }`},
		{"malformed cursor", `{ influencers(after: "garbage") { totalCount } }`},
		{"cursor of another ordering", ""},
		{"nested first 101", `{ influencers(first: 1) { nodes { sanctions(first: 101) { totalCount } } } }`},
		{"malformed id", `{ influencer(id: "!!!") { id } }`},
		{"malformed id in a filter", `{ disclosures(filter: {brandId: "nope"}) { totalCount } }`},
		{"id of the wrong type in a filter", ""},
		{"inverted date range", `{ sanctions(filter: {decidedFrom: "2025-05-01", decidedTo: "2025-01-01"}) { totalCount } }`},
		{"malformed date", `{ sanctions(filter: {decidedFrom: "01/05/2025"}) { totalCount } }`},
		{"fine beyond 2^53", `{ sanctions(filter: {minFineVnd: 9007199254740993}) { totalCount } }`},
		{"unknown enum value", `{ disclosures(filter: {label: SPONSORED}) { totalCount } }`},
	}
	// Cases that need a real cursor or ID.
	data := a.ok(`{ influencers(first: 1) { pageInfo { endCursor } nodes { id } } }`, nil)
	cases[5].query = fmt.Sprintf(`{ influencers(first: 1, orderBy: {field: CREATED_AT, direction: ASC}, after: %q) { totalCount } }`,
		get(data, "influencers.pageInfo.endCursor"))
	cases[9].query = fmt.Sprintf(`{ disclosures(filter: {brandId: %q}) { totalCount } }`, get(data, "influencers.nodes.0.id"))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := a.do(c.query, nil)
			if r.code() != "BAD_USER_INPUT" && r.code() != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("code = %q, want BAD_USER_INPUT; errors: %+v", r.code(), r.Errors)
			}
		})
	}
	// The endpoint keeps serving.
	a.ok(`{ influencers(first: 1) { totalCount } }`, nil)
}
