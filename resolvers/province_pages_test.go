package resolvers_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kolregistry/kolregistry/server"
	"github.com/lib/pq"
)

// A province filter is a group of codes (VN-SG: VN-SG and the old VN-43, VN-57), read as one
// ordered branch per code (db.splitOneOf). Paging through the group forward and backward, in
// every ordering and on both read paths (the JSON read and the loaders), gives every row once,
// in the order Postgres gives the whole group, with true hasNextPage/hasPreviousPage.
func TestProvinceGroupPages_EveryRowOnceInOrder(t *testing.T) {
	store := openStore(t)
	// Names and creation times interleave across the codes, with ties on both.
	for i, p := range []string{"VN-43", "VN-57", "VN-SG", "VN-43", "VN-57", "VN-SG", "VN-43", "VN-SG", "VN-57", "VN-43"} {
		name := fmt.Sprintf("zzz Tỉnh nhóm %c", "ABACDBEEFA"[i])
		if _, err := store.SQL().Exec(`INSERT INTO influencer (display_name, province, created_at, updated_at)
			VALUES ($1, $2, '2024-05-01'::timestamptz + $3 * interval '1 hour', '2024-05-01')`, name, p, i%4); err != nil {
			t.Fatal(err)
		}
	}
	group := []string{"VN-43", "VN-57", "VN-SG"}
	orders := []struct{ field, dir, sql string }{
		{"DISPLAY_NAME", "ASC", `display_name COLLATE "vi-x-icu", id`},
		{"DISPLAY_NAME", "DESC", `display_name COLLATE "vi-x-icu" DESC, id DESC`},
		{"CREATED_AT", "ASC", `created_at, id`},
		{"UPDATED_AT", "DESC", `updated_at DESC, id DESC`},
	}
	paths := map[string]func(*server.Config){
		"compiled": func(*server.Config) {},
		"loaders":  func(c *server.Config) { c.UnplannedReads, c.UncompiledReads = true, true },
	}
	for name, configure := range paths {
		a := newAPIConfig(t, store, configure)
		for _, o := range orders {
			var want []string
			rows, err := store.SQL().Query(`SELECT id FROM influencer WHERE province = ANY($1) ORDER BY `+o.sql, pq.Array(group))
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				want = append(want, gid("Influencer", id))
			}
			rows.Close()
			if len(want) < 10 {
				t.Fatalf("the group holds %d influencers", len(want))
			}
			forward := walkProvincePages(t, a, o.field, o.dir, "first", "after", "endCursor", "hasNextPage", "hasPreviousPage", len(want))
			if !slices.Equal(forward, want) {
				t.Errorf("%s, %s %s forward: %d rows, want %d in SQL's order", name, o.field, o.dir, len(forward), len(want))
			}
			backward := walkProvincePages(t, a, o.field, o.dir, "last", "before", "startCursor", "hasPreviousPage", "hasNextPage", len(want))
			slices.Reverse(backward)
			if !slices.Equal(backward, want) {
				t.Errorf("%s, %s %s backward: %d rows, want %d in SQL's order", name, o.field, o.dir, len(backward), len(want))
			}
		}
	}
}

// walkProvincePages pages through the VN-SG group 7 rows at a time in one direction (first/after
// or last/before) and returns the ids in the order met; a backward page's rows are taken from its
// end. more is the pageInfo field that says a page follows, other the one that says a page precedes.
func walkProvincePages(t *testing.T, a *api, field, dir, size, cursorArg, cursorField, more, other string, total int) []string {
	t.Helper()
	var ids []string
	var cursor any
	for page := 0; page <= total/7+1; page++ {
		q := fmt.Sprintf(`query($c: String) { influencers(filter: {province: ["VN-SG"]}, orderBy: {field: %s, direction: %s}, %s: 7, %s: $c) {
			totalCount nodes { id } pageInfo { %s %s %s } } }`, field, dir, size, cursorArg, cursorField, more, other)
		data := a.ok(q, map[string]any{"c": cursor})
		if n := get(data, "influencers.totalCount"); n != float64(total) {
			t.Fatalf("totalCount %v, want %d", n, total)
		}
		nodes := get(data, "influencers.nodes").([]any)
		got := make([]string, len(nodes))
		for i, n := range nodes {
			got[i] = n.(map[string]any)["id"].(string)
		}
		if size == "last" {
			slices.Reverse(got)
		}
		ids = append(ids, got...)
		if get(data, "influencers.pageInfo."+other) != (page > 0) {
			t.Fatalf("page %d: %s is %v", page, other, get(data, "influencers.pageInfo."+other))
		}
		if get(data, "influencers.pageInfo."+more) != true {
			if len(ids) != total {
				t.Fatalf("%s is false after %d of %d rows", more, len(ids), total)
			}
			return ids
		}
		cursor = get(data, "influencers.pageInfo."+cursorField)
	}
	t.Fatalf("more than %d pages", total/7+2)
	return nil
}
