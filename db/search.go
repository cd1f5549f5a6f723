package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kolregistry/kolregistry/graph/errcode"
)

// Search kinds, in the order that breaks ties between equal scores.
const (
	SearchInfluencer      = "INFLUENCER"
	SearchPlatformAccount = "PLATFORM_ACCOUNT"
	SearchMcn             = "MCN"
	SearchBrand           = "BRAND"
)

// SearchKinds are every kind search looks through, in tie-break order.
var SearchKinds = []string{SearchInfluencer, SearchPlatformAccount, SearchMcn, SearchBrand}

// Limits of a search query, in characters as typed.
const (
	SearchMinChars = 2
	SearchMaxChars = 200
)

// SearchWordSimilarity is pg_trgm's word_similarity threshold for a candidate: low enough that
// one typo in a short name still matches ("hoagn" finds "Hoàng"), high enough that the trigram
// index keeps the candidate set small. The full-text side catches reordered and partial words.
const SearchWordSimilarity = 0.5

// SearchHit is one search result: an entity of Kind with id ID, the field that matched it best,
// that field's text and the score (0..1, 4 decimals, as text so cursors hold it exactly).
type SearchHit struct {
	Kind  string
	ID    int64
	Field string
	Text  string
	Score string
}

// ScoreFloat is the hit's score as a number.
func (h SearchHit) ScoreFloat() float64 {
	f, _ := strconv.ParseFloat(h.Score, 64)
	return f
}

// SearchRequest is a parsed search: what to match and where.
type SearchRequest struct {
	// Terms is the query reduced to its words (letters and digits), space-separated.
	Terms string
	// Exact is the query as typed, less @ and URL: a field equal to it scores 1 even when it is
	// not made of plain words (a handle like mai.vlog_99).
	Exact string
	// TSQuery is Terms as a tsquery, every word a prefix; not yet normalized.
	TSQuery string
	Kinds   []string
}

// ParseSearch turns what a user typed into a search request. It accepts a handle with or without
// @ and a full profile URL (reduced to the handle it names). A query with fewer than 2 letters or
// digits, or longer than 200 characters, is BAD_USER_INPUT; kinds empty means all of them.
func ParseSearch(query string, kinds []string) (SearchRequest, error) {
	q := strings.TrimSpace(query)
	if utf8.RuneCountInString(q) > SearchMaxChars {
		return SearchRequest{}, errcode.BadInput("query", "query is longer than %d characters", SearchMaxChars)
	}
	if h, ok := handleFromURL(q); ok {
		q = h
	}
	q = strings.TrimLeft(q, "@")
	// Combining marks stay inside their word: text typed in decomposed form (NFD) is still one
	// word, and registry_normalize drops the marks as it does precomposed diacritics.
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) })
	n := 0
	words = slices.DeleteFunc(words, func(w string) bool {
		c := 0
		for _, r := range w {
			if !unicode.IsMark(r) {
				c++
			}
		}
		n += c
		return c == 0 // marks alone are no word
	})
	if n < SearchMinChars {
		return SearchRequest{}, errcode.BadInput("query", "query needs at least %d letters or digits", SearchMinChars)
	}
	ts := make([]string, len(words))
	for i, w := range words {
		// Words hold only letters and digits, so quoting them cannot break the tsquery syntax.
		// A one-letter word as a prefix would match half the registry: it must match whole.
		ts[i] = "'" + w + "'"
		if utf8.RuneCountInString(strings.TrimFunc(w, unicode.IsMark)) > 1 {
			ts[i] += ":*"
		}
	}
	r := SearchRequest{Terms: strings.Join(words, " "), Exact: strings.TrimSpace(q), TSQuery: strings.Join(ts, " & ")}
	for _, k := range SearchKinds { // whitelist, in tie-break order, without repeats
		if len(kinds) == 0 || slices.Contains(kinds, k) {
			r.Kinds = append(r.Kinds, k)
		}
	}
	return r, nil
}

// urlSkipSegments are path segments of profile URLs that are not the handle
// (youtube.com/channel/ID, youtube.com/c/NAME, facebook.com/profile.php?id=N, …).
var urlSkipSegments = []string{"c", "channel", "user", "u", "in", "profile.php", "people", "pages", "pg", "shop", "vn", "m"}

// handleFromURL returns the handle a profile URL names: an @segment
// (tiktok.com/@maivlog/video/1), else an id= parameter (facebook.com/profile.php?id=1000),
// else the first path segment that is not a fixed word (facebook.com/maivlog).
func handleFromURL(s string) (string, bool) {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "http://"), strings.HasPrefix(lower, "https://"):
	case strings.HasPrefix(lower, "www.") || (strings.Contains(s, "/") && strings.Contains(strings.SplitN(s, "/", 2)[0], ".")):
		s = "https://" + s
	default:
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", true // a URL naming nothing: nothing to search for
	}
	var segs []string
	for _, p := range strings.Split(u.Path, "/") {
		if p != "" {
			segs = append(segs, p)
		}
	}
	for _, p := range segs {
		if strings.HasPrefix(p, "@") && len(p) > 1 {
			return p[1:], true
		}
	}
	if id := u.Query().Get("id"); id != "" {
		return id, true
	}
	for _, p := range segs {
		if !slices.Contains(urlSkipSegments, strings.ToLower(p)) {
			return p, true
		}
	}
	// A bare site: search its name.
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www."), true
}

// The score of one field: mostly word similarity (typos, partial words), plus whole-text
// similarity (rewards a field that is just the query), plus a bonus when every query word is in
// the field in any order. An exact match (ignoring case and diacritics) scores 1.
// %[2]s is the normalized terms ($1, or {joined}: the terms without spaces, for handles), $2
// the normalized tsquery, $3 the normalized exact query.
const searchScore = `round(CASE WHEN %[1]s = $3 THEN 1 ELSE 0.5 * word_similarity(%[2]s, %[1]s) + 0.3 * similarity(%[2]s, %[1]s)
	+ 0.2 * (to_tsvector('simple', %[1]s) @@ $2::tsquery)::int END::numeric, 4)`

// searchMatch is the index condition of a table with a search_text column: a similar word
// (trigram index) or every word as a prefix (full-text index).
const searchMatch = `($1 <%% %[1]s.search_text OR to_tsvector('simple', %[1]s.search_text) @@ $2::tsquery)`

// accountMatch is searchMatch for platform accounts, which also match the query's words run
// together ({joined}, replaced by its placeholder): handles are often a name without spaces ("Quách Tĩnh Nhi" → @quachtinhnhi).
const accountMatch = `($1 <%% pa.search_text OR %s <%% pa.search_text OR to_tsvector('simple', pa.search_text) @@ $2::tsquery)`

// searchBranches are, per kind, the candidates with their best field. Each kind's rank is its
// position in SearchKinds (the tie-break).
var searchBranches = map[string]string{
	SearchInfluencer: `SELECT 1 AS kind, i.id, m.field, m.text, m.score FROM influencer i
		CROSS JOIN LATERAL (
			SELECT f.field, f.text, ` + fmt.Sprintf(searchScore, "registry_normalize(f.text)", "$1") + ` AS score
			FROM (SELECT 'DISPLAY_NAME' AS field, i.display_name AS text, 0::bigint AS pos
			      UNION ALL SELECT 'LEGAL_NAME', i.legal_name, 1 WHERE i.legal_name IS NOT NULL
			      UNION ALL SELECT 'ALIAS', a.alias, 1 + a.n FROM unnest(i.aliases) WITH ORDINALITY AS a(alias, n)) f
			ORDER BY score DESC, f.pos LIMIT 1) m
		WHERE ` + fmt.Sprintf(searchMatch, "i"),
	SearchPlatformAccount: `SELECT 2 AS kind, pa.id, m.field, m.text, m.score FROM platform_account pa
		CROSS JOIN LATERAL (
			SELECT f.field, f.text, greatest(` + fmt.Sprintf(searchScore, "f.t", "$1") + `, ` + fmt.Sprintf(searchScore, "f.t", "{joined}") + `) AS score
			FROM (SELECT 'HANDLE' AS field, pa.handle AS text, 0 AS pos
			      UNION ALL SELECT 'PROFILE_URL', pa.url, 1 WHERE pa.url IS NOT NULL) f0
			CROSS JOIN LATERAL (SELECT f0.*, registry_normalize(f0.text) AS t) f
			ORDER BY score DESC, f.pos LIMIT 1) m
		WHERE ` + fmt.Sprintf(accountMatch, "{joined}"),
	SearchMcn: `SELECT 3 AS kind, m.id, 'NAME' AS field, m.name AS text, ` + fmt.Sprintf(searchScore, "m.search_text", "$1") + ` AS score
		FROM mcn m WHERE ` + fmt.Sprintf(searchMatch, "m"),
	SearchBrand: `SELECT 4 AS kind, b.id, 'NAME' AS field, b.name AS text, ` + fmt.Sprintf(searchScore, "b.search_text", "$1") + ` AS score
		FROM brand b WHERE ` + fmt.Sprintf(searchMatch, "b"),
}

// searchCounts count each kind's matches, with the conditions of searchBranches.
var searchCounts = map[string]string{
	SearchInfluencer:      `(SELECT count(*) FROM influencer i WHERE ` + fmt.Sprintf(searchMatch, "i") + `)`,
	SearchPlatformAccount: `(SELECT count(*) FROM platform_account pa WHERE ` + fmt.Sprintf(accountMatch, "{joined}") + `)`,
	SearchMcn:             `(SELECT count(*) FROM mcn m WHERE ` + fmt.Sprintf(searchMatch, "m") + `)`,
	SearchBrand:           `(SELECT count(*) FROM brand b WHERE ` + fmt.Sprintf(searchMatch, "b") + `)`,
}

// normalized is a search request after the database folded case and diacritics.
type normalized struct {
	terms, tsquery, exact string
	joined                string // terms without spaces
	tag                   string // ties cursors to this search
}

// searchTx runs fn in a read-only transaction on the read pool, with the trigram threshold set
// for it and the request normalized by registry_normalize (the function the columns use).
func (d *DB) searchTx(ctx context.Context, r SearchRequest, fn func(tx *sql.Tx, n normalized) error) error {
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	tx, err := d.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("search: begin: %w", err)
	}
	defer tx.Rollback()
	const prepare = `SELECT set_config('pg_trgm.word_similarity_threshold', $1, true),
		registry_normalize($2), registry_normalize($3), registry_normalize($4)`
	if d.OnQuery != nil {
		d.OnQuery(prepare)
	}
	var n normalized
	var ignored string
	if err := tx.QueryRowContext(ctx, prepare, strconv.FormatFloat(SearchWordSimilarity, 'f', -1, 64), r.Terms, r.TSQuery, r.Exact).
		Scan(&ignored, &n.terms, &n.tsquery, &n.exact); err != nil {
		return fmt.Errorf("search: prepare: %w", err)
	}
	n.joined = strings.ReplaceAll(n.terms, " ", "")
	sum := sha256.Sum256([]byte(n.terms + "\x00" + strings.Join(r.Kinds, ",")))
	n.tag = "search:" + hex.EncodeToString(sum[:6])
	if err := fn(tx, n); err != nil {
		return err
	}
	return tx.Commit()
}

// Search returns one page of entities matching r, by descending score, then kind (in
// SearchKinds order), then id. Pages go forward only (p.Backward is refused by the caller);
// a cursor holds the score, kind and id of its row, so paging never skips or repeats a row.
func (d *DB) Search(ctx context.Context, r SearchRequest, p Page) (PageOf[SearchHit], error) {
	var out PageOf[SearchHit]
	if len(r.Kinds) == 0 {
		return out, nil
	}
	err := d.searchTx(ctx, r, func(tx *sql.Tx, n normalized) error {
		args := []any{n.terms, n.tsquery, n.exact}
		branches := make([]string, len(r.Kinds))
		for i, k := range r.Kinds {
			branches[i] = searchBranches[k]
			if k == SearchPlatformAccount {
				args = append(args, n.joined)
				branches[i] = strings.ReplaceAll(branches[i], "{joined}", "$"+strconv.Itoa(len(args)))
			}
		}
		where := "TRUE"
		if c := p.After; c != nil {
			score, kind, ok := strings.Cut(c.Key, "/")
			rank, err := strconv.Atoi(kind)
			if c.Order != n.tag || !ok || err != nil {
				return errcode.BadInput("after", "the cursor belongs to another search; restart from the first page")
			}
			if _, err := strconv.ParseFloat(score, 64); err != nil {
				return errcode.BadInput("after", "after is not a cursor this API issued")
			}
			args = append(args, score, rank, c.ID)
			k := len(args) - 2
			where = fmt.Sprintf(`(h.score < $%[1]d::numeric OR (h.score = $%[1]d::numeric AND (h.kind, h.id) > ($%[2]d, $%[3]d)))`, k, k+1, k+2)
		}
		stmt := fmt.Sprintf(`SELECT h.kind, h.id, h.field, h.text, h.score::text FROM (%s) h WHERE %s
			ORDER BY h.score DESC, h.kind, h.id LIMIT %d`, strings.Join(branches, "\nUNION ALL\n"), where, p.Limit+1)
		if d.OnQuery != nil {
			d.OnQuery(stmt)
		}
		rows, err := tx.QueryContext(ctx, stmt, args...)
		if err != nil {
			return fmt.Errorf("search: %w", err)
		}
		defer rows.Close()
		var hits []SearchHit
		for rows.Next() {
			var h SearchHit
			var rank int
			if err := rows.Scan(&rank, &h.ID, &h.Field, &h.Text, &h.Score); err != nil {
				return fmt.Errorf("search: %w", err)
			}
			h.Kind = SearchKinds[rank-1]
			hits = append(hits, h)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("search: %w", err)
		}
		out.HasNextPage = len(hits) > p.Limit
		if out.HasNextPage {
			hits = hits[:p.Limit]
		}
		out.HasPreviousPage = p.After != nil
		out.Rows = hits
		out.Cursors = make([]string, len(hits))
		for i, h := range hits {
			rank := slices.Index(SearchKinds, h.Kind) + 1
			out.Cursors[i] = Cursor{Order: n.tag, Key: h.Score + "/" + strconv.Itoa(rank), ID: h.ID}.Encode()
		}
		return nil
	})
	return out, err
}

// CountSearch counts every entity matching r (the totalCount of the search).
func (d *DB) CountSearch(ctx context.Context, r SearchRequest) (int, error) {
	if len(r.Kinds) == 0 {
		return 0, nil
	}
	var total int
	err := d.searchTx(ctx, r, func(tx *sql.Tx, n normalized) error {
		parts := make([]string, len(r.Kinds))
		args := []any{n.terms, n.tsquery}
		for i, k := range r.Kinds {
			parts[i] = searchCounts[k]
			if k == SearchPlatformAccount {
				args = append(args, n.joined)
				parts[i] = strings.ReplaceAll(parts[i], "{joined}", "$"+strconv.Itoa(len(args)))
			}
		}
		stmt := "SELECT " + strings.Join(parts, " + ")
		if d.OnQuery != nil {
			d.OnQuery(stmt)
		}
		if err := tx.QueryRowContext(ctx, stmt, args...).Scan(&total); err != nil {
			return fmt.Errorf("count search: %w", err)
		}
		return nil
	})
	return total, err
}
