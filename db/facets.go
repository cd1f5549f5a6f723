package db

import (
	"context"
	"fmt"
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
}

// SanctionFacets are the counts of the sanctions matching a filter by dimension. Every list
// is ordered by count, largest first, then by value.
type SanctionFacets struct {
	// Category counts a sanction once under each violation category it cites.
	Category []FacetCount
	Status   []FacetCount
	Agency   []FacetCount // Value is the agency id
	Year     []FacetCount // year of decided_on
}

// FacetSanctions counts the sanctions matching f by category, status, agency and year.
func (d *DB) FacetSanctions(ctx context.Context, f SanctionFilter) (SanctionFacets, error) {
	q := f.query()
	// GROUPING(status, agency_id, year) is a bit mask of the columns a row is NOT grouped by,
	// status being the high bit: 3 = by status, 5 = by agency, 6 = by year.
	stmt := fmt.Sprintf(`WITH f AS (
	SELECT s.id, s.status, s.agency_id, extract(year FROM s.decided_on)::int AS year FROM %s WHERE %s)
SELECT CASE GROUPING(status, agency_id, year) WHEN 3 THEN 'status' WHEN 5 THEN 'agency' ELSE 'year' END,
       COALESCE(status, agency_id::text, year::text), count(*)
  FROM f GROUP BY GROUPING SETS ((status), (agency_id), (year))
UNION ALL
SELECT 'category', v.category, count(DISTINCT f.id)
  FROM f JOIN sanction_violation v ON v.sanction_id = f.id GROUP BY v.category
ORDER BY 1, 3 DESC, 2`, q.from, q.whereSQL())
	var out SanctionFacets
	err := d.facetRows(ctx, stmt, q.args, map[string]*[]FacetCount{
		"category": &out.Category, "status": &out.Status, "agency": &out.Agency, "year": &out.Year,
	})
	return out, err
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
	for rows.Next() {
		var dim string
		var c FacetCount
		if err := rows.Scan(&dim, &c.Value, &c.Count); err != nil {
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
