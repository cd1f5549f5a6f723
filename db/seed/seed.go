// Package seed loads the synthetic demo dataset: invented influencers, MCNs, brands, disclosures and
// sanctions, recorded by real public agencies (synthetic people and companies; see docs/legal.md).
//
// The dataset is deterministic: it comes from a fixed-seed PCG generator and fixed timestamps (the
// demo's "now" is 31 October 2026), so two fresh databases get identical rows, ids included.
//
// Demo is idempotent. The marker of the dataset is its MCNs' tax codes (invented, and with a check
// digit no real enterprise can have): when they are present, Demo writes nothing. The demo agencies
// are matched by slug instead of inserted when they already exist (an operator may have added them
// with `kolregistry agency add`), so an existing agency neither blocks the demo nor is duplicated.
package seed

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/kolregistry/kolregistry/db"
)

// Summary counts the rows Demo wrote.
type Summary struct {
	// AlreadyPresent is true when the demo dataset was found and nothing was written.
	AlreadyPresent bool

	Agencies, Influencers, Credentials, Accounts              int
	Mcns, Affiliations, Brands, Disclosures, DisclosureBrands int
	Sanctions, Violations, StatusChanges, SanctionDisclosures int
}

func (s Summary) String() string {
	if s.AlreadyPresent {
		return "demo dataset already present: nothing written"
	}
	return fmt.Sprintf("demo dataset loaded: %d agencies, %d influencers (%d credentials, %d accounts), "+
		"%d MCNs (%d affiliations), %d brands, %d disclosures (%d brand links), "+
		"%d sanctions (%d violations, %d status changes, %d related disclosures)",
		s.Agencies, s.Influencers, s.Credentials, s.Accounts, s.Mcns, s.Affiliations, s.Brands,
		s.Disclosures, s.DisclosureBrands, s.Sanctions, s.Violations, s.StatusChanges, s.SanctionDisclosures)
}

// seedLock serializes concurrent seeds (an arbitrary fixed key: "kolregistry seed").
const seedLock = 7_405_310_003

// ImportAction is the action of the audit events the seed writes: one per record, with the
// record's state, so that every seeded record has a history (docs/transparency.md).
const ImportAction = "importRecord"

// Demo writes the demo dataset in one transaction, unless it is already there. The rows go
// in through the store's import path: each record written is logged, in the order written.
func Demo(ctx context.Context, store *db.DB) (sum Summary, err error) {
	ds := generate()
	present := false
	_, err = store.Import(ctx, db.Operator, ImportAction, "kolregistry seed --demo", func(ctx context.Context, tx *db.Tx) ([]db.Record, error) {
		sum, present = Summary{}, false
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, seedLock); err != nil {
			return nil, fmt.Errorf("seed: lock: %w", err)
		}
		codes := make([]string, len(ds.Mcns))
		for i, m := range ds.Mcns {
			codes[i] = m.TaxCode
		}
		var found int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM mcn WHERE tax_code = ANY($1)`, pq.Array(codes)).Scan(&found); err != nil {
			return nil, fmt.Errorf("seed: look for the demo dataset: %w", err)
		}
		switch {
		case found == len(codes):
			present = true
			return nil, db.ErrNothingToImport
		case found > 0:
			return nil, fmt.Errorf("seed: %d of the %d demo MCN tax codes already exist: the database holds part of the demo dataset or conflicting MCNs", found, len(codes))
		}
		w := &writer{tx: tx.Tx, ds: ds}
		if err := w.all(ctx); err != nil {
			return nil, fmt.Errorf("seed: %w", err)
		}
		sum = w.sum
		return w.records, nil
	})
	if err != nil {
		return Summary{}, err
	}
	if present {
		return Summary{AlreadyPresent: true}, nil
	}
	return sum, nil
}

// writer inserts a generated dataset, one plain INSERT per row, keeping the ids the database assigns.
type writer struct {
	tx  *sql.Tx
	ds  *dataset
	sum Summary

	agencyIDs, influencerIDs, accountIDs, mcnIDs, brandIDs, disclosureIDs []int64
	// records lists what was written, in order, for the log.
	records []db.Record
}

// logged adds the records of one type, by id, to those the import logs.
func (w *writer) logged(typ string, ids []int64) {
	for _, id := range ids {
		w.records = append(w.records, db.Record{Type: typ, ID: id})
	}
}

func (w *writer) all(ctx context.Context) error {
	for _, step := range []struct {
		name string
		fn   func(context.Context) error
	}{
		{"agencies", w.agencies},
		{"influencers", w.influencers},
		{"accounts", w.accounts},
		{"MCNs", w.mcns},
		{"affiliations", w.affiliations},
		{"brands", w.brands},
		{"disclosures", w.disclosures},
		{"sanctions", w.sanctions},
	} {
		if err := step.fn(ctx); err != nil {
			return fmt.Errorf("insert %s: %w", step.name, err)
		}
	}
	return nil
}

// each prepares query and runs it once per row; args returns row i's parameters.
func (w *writer) each(ctx context.Context, query string, n int, args func(i int) []any, ids *[]int64) error {
	stmt, err := w.tx.PrepareContext(ctx, query)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := 0; i < n; i++ {
		if ids == nil {
			if _, err := stmt.ExecContext(ctx, args(i)...); err != nil {
				return fmt.Errorf("row %d: %w", i, err)
			}
			continue
		}
		var id int64
		if err := stmt.QueryRowContext(ctx, args(i)...).Scan(&id); err != nil {
			return fmt.Errorf("row %d: %w", i, err)
		}
		*ids = append(*ids, id)
	}
	return nil
}

func (w *writer) agencies(ctx context.Context) error {
	created := registryStart.Add(-7 * 24 * time.Hour)
	// ON CONFLICT DO NOTHING returns no row for an existing slug; the second query finds its id.
	const insert = `INSERT INTO agency (slug, name, name_en, kind, jurisdiction, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'ACTIVE', $6, $6)
		ON CONFLICT (slug) DO NOTHING`
	for i, a := range w.ds.Agencies {
		res, err := w.tx.ExecContext(ctx, insert, a.Slug, a.Name, a.NameEn, a.Kind, a.Jurisdiction, created.Add(time.Duration(i)*time.Minute))
		if err != nil {
			return fmt.Errorf("%s: %w", a.Slug, err)
		}
		var id int64
		if err := w.tx.QueryRowContext(ctx, `SELECT id FROM agency WHERE slug = $1`, a.Slug).Scan(&id); err != nil {
			return fmt.Errorf("%s: %w", a.Slug, err)
		}
		// An agency that was there already has its own history.
		if n, _ := res.RowsAffected(); n == 1 {
			w.sum.Agencies++
			w.logged("Agency", []int64{id})
		}
		w.agencyIDs = append(w.agencyIDs, id)
	}
	return nil
}

func (w *writer) influencers(ctx context.Context) error {
	infs := w.ds.Influencers
	err := w.each(ctx, `INSERT INTO influencer
		(display_name, legal_name, aliases, province, categories, version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, len(infs), func(i int) []any {
		f := infs[i]
		return []any{f.DisplayName, null(f.LegalName), pq.Array(nonNil(f.Aliases)), null(f.Province), pq.Array(f.Categories),
			f.Version, w.agencyIDs[f.CreatedBy], f.CreatedAt, f.UpdatedAt}
	}, &w.influencerIDs)
	if err != nil {
		return err
	}
	w.sum.Influencers = len(infs)
	w.logged("Influencer", w.influencerIDs)
	var creds []struct {
		inf int
		c   credential
	}
	for i, f := range infs {
		for _, c := range f.Credentials {
			creds = append(creds, struct {
				inf int
				c   credential
			}{i, c})
		}
	}
	w.sum.Credentials = len(creds)
	return w.each(ctx, `INSERT INTO influencer_credential (influencer_id, field, title, issuer, valid_until)
		VALUES ($1, $2, $3, $4, $5)`, len(creds), func(i int) []any {
		c := creds[i].c
		return []any{w.influencerIDs[creds[i].inf], c.Field, c.Title, c.Issuer, nullDate(c.ValidUntil)}
	}, nil)
}

func (w *writer) accounts(ctx context.Context) error {
	accs := w.ds.Accounts
	w.sum.Accounts = len(accs)
	defer func() { w.logged("PlatformAccount", w.accountIDs) }()
	return w.each(ctx, `INSERT INTO platform_account
		(influencer_id, platform, handle, url, platform_user_id, follower_count, followers_as_of, identity_verification, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, len(accs), func(i int) []any {
		a := accs[i]
		var followers any
		if a.Followers >= 0 {
			followers = a.Followers
		}
		return []any{w.influencerIDs[a.Influencer], a.Platform, a.Handle, a.URL, null(a.PlatformUserID), followers,
			nullDate(a.FollowersAsOf), a.Verification, a.CreatedAt}
	}, &w.accountIDs)
}

func (w *writer) mcns(ctx context.Context) error {
	ms := w.ds.Mcns
	w.sum.Mcns = len(ms)
	defer func() { w.logged("Mcn", w.mcnIDs) }()
	return w.each(ctx, `INSERT INTO mcn (name, tax_code, website, province, version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, 1, $5, $6, $6) RETURNING id`, len(ms), func(i int) []any {
		m := ms[i]
		return []any{m.Name, m.TaxCode, m.Website, m.Province, w.agencyIDs[m.CreatedBy], m.CreatedAt}
	}, &w.mcnIDs)
}

func (w *writer) affiliations(ctx context.Context) error {
	as := w.ds.Affiliations
	w.sum.Affiliations = len(as)
	var ids []int64
	defer func() { w.logged("Affiliation", ids) }()
	return w.each(ctx, `INSERT INTO affiliation
		(influencer_id, mcn_id, kind, started_on, ended_on, source, version, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, len(as), func(i int) []any {
		a := as[i]
		return []any{w.influencerIDs[a.Influencer], w.mcnIDs[a.Mcn], a.Kind, dateText(a.StartedOn), nullDate(a.EndedOn),
			a.Source, a.Version, w.agencyIDs[a.CreatedBy], a.CreatedAt}
	}, &ids)
}

func (w *writer) brands(ctx context.Context) error {
	bs := w.ds.Brands
	w.sum.Brands = len(bs)
	defer func() { w.logged("Brand", w.brandIDs) }()
	return w.each(ctx, `INSERT INTO brand (name, tax_code, industry, version, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, 1, $4, $5, $5) RETURNING id`, len(bs), func(i int) []any {
		b := bs[i]
		return []any{b.Name, null(b.TaxCode), b.Industry, w.agencyIDs[b.CreatedBy], b.CreatedAt}
	}, &w.brandIDs)
}

func (w *writer) disclosures(ctx context.Context) error {
	ds := w.ds.Disclosures
	w.sum.Disclosures = len(ds)
	defer func() { w.logged("Disclosure", w.disclosureIDs) }()
	err := w.each(ctx, `INSERT INTO disclosure
		(influencer_id, account_id, mcn_id, product_name, product_category, content_url, platform, published_at,
		 label, label_timing, compensation, status, filed_by, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`, len(ds), func(i int) []any {
		d := ds[i]
		var mcnID any
		if d.Mcn >= 0 {
			mcnID = w.mcnIDs[d.Mcn]
		}
		return []any{w.influencerIDs[d.Influencer], w.accountIDs[d.Account], mcnID, d.ProductName, d.Category, d.ContentURL,
			d.Platform, d.PublishedAt, d.Label, d.LabelTiming, d.Compensation, d.Status, w.agencyIDs[d.FiledBy], d.Version,
			d.CreatedAt, d.UpdatedAt}
	}, &w.disclosureIDs)
	if err != nil {
		return err
	}
	var links [][2]int64
	for i, d := range ds {
		for _, b := range d.Brands {
			links = append(links, [2]int64{w.disclosureIDs[i], w.brandIDs[b]})
		}
	}
	w.sum.DisclosureBrands = len(links)
	return w.each(ctx, `INSERT INTO disclosure_brand (disclosure_id, brand_id) VALUES ($1, $2)`, len(links), func(i int) []any {
		return []any{links[i][0], links[i][1]}
	}, nil)
}

func (w *writer) sanctions(ctx context.Context) error {
	ss := w.ds.Sanctions
	var ids []int64
	defer func() { w.logged("Sanction", ids) }()
	err := w.each(ctx, `INSERT INTO sanction
		(subject_kind, influencer_id, mcn_id, brand_id, agency_id, decision_number, decided_on, effective_on, fine_vnd,
		 remedies, status, source_url, source_sha256, version, recorded_at, updated_at, standing, execution, executed_on)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19) RETURNING id`, len(ss), func(i int) []any {
		s := ss[i]
		var inf, m, b any
		switch s.SubjectKind {
		case "INFLUENCER":
			inf = w.influencerIDs[s.Subject]
		case "MCN":
			m = w.mcnIDs[s.Subject]
		case "BRAND":
			b = w.brandIDs[s.Subject]
		}
		return []any{s.SubjectKind, inf, m, b, w.agencyIDs[s.Agency], s.DecisionNumber, dateText(s.DecidedOn),
			dateText(s.EffectiveOn), s.FineVND, pq.Array(nonNil(s.Remedies)), s.Status, null(s.SourceURL), null(s.SourceSHA256),
			s.Version, s.RecordedAt, s.UpdatedAt, s.Standing, s.Execution, nullDate(s.ExecutedOn)}
	}, &ids)
	if err != nil {
		return err
	}
	w.sum.Sanctions = len(ss)

	type row struct {
		sanction int
		pos      int
	}
	var vs, hs, rel []row
	for i, s := range ss {
		for p := range s.Violations {
			vs = append(vs, row{i, p})
		}
		for p := range s.History {
			hs = append(hs, row{i, p})
		}
		for p := range s.Disclosures {
			rel = append(rel, row{i, p})
		}
	}
	w.sum.Violations, w.sum.StatusChanges, w.sum.SanctionDisclosures = len(vs), len(hs), len(rel)
	if err := w.each(ctx, `INSERT INTO sanction_violation
		(sanction_id, position, category, instrument, article, clause, point, description)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, len(vs), func(i int) []any {
		v := ss[vs[i].sanction].Violations[vs[i].pos]
		var clause any
		if v.Clause > 0 {
			clause = v.Clause
		}
		return []any{ids[vs[i].sanction], vs[i].pos + 1, v.Category, v.Instrument, v.Article, clause, null(v.Point), v.Description}
	}, nil); err != nil {
		return fmt.Errorf("violations: %w", err)
	}
	if err := w.each(ctx, `INSERT INTO sanction_status_change
		(sanction_id, status, standing, execution, effective_on, reason, document_url, agency_id, recorded_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, len(hs), func(i int) []any {
		h := ss[hs[i].sanction].History[hs[i].pos]
		return []any{ids[hs[i].sanction], h.Status, h.Standing, h.Execution, dateText(h.EffectiveOn), h.Reason, null(h.DocumentURL),
			w.agencyIDs[h.Agency], h.RecordedAt}
	}, nil); err != nil {
		return fmt.Errorf("status changes: %w", err)
	}
	return w.each(ctx, `INSERT INTO sanction_disclosure (sanction_id, disclosure_id) VALUES ($1, $2)`, len(rel), func(i int) []any {
		return []any{ids[rel[i].sanction], w.disclosureIDs[ss[rel[i].sanction].Disclosures[rel[i].pos]]}
	}, nil)
}

// null is s, or SQL NULL when s is empty.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// dateText is a calendar date as PostgreSQL reads it, free of any time zone.
func dateText(d time.Time) string { return d.Format("2006-01-02") }

func nullDate(d time.Time) any {
	if d.IsZero() {
		return nil
	}
	return dateText(d)
}

// nonNil makes an empty list '{}' rather than NULL.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
