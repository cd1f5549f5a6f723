package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"

	"github.com/kolregistry/kolregistry/registry"
)

// loadCatalogue reads the legal catalogue (migrations 0030 on) with q: the store's pool, or the
// transaction of a write so the check sees the same snapshot as the write.
func loadCatalogue(ctx context.Context, q querier) (registry.Catalogue, error) {
	cat := registry.Catalogue{Instruments: map[string]registry.Instrument{}}
	rows, err := q.QueryContext(ctx, `SELECT number, kind, title_vi, title_en, in_force_from, in_force_to, amends,
			amending_only, sanctioning, max_fine_individual, max_fine_organisation, cap_article FROM legal_instrument ORDER BY number`)
	if err != nil {
		return cat, fmt.Errorf("read legal instruments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var in registry.Instrument
		var to sql.NullTime
		var capI, capO, capArticle sql.NullInt64
		if err := rows.Scan(&in.Number, &in.Kind, &in.TitleVi, &in.TitleEn, &in.InForceFrom, &to, pq.Array(&in.Amends),
			&in.AmendingOnly, &in.Sanctioning, &capI, &capO, &capArticle); err != nil {
			return cat, fmt.Errorf("read legal instruments: %w", err)
		}
		in.InForceTo = timePtr(to)
		if capI.Valid && capO.Valid && capArticle.Valid {
			in.Cap = &registry.FineCap{Individual: capI.Int64, Organisation: capO.Int64, Article: int(capArticle.Int64)}
		}
		cat.Instruments[in.Number] = in
	}
	if err := rows.Err(); err != nil {
		return cat, fmt.Errorf("read legal instruments: %w", err)
	}
	prows, err := q.QueryContext(ctx, `SELECT instrument, article, clause, amended_by, summary_vi, summary_en,
			min_fine_individual, max_fine_individual, min_fine_organisation, max_fine_organisation, warning_allowed
		FROM sanctioning_provision ORDER BY instrument, article, clause NULLS FIRST`)
	if err != nil {
		return cat, fmt.Errorf("read sanctioning provisions: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var p registry.Provision
		var clause, minI, maxI, minO, maxO sql.NullInt64
		var amended sql.NullString
		if err := prows.Scan(&p.Instrument, &p.Article, &clause, &amended, &p.SummaryVi, &p.SummaryEn,
			&minI, &maxI, &minO, &maxO, &p.WarningAllowed); err != nil {
			return cat, fmt.Errorf("read sanctioning provisions: %w", err)
		}
		if clause.Valid {
			c := int(clause.Int64)
			p.Clause = &c
		}
		p.AmendedBy = strPtr(amended)
		p.Individual, p.Organisation = fineRange(minI, maxI), fineRange(minO, maxO)
		cat.Provisions = append(cat.Provisions, p)
	}
	return cat, prows.Err()
}

func fineRange(lo, hi sql.NullInt64) *registry.FineRange {
	if !lo.Valid || !hi.Valid {
		return nil
	}
	return &registry.FineRange{Min: lo.Int64, Max: hi.Int64}
}

// Catalogue reads the legal catalogue.
func (d *DB) Catalogue(ctx context.Context) (registry.Catalogue, error) {
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	return loadCatalogue(ctx, d.reader(ctx))
}

// catalogueProblems turns the catalogue's refusals into user errors of the input.
func (c *checks) catalogueProblems(ps []registry.Problem) {
	for _, p := range ps {
		c.invalid(p.Message, p.Field...)
	}
}
