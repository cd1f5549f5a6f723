package db

import (
	"context"
	"database/sql"
	"time"

	"github.com/lib/pq"
)

// Brand is a row of brand.
type Brand struct {
	ID        int64
	Name      string
	TaxCode   *string
	Industry  *string
	Version   int
	CreatedAt time.Time
	UpdatedAt time.Time
}

const brandCols = `b.id, b.name, b.tax_code, b.industry, b.version, b.created_at, b.updated_at`

func scanBrand(sc scanner, extra ...any) (Brand, error) {
	var r Brand
	var tax, industry sql.NullString
	err := sc.Scan(append(extra, &r.ID, &r.Name, &tax, &industry, &r.Version, &r.CreatedAt, &r.UpdatedAt)...)
	r.TaxCode, r.Industry = strPtr(tax), strPtr(industry)
	return r, err
}

var brandByName = order[Brand]{name: "name", col: "b.name" + VietnameseCollation, typ: "text",
	key: func(r Brand) string { return r.Name }, id: func(r Brand) int64 { return r.ID }}

// BrandFilter narrows Brands.
type BrandFilter struct {
	Industry          []string
	HasActiveSanction *bool
}

func (f BrandFilter) query() listQuery {
	q := listQuery{from: "brand b", cols: brandCols, idCol: "b.id"}
	if len(f.Industry) > 0 {
		q.cond("b.industry = ANY(%s)", pq.Array(f.Industry))
	}
	q.hasActiveSanction(f.HasActiveSanction, "s.brand_id", "b.id")
	return q
}

// Brands returns one page of brands by name.
func (d *DB) Brands(ctx context.Context, f BrandFilter, p Page) (PageOf[Brand], error) {
	return fetchPage(ctx, d, f.query(), brandByName, p, scanBrand)
}

// CountBrands counts the brands matching f.
func (d *DB) CountBrands(ctx context.Context, f BrandFilter) (int, error) {
	return count(ctx, d, f.query())
}

// BrandsByIDs reads brands by id.
func (d *DB) BrandsByIDs(ctx context.Context, ids []int64) (map[int64]Brand, error) {
	return brandsByIDs(ctx, d, ids)
}

// brandsOfDisclosure are a disclosure's brands, by name.
var brandsOfDisclosure = childList{"disclosure_brand db JOIN brand b ON b.id = db.brand_id", "db.disclosure_id", "b.name, b.id", MaxBrandsPerDisclosure}

// BrandsByDisclosures reads the brands of many disclosures, by name.
func (d *DB) BrandsByDisclosures(ctx context.Context, ids []int64) (map[int64][]Brand, error) {
	return byParents(ctx, d, brandCols, brandsOfDisclosure, ids, scanBrand)
}

// brandsByIDs reads brands by id, with the store's reads or in a write transaction (reader).
func brandsByIDs(ctx context.Context, r reader, ids []int64) (map[int64]Brand, error) {
	return byIDs(ctx, r, brandCols, "brand b", "b.id", ids, scanBrand, func(r Brand) int64 { return r.ID })
}
