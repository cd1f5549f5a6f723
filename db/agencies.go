package db

import (
	"context"
	"database/sql"
	"time"
)

// Agency is a row of agency.
type Agency struct {
	ID           int64
	Slug         string
	Name         string
	NameEn       *string
	Kind         string
	Jurisdiction string
	Status       string
	CreatedAt    time.Time
}

const agencyCols = `g.id, g.slug, g.name, g.name_en, g.kind, g.jurisdiction, g.status, g.created_at`

func scanAgency(sc scanner, extra ...any) (Agency, error) {
	var r Agency
	var en sql.NullString
	err := sc.Scan(append(extra, &r.ID, &r.Slug, &r.Name, &en, &r.Kind, &r.Jurisdiction, &r.Status, &r.CreatedAt)...)
	r.NameEn = strPtr(en)
	return r, err
}

var agencyBySlug = order[Agency]{name: "slug", col: "g.slug", typ: "text",
	key: func(r Agency) string { return r.Slug }, id: func(r Agency) int64 { return r.ID }}

func agenciesQuery() listQuery {
	return listQuery{from: "agency g", cols: agencyCols, idCol: "g.id"}
}

// Agencies returns one page of agencies by slug.
func (d *DB) Agencies(ctx context.Context, p Page) (PageOf[Agency], error) {
	return fetchPage(ctx, d, agenciesQuery(), agencyBySlug, p, scanAgency)
}

// CountAgencies counts every agency.
func (d *DB) CountAgencies(ctx context.Context) (int, error) {
	return count(ctx, d, agenciesQuery())
}

// AgenciesByIDs reads agencies by id.
func (d *DB) AgenciesByIDs(ctx context.Context, ids []int64) (map[int64]Agency, error) {
	return agenciesByIDs(ctx, d, ids)
}

// agenciesByIDs reads agencies by id, with the store's reads or in a write transaction (reader).
func agenciesByIDs(ctx context.Context, r reader, ids []int64) (map[int64]Agency, error) {
	return byIDs(ctx, r, agencyCols, "agency g", "g.id", ids, scanAgency, func(r Agency) int64 { return r.ID })
}
