package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/registry"
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

// SearchWordSimilarity is pg_trgm's word_similarity threshold for a one-word query: low enough that
// one typo in a short name still matches ("hoagn" finds "Hoàng"), high enough that the trigram
// index keeps the candidate set small. The full-text side catches reordered and partial words.
const SearchWordSimilarity = 0.5

// SearchWordSimilarityWords is the threshold for a query of several words. One typo among
// them still leaves 0.67 or more ("trnh khanh vy" / "trinh khanh vy": 0.69), while the lower
// threshold would make every "Nguyễn Thị …" a candidate of "nguyen thi huogn" (4 times as
// many rows to score on the benchmark's registry; see docs/search.md).
const SearchWordSimilarityWords = 0.65

// SearchBroadHolders is how many entities of a kind must hold a one-word query as a whole word
// for the query to be broad for that kind. A broad kind's results are read from the word index
// (search_word, 0060_search_words.sql) in score order instead of scoring every match: see
// docs/search.md, "Broad queries". Below it, the GIN path scores every match (a few hundred at most).
const SearchBroadHolders = 500

// SearchBroadSample is how many entities of a broad kind that hold only longer words beginning
// with the query ("Trang" for "tran") are ranked with the holders of the word itself: the ones
// whose shortest such field has the fewest trigrams (docs/search.md, "Broad queries").
const SearchBroadSample = 200

// broadPrefix is the LIKE pattern of the words beginning with the normalized terms ($2); the
// terms of a broad query are one word of letters and digits (checked after normalization).
const broadPrefix = `registry_normalize($2) || '%'`

// Threshold is the word similarity a candidate needs for this request.
func (r SearchRequest) Threshold() float64 {
	if strings.Contains(r.Terms, " ") {
		return SearchWordSimilarityWords
	}
	return SearchWordSimilarity
}

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
	// URLKey is the query reduced by urlKey when it is a URL, else empty: an account whose URL
	// has the same key matches on PROFILE_URL.
	URLKey string
	// TSQuery is Terms as a tsquery, every word a prefix; not yet normalized.
	TSQuery string
	// Platform is the platform of a pasted profile address ("" for anything else): accounts
	// on other platforms are left out, since a handle is unique per platform only.
	Platform string
	// UserID is the platform's own account ID a pasted address carries
	// (facebook.com/profile.php?id=…, youtube.com/channel/UC…): an account whose platformUserId
	// it is matches on PROFILE_URL.
	UserID string
	Kinds  []string
	// Exhaustive scores every candidate even when the query is broad (see SearchBroadHolders) or
	// its page is bounded (see searchBoundScore): for tests and operators comparing those paths
	// with the full scoring; the API never sets it.
	Exhaustive bool
}

// ParseSearch turns what a user typed into a search request. It accepts a handle with or without
// @ and a full profile URL (reduced to the handle it names). A query with fewer than 2 letters or
// digits, or longer than 200 characters, is BAD_USER_INPUT; kinds empty means all of them.
func ParseSearch(query string, kinds []string) (SearchRequest, error) {
	q := strings.TrimSpace(query)
	if utf8.RuneCountInString(q) > SearchMaxChars {
		return SearchRequest{}, errcode.BadInput("query", "query is longer than %d characters", SearchMaxChars)
	}
	var key, platform, userID string
	if ref, ok := registry.ParseProfile(q); ok && !strings.HasPrefix(q, "@") {
		// A pasted address: search what it names, on its platform (docs/search.md, "Profile
		// addresses"). One that only the platform can resolve is refused with the reason.
		if ref.Unresolved != "" && ref.Host != "" {
			return SearchRequest{}, errcode.BadInput("query", "%s", ref.Why().EN)
		}
		key = urlKey(q)
		q = ref.Handle
		if q == "" {
			q = ref.UserID
		}
		if !ref.Site {
			platform, userID = string(ref.Platform), ref.UserID
		}
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
	r := SearchRequest{Terms: strings.Join(words, " "), Exact: strings.TrimSpace(q), URLKey: key, TSQuery: strings.Join(ts, " & "),
		Platform: platform, UserID: userID}
	for _, k := range SearchKinds { // whitelist, in tie-break order, without repeats
		if len(kinds) == 0 || slices.Contains(kinds, k) {
			r.Kinds = append(r.Kinds, k)
		}
	}
	return r, nil
}

var (
	urlFragment      = regexp.MustCompile(`#.*$`)
	urlScheme        = regexp.MustCompile(`^([a-z][a-z0-9+.-]*://)?(www\.)?`)
	urlTrailingSlash = regexp.MustCompile(`/+(\?|$)`)
)

// urlKey reduces a URL to what identifies a profile, exactly as urlKeySQL does in the database:
// lower case, no fragment, no scheme, no www., no trailing slash.
func urlKey(s string) string {
	s = urlFragment.ReplaceAllString(strings.ToLower(s), "")
	s = urlScheme.ReplaceAllString(s, "")
	return urlTrailingSlash.ReplaceAllString(s, "$1")
}

// The score of one field: mostly word similarity (typos, partial words), plus whole-text
// similarity (rewards a field that is just the query), plus a bonus when every query word is in
// the field in any order. An exact match (ignoring case and diacritics) scores 1.
// %[2]s is the normalized terms ({terms}, or {joined}: the terms without spaces, for handles), {tsq}
// the normalized tsquery, {exact} the normalized exact query.
const searchScore = `round(CASE WHEN %[1]s = {exact} THEN 1 ELSE 0.5 * word_similarity(%[2]s, %[1]s) + 0.3 * similarity(%[2]s, %[1]s)
	+ 0.2 * (to_tsvector('simple', %[1]s) @@ {tsq}::tsquery)::int END::numeric, 4)`

// handleScore is searchScore for a handle, which is no list of words: without the full-text
// part (it would cost more than the rest for every candidate account), so that a handle that
// merely resembles the query tops out at 0.8 and does not outrank a name holding every word.
const handleScore = `round(CASE WHEN pa.handle_search = {exact} THEN 1
	ELSE 0.5 * word_similarity(%[1]s, pa.handle_search) + 0.3 * similarity(%[1]s, pa.handle_search) END::numeric, 4)`

// searchMatch is the index condition of a table with a search_text column: a similar word
// (trigram index) or every word as a prefix (full-text index). The trigram side is written
// column-first (%> is <% commuted, the same test) as the index condition is: written
// {terms} <% search_text, the planner does not see it as the index condition and tests every
// candidate twice (once as the bitmap's recheck, once as a filter).
const searchMatch = `(%[1]s.search_text %%> {terms} OR to_tsvector('simple', %[1]s.search_text) @@ {tsq}::tsquery)`

// accountMatch finds platform accounts by handle alone (handle_search, 0004_search_handles.sql):
// the query's words, or the same words run together ({joined}), since a handle is often a name
// without spaces ("Quách Tĩnh Nhi" → @quachtinhnhi). Handles are not word lists, so the
// full-text side does not apply. Column-first, as searchMatch.
const accountMatch = `(pa.handle_search %> {terms} OR pa.handle_search %> {joined})`

// urlKeySQL reduces a URL to what identifies a profile, as urlKey does in Go: lower case, no
// fragment, no scheme, no www., no trailing slash.
const urlKeySQL = `regexp_replace(regexp_replace(regexp_replace(lower(%s), '#.*$', ''), '^([a-z][a-z0-9+.-]*://)?(www\.)?', ''), '/+(\?|$)', '\1')`

// searchBranches are, per kind, the candidates with their best field. Each kind's rank is its
// position in SearchKinds (the tie-break).
var searchBranches = map[string]string{
	SearchInfluencer: `SELECT 1 AS kind, i.id, m.field, m.text, m.score FROM influencer i
		CROSS JOIN LATERAL (
			SELECT f.field, f.text, ` + fmt.Sprintf(searchScore, "f.t", "{terms}") + ` AS score
			-- Each field with its stored normalized form (0005_search_fields.sql), so that scoring
			-- calls no registry_normalize.
			FROM (SELECT 'DISPLAY_NAME' AS field, i.display_name AS text, i.display_name_search AS t, 0::bigint AS pos
			      UNION ALL SELECT 'LEGAL_NAME', i.legal_name, i.legal_name_search, 1 WHERE i.legal_name IS NOT NULL
			      UNION ALL SELECT 'ALIAS', a.alias, a.t, 1 + a.n FROM unnest(i.aliases, i.aliases_search) WITH ORDINALITY AS a(alias, t, n)) f
			ORDER BY score DESC, f.pos LIMIT 1) m
		WHERE {cond}`,
	// A pasted profile URL equal to the account's ({url}) matches on PROFILE_URL with 1, which
	// no handle score beats; otherwise the handle's score. One expression per row rather than a
	// lateral subquery picking the best of two fields: a broad query scores tens of thousands of
	// accounts, and the per-row subquery cost more than the scoring. OFFSET 0 compares the URL
	// once per row (the planner would otherwise paste the comparison into its three uses).
	SearchPlatformAccount: `SELECT 2 AS kind, pa.id, CASE WHEN pa.by_url THEN 'PROFILE_URL' ELSE 'HANDLE' END AS field,
			CASE WHEN pa.by_url THEN coalesce(pa.url, pa.handle) ELSE pa.handle END AS text,
			CASE WHEN pa.by_url THEN 1.0000 ELSE {handlescore} END AS score
		FROM (SELECT pa.id, pa.url, pa.handle, pa.handle_search,
		        {url} <> '' AND ` + fmt.Sprintf(urlKeySQL, "pa.url") + ` = {url}{byuid} AS by_url
		      FROM platform_account pa WHERE {cond} OFFSET 0) pa`,
	SearchMcn: `SELECT 3 AS kind, m.id, 'NAME' AS field, m.name AS text, ` + fmt.Sprintf(searchScore, "m.search_text", "{terms}") + ` AS score
		FROM mcn m WHERE {cond}`,
	SearchBrand: `SELECT 4 AS kind, b.id, 'NAME' AS field, b.name AS text, ` + fmt.Sprintf(searchScore, "b.search_text", "{terms}") + ` AS score
		FROM brand b WHERE {cond}`,
}

// searchMatches are, per kind, the match condition of searchBranches ({cond}): the candidates.
var searchMatches = map[string]string{
	SearchInfluencer:      fmt.Sprintf(searchMatch, "i"),
	SearchPlatformAccount: "{acond}",
	SearchMcn:             fmt.Sprintf(searchMatch, "m"),
	SearchBrand:           fmt.Sprintf(searchMatch, "b"),
}

// accountCond is the accounts' match condition for r: accountMatch, or the account with the
// address's platform user ID; only on the address's platform when r is a pasted address.
func accountCond(r SearchRequest) string {
	c := accountMatch
	if r.UserID != "" {
		c = "(" + c + " OR pa.platform_user_id = {uid})"
	}
	if r.Platform != "" {
		c = "(pa.platform = {platform} AND " + c + ")"
	}
	return c
}

// accountTemplate fills an account statement's {acond} and {byuid} for r.
func accountTemplate(stmt string, r SearchRequest) string {
	byUID := ""
	if r.UserID != "" {
		byUID = " OR coalesce(pa.platform_user_id = {uid}, false)"
	}
	return strings.NewReplacer("{acond}", accountCond(r), "{byuid}", byUID).Replace(stmt)
}

// searchAlias is each kind's table alias in searchBranches.
var searchAlias = map[string]string{SearchInfluencer: "i", SearchPlatformAccount: "pa", SearchMcn: "m", SearchBrand: "b"}

// searchCounts count each kind's matches, with the conditions of searchBranches.
var searchCounts = map[string]string{
	SearchInfluencer:      `(SELECT count(*) FROM influencer i WHERE ` + fmt.Sprintf(searchMatch, "i") + `)`,
	SearchPlatformAccount: `(SELECT count(*) FROM platform_account pa WHERE {acond})`,
	SearchMcn:             `(SELECT count(*) FROM mcn m WHERE ` + fmt.Sprintf(searchMatch, "m") + `)`,
	SearchBrand:           `(SELECT count(*) FROM brand b WHERE ` + fmt.Sprintf(searchMatch, "b") + `)`,
}

// broadSample is the ids of kind k's sample of a broad query: of the SearchBroadSample fields
// with the fewest trigrams (then by id) that hold a longer word beginning with the query, the
// entities that do not hold the word itself (one lookup each: OFFSET 0 keeps the planner from
// hashing every holder instead). Its branch scores them as the GIN path does.
func broadSample(k string) string {
	rank := slices.Index(SearchKinds, k) + 1
	return fmt.Sprintf(`SELECT DISTINCT s.id FROM (SELECT s.id FROM search_word s WHERE s.kind = %[1]d AND s.word LIKE {prefix} AND s.word > {terms}
			ORDER BY s.ntrgm, s.id LIMIT %[2]d) s
		WHERE NOT EXISTS (SELECT FROM search_word h WHERE h.kind = %[1]d AND h.id = s.id AND h.word = {terms} OFFSET 0)`, rank, SearchBroadSample)
}

// afterCursor is the condition of a row (score, kind rank, id) coming after the cursor's row in
// search order: descending score, then kind, then id.
func afterCursor(score, kind, id string) string {
	return fmt.Sprintf(`(%[1]s < {score}::numeric OR (%[1]s = {score}::numeric AND (%[2]s, %[3]s) > ({kind}::int, {id}::bigint)))`, score, kind, id)
}

// Broad queries. A field holding the one-word query q whole scores a function of its trigram
// count n alone: word similarity 1, every word present, similarity n_q / n (q's trigrams are all
// the field's), so
//
//	influencer field: round(0.5 + 0.3 · n_q/n + 0.2, 4)   handle: round(0.5 + 0.3 · n_q/n, 4)
//
// exactly the numbers searchScore and handleScore compute (the same float4 division and the
// same double sums), and 1 for a field equal to the query. search_word stores n per (word,
// entity) for the entity's shortest holding field, so its index order (word, kind, ntrgm, id) is
// search order: descending score, then id. Two trigram counts can round to the same score once
// the step between them, 0.3 · n_q / (n (n+1)), is below 0.0001: up to broadMaxTrigrams the
// scores strictly decrease and the index order is exact; longer fields (and, for accounts, a
// handle with the query's own trigrams, which may equal the query and score 1) are few, and are
// sorted by score.
var broadBase = map[string]float64{SearchInfluencer: 0.7, SearchPlatformAccount: 0.5, SearchMcn: 0.7, SearchBrand: 0.7}

// broadMaxTrigrams is the largest trigram count up to which adjacent counts have scores at least
// 0.00011 apart (so never equal at 4 decimals) for a query of nq trigrams: 137 for "nguyen" (7).
func broadMaxTrigrams(nq int) int {
	n := nq
	for 0.3*float64(nq)/float64(n*(n+1)) >= 0.00011 {
		n++
	}
	return n
}

// broadMinTrigrams is a trigram count below which every holding field scores above after (the
// cursor's score): the rows after the cursor lie at or above it. It errs low: the exact
// condition on the score decides.
func broadMinTrigrams(kind string, nq int, after float64) int {
	d := after - broadBase[kind] + 0.0002
	switch {
	case math.IsInf(after, 1) || after >= 1:
		return 0
	case d <= 0:
		return math.MaxInt32 // every holding field scores more than after: none is left
	}
	return int(0.3 * float64(nq) / d)
}

// broadBranch is kind k's branch of a broad query: its first limit rows after the cursor, read
// in index order from search_word, with the field and text of each from the entity's row.
func broadBranch(k string, n normalized, vals map[string]any, hasAfter bool, after float64, limit int) string {
	rank := slices.Index(SearchKinds, k) + 1
	score := fmt.Sprintf(`round((%g::float8 + 0.3::float8 * ({nq}::real / w.ntrgm::real))::numeric, 4)`, broadBase[k])
	if k == SearchPlatformAccount { // the query's own trigrams: the handle may equal the query
		score = `round(CASE WHEN w.ntrgm = {nq}::int AND EXISTS (SELECT FROM platform_account e WHERE e.id = w.id AND e.handle_search = {exact})
			THEN 1 ELSE 0.5::float8 + 0.3::float8 * ({nq}::real / w.ntrgm::real) END::numeric, 4)`
	}
	cond := "TRUE"
	if hasAfter {
		cond = afterCursor("s.score", strconv.Itoa(rank), "w.id")
	}
	vals["nq"], vals["nmax"] = n.ntrgm, broadMaxTrigrams(n.ntrgm)
	lo := "lo" + strings.ToLower(k[:3]) // a placeholder per kind: {loinf}, {lopla}
	vals[lo] = max(n.ntrgm+1, broadMinTrigrams(k, n.ntrgm, after))
	rows := func(ntrgm, order string) string {
		return fmt.Sprintf(`(SELECT w.id, w.pos, s.score FROM search_word w CROSS JOIN LATERAL (SELECT %s AS score) s
			WHERE w.word = {terms} AND w.kind = %d AND %s AND %s ORDER BY %s LIMIT %d)`, score, rank, ntrgm, cond, order, limit)
	}
	b := rows("w.ntrgm BETWEEN {"+lo+"}::int AND {nmax}::int", "w.ntrgm, w.id") + "\nUNION ALL\n" +
		`(SELECT * FROM (` + rows("w.ntrgm = {nq}::int", "s.score DESC, w.id") + "\nUNION ALL\n" +
		rows("w.ntrgm > {nmax}::int", "s.score DESC, w.id") + fmt.Sprintf(`) t ORDER BY t.score DESC, t.id LIMIT %d)`, limit)
	switch k {
	case SearchPlatformAccount:
		return fmt.Sprintf(`SELECT 2 AS kind, b.id, 'HANDLE' AS field, pa.handle AS text, b.score FROM (%s) b
			JOIN platform_account pa ON pa.id = b.id`, b)
	case SearchMcn:
		return fmt.Sprintf(`SELECT 3 AS kind, b.id, 'NAME' AS field, m.name AS text, b.score FROM (%s) b JOIN mcn m ON m.id = b.id`, b)
	case SearchBrand:
		return fmt.Sprintf(`SELECT 4 AS kind, b.id, 'NAME' AS field, e.name AS text, b.score FROM (%s) b JOIN brand e ON e.id = b.id`, b)
	}
	return fmt.Sprintf(`SELECT 1 AS kind, b.id,
			CASE b.pos WHEN 0 THEN 'DISPLAY_NAME' WHEN 1 THEN 'LEGAL_NAME' ELSE 'ALIAS' END AS field,
			CASE b.pos WHEN 0 THEN i.display_name WHEN 1 THEN i.legal_name ELSE i.aliases[b.pos - 1] END AS text, b.score
		FROM (%s) b JOIN influencer i ON i.id = b.id`, b)
}

// normalized is a search request after the database folded case and diacritics.
type normalized struct {
	terms, tsquery, exact string
	joined                string          // terms without spaces
	tag                   string          // ties cursors to this search
	ntrgm                 int             // trigrams of terms (show_trgm)
	broad                 map[string]bool // kinds for which the query is broad
}

// params are the values the statements' {name} placeholders stand for.
func (n normalized) params(r SearchRequest) map[string]any {
	return map[string]any{"terms": n.terms, "tsq": n.tsquery, "exact": n.exact, "joined": n.joined, "url": r.URLKey, "prefix": n.terms + "%",
		"platform": r.Platform, "uid": r.UserID}
}

var placeholder = regexp.MustCompile(`\{([a-z]+)\}`)

// bind numbers a statement's {name} placeholders $1, $2… in order of first use and returns the
// values in that order: a statement over some kinds only uses some parameters, and PostgreSQL
// refuses a parameter it never sees.
func bind(stmt string, vals map[string]any) (string, []any) {
	var args []any
	num := map[string]string{}
	stmt = placeholder.ReplaceAllStringFunc(stmt, func(m string) string {
		name := m[1 : len(m)-1]
		if _, ok := num[name]; !ok {
			v, known := vals[name]
			if !known {
				panic("search: no value for " + m) // a programming error in the templates above
			}
			args = append(args, v)
			num[name] = "$" + strconv.Itoa(len(args))
		}
		return num[name]
	})
	return stmt, args
}

// searchTx runs fn in a read-only transaction on the read pool, with the trigram threshold set
// for it and the request normalized by registry_normalize (the function the columns use).
func (d *DB) searchTx(ctx context.Context, r SearchRequest, fn func(tx *sql.Tx, n normalized) error) error {
	ctx, cancel := context.WithTimeout(ctx, d.timeoutOf(ctx))
	defer cancel()
	tx, err := d.reader(ctx).BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("search: begin: %w", err)
	}
	defer tx.Rollback()
	// No parallel workers: a broad query ("Nguyễn", a third of the registry) would otherwise take
	// three processes (on a 2-core server, every core), and it measured slower: the workers only
	// share the bitmap heap scan, while the scoring and the sort run in the leader anyway.
	// The same statement counts, up to SearchBroadHolders + 1, each kind's entities holding a word
	// that begins with a one-word query ($5…$8: a limit of 0 where the broad path does not apply).
	const prepare = `SELECT set_config('pg_trgm.word_similarity_threshold', $1, true),
		set_config('max_parallel_workers_per_gather', '0', true),
		registry_normalize($2), registry_normalize($3), registry_normalize($4),
		coalesce(array_length(show_trgm(registry_normalize($2)), 1), 0),
		(SELECT count(*) FROM (SELECT FROM search_word WHERE kind = 1 AND word LIKE ` + broadPrefix + ` LIMIT $5) w),
		(SELECT count(*) FROM (SELECT FROM search_word WHERE kind = 2 AND word LIKE ` + broadPrefix + ` LIMIT $6) w),
		(SELECT count(*) FROM (SELECT FROM search_word WHERE kind = 3 AND word LIKE ` + broadPrefix + ` LIMIT $7) w),
		(SELECT count(*) FROM (SELECT FROM search_word WHERE kind = 4 AND word LIKE ` + broadPrefix + ` LIMIT $8) w)`
	if d.OnQuery != nil {
		d.OnQuery(prepare)
	}
	// A query is broad only as one word (a pasted profile URL is compared whole, by the GIN path).
	eligible := !r.Exhaustive && r.URLKey == "" && !strings.ContainsFunc(r.Terms, unicode.IsSpace)
	var n normalized
	var ignored string
	args := []any{strconv.FormatFloat(r.Threshold(), 'f', -1, 64), r.Terms, r.TSQuery, r.Exact}
	for _, k := range SearchKinds {
		limit := 0
		if eligible && slices.Contains(r.Kinds, k) {
			limit = SearchBroadHolders + 1
		}
		args = append(args, limit)
	}
	var holders [4]int
	if err := tx.QueryRowContext(ctx, prepare, args...).
		Scan(&ignored, &ignored, &n.terms, &n.tsquery, &n.exact, &n.ntrgm, &holders[0], &holders[1], &holders[2], &holders[3]); err != nil {
		return fmt.Errorf("search: prepare: %w", err)
	}
	// Broad when one kind holds the word (or longer words beginning with it) often; then every
	// kind is read from the word index: a broad query matches words, not resemblances, in all of
	// them (a short word resembles many: "thi" ~ "thoi" in a thousand brand names).
	broad := false
	for i := range SearchKinds {
		broad = broad || holders[i] > SearchBroadHolders
	}
	broad = broad && !strings.ContainsAny(n.terms, " %_\\") // still one plain word once normalized
	n.broad = map[string]bool{}
	for _, k := range r.Kinds {
		n.broad[k] = broad
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
		stmt, args, err := searchStatement(r, n, p)
		if err != nil {
			return err
		}
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

// searchStatement is the statement of one page of search results and its arguments.
func searchStatement(r SearchRequest, n normalized, p Page) (string, []any, error) {
	vals := n.params(r)
	// A handle scores against the terms and against the terms run together; for a one-word
	// query they are the same, and a broad one-word query has tens of thousands of accounts
	// to score.
	hs := fmt.Sprintf(handleScore, "{terms}")
	if n.joined != n.terms {
		hs = "greatest(" + hs + ", " + fmt.Sprintf(handleScore, "{joined}") + ")"
	}
	where, after := "TRUE", math.Inf(1)
	if c := p.After; c != nil {
		score, kind, ok := strings.Cut(c.Key, "/")
		rank, err := strconv.Atoi(kind)
		if c.Order != n.tag || !ok || err != nil {
			return "", nil, errcode.BadInput("after", "the cursor belongs to another search; restart from the first page")
		}
		if after, err = strconv.ParseFloat(score, 64); err != nil {
			return "", nil, errcode.BadInput("after", "after is not a cursor this API issued")
		}
		vals["score"], vals["kind"], vals["id"] = score, rank, c.ID
		where = afterCursor("h.score", "h.kind", "h.id")
	}
	bound := bounded(r, n)
	with := ""
	branches := make([]string, len(r.Kinds))
	for i, k := range r.Kinds {
		branch := accountTemplate(strings.Replace(searchBranches[k], "{handlescore}", hs, 1), r)
		branches[i] = accountTemplate(strings.Replace(branch, "{cond}", searchMatches[k], 1), r)
		switch {
		case n.broad[k]:
			branches[i] = broadBranch(k, n, vals, p.After != nil, after, p.Limit+1) + "\nUNION ALL\n" +
				strings.Replace(branch, "{cond}", searchAlias[k]+".id IN ("+broadSample(k)+")", 1)
		case bound && k == SearchInfluencer:
			// The full-text candidates, scored once; bound is whether limit of them after the
			// cursor score above searchBoundScore: then they are the page's influencers.
			cond := afterCursor("g.score", "1", "g.id")
			if p.After == nil {
				cond = "TRUE"
			}
			with = fmt.Sprintf(`WITH fts AS MATERIALIZED (%s),
				bound AS (SELECT count(*) > %d AS ok FROM (SELECT FROM fts g WHERE g.score > %s AND %s LIMIT %d) g) `,
				strings.Replace(branch, "{cond}", influencerFTS, 1), p.Limit, searchBoundScore, cond, p.Limit+1)
			branches[i] = `SELECT * FROM fts WHERE (SELECT ok FROM bound)` + "\nUNION ALL\n" +
				strings.Replace(branch, "{cond}", searchMatches[k]+" AND NOT (SELECT ok FROM bound)", 1)
		case bound && k == SearchPlatformAccount:
			// Within the bound, an account can only be on the page with a handle equal to the query.
			branches[i] = accountTemplate(strings.Replace(branch, "{cond}", "{acond} AND NOT (SELECT ok FROM bound)", 1), r) +
				"\nUNION ALL\n" + strings.Replace(branch, "{cond}", "pa.handle_search = {exact} AND (SELECT ok FROM bound)", 1)
		}
	}
	stmt, args := bind(fmt.Sprintf(`%sSELECT h.kind, h.id, h.field, h.text, h.score::text FROM (%s) h WHERE %s
		ORDER BY h.score DESC, h.kind, h.id LIMIT %d`, with, strings.Join(branches, "\nUNION ALL\n"), where, p.Limit+1), vals)
	return stmt, args, nil
}

// Bounded candidates (docs/search.md, "Bounded candidates"). An influencer field scores
// 0.5 · word similarity + 0.3 · similarity + 0.2 · [every query word in the field], or 1 when
// it equals the query; a handle 0.5 · word similarity + 0.3 · similarity, or 1 when equal. So
// an influencer whose search_text does not hold every query word as a prefix (no field does
// then), and any account whose handle is not the query, scores at most searchBoundScore — as
// long as a field equal to the query holds every query word, which is so when the query is
// plain words (plainWords, the exact query equal to its terms): then to_tsvector splits that
// field into the query's words. When a page's worth of influencers found by the full-text
// index alone (cheap: every word must be there) score above the bound after the cursor, no
// trigram-only candidate can be on the page, and the trigram scans of influencers and
// accounts (the bulk of a common name's cost) are skipped: the same page, exactly.
const searchBoundScore = "0.8"

// influencerFTS is the full-text half of searchMatch for influencers.
const influencerFTS = `to_tsvector('simple', i.search_text) @@ {tsq}::tsquery`

// plainWords is a normalized query of lower-case ASCII letters and digits, single-spaced.
var plainWords = regexp.MustCompile(`^[a-z0-9]+( [a-z0-9]+)*$`)

// bounded is whether r's page may be cut by the bound above: influencers searched on the GIN
// path, a query of plain words (not a pasted address), and not Exhaustive.
func bounded(r SearchRequest, n normalized) bool {
	return !r.Exhaustive && !n.broad[SearchInfluencer] && slices.Contains(r.Kinds, SearchInfluencer) &&
		r.URLKey == "" && r.UserID == "" && r.Platform == "" && n.exact == n.terms && plainWords.MatchString(n.terms)
}

// SearchPlan returns the EXPLAIN (ANALYZE, BUFFERS) plan of one page of r, run exactly as Search
// runs it: for operators and the benchmark, to see which indexes serve a query.
func (d *DB) SearchPlan(ctx context.Context, r SearchRequest, p Page) (string, error) {
	var lines []string
	err := d.searchTx(ctx, r, func(tx *sql.Tx, n normalized) error {
		stmt, args, err := searchStatement(r, n, p)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "+stmt, args...)
		if err != nil {
			return fmt.Errorf("search plan: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return fmt.Errorf("search plan: %w", err)
			}
			lines = append(lines, line)
		}
		return rows.Err()
	})
	return strings.Join(lines, "\n"), err
}

// CountSearch counts every entity matching r (the totalCount of the search).
func (d *DB) CountSearch(ctx context.Context, r SearchRequest) (int, error) {
	if len(r.Kinds) == 0 {
		return 0, nil
	}
	var total int
	err := d.searchTx(ctx, r, func(tx *sql.Tx, n normalized) error {
		parts := make([]string, len(r.Kinds))
		for i, k := range r.Kinds {
			parts[i] = accountTemplate(searchCounts[k], r)
			if n.broad[k] {
				parts[i] = fmt.Sprintf(`(SELECT count(*) FROM search_word WHERE kind = %d AND word = {terms}) + (SELECT count(*) FROM (%s) s)`,
					slices.Index(SearchKinds, k)+1, broadSample(k))
			}
		}
		stmt, args := bind("SELECT "+strings.Join(parts, " + "), n.params(r))
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
