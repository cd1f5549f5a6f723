package db

import (
	"context"
	"database/sql"
)

// reader runs one read for the store's read code (byIDs, byParents): the store's own reads
// (DB.query: routed to a replica or the primary, under the statement timeout, prepared), or a
// write transaction's, so that a write reads the records it checks with the same code as the
// API, inside its transaction.
type reader interface {
	query(ctx context.Context, q string, args ...any) (*sql.Rows, context.CancelFunc, error)
}

// query runs a read in the write transaction.
func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, context.CancelFunc, error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	return rows, func() {}, err
}

// BrandsByIDs reads brands by id in the transaction, with the store's read code; missing ids are
// absent from the map.
func (tx *Tx) BrandsByIDs(ctx context.Context, ids []int64) (map[int64]Brand, error) {
	return brandsByIDs(ctx, tx, ids)
}

// InfluencersByIDs reads influencers by id in the transaction, with the store's read code; missing ids are
// absent from the map.
func (tx *Tx) InfluencersByIDs(ctx context.Context, ids []int64) (map[int64]Influencer, error) {
	return influencersByIDs(ctx, tx, ids)
}

// McnsByIDs reads mcns by id in the transaction, with the store's read code; missing ids are
// absent from the map.
func (tx *Tx) McnsByIDs(ctx context.Context, ids []int64) (map[int64]Mcn, error) {
	return mcnsByIDs(ctx, tx, ids)
}

// AgenciesByIDs reads agencies by id in the transaction, with the store's read code; missing ids are
// absent from the map.
func (tx *Tx) AgenciesByIDs(ctx context.Context, ids []int64) (map[int64]Agency, error) {
	return agenciesByIDs(ctx, tx, ids)
}

// SanctionsByIDs reads sanctions by id in the transaction, with the store's read code; missing ids are
// absent from the map.
func (tx *Tx) SanctionsByIDs(ctx context.Context, ids []int64) (map[int64]Sanction, error) {
	return sanctionsByIDs(ctx, tx, ids)
}

// ViolationsBySanctions reads the violations of sanctions in the transaction, with the loaders'
// read (in the order recorded).
func (tx *Tx) ViolationsBySanctions(ctx context.Context, ids []int64) (map[int64][]Violation, error) {
	return violationsBySanctions(ctx, tx, ids)
}

// AffiliationsByInfluencers reads the affiliations of influencers in the transaction, with the
// loaders' read (newest first).
func (tx *Tx) AffiliationsByInfluencers(ctx context.Context, ids []int64) (map[int64][]Affiliation, error) {
	return affiliationsByInfluencers(ctx, tx, ids)
}

// byID reads record id with read (one of a Tx's by-id reads) and says whether it exists.
func byID[T any](ctx context.Context, read func(context.Context, []int64) (map[int64]T, error), id int64) (T, bool, error) {
	m, err := read(ctx, []int64{id})
	r, ok := m[id]
	return r, ok, err
}

// ofParent reads the child rows of parent with read (one of a Tx's by-parent reads).
func ofParent[T any](ctx context.Context, read func(context.Context, []int64) (map[int64][]T, error), parent int64) ([]T, error) {
	m, err := read(ctx, []int64{parent})
	return m[parent], err
}
