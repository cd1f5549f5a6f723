package db

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// Page sizes of every connection.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Page is a validated request for one slice of a keyset-ordered list (Relay's first/after/last/before).
type Page struct {
	Limit    int
	Backward bool // last/before: the slice ends at the end of the window
	After    *Cursor
	Before   *Cursor
}

// Cursor is the position of a row in one ordering: the row's sort key and id.
// On the wire it is base64url(JSON): opaque to clients, never an OFFSET.
type Cursor struct {
	Order string `json:"o"`
	Key   string `json:"k"`
	ID    int64  `json:"i"`
}

// Encode returns the opaque string form.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor parses an opaque cursor.
func DecodeCursor(s string) (*Cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var c Cursor
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, err
	}
	if c.ID <= 0 || c.Order == "" {
		return nil, fmt.Errorf("incomplete cursor")
	}
	return &c, nil
}

// NewPage validates Relay pagination arguments: first/last in 1..100 (20 when both are absent),
// not both; cursors must decode. Errors are BAD_USER_INPUT naming the argument.
func NewPage(first, last *int, after, before *string) (Page, error) {
	p := Page{Limit: DefaultPageSize}
	switch {
	case first != nil && last != nil:
		return p, errcode.BadInput("first", "pass first or last, not both")
	case first != nil:
		if *first < 1 || *first > MaxPageSize {
			return p, errcode.BadInput("first", "first must be between 1 and %d, got %d", MaxPageSize, *first)
		}
		p.Limit = *first
	case last != nil:
		if *last < 1 || *last > MaxPageSize {
			return p, errcode.BadInput("last", "last must be between 1 and %d, got %d", MaxPageSize, *last)
		}
		p.Limit = *last
		p.Backward = true
	case before != nil && after == nil:
		// Only a before cursor: the page just before it.
		p.Backward = true
	}
	var err error
	if after != nil {
		if p.After, err = DecodeCursor(*after); err != nil {
			return p, errcode.BadInput("after", "after is not a cursor this API issued")
		}
	}
	if before != nil {
		if p.Before, err = DecodeCursor(*before); err != nil {
			return p, errcode.BadInput("before", "before is not a cursor this API issued")
		}
	}
	return p, nil
}

// PageOf is one page of rows with their cursors.
type PageOf[T any] struct {
	Rows            []T
	Cursors         []string
	HasNextPage     bool
	HasPreviousPage bool
}

// order is one keyset ordering of a list: a NOT NULL sort column with the row id as tie-break.
type order[T any] struct {
	name string // tag written into cursors, so a cursor of another ordering is refused
	col  string // SQL expression of the sort key
	typ  string // SQL type the cursor's key is cast to
	desc bool   // descending
	key  func(T) string
	id   func(T) int64
}

// listQuery is a list's FROM, columns and filter conditions; conditions are written by the store
// from a whitelist, with every value passed as a $n argument.
type listQuery struct {
	from  string // e.g. "disclosure d"
	cols  string // explicit column list, as the scan function expects it
	idCol string // e.g. "d.id"
	where []string
	args  []any
	// split, when set, writes a page as one ordered branch per value of a column (splitOneOf).
	split *split
}

// split is a "one of" filter a page reads branch by branch: col = each placeholder in turn.
type split struct {
	col string
	phs []string
}

// maxSplit is the most values a filter is split into; more are read with "= ANY".
const maxSplit = 4

// arg adds a parameter and returns its placeholder.
func (q *listQuery) arg(v any) string {
	q.args = append(q.args, v)
	return "$" + strconv.Itoa(len(q.args))
}

// cond adds a condition; %s in format are replaced by placeholders for args, in order.
func (q *listQuery) cond(format string, args ...any) {
	ph := make([]any, len(args))
	for i, a := range args {
		ph[i] = q.arg(a)
	}
	q.where = append(q.where, fmt.Sprintf(format, ph...))
}

// oneOf narrows q to the rows whose col is one of vals (at least one): "col = $n" when they
// are one value (repeated or not), "col = ANY($n)" for more. With one value the planner walks
// an index on (col, the list's order) in order and stops at the page; "= ANY" of a
// one-element array is not used for order, and the planner scanned the order's own index,
// filtering (50 disclosures of one category: 492 index rows read, 3 times the time). A
// repeated value counts once, so that lists one loader key batches together ([X] and [X, X])
// send the same statement.
func oneOf[T comparable](q *listQuery, col string, vals []T) {
	if !slices.ContainsFunc(vals, func(v T) bool { return v != vals[0] }) {
		q.cond(col+" = %s", vals[0])
		return
	}
	q.cond(col+" = ANY(%s)", pq.Array(vals))
}

// splitOneOf is oneOf for a column that leads an index in the list's order: a page of several
// values is read as a UNION ALL of one branch per value (col = v ORDER BY … LIMIT), each walking
// that index and stopping at the page, and the branches' rows are ordered again; counts read
// "col IN (…)". With "= ANY" the planner walks the order's own index, filtering: the first page
// of the Đà Nẵng group (VN-DN and the old VN-27, 7 % of 200,000 influencers) read 37 ms warm,
// 317 ms cold; the branches read a page's rows each (docs/performance.md).
func splitOneOf[T comparable](q *listQuery, col string, vals []T) {
	var distinct []T
	for _, v := range vals {
		if !slices.Contains(distinct, v) {
			distinct = append(distinct, v)
		}
	}
	if len(distinct) == 1 || len(distinct) > maxSplit {
		oneOf(q, col, distinct)
		return
	}
	sp := &split{col: col}
	for _, v := range distinct {
		sp.phs = append(sp.phs, q.arg(v))
	}
	q.where = append(q.where, col+" IN ("+strings.Join(sp.phs, ", ")+")")
	q.split = sp
}

// source is the FROM and WHERE of a page of at most limit rows in the order orderBy: the list's
// own, or, for a split list, its branches (each already filtered and cut at limit) under the
// list's alias. A list read from more than one table ("disclosure d JOIN …") is not split:
// its branches would select the first table's columns alone.
func (q *listQuery) source(orderBy string, limit int) (from, where string) {
	if q.split == nil || strings.Count(q.from, " ") != 1 {
		return q.from, q.whereSQL()
	}
	alias := q.from[strings.LastIndexByte(q.from, ' ')+1:]
	branches := make([]string, len(q.split.phs))
	for i, ph := range q.split.phs {
		branches[i] = fmt.Sprintf("(SELECT %s.* FROM %s WHERE %s AND %s = %s ORDER BY %s LIMIT %d)",
			alias, q.from, q.whereSQL(), q.split.col, ph, orderBy, limit)
	}
	return "(" + strings.Join(branches, " UNION ALL ") + ") " + alias, "TRUE"
}

// hasActiveSanction narrows to the subjects with (want true) or without (false) a sanction in
// force, the hasActiveSanction filter of influencers, MCNs and brands; nil leaves q as it is.
// subjectCol is the sanction's column naming the subject, idCol the listed table's id.
func (q *listQuery) hasActiveSanction(want *bool, subjectCol, idCol string) {
	if want == nil {
		return
	}
	not := ""
	if !*want {
		not = "NOT "
	}
	q.cond(not+"EXISTS (SELECT 1 FROM sanction s WHERE "+subjectCol+" = "+idCol+" AND s.status = ANY(%s))", pq.Array(registry.Strings(registry.ActiveStatuses)))
}

func (q *listQuery) whereSQL() string {
	if len(q.where) == 0 {
		return "TRUE"
	}
	return strings.Join(q.where, " AND ")
}

// pageSQL returns the SELECT for one page (limit+1 rows, in scan order) after adding the cursor bounds.
func pageSQL[T any](q *listQuery, o order[T], p Page) (string, error) {
	orderBy, err := pageBounds(q, o, p)
	if err != nil {
		return "", err
	}
	from, where := q.source(orderBy, p.Limit+1)
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s LIMIT %d", q.cols, from, where, orderBy, p.Limit+1), nil
}

// pageBounds adds a page's cursor bounds to q and returns its ORDER BY (in scan order).
func pageBounds[T any](q *listQuery, o order[T], p Page) (string, error) {
	for _, c := range []struct {
		cur   *Cursor
		after bool
	}{{p.After, true}, {p.Before, false}} {
		if c.cur == nil {
			continue
		}
		if c.cur.Order != o.name {
			return "", errcode.BadInput(map[bool]string{true: "after", false: "before"}[c.after],
				"the cursor belongs to another ordering; restart from the first page")
		}
		// "after" means later in the ordering: greater when ascending, smaller when descending.
		op := ">"
		if c.after == o.desc {
			op = "<"
		}
		q.cond(fmt.Sprintf("(%s, %s) %s (%%s::%s, %%s)", o.col, q.idCol, op, o.typ), c.cur.Key, c.cur.ID)
	}
	return keysetOrder(o.col, q.idCol, o.desc != p.Backward), nil // scanning backward reverses the ordering
}

// keysetOrder is the ORDER BY of a keyset ordering: the sort key, then the id.
func keysetOrder(col, idCol string, desc bool) string {
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	return fmt.Sprintf("%s %s, %s %s", col, dir, idCol, dir)
}

// finish trims the extra row, restores the ordering of a backward scan and makes cursors.
func finish[T any](rows []T, o order[T], p Page) PageOf[T] {
	more := len(rows) > p.Limit
	if more {
		rows = rows[:p.Limit]
	}
	if p.Backward {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	out := PageOf[T]{Rows: rows, Cursors: make([]string, len(rows))}
	for i, r := range rows {
		out.Cursors[i] = Cursor{Order: o.name, Key: o.key(r), ID: o.id(r)}.Encode()
	}
	// Rows are never hard-deleted, so a cursor given means rows exist on that side of it.
	if p.Backward {
		out.HasPreviousPage, out.HasNextPage = more, p.Before != nil
	} else {
		out.HasNextPage, out.HasPreviousPage = more, p.After != nil
	}
	return out
}

// scanFunc reads one row; extra destinations (e.g. a parent id) come first.
type scanFunc[T any] func(sc scanner, extra ...any) (T, error)

type scanner interface{ Scan(dest ...any) error }

// fetchPage runs one page of a list.
func fetchPage[T any](ctx context.Context, d *DB, q listQuery, o order[T], p Page, scan scanFunc[T]) (PageOf[T], error) {
	stmt, err := pageSQL(&q, o, p)
	if err != nil {
		return PageOf[T]{}, err
	}
	rows, cancel, err := d.query(ctx, stmt, q.args...)
	if err != nil {
		return PageOf[T]{}, err
	}
	defer cancel()
	defer rows.Close()
	var out []T
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return PageOf[T]{}, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return PageOf[T]{}, err
	}
	return finish(out, o, p), nil
}

// fetchPages runs the same page of a list for many parents in one statement (a LATERAL join),
// so a nested connection costs one query per request, not one per parent.
func fetchPages[T any](ctx context.Context, d *DB, q listQuery, parentCol string, parents []int64, o order[T], p Page, scan scanFunc[T]) (map[int64]PageOf[T], error) {
	parentArg := q.arg(pq.Array(parents))
	q.where = append(q.where, parentCol+" = parent.id")
	inner, err := pageSQL(&q, o, p)
	if err != nil {
		return nil, err
	}
	stmt := fmt.Sprintf("SELECT parent.id, page.* FROM unnest(%s::bigint[]) AS parent(id) CROSS JOIN LATERAL (%s) AS page",
		parentArg, inner)
	rows, cancel, err := d.query(ctx, stmt, q.args...)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer rows.Close()
	byParent := map[int64][]T{}
	for rows.Next() {
		var parent int64
		r, err := scan(rows, &parent)
		if err != nil {
			return nil, err
		}
		byParent[parent] = append(byParent[parent], r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make(map[int64]PageOf[T], len(parents))
	for _, id := range parents {
		out[id] = finish(byParent[id], o, p)
	}
	return out, nil
}

// count returns how many rows match a list's conditions (cursors aside).
func count(ctx context.Context, d *DB, q listQuery) (int, error) {
	var n int
	err := d.queryRow(ctx, fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", q.from, q.whereSQL()), q.args, &n)
	return n, err
}

// countByParent counts a list's rows for many parents in one statement.
func countByParent(ctx context.Context, d *DB, q listQuery, parentCol string, parents []int64) (map[int64]int, error) {
	q.cond(parentCol+" = ANY(%s)", pq.Array(parents))
	stmt := fmt.Sprintf("SELECT %s, count(*) FROM %s WHERE %s GROUP BY %s", parentCol, q.from, q.whereSQL(), parentCol)
	rows, cancel, err := d.query(ctx, stmt, q.args...)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer rows.Close()
	out := make(map[int64]int, len(parents))
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
	}
	return out, rows.Err()
}

// byIDs reads the rows with the given ids in one statement; missing ids are simply absent.
func byIDs[T any](ctx context.Context, d reader, cols, from, idCol string, ids []int64, scan scanFunc[T], id func(T) int64) (map[int64]T, error) {
	stmt := fmt.Sprintf("SELECT %s FROM %s WHERE %s = ANY($1)", cols, from, idCol)
	rows, cancel, err := d.query(ctx, stmt, pq.Array(ids))
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer rows.Close()
	out := make(map[int64]T, len(ids))
	for rows.Next() {
		r, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out[id(r)] = r
	}
	return out, rows.Err()
}

// childList is a list of child rows without paging: where they are, the column naming their
// parent, their order, and at most how many a parent has (the per-parent maxima of limits.go).
// The loaders read it for many parents (byParents), the JSON read for each parent (jsonread.go).
type childList struct {
	from, parentCol, orderBy string
	limit                    int
}

// byParents reads the child rows of many parents in one statement, grouped by parent: the first
// limit of each parent in orderBy's order; with the store's reads or in a write transaction (reader).
func byParents[T any](ctx context.Context, d reader, cols string, c childList, parents []int64, scan scanFunc[T]) (map[int64][]T, error) {
	stmt := fmt.Sprintf(`SELECT x.* FROM (
		SELECT row_number() OVER (PARTITION BY %[1]s ORDER BY %[4]s) AS kol_rn, %[1]s, %[2]s
		FROM %[3]s WHERE %[1]s = ANY($1)) x
	WHERE x.kol_rn <= $2 ORDER BY x.kol_rn`, c.parentCol, cols, c.from, c.orderBy)
	rows, cancel, err := d.query(ctx, stmt, pq.Array(parents), c.limit)
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer rows.Close()
	out := make(map[int64][]T, len(parents))
	for rows.Next() {
		var rn, parent int64
		r, err := scan(rows, &rn, &parent)
		if err != nil {
			return nil, err
		}
		out[parent] = append(out[parent], r)
	}
	return out, rows.Err()
}

// Sort-key encodings used in cursors; each round-trips through the SQL cast of its order.
func timeKey(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
func dateKey(t time.Time) string { return t.Format("2006-01-02") }
func intKey(n int64) string      { return strconv.FormatInt(n, 10) }

// nullable helpers for scanning.
func strPtr(ns sql.NullString) *string {
	if !ns.Valid {
		return nil
	}
	return &ns.String
}

func int64Ptr(n sql.NullInt64) *int64 {
	if !n.Valid {
		return nil
	}
	return &n.Int64
}

func timePtr(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	return &n.Time
}

// datePtrKey is dateKey of an optional date (nil stays nil, for audit diffs).
func datePtrKey(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := dateKey(*t)
	return &s
}
