package server

import (
	"fmt"
	"testing"
)

// TestFacets_AgreeWithTotalCount checks every facet count against the API itself: the count
// of a value equals totalCount of the same filter narrowed to that value, and the counts of a
// dimension that partitions the set add up to totalCount.
func TestFacets_AgreeWithTotalCount(t *testing.T) {
	s := newFixtureServer(t, "server_facets", exportFixture)
	agencies := nodeIDs(s.data(t, `{ agencies(first: 3) { nodes { id } } }`, nil)["agencies"].(map[string]any))

	count := func(t *testing.T, list, filterType string, f map[string]any) int {
		q := fmt.Sprintf(`query($f: %s) { %s(filter: $f, first: 1) { totalCount } }`, filterType, list)
		return int(s.data(t, q, map[string]any{"f": f})[list].(map[string]any)["totalCount"].(float64))
	}
	// with narrows f to k = v; when f already filters on k, v is one of its values (a facet
	// only lists values that occur), so replacing the list is the same as intersecting it.
	with := func(f map[string]any, k string, v any) map[string]any {
		out := map[string]any{}
		for k2, v2 := range f {
			out[k2] = v2
		}
		out[k] = []any{v}
		return out
	}
	type dim struct {
		name, filterField, valueKey string
		partition                   bool
	}
	check := func(t *testing.T, list, filterType string, f map[string]any, facets map[string]any, total int, dims []dim) {
		for _, d := range dims {
			items := facets[d.name].([]any)
			sum, prev := 0, -1
			for _, it := range items {
				m := it.(map[string]any)
				n := int(m["count"].(float64))
				if n <= 0 || (prev >= 0 && n > prev) {
					t.Errorf("%s facet %s: counts not positive and descending: %v", list, d.name, items)
				}
				prev = n
				sum += n
				var v any
				switch d.valueKey {
				case "year":
					y := int(m["year"].(float64))
					if list == "sanctions" {
						v = map[string]any{"decidedFrom": fmt.Sprintf("%d-01-01", y), "decidedTo": fmt.Sprintf("%d-12-31", y)}
					} else {
						v = map[string]any{"publishedFrom": fmt.Sprintf("%d-01-01", y), "publishedTo": fmt.Sprintf("%d-12-31", y)}
					}
				case "agency", "brand":
					v = m[d.valueKey].(map[string]any)["id"]
				default:
					v = m["value"]
				}
				var narrowed map[string]any
				if r, ok := v.(map[string]any); ok {
					narrowed = map[string]any{}
					for k, x := range f {
						narrowed[k] = x
					}
					for k, x := range r {
						narrowed[k] = x
					}
				} else {
					narrowed = with(f, d.filterField, v)
				}
				if want := count(t, list, filterType, narrowed); n != want {
					t.Errorf("%s facet %s %v: count %d, totalCount of %v is %d", list, d.name, v, n, narrowed, want)
				}
			}
			if d.partition && sum != total {
				t.Errorf("%s facet %s adds up to %d, totalCount %d", list, d.name, sum, total)
			}
			if total > 0 && len(items) == 0 {
				t.Errorf("%s facet %s is empty for %d rows", list, d.name, total)
			}
		}
	}

	sanctionDims := []dim{{"category", "violation", "value", false}, {"status", "status", "value", true},
		{"agency", "agencyId", "agency", true}, {"year", "", "year", true}}
	for i, f := range []map[string]any{
		{},
		{"active": true},
		{"agencyId": []string{agencies[1]}, "minFineVnd": 20000000},
		{"province": []string{"VN-SG"}},
	} {
		t.Run(fmt.Sprintf("sanctions/%d", i), func(t *testing.T) {
			d := s.data(t, `query($f: SanctionFilter) { sanctions(filter: $f, first: 1) { totalCount facets {
				category { value count } status { value count } agency { agency { id slug } count } year { year count } } } }`,
				map[string]any{"f": f})["sanctions"].(map[string]any)
			total := int(d["totalCount"].(float64))
			if total == 0 {
				t.Fatalf("filter %v matches nothing", f)
			}
			check(t, "sanctions", "SanctionFilter", f, d["facets"].(map[string]any), total, sanctionDims)
		})
	}

	disclosureDims := []dim{{"label", "label", "value", true}, {"platform", "platform", "value", true},
		{"productCategory", "productCategory", "value", true}, {"year", "", "year", true}, {"brand", "brandId", "brand", false}}
	for i, f := range []map[string]any{
		{},
		{"label": []string{"NONE", "AMBIGUOUS"}},
		{"agencyId": []string{agencies[0]}, "province": []string{"VN-HN"}},
	} {
		t.Run(fmt.Sprintf("disclosures/%d", i), func(t *testing.T) {
			// The year facet is in Vietnam time, as publishedFrom/To are: the fixture publishes on
			// New Year's night in Hanoi (still 2024 in UTC), so a UTC year would disagree.
			d := s.data(t, `query($f: DisclosureFilter) { disclosures(filter: $f, first: 1) { totalCount facets {
				label { value count } platform { value count } productCategory { value count } year { year count }
				brand(first: 100) { brand { id name } count } } } }`, map[string]any{"f": f})["disclosures"].(map[string]any)
			total := int(d["totalCount"].(float64))
			if total == 0 {
				t.Fatalf("filter %v matches nothing", f)
			}
			check(t, "disclosures", "DisclosureFilter", f, d["facets"].(map[string]any), total, disclosureDims)
		})
	}

	t.Run("nested and limits", func(t *testing.T) {
		d := s.data(t, `{ influencers(first: 1, filter: {hasActiveSanction: true}) { nodes { id
			sanctions(first: 1) { totalCount facets { status { value count } } }
			disclosures(first: 1) { totalCount facets { brand(first: 1) { count } } } } } }`, nil)
		inf := d["influencers"].(map[string]any)["nodes"].([]any)[0].(map[string]any)
		sc := inf["sanctions"].(map[string]any)
		sum := 0
		for _, it := range sc["facets"].(map[string]any)["status"].([]any) {
			sum += int(it.(map[string]any)["count"].(float64))
		}
		if want := int(sc["totalCount"].(float64)); sum != want {
			t.Errorf("nested sanction facets add up to %d, totalCount %d", sum, want)
		}
		brands := inf["disclosures"].(map[string]any)["facets"].(map[string]any)["brand"].([]any)
		if len(brands) != 1 {
			t.Errorf("brand(first: 1) gave %d brands", len(brands))
		}
		r := s.query(t, `{ disclosures(first: 1) { facets { brand(first: 0) { count } } } }`, nil)
		if r.code() != "BAD_USER_INPUT" {
			t.Errorf("brand(first: 0): %s", r.body)
		}
	})
}
