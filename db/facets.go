package db

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/kolregistry/kolregistry/registry"
)

// Facets answer a journalist's first question about a filtered list, "how many, of what kind":
// counts of the rows matching the same filter as the connection, grouped by one dimension at a
// time. Each is one statement: GROUPING SETS over the filter's WHERE (the filter builders of
// sanctions.go and disclosures.go, never a copy of them).

// FacetCount is how many rows have one value of a dimension (the value as text: an enum value,
// a year, or a row id).
type FacetCount struct {
	Value string
	Count int
	// SumVnd is the sum of the fines of those rows, where the dimension gives one.
	SumVnd int64
}

// SanctionFacets are the counts of the sanctions matching a filter by dimension. Every list
// is ordered by count, largest first, then by value. Standing, Execution and Province carry
// the sum of the fines too (FacetCount.SumVnd).
type SanctionFacets struct {
	// Category counts a sanction once under each violation category it cites.
	Category  []FacetCount
	Status    []FacetCount
	Standing  []FacetCount
	Execution []FacetCount
	Agency    []FacetCount // Value is the agency id
	Year      []FacetCount // year of decided_on
	// Province is by the subject's province, each code under its successor among the 34
	// (registry.SuccessorProvince); brands have none.
	Province []FacetCount
	// TotalFineVnd sums the fines of all the matching sanctions.
	TotalFineVnd int64
}

// FacetSanctions counts the sanctions matching f by category, status, standing, execution,
// agency, year and province, and sums their fines.
func (d *DB) FacetSanctions(ctx context.Context, f SanctionFilter) (SanctionFacets, error) {
	q := f.query()
	// One scan of the filtered set (f), one small GROUP BY per dimension.
	stmt := fmt.Sprintf(`WITH f AS MATERIALIZED (
	SELECT s.id, s.status, s.standing, s.execution, s.agency_id, extract(year FROM s.decided_on)::int AS year, s.fine_vnd,
	       coalesce((SELECT i.province FROM influencer i WHERE i.id = s.influencer_id),
	                (SELECT m.province FROM mcn m WHERE m.id = s.mcn_id)) AS province
	  FROM %s WHERE %s)
SELECT 'status', status, count(*), sum(fine_vnd) FROM f GROUP BY status
UNION ALL SELECT 'standing', standing, count(*), sum(fine_vnd) FROM f GROUP BY standing
UNION ALL SELECT 'execution', execution, count(*), sum(fine_vnd) FROM f GROUP BY execution
UNION ALL SELECT 'agency', agency_id::text, count(*), sum(fine_vnd) FROM f GROUP BY agency_id
UNION ALL SELECT 'year', year::text, count(*), sum(fine_vnd) FROM f GROUP BY year
UNION ALL SELECT 'province', province, count(*), sum(fine_vnd) FROM f WHERE province IS NOT NULL GROUP BY province
UNION ALL SELECT 'total', '', count(*), coalesce(sum(fine_vnd), 0) FROM f
UNION ALL SELECT 'category', v.category, count(DISTINCT f.id), 0
  FROM f JOIN sanction_violation v ON v.sanction_id = f.id GROUP BY v.category
ORDER BY 1, 3 DESC, 2`, q.from, q.whereSQL())
	var out SanctionFacets
	var total, province []FacetCount
	err := d.facetRows(ctx, stmt, q.args, map[string]*[]FacetCount{
		"category": &out.Category, "status": &out.Status, "standing": &out.Standing, "execution": &out.Execution,
		"agency": &out.Agency, "year": &out.Year, "province": &province, "total": &total,
	})
	if len(total) == 1 {
		out.TotalFineVnd = total[0].SumVnd
	}
	out.Province = successorCounts(province)
	return out, err
}

// successorCounts merges counts by province code into counts by the code's successor among the
// 34 units, ordered by count, largest first, then by code.
func successorCounts(cs []FacetCount) []FacetCount {
	out := []FacetCount{}
	at := map[string]int{}
	for _, c := range cs {
		s := registry.SuccessorProvince(c.Value)
		i, ok := at[s]
		if !ok {
			i, at[s] = len(out), len(out)
			out = append(out, FacetCount{Value: s})
		}
		out[i].Count += c.Count
		out[i].SumVnd += c.SumVnd
	}
	slices.SortFunc(out, func(a, b FacetCount) int { return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(a.Value, b.Value)) })
	return out
}

// DisclosureFacets are the counts of the disclosures matching a filter by dimension, ordered
// by count, largest first, then by value.
type DisclosureFacets struct {
	Label           []FacetCount
	Platform        []FacetCount
	ProductCategory []FacetCount
	Year            []FacetCount // year of published_at in Vietnam time
}

// FacetDisclosures counts the disclosures matching f by label, platform, product category and year.
func (d *DB) FacetDisclosures(ctx context.Context, f DisclosureFilter) (DisclosureFacets, error) {
	q := f.query()
	// GROUPING(label, platform, product_category, year): 7 = by label, 11 = by platform,
	// 13 = by product category, 14 = by year.
	stmt := fmt.Sprintf(`WITH f AS (
	SELECT d.label, d.platform, d.product_category,
	       extract(year FROM d.published_at AT TIME ZONE INTERVAL '+07:00')::int AS year FROM %s WHERE %s)
SELECT CASE GROUPING(label, platform, product_category, year)
         WHEN 7 THEN 'label' WHEN 11 THEN 'platform' WHEN 13 THEN 'productCategory' ELSE 'year' END,
       COALESCE(label, platform, product_category, year::text), count(*)
  FROM f GROUP BY GROUPING SETS ((label), (platform), (product_category), (year))
ORDER BY 1, 3 DESC, 2`, q.from, q.whereSQL())
	var out DisclosureFacets
	err := d.facetRows(ctx, stmt, q.args, map[string]*[]FacetCount{
		"label": &out.Label, "platform": &out.Platform, "productCategory": &out.ProductCategory, "year": &out.Year,
	})
	return out, err
}

// FacetDisclosureBrands returns the n brands named by most of the disclosures matching f (a
// disclosure counts once under each brand it names), largest count first, then by brand id.
func (d *DB) FacetDisclosureBrands(ctx context.Context, f DisclosureFilter, n int) ([]FacetCount, error) {
	q := f.query()
	limit := q.arg(n)
	stmt := fmt.Sprintf(`SELECT 'brand', xb.brand_id::text, count(*)
  FROM %s JOIN disclosure_brand xb ON xb.disclosure_id = %s WHERE %s
 GROUP BY xb.brand_id ORDER BY 3 DESC, xb.brand_id LIMIT %s`, q.from, q.idCol, q.whereSQL(), limit)
	var out []FacetCount
	err := d.facetRows(ctx, stmt, q.args, map[string]*[]FacetCount{"brand": &out})
	return out, err
}

// facetRows reads (dimension, value, count) rows into the lists of dims.
func (d *DB) facetRows(ctx context.Context, stmt string, args []any, dims map[string]*[]FacetCount) error {
	rows, cancel, err := d.query(ctx, stmt, args...)
	if err != nil {
		return err
	}
	defer cancel()
	defer rows.Close()
	for _, l := range dims {
		*l = []FacetCount{}
	}
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		var dim string
		var c FacetCount
		dest := []any{&dim, &c.Value, &c.Count}
		if len(cols) == 4 {
			dest = append(dest, &c.SumVnd)
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		l, ok := dims[dim]
		if !ok {
			return fmt.Errorf("facet of unknown dimension %q", dim)
		}
		*l = append(*l, c)
	}
	return rows.Err()
}
