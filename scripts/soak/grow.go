package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// grow copies the demo rows (seed --demo: 240 influencers, 1,000 disclosures) into generations
// until the database holds about target influencers and as many disclosures, by SQL alone
// (INSERT … SELECT over generate_series, one transaction): generation g of a row gets the id
// old + g·1,000,000, so children follow their parents without a lookup table. Every column the
// table has is copied (so columns added by later migrations come along), the ones named in the
// table's rule are rewritten. The copies are written behind the transparency log: a soak
// database is not one to run `audit verify` on.
func grow(ctx context.Context, sdb *sql.DB, target int) error {
	var base, baseDisc int
	if err := sdb.QueryRowContext(ctx, `SELECT count(*) FROM influencer WHERE id < 1000000`).Scan(&base); err != nil {
		return err
	}
	if err := sdb.QueryRowContext(ctx, `SELECT count(*) FROM disclosure WHERE id < 1000000`).Scan(&baseDisc); err != nil {
		return err
	}
	if base == 0 || baseDisc == 0 {
		return fmt.Errorf("no demo rows to copy (run seed --demo first)")
	}
	gens := (target+base-1)/base - 1          // influencer generations besides the demo's own
	dgens := (target+baseDisc-1)/baseDisc - 1 // disclosure generations
	tx, err := sdb.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE gen ON COMMIT DROP AS SELECT g FROM generate_series(1, %d) g;
		CREATE TEMP TABLE dgen ON COMMIT DROP AS SELECT g, g %% %d AS ig FROM generate_series(1, %d) g`, gens, gens+1, dgens)); err != nil {
		return err
	}
	const m = "1000000"
	steps := []struct {
		table, from, where string
		set                map[string]string
	}{
		{"influencer", "influencer t, gen", "t.id < " + m, map[string]string{
			"id": "t.id + g * " + m, "display_name": "t.display_name || ' ' || g",
			"created_at": "t.created_at + g * interval '1 minute'", "updated_at": "t.updated_at + g * interval '1 minute'"}},
		{"influencer_credential", "influencer_credential t, gen", "t.id < " + m, map[string]string{
			"id": "t.id + g * " + m, "influencer_id": "t.influencer_id + g * " + m}},
		{"platform_account", "platform_account t, gen", "t.id < " + m, map[string]string{
			"id": "t.id + g * " + m, "influencer_id": "t.influencer_id + g * " + m, "handle": "t.handle || '_' || g"}},
		{"affiliation", "affiliation t, gen", "t.id < " + m, map[string]string{
			"id": "t.id + g * " + m, "influencer_id": "t.influencer_id + g * " + m}},
		{"disclosure", "disclosure t, dgen", "t.id < " + m, map[string]string{
			"id": "t.id + g * " + m, "influencer_id": "t.influencer_id + ig * " + m, "account_id": "t.account_id + ig * " + m,
			"published_at": "t.published_at - g * interval '1 hour'"}},
		{"disclosure_brand", "disclosure_brand t, dgen", "t.disclosure_id < " + m, map[string]string{
			"disclosure_id": "t.disclosure_id + g * " + m}},
		{"sanction", "sanction t, gen", "t.id < " + m + " AND t.subject_kind = 'INFLUENCER'", map[string]string{
			"id": "t.id + g * " + m, "influencer_id": "t.influencer_id + g * " + m,
			"decision_number": "regexp_replace(t.decision_number, '^[0-9]+', (g * 1000 + t.id)::text)"}},
		{"sanction_violation", "sanction_violation t JOIN sanction s ON s.id = t.sanction_id, gen",
			"t.id < " + m + " AND s.subject_kind = 'INFLUENCER'", map[string]string{
				"id": "t.id + g * " + m, "sanction_id": "t.sanction_id + g * " + m}},
		{"sanction_status_change", "sanction_status_change t JOIN sanction s ON s.id = t.sanction_id, gen",
			"t.id < " + m + " AND s.subject_kind = 'INFLUENCER'", map[string]string{
				"id": "t.id + g * " + m, "sanction_id": "t.sanction_id + g * " + m}},
	}
	for _, s := range steps {
		cols, err := copyColumns(ctx, tx, s.table)
		if err != nil {
			return err
		}
		exprs := make([]string, len(cols))
		for i, c := range cols {
			if e, ok := s.set[c]; ok {
				exprs[i] = e
			} else {
				exprs[i] = "t." + c
			}
		}
		override := ""
		if _, ok := s.set["id"]; ok {
			override = "OVERRIDING SYSTEM VALUE"
		}
		q := fmt.Sprintf(`INSERT INTO %s (%s) %s SELECT %s FROM %s WHERE %s`, s.table, strings.Join(cols, ", "), override,
			strings.Join(exprs, ", "), s.from, s.where)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("grow %s: %w", s.table, err)
		}
	}
	// Identity sequences continue after the copies.
	for _, t := range []string{"influencer", "influencer_credential", "platform_account", "affiliation", "disclosure",
		"sanction", "sanction_violation", "sanction_status_change"} {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))`, t, t)); err != nil {
			return fmt.Errorf("grow: sequence of %s: %w", t, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = sdb.ExecContext(ctx, `ANALYZE`)
	return err
}

// copyColumns lists the columns of table that can be written (not generated), in order.
func copyColumns(ctx context.Context, tx *sql.Tx, table string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = 'public' AND table_name = $1 AND is_generated = 'NEVER'
		ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		cols = append(cols, c)
	}
	return cols, rows.Err()
}
