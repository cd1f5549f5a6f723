package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
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

// ScreenNameCandidates bounds how many influencers one name's lookup scores in each of its
// tiers (below): a name that a thousand influencers hold word for word scores that many
// rows only this far, so 100 candidates cost about the same whatever the registry's size.
const ScreenNameCandidates = 50

// screenTier2MaxWords is the most words for which a name also looks for influencers holding
// all its words but one (a typo, a missing middle name): n words make n alternatives.
const screenTier2MaxWords = 8

// screenNames scores, per candidate, influencer fields as search does (the influencer branch
// of searchBranches, with the candidate's normalized terms in place of the parameters), but
// only for a bounded set of influencers per candidate found by index (screenTiers), never by
// trigram resemblance to the whole registry. The candidates are normalized once (MATERIALIZED).
var screenNames = `WITH c AS MATERIALIZED (
		SELECT c.n, registry_normalize(c.terms) AS terms, registry_normalize(c.tsq) AS tsq, registry_normalize(c.exact) AS exact,
			registry_normalize(c.qall) AS qall, registry_normalize(c.qsome) AS qsome
		FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $6::text[], $7::text[]) AS c(n, terms, tsq, exact, qall, qsome))
	SELECT c.n, h.id, i.display_name, h.field, h.text, h.score::float8
	FROM c CROSS JOIN LATERAL (` + screenTierUnion() + `
		ORDER BY 4 DESC, 1 LIMIT ` + fmt.Sprint(ScreenNamesPerCandidate) + `) h
	JOIN influencer i ON i.id = h.id
	WHERE h.score >= $5
	ORDER BY c.n, h.score DESC, h.id`

// screenTiers find a candidate's influencers ($8: at most ScreenNameCandidates each):
//
//   - a one-word name: the influencers holding the word whole, from the word index
//     (search_word, 0060) in its order, shortest field first, which is search's score order
//     for them (docs/search.md, "Broad queries");
//   - a name of several words: the influencers holding every word whole (the full-text
//     index, 0003);
//   - any name: those holding every word as a prefix, as search's full-text side matches
//     ("Trung Beauty 24" finds "Trung Beauty 240");
//   - a name of 3 to 8 words: those holding all of its words but one (a typo, a missing
//     middle name).
var screenTiers = []string{
	`SELECT s.id FROM search_word s WHERE c.qall = '' AND s.kind = 1 AND s.word = c.terms ORDER BY s.ntrgm, s.id LIMIT $8`,
	`SELECT i.id FROM influencer i WHERE c.qall <> '' AND to_tsvector('simple', i.search_text) @@ c.qall::tsquery LIMIT $8`,
	`SELECT i.id FROM influencer i WHERE to_tsvector('simple', i.search_text) @@ c.tsq::tsquery LIMIT $8`,
	`SELECT i.id FROM influencer i WHERE c.qsome <> '' AND to_tsvector('simple', i.search_text) @@ c.qsome::tsquery LIMIT $8`,
}

// screenTierUnion is every tier's influencers, each scored (screenBranch).
func screenTierUnion() string {
	parts := make([]string, len(screenTiers))
	for i, tier := range screenTiers {
		parts[i] = `SELECT b.id, b.field, b.text, b.score FROM (` + tier + `) k CROSS JOIN LATERAL (` + screenBranch + `) b`
	}
	return strings.Join(parts, "\n\t\tUNION\n\t\t")
}

// screenBranch scores one influencer (k.id) as search does.
var screenBranch = strings.NewReplacer("{terms}", "c.terms", "{tsq}", "c.tsq", "{exact}", "c.exact").
	Replace(strings.Replace(searchBranches[SearchInfluencer], "{cond}", "i.id = k.id", 1))

// screenTSQueries are the full-text queries of a name's words (letters and digits only, so
// quoting cannot break the syntax): every word whole, and, for 3 to screenTier2MaxWords words,
// every word but one ("" when it does not apply). A one-word name has neither: the word index
// serves it.
func screenTSQueries(terms string) (all, some string) {
	var words []string
	for _, w := range strings.Fields(terms) {
		if !slices.Contains(words, strings.ToLower(w)) {
			words = append(words, strings.ToLower(w))
		}
	}
	if len(words) < 2 {
		return "", ""
	}
	quote := func(ws []string) string {
		q := make([]string, len(ws))
		for i, w := range ws {
			q[i] = "'" + w + "'"
		}
		return strings.Join(q, " & ")
	}
	all = quote(words)
	if len(words) >= 3 && len(words) <= screenTier2MaxWords {
		alts := make([]string, len(words))
		for i := range words {
			alts[i] = "(" + quote(slices.Delete(slices.Clone(words), i, i+1)) + ")"
		}
		some = strings.Join(alts, " | ")
	}
	return all, some
}

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
	var terms, tsqs, exacts, qalls, qsomes, handles, platforms, uids []string
	for i, q := range qs {
		if q.Name != "" {
			if r, err := ParseSearch(q.Name, []string{SearchInfluencer}); err == nil && r.URLKey == "" {
				all, some := screenTSQueries(r.Terms)
				nameN, terms, tsqs, exacts = append(nameN, int64(i)), append(terms, r.Terms), append(tsqs, r.TSQuery), append(exacts, r.Exact)
				qalls, qsomes = append(qalls, all), append(qsomes, some)
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
	// No parallel workers (as search), and no sequential scan: the planner cannot see how few
	// rows a candidate's full-text query matches, and a LIMIT tempts it to scan the table.
	if _, err := tx.ExecContext(ctx, `SELECT set_config('max_parallel_workers_per_gather', '0', true),
		set_config('enable_seqscan', 'off', true)`); err != nil {
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
		err := scan(screenNames, []any{pq.Array(nameN), pq.Array(terms), pq.Array(tsqs), pq.Array(exacts), ScreenMinNameScore,
			pq.Array(qalls), pq.Array(qsomes), ScreenNameCandidates}, func(rows *sql.Rows) error {
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
