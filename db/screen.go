package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/lib/pq"

	"github.com/kolregistry/kolregistry/registry"
)

// Screening reads (docs/screening.md): for a batch of candidates at once, two statements in one
// read-only transaction, whatever the batch's size: the influencers whose names resemble each
// candidate's name (scored as search scores them), and the accounts carrying each candidate's
// handle on any platform or the platform user ID of its address. registry.Decide weighs them.

// ScreenNamesPerCandidate is how many influencers a candidate's name brings back, best first:
// the best and registry.ScreenMaxAlternatives others.
const ScreenNamesPerCandidate = 1 + registry.ScreenMaxAlternatives

// ScreenMinNameScore is the lowest name score kept as evidence: below it a name shares a few
// trigrams with the candidate's and says nothing (0.9 × 0.4 is far below a possible match).
const ScreenMinNameScore = 0.4

// screenNames scores, per candidate, influencer fields as search does (searchBranches, with the
// candidate's normalized terms in place of the parameters). The candidates are normalized once
// (MATERIALIZED); each is one lateral lookup on the trigram and full-text indexes.
var screenNames = `WITH c AS MATERIALIZED (
		SELECT c.n, registry_normalize(c.terms) AS terms, registry_normalize(c.tsq) AS tsq, registry_normalize(c.exact) AS exact
		FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS c(n, terms, tsq, exact))
	SELECT c.n, h.id, i.display_name, h.field, h.text, h.score::float8
	FROM c CROSS JOIN LATERAL (SELECT b.id, b.field, b.text, b.score FROM (` +
	strings.NewReplacer("{terms}", "c.terms", "{tsq}", "c.tsq", "{exact}", "c.exact", "{cond}", searchMatches[SearchInfluencer]).
		Replace(strings.Replace(searchBranches[SearchInfluencer], "{cond}", searchMatches[SearchInfluencer], 1)) +
	`) b WHERE b.score >= $5 ORDER BY b.score DESC, b.id LIMIT ` + fmt.Sprint(ScreenNamesPerCandidate) + `) h
	JOIN influencer i ON i.id = h.id
	ORDER BY c.n, h.score DESC, h.id`

// screenAccounts finds, per candidate, the accounts with its handle on every platform (the
// expression index of 0160) and the account with its address's platform user ID on its platform.
const screenAccounts = `WITH c AS (SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS c(n, handle, platform, uid))
	SELECT c.n, pa.influencer_id, i.display_name, pa.platform, pa.handle, 'HANDLE'
	FROM c JOIN platform_account pa ON lower(ltrim(pa.handle, '@')) = lower(c.handle) JOIN influencer i ON i.id = pa.influencer_id
	WHERE c.handle <> ''
	UNION ALL
	SELECT c.n, pa.influencer_id, i.display_name, pa.platform, pa.handle, 'PROFILE_URL'
	FROM c JOIN platform_account pa ON pa.platform_user_id = c.uid AND pa.platform = c.platform JOIN influencer i ON i.id = pa.influencer_id
	WHERE c.uid <> ''
	ORDER BY 1, 2`

// Screen finds the evidence for each query, in the queries' order (found[i] is for qs[i]).
func (d *DB) Screen(ctx context.Context, qs []registry.ScreenQuery) (found [][]registry.ScreenEvidence, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("screen %d candidates: %w", len(qs), err)
		}
	}()
	found = make([][]registry.ScreenEvidence, len(qs))
	var nameN, accN []int64
	var terms, tsqs, exacts, handles, platforms, uids []string
	for i, q := range qs {
		if q.Name != "" {
			if r, err := ParseSearch(q.Name, []string{SearchInfluencer}); err == nil && r.URLKey == "" {
				nameN, terms, tsqs, exacts = append(nameN, int64(i)), append(terms, r.Terms), append(tsqs, r.TSQuery), append(exacts, r.Exact)
			}
		}
		if q.HasRef && (q.Ref.Handle != "" || q.Ref.UserID != "") {
			accN = append(accN, int64(i))
			handles, platforms, uids = append(handles, q.Ref.Handle), append(platforms, string(q.Ref.Platform)), append(uids, q.Ref.UserID)
		}
	}
	if len(nameN) == 0 && len(accN) == 0 {
		return found, nil
	}
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	tx, err := d.reader(ctx).BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// Search's one-word threshold for every name (a candidate's name is usually several words,
	// for which search asks 0.65): screening would rather weigh a near miss than not see it.
	if _, err := tx.ExecContext(ctx, `SELECT set_config('pg_trgm.word_similarity_threshold', $1, true),
		set_config('max_parallel_workers_per_gather', '0', true)`, fmt.Sprint(SearchWordSimilarity)); err != nil {
		return nil, err
	}
	scan := func(stmt string, args []any, row func(*sql.Rows) error) error {
		if d.OnQuery != nil {
			d.OnQuery(stmt)
		}
		rows, err := tx.QueryContext(ctx, stmt, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := row(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	if len(nameN) > 0 {
		err := scan(screenNames, []any{pq.Array(nameN), pq.Array(terms), pq.Array(tsqs), pq.Array(exacts), ScreenMinNameScore}, func(rows *sql.Rows) error {
			var n int
			var e registry.ScreenEvidence
			if err := rows.Scan(&n, &e.InfluencerID, &e.InfluencerName, &e.Field, &e.Text, &e.Score); err != nil {
				return err
			}
			found[n] = append(found[n], e)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("names: %w", err)
		}
	}
	if len(accN) > 0 {
		err := scan(screenAccounts, []any{pq.Array(accN), pq.Array(handles), pq.Array(platforms), pq.Array(uids)}, func(rows *sql.Rows) error {
			var n int
			var platform string
			e := registry.ScreenEvidence{Account: true, Score: 1}
			if err := rows.Scan(&n, &e.InfluencerID, &e.InfluencerName, &platform, &e.Text, &e.Field); err != nil {
				return err
			}
			e.Platform = registry.Platform(platform)
			found[n] = append(found[n], e)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("accounts: %w", err)
		}
	}
	return found, tx.Commit()
}
