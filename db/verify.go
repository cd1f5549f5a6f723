package db

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
	"golang.org/x/sync/errgroup"
)

// Verification of the log against the database (docs/transparency.md, "audit verify"): the
// chain and the tree are recomputed from the entries, each event's columns are compared with
// its entry, and every record's row with the state its latest entry logged. All of it reads
// one snapshot, exported to the connections that work in parallel.

// ChainError names the first audit event that does not verify.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", e.Seq, e.Reason)
}

// Problem is one inconsistency verify found: in an event (Seq > 0), in the tree or head, or
// between a record's row and its logged state (Record set).
type Problem struct {
	Seq    int64
	Record string // "Sanction 12 (U2FuY3Rpb246MTI)"
	Field  string
	Reason string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Record != "" {
		b.WriteString(p.Record)
	} else if p.Seq > 0 {
		fmt.Fprintf(&b, "audit event %d", p.Seq)
	} else {
		b.WriteString("log")
	}
	if p.Field != "" {
		fmt.Fprintf(&b, ", field %s", p.Field)
	}
	return b.String() + ": " + p.Reason
}

// LogReport is what VerifyLog checked and found.
type LogReport struct {
	Events   int64
	Records  int64
	Head     Head
	Problems []Problem
}

// maxProblems bounds the problems one run reports per check.
const maxProblems = 200

// VerifyChain recomputes the audit chain and the log's tree from the database and compares
// each event's columns with its entry. It returns the number of events checked, and a
// *ChainError naming the first broken event. It does not compare the records' tables with
// the log (VerifyLog does).
func (d *DB) VerifyChain(ctx context.Context) (int64, error) {
	r, err := d.verify(ctx, false)
	if err != nil {
		return r.Events, err
	}
	if len(r.Problems) > 0 {
		p := r.Problems[0]
		reason := p.Reason
		if p.Field != "" {
			reason = p.Field + ": " + reason
		}
		return r.Events, &ChainError{Seq: p.Seq, Reason: reason}
	}
	return r.Events, nil
}

// VerifyLog checks everything VerifyChain does and, for every record of every type, that its
// row equals the state its latest entry logged. An error means the check could not be made;
// what is inconsistent is in the report's Problems.
func (d *DB) VerifyLog(ctx context.Context) (LogReport, error) { return d.verify(ctx, true) }

func (d *DB) verify(ctx context.Context, withStates bool) (LogReport, error) {
	var rep LogReport
	lead, err := d.primary.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return rep, fmt.Errorf("verify: begin: %w", err)
	}
	defer lead.Rollback()
	var snapshot string
	if err := lead.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return rep, fmt.Errorf("verify: export snapshot: %w", err)
	}
	var root []byte
	if err := lead.QueryRowContext(ctx, `SELECT seq, hash, tree_size, root_hash FROM audit_head`).
		Scan(&rep.Head.Seq, &rep.Head.Hash, &rep.Head.TreeSize, &root); err != nil {
		return rep, fmt.Errorf("verify: read head: %w", err)
	}
	copy(rep.Head.Root[:], root)

	// Chain and tree first: if an entry was altered, it may no longer parse as JSON, and the
	// SQL checks below would fail on it rather than report it.
	if err := d.inSnapshot(ctx, snapshot, func(tx *sql.Tx) error {
		return verifyTree(ctx, tx, &rep)
	}); err != nil {
		return rep, err
	}
	chainOK := len(rep.Problems) == 0

	var mu chanProblems
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return d.inSnapshot(gctx, snapshot, func(tx *sql.Tx) error { return verifyColumns(gctx, tx, &mu) })
	})
	types := SubjectTypes()
	counts := make([]int64, len(types))
	if withStates {
		for i, typ := range types {
			g.Go(func() error {
				return d.inSnapshot(gctx, snapshot, func(tx *sql.Tx) error {
					n, err := verifyStates(gctx, tx, typ, &mu)
					counts[i] = n
					return err
				})
			})
		}
	}
	err = g.Wait()
	for _, n := range counts {
		rep.Records += n
	}
	if err != nil && chainOK {
		return rep, err
	}
	rep.Problems = append(rep.Problems, mu.sorted()...)
	return rep, nil
}

// inSnapshot runs fn in a read-only transaction on the exported snapshot.
func (d *DB) inSnapshot(ctx context.Context, snapshot string, fn func(*sql.Tx) error) error {
	tx, err := d.primary.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return fmt.Errorf("verify: begin: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SET TRANSACTION SNAPSHOT '`+strings.ReplaceAll(snapshot, "'", "")+`'`); err != nil {
		return fmt.Errorf("verify: set snapshot: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
		return err
	}
	return fn(tx)
}

// verifyTree streams the entries in seq order, recomputing the chain and the tree, then
// compares the tree with the head and with every stored hash.
func verifyTree(ctx context.Context, tx *sql.Tx, rep *LogReport) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, prev_hash, hash, entry FROM audit_event ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("verify: read events: %w", err)
	}
	defer rows.Close()
	bad := func(seq int64, field, reason string) {
		if len(rep.Problems) < maxProblems {
			rep.Problems = append(rep.Problems, Problem{Seq: seq, Field: field, Reason: reason})
		}
	}
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	prev, want := GenesisHash, int64(1)
	var seq int64
	var prevHash, hash string
	var entry sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&seq, &prevHash, &hash, &entry); err != nil {
			return fmt.Errorf("verify: read event: %w", err)
		}
		switch {
		case seq != want:
			bad(want, "", fmt.Sprintf("missing; the next event is seq %d", seq))
		case prevHash != prev:
			bad(seq, "prevHash", "does not match the previous event's hash")
		case entry == nil:
			bad(seq, "entry", "missing: run `kolregistry migrate`")
		case chainHash(prevHash, entry) != hash:
			bad(seq, "hash", "does not match the event's entry")
		}
		hs, err := tlog.StoredHashes(want-1, entry, reader)
		if err != nil {
			return fmt.Errorf("verify: tree at %d: %w", seq, err)
		}
		stored = append(stored, hs...)
		prev, want = hash, want+1
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("verify: read events: %w", err)
	}
	rep.Events = want - 1
	if rep.Head.Seq != rep.Events || rep.Head.Hash != prev {
		bad(rep.Head.Seq, "head", fmt.Sprintf("the recorded head (seq %d) does not match the last event (seq %d)", rep.Head.Seq, rep.Events))
	}
	root, err := tlog.TreeHash(rep.Events, reader)
	if err != nil {
		return fmt.Errorf("verify: root: %w", err)
	}
	if rep.Head.TreeSize != rep.Events || rep.Head.Root != root {
		bad(0, "rootHash", fmt.Sprintf("the head's tree (size %d) is not the tree of the %d entries", rep.Head.TreeSize, rep.Events))
	}
	hrows, err := tx.QueryContext(ctx, `SELECT idx, hash FROM audit_tree ORDER BY idx`)
	if err != nil {
		return fmt.Errorf("verify: read tree: %w", err)
	}
	defer hrows.Close()
	var next int64
	var h sql.RawBytes
	for hrows.Next() {
		var idx int64
		if err := hrows.Scan(&idx, &h); err != nil {
			return fmt.Errorf("verify: read tree: %w", err)
		}
		if idx != next || idx >= int64(len(stored)) || !bytes.Equal(h, stored[idx][:]) {
			bad(0, "audit_tree", fmt.Sprintf("stored hash %d is not the tree's", idx))
			break
		}
		next++
	}
	if err := hrows.Err(); err != nil {
		return fmt.Errorf("verify: read tree: %w", err)
	}
	if next != int64(len(stored)) && len(rep.Problems) == 0 {
		bad(0, "audit_tree", fmt.Sprintf("%d stored hashes, the tree has %d", next, len(stored)))
	}
	return nil
}

// verifyColumns compares each event's columns (what the API serves) with its entry.
// Entries from before the log carry numeric IDs and no state.
func verifyColumns(ctx context.Context, tx *sql.Tx, out *chanProblems) error {
	rows, err := tx.QueryContext(ctx, `SELECT seq, field FROM (
		SELECT e.seq, CASE
			WHEN (x.j->>'seq')::bigint IS DISTINCT FROM e.seq THEN 'seq'
			WHEN x.j->>'action' IS DISTINCT FROM e.action THEN 'action'
			WHEN x.j->'subject'->>'type' IS DISTINCT FROM e.subject_type
				OR x.j->'subject'->>'id' IS DISTINCT FROM
					CASE WHEN x.j ? 'state' THEN api_id(e.subject_type, e.subject_id) ELSE e.subject_id::text END THEN 'subject'
			WHEN x.j->>'actor' IS DISTINCT FROM
					CASE WHEN x.j ? 'state' THEN api_id('Agency', e.actor_id) ELSE e.actor_id::text END THEN 'actor'
			WHEN (x.j->>'at')::timestamptz IS DISTINCT FROM e.at THEN 'at'
			WHEN x.j->'diff' IS DISTINCT FROM e.diff THEN 'diff'
			END AS field
		FROM audit_event e CROSS JOIN LATERAL (SELECT e.entry::jsonb AS j) x
		WHERE e.entry IS NOT NULL) c
		WHERE field IS NOT NULL ORDER BY seq LIMIT $1`, maxProblems)
	if err != nil {
		return fmt.Errorf("verify: compare events with entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p Problem
		if err := rows.Scan(&p.Seq, &p.Field); err != nil {
			return err
		}
		p.Reason = "the event's column differs from its logged entry"
		out.add(p)
	}
	return rows.Err()
}

// verifyStates compares every record of one type with the state its latest entry logged:
// a changed field, a row with no logged state, a logged record with no row. It returns the
// number of records compared.
func verifyStates(ctx context.Context, tx *sql.Tx, typ string, out *chanProblems) (int64, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM (`+stateQueries[typ]+`) c`).Scan(&n); err != nil {
		return 0, fmt.Errorf("verify: count %s: %w", typ, err)
	}
	rows, err := tx.QueryContext(ctx, `WITH latest AS (
			SELECT DISTINCT ON (e.subject_id) e.subject_id AS id, e.seq, e.entry::jsonb -> 'state' AS state
			FROM audit_event e WHERE e.subject_type = $1 ORDER BY e.subject_id, e.seq DESC)
		SELECT coalesce(c.id, l.id), coalesce(l.seq, 0), c.state, l.state
		FROM (`+stateQueries[typ]+`) AS c(id, state) FULL JOIN latest l ON l.id = c.id
		WHERE c.state IS DISTINCT FROM l.state
		ORDER BY 1 LIMIT $2`, typ, maxProblems)
	if err != nil {
		return n, fmt.Errorf("verify: compare %s rows with the log: %w", typ, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, seq int64
		var row, logged []byte
		if err := rows.Scan(&id, &seq, &row, &logged); err != nil {
			return n, err
		}
		rec := fmt.Sprintf("%s %d (%s)", typ, id, GlobalID(typ, id))
		switch {
		case logged == nil && seq == 0:
			out.add(Problem{Record: rec, Reason: "the row has no history in the log (written behind the API's back)"})
		case logged == nil:
			out.add(Problem{Seq: seq, Record: rec, Reason: fmt.Sprintf("the latest event (seq %d) logged no state", seq)})
		case row == nil:
			out.add(Problem{Seq: seq, Record: rec, Reason: fmt.Sprintf("logged (latest seq %d) but its row is gone", seq)})
		default:
			for _, f := range changedFields(row, logged) {
				out.add(Problem{Seq: seq, Record: rec, Field: f.name,
					Reason: fmt.Sprintf("the row holds %s, the log (seq %d) %s", f.row, seq, f.logged)})
			}
		}
	}
	return n, rows.Err()
}

type fieldChange struct{ name, row, logged string }

// changedFields lists the top-level fields whose values differ between two JSON objects.
func changedFields(row, logged []byte) []fieldChange {
	var a, b map[string]any
	if json.Unmarshal(row, &a) != nil || json.Unmarshal(logged, &b) != nil {
		return []fieldChange{{name: "(state)", row: string(row), logged: string(logged)}}
	}
	keys := map[string]bool{}
	for k := range a {
		keys[k] = true
	}
	for k := range b {
		keys[k] = true
	}
	var out []fieldChange
	for k := range keys {
		if !reflect.DeepEqual(a[k], b[k]) {
			ra, _ := json.Marshal(a[k])
			rb, _ := json.Marshal(b[k])
			out = append(out, fieldChange{k, string(ra), string(rb)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

// chanProblems collects problems from parallel checks.
type chanProblems struct {
	mu   sync.Mutex
	list []Problem
}

func (c *chanProblems) add(p Problem) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, p)
}

func (c *chanProblems) sorted() []Problem {
	c.mu.Lock()
	defer c.mu.Unlock()
	sort.SliceStable(c.list, func(i, j int) bool {
		if c.list[i].Record != c.list[j].Record {
			return c.list[i].Record < c.list[j].Record
		}
		return c.list[i].Seq < c.list[j].Seq
	})
	return c.list
}
