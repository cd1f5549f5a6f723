package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"
	"golang.org/x/sync/errgroup"
)

// Verification of the log against the database (docs/transparency.md, "audit verify"): the
// chain and the tree are recomputed from the entries, each event's columns are compared with
// its entry, and every record's row with the state its latest entry logged. All of it reads
// one snapshot, exported to the connections that work in parallel.
//
// It is built to read every entry once: one stream of the events in seq order, hashed and
// parsed by one worker per core (chain hash, leaf hash, the entry's members against the
// event's columns, a digest of its state), then grown into the tree in order. Meanwhile the
// records' rows are built by the same SQL the write path logs them with (db/state.go), two
// statements at a time, and digested the same way. A record whose digests differ is then read
// again, its row and its logged state, to name the fields that differ.

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
	// Most of what verify allocates (rows read, batches) is garbage at once, and what it keeps
	// (digests, hashes) is large: collecting less often halves the collector's share.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
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

	g, gctx := errgroup.WithContext(ctx)
	var logged map[string]map[int64]loggedState
	g.Go(func() error {
		return d.inSnapshot(gctx, snapshot, func(tx *sql.Tx) error {
			var err error
			logged, err = d.verifyEntries(gctx, snapshot, tx, &rep, withStates)
			return err
		})
	})
	var rows rowDigests
	if withStates {
		rows = rowDigests{}
		types := SubjectTypes()
		parts := make([]map[int64]stateDigest, len(types)*stateParts)
		sg, sctx := errgroup.WithContext(gctx)
		sg.SetLimit(stateParts)
		for i, typ := range types {
			for part := range stateParts {
				sg.Go(func() error {
					return d.inSnapshot(sctx, snapshot, func(tx *sql.Tx) error {
						var err error
						parts[i*stateParts+part], err = digestRows(sctx, tx, typ, part)
						return err
					})
				})
			}
		}
		g.Go(func() error {
			if err := sg.Wait(); err != nil {
				return err
			}
			for i, typ := range types {
				rows[typ] = parts[i*stateParts : (i+1)*stateParts]
				for _, m := range rows[typ] {
					rep.Records += int64(len(m))
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return rep, err
	}
	if withStates {
		if err := d.inSnapshot(ctx, snapshot, func(tx *sql.Tx) error {
			return compareStates(ctx, tx, logged, rows, &rep)
		}); err != nil {
			return rep, err
		}
	}
	sort.SliceStable(rep.Problems, func(i, j int) bool {
		a, b := rep.Problems[i], rep.Problems[j]
		if (a.Record == "") != (b.Record == "") {
			return a.Record == ""
		}
		if a.Record != b.Record {
			return a.Record < b.Record
		}
		return a.Seq < b.Seq
	})
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

// stateDigest is the first 16 bytes of the SHA-256 of a state's canonical JSON: enough to
// tell two states apart (a row forged to match a logged digest is a second preimage of 128
// bits), and small enough to hold one per record of a large registry in memory.
type stateDigest [16]byte

func digest(canonicalState []byte) stateDigest {
	sum := sha256.Sum256(canonicalState)
	return stateDigest(sum[:16])
}

// loggedState is what the latest event of a record logged: its seq and its state's digest
// (none for an event from before the log, which logged no state).
type loggedState struct {
	seq      int64
	digest   stateDigest
	hasState bool
}

// rowDigests are the digests of the records' rows, by type, in stateParts maps by id.
type rowDigests map[string][]map[int64]stateDigest

func (r rowDigests) get(typ string, id int64) (stateDigest, bool) {
	parts := r[typ]
	if len(parts) == 0 {
		return stateDigest{}, false
	}
	d, ok := parts[id%stateParts][id]
	return d, ok
}

// stateParts is how many statements build one type's rows, each the ids of one remainder.
const stateParts = 2

// digestRows builds the state of every record of one type whose id % stateParts is part,
// as the write path logs it, and digests it.
func digestRows(ctx context.Context, tx *sql.Tx, typ string, part int) (map[int64]stateDigest, error) {
	d := stateDefs[typ]
	rows, err := tx.QueryContext(ctx, d.selectSQL(d.alias+`.id % $1 = $2`), stateParts, part)
	if err != nil {
		return nil, fmt.Errorf("verify: read %s rows: %w", typ, err)
	}
	defer rows.Close()
	out := map[int64]stateDigest{}
	r := d.newRow()
	var buf []byte
	for rows.Next() {
		if err := rows.Scan(r.dest...); err != nil {
			return nil, fmt.Errorf("verify: read %s rows: %w", typ, err)
		}
		if buf, err = d.render(buf[:0], r); err != nil {
			return nil, fmt.Errorf("verify: %s state: %w", typ, err)
		}
		out[r.id] = digest(buf)
	}
	return out, rows.Err()
}

// compareStates compares every record's row with the state its latest event logged: a row
// with no history, a record logged whose row is gone, and a row that differs, field by field.
func compareStates(ctx context.Context, tx *sql.Tx, logged map[string]map[int64]loggedState, rows rowDigests, rep *LogReport) error {
	for _, typ := range SubjectTypes() {
		type suspect struct {
			id  int64
			log loggedState
			row bool
		}
		var sus []suspect
		for id, l := range logged[typ] {
			r, ok := rows.get(typ, id)
			if !ok || !l.hasState || r != l.digest {
				sus = append(sus, suspect{id, l, ok})
			}
		}
		for _, part := range rows[typ] {
			for id := range part {
				if _, ok := logged[typ][id]; !ok {
					sus = append(sus, suspect{id: id, row: true})
				}
			}
		}
		sort.Slice(sus, func(i, j int) bool { return sus[i].id < sus[j].id })
		reported := 0
		for _, s := range sus {
			if reported >= maxProblems {
				break
			}
			rec := fmt.Sprintf("%s %d (%s)", typ, s.id, GlobalID(typ, s.id))
			seq := s.log.seq
			switch {
			case seq == 0:
				rep.Problems = append(rep.Problems, Problem{Record: rec, Reason: "the row has no history in the log (written behind the API's back)"})
			case !s.log.hasState:
				rep.Problems = append(rep.Problems, Problem{Seq: seq, Record: rec, Reason: fmt.Sprintf("the latest event (seq %d) logged no state", seq)})
			case !s.row:
				rep.Problems = append(rep.Problems, Problem{Seq: seq, Record: rec, Reason: fmt.Sprintf("logged (latest seq %d) but its row is gone", seq)})
			default:
				row, err := states(ctx, tx, typ, []int64{s.id})
				if err != nil {
					return err
				}
				var entry []byte
				if err := tx.QueryRowContext(ctx, `SELECT entry FROM audit_event WHERE seq = $1`, seq).Scan(&entry); err != nil {
					return fmt.Errorf("verify: read event %d: %w", seq, err)
				}
				var e struct {
					State json.RawMessage `json:"state"`
				}
				_ = json.Unmarshal(entry, &e)
				changes := changedFields(row[s.id], e.State)
				for _, f := range changes {
					rep.Problems = append(rep.Problems, Problem{Seq: seq, Record: rec, Field: f.name,
						Reason: fmt.Sprintf("the row holds %s, the log (seq %d) %s", f.row, seq, f.logged)})
				}
				if len(changes) == 0 {
					continue // the same state, written differently
				}
			}
			reported++
		}
	}
	return nil
}

// verifyEntries streams the events in seq order: it recomputes the chain and the tree and
// compares the tree with the head and with every stored hash (read on a connection of its
// own meanwhile), compares each event's columns with its entry, and returns, with withStates,
// the latest logged state of every record. The hashing and parsing of each event need only
// the event itself (the chain hash covers the event's own prev_hash column), so they run on
// one worker per core over batches of events; the tree is then grown in order from the leaf
// hashes, a few hashes per leaf.
func (d *DB) verifyEntries(ctx context.Context, snapshot string, tx *sql.Tx, rep *LogReport, withStates bool) (map[string]map[int64]loggedState, error) {
	bad := func(seq int64, field, reason string) {
		if len(rep.Problems) < maxProblems {
			rep.Problems = append(rep.Problems, Problem{Seq: seq, Field: field, Reason: reason})
		}
	}
	var table []tlog.Hash
	tableDone := make(chan error, 1)
	go func() {
		tableDone <- d.inSnapshot(ctx, snapshot, func(tx *sql.Tx) error {
			var err error
			table, err = readStoredHashes(ctx, tx)
			return err
		})
	}()

	logged := map[string]map[int64]loggedState{}
	for _, typ := range SubjectTypes() {
		logged[typ] = map[int64]loggedState{}
	}
	batches, errc := readEvents(ctx, tx, withStates)
	defer func() {
		for range batches { // on an early return, let the reader finish
		}
	}()
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	prev, want := GenesisHash, int64(1)
	for b := range batches {
		<-b.done
		for i := range b.seq {
			seq := b.seq[i]
			switch {
			case seq != want:
				bad(want, "", fmt.Sprintf("missing; the next event is seq %d", seq))
			case b.prev[i] != prev:
				bad(seq, "prevHash", "does not match the previous event's hash")
			case b.noEntry[i]:
				bad(seq, "entry", "missing: run `kolregistry migrate`")
			case !b.chainOK[i]:
				bad(seq, "hash", "does not match the event's entry")
			}
			if f := b.column[i]; f != "" {
				bad(seq, f, columnProblem(f))
			}
			hs, err := tlog.StoredHashesForRecordHash(want-1, b.leaf[i], reader)
			if err != nil {
				return nil, fmt.Errorf("verify: tree at %d: %w", seq, err)
			}
			stored = append(stored, hs...)
			prev, want = b.hash[i], want+1
			if m := logged[b.subjectType[i]]; withStates && m != nil {
				m[b.subjectID[i]] = loggedState{seq: seq, digest: b.state[i], hasState: b.hasState[i]}
			}
		}
	}
	if err := <-errc; err != nil {
		return nil, err
	}
	rep.Events = want - 1
	if rep.Head.Seq != rep.Events || rep.Head.Hash != prev {
		bad(rep.Head.Seq, "head", fmt.Sprintf("the recorded head (seq %d) does not match the last event (seq %d)", rep.Head.Seq, rep.Events))
	}
	root, err := tlog.TreeHash(rep.Events, reader)
	if err != nil {
		return nil, fmt.Errorf("verify: root: %w", err)
	}
	if rep.Head.TreeSize != rep.Events || rep.Head.Root != root {
		bad(0, "rootHash", fmt.Sprintf("the head's tree (size %d) is not the tree of the %d entries", rep.Head.TreeSize, rep.Events))
	}
	if err := <-tableDone; err != nil {
		return nil, err
	}
	for i := range min(len(table), len(stored)) {
		if table[i] != stored[i] {
			bad(0, "audit_tree", fmt.Sprintf("stored hash %d is not the tree's", i))
			return logged, nil
		}
	}
	if len(table) != len(stored) {
		bad(0, "audit_tree", fmt.Sprintf("%d stored hashes, the tree has %d", len(table), len(stored)))
	}
	return logged, nil
}

func columnProblem(field string) string {
	if field == "entry" {
		return "the entry is not a JSON object"
	}
	return "the event's column differs from its logged entry"
}

// readStoredHashes reads audit_tree in index order; a gap ends the list there (it is then
// shorter than the tree's, which verifyEntries reports).
func readStoredHashes(ctx context.Context, tx *sql.Tx) ([]tlog.Hash, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM audit_tree`).Scan(&n); err != nil {
		return nil, fmt.Errorf("verify: read tree: %w", err)
	}
	rows, err := tx.QueryContext(ctx, `SELECT idx, hash FROM audit_tree ORDER BY idx`)
	if err != nil {
		return nil, fmt.Errorf("verify: read tree: %w", err)
	}
	defer rows.Close()
	out := make([]tlog.Hash, 0, n)
	var h sql.RawBytes
	for rows.Next() {
		var idx int64
		if err := rows.Scan(&idx, &h); err != nil {
			return nil, fmt.Errorf("verify: read tree: %w", err)
		}
		if idx != int64(len(out)) || len(h) != len(tlog.Hash{}) {
			break
		}
		out = append(out, tlog.Hash(h))
	}
	return out, rows.Err()
}

// eventBatch is a run of consecutive events as read and, once done is closed, what the
// workers found in them.
type eventBatch struct {
	// read
	seq, subjectID []int64
	prev, hash     []string
	entry, diff    [][]byte
	at             []time.Time
	actor          []sql.NullInt64
	action         []string
	subjectType    []string
	noEntry        []bool
	// found
	chainOK  []bool
	leaf     []tlog.Hash
	column   []string // the first column that differs from the entry, or ""
	state    []stateDigest
	hasState []bool
	done     chan struct{}
}

func (b *eventBatch) grow(n int) {
	b.chainOK, b.leaf, b.column = make([]bool, n), make([]tlog.Hash, n), make([]string, n)
	b.state, b.hasState = make([]stateDigest, n), make([]bool, n)
}

// readEvents reads the events in seq order and checks them on every core: the batches come
// out in order, each done when checked. The error channel gets the read's outcome once the
// batches are all out.
func readEvents(ctx context.Context, tx *sql.Tx, withStates bool) (<-chan *eventBatch, <-chan error) {
	const batchSize = 1024
	workers := max(1, runtime.GOMAXPROCS(0))
	ordered := make(chan *eventBatch, 4*workers)
	work := make(chan *eventBatch, 4*workers)
	errc := make(chan error, 1)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch []byte
			for b := range work {
				for i := range b.seq {
					b.check(i, withStates, &scratch)
				}
				b.entry, b.diff = nil, nil
				close(b.done)
			}
		}()
	}
	go func() {
		defer close(ordered)
		defer func() { close(work); wg.Wait() }()
		errc <- func() error {
			rows, err := tx.QueryContext(ctx, `SELECT seq, prev_hash, hash, entry, at, actor_id, action, subject_type, subject_id, diff
				FROM audit_event ORDER BY seq`)
			if err != nil {
				return fmt.Errorf("verify: read events: %w", err)
			}
			defer rows.Close()
			var b *eventBatch
			flush := func() {
				b.grow(len(b.seq))
				work <- b
				ordered <- b
				b = nil
			}
			for rows.Next() {
				if b == nil {
					b = &eventBatch{done: make(chan struct{})}
				}
				var (
					seq, subject        int64
					prev, hash          string
					action, subjectType string
					entry, diff         []byte
					at                  time.Time
					actor               sql.NullInt64
				)
				if err := rows.Scan(&seq, &prev, &hash, &entry, &at, &actor, &action, &subjectType, &subject, &diff); err != nil {
					return fmt.Errorf("verify: read event: %w", err)
				}
				b.seq, b.prev, b.hash = append(b.seq, seq), append(b.prev, prev), append(b.hash, hash)
				b.entry, b.noEntry = append(b.entry, entry), append(b.noEntry, entry == nil)
				b.at, b.actor, b.action = append(b.at, at), append(b.actor, actor), append(b.action, action)
				b.subjectType, b.subjectID, b.diff = append(b.subjectType, subjectType), append(b.subjectID, subject), append(b.diff, diff)
				if len(b.seq) == batchSize {
					flush()
				}
			}
			if b != nil {
				flush()
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("verify: read events: %w", err)
			}
			return nil
		}()
	}()
	return ordered, errc
}

// entryMembers are the members of an entry that the event's columns hold too.
type entryMembers struct {
	Seq     json.Number     `json:"seq"`
	At      string          `json:"at"`
	Actor   json.RawMessage `json:"actor"`
	Action  string          `json:"action"`
	Subject struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"subject"`
	Diff  json.RawMessage `json:"diff"`
	State json.RawMessage `json:"state"`
}

// check hashes event i and compares its columns with its entry. An entry with a state is of
// the log's own format (global IDs); one without is from before the log (numeric IDs).
func (b *eventBatch) check(i int, withStates bool, scratch *[]byte) {
	entry := b.entry[i]
	if b.noEntry[i] {
		return
	}
	b.chainOK[i] = chainHash(b.prev[i], entry) == b.hash[i]
	b.leaf[i] = tlog.RecordHash(entry)
	if b.checkFast(i, withStates, scratch) {
		return
	}
	var e entryMembers
	if err := json.Unmarshal(entry, &e); err != nil {
		b.column[i] = "entry"
		return
	}
	logFormat := e.State != nil && string(e.State) != "null"
	if logFormat && withStates {
		b.state[i], b.hasState[i] = digest(e.State), true
	}
	subjectID, actor := strconv.FormatInt(b.subjectID[i], 10), "null"
	if b.actor[i].Valid {
		actor = strconv.FormatInt(b.actor[i].Int64, 10)
	}
	if logFormat {
		subjectID = GlobalID(b.subjectType[i], b.subjectID[i])
		if b.actor[i].Valid {
			actor = `"` + GlobalID("Agency", b.actor[i].Int64) + `"`
		}
	}
	at, atErr := time.Parse(time.RFC3339Nano, e.At)
	switch {
	case e.Seq.String() != strconv.FormatInt(b.seq[i], 10):
		b.column[i] = "seq"
	case e.Action != b.action[i]:
		b.column[i] = "action"
	case e.Subject.Type != b.subjectType[i] || e.Subject.ID != subjectID:
		b.column[i] = "subject"
	case !rawEqual(e.Actor, actor):
		b.column[i] = "actor"
	case atErr != nil || !at.Equal(b.at[i]):
		b.column[i] = "at"
	case !sameJSON(e.Diff, b.diff[i]):
		b.column[i] = "diff"
	}
}

// rawEqual compares a raw JSON member (nil when absent, as null) with its expected text.
func rawEqual(raw json.RawMessage, want string) bool {
	if raw == nil {
		return want == "null"
	}
	return string(raw) == want
}

// sameJSON tells whether an entry's member and a column's jsonb text are the same JSON value:
// byte for byte once the column is in canonical form, else compared as values (an entry from
// before the log escaped <, >, & as Go does).
func sameJSON(member json.RawMessage, column []byte) bool {
	if member == nil {
		member = json.RawMessage("null")
	}
	if c, ok := appendCanonical(nil, column); ok && bytes.Equal(c, member) {
		return true
	}
	var a, b any
	da, db := json.NewDecoder(bytes.NewReader(member)), json.NewDecoder(bytes.NewReader(column))
	da.UseNumber()
	db.UseNumber()
	if da.Decode(&a) != nil || db.Decode(&b) != nil {
		return false
	}
	return reflect.DeepEqual(a, b)
}

// appendCanonical appends the canonical form (docs/transparency.md, "Entry format") of JSON
// text such as PostgreSQL writes jsonb: members sorted by key, no insignificant space. It is
// the fast path of canonical, for text whose strings need no escape at all; ok is false for
// anything else (an escape, a control character, U+2028/U+2029, a duplicate key, bad JSON),
// which canonical then handles.
func appendCanonical(dst, src []byte) ([]byte, bool) {
	p := jsonText{src: src}
	dst, ok := p.value(dst)
	p.space()
	return dst, ok && p.i == len(src)
}

type jsonText struct {
	src []byte
	i   int
}

func (p *jsonText) space() {
	for p.i < len(p.src) && (p.src[p.i] == ' ' || p.src[p.i] == '\t' || p.src[p.i] == '\n' || p.src[p.i] == '\r') {
		p.i++
	}
}

func (p *jsonText) value(dst []byte) ([]byte, bool) {
	p.space()
	if p.i >= len(p.src) {
		return dst, false
	}
	switch c := p.src[p.i]; {
	case c == '{':
		return p.object(dst)
	case c == '[':
		p.i++
		dst = append(dst, '[')
		p.space()
		if p.i < len(p.src) && p.src[p.i] == ']' {
			p.i++
			return append(dst, ']'), true
		}
		for {
			var ok bool
			if dst, ok = p.value(dst); !ok {
				return dst, false
			}
			p.space()
			if p.i >= len(p.src) {
				return dst, false
			}
			switch p.src[p.i] {
			case ',':
				p.i++
				dst = append(dst, ',')
			case ']':
				p.i++
				return append(dst, ']'), true
			default:
				return dst, false
			}
		}
	case c == '"':
		s, ok := p.str()
		return append(dst, s...), ok
	case c == '-' || (c >= '0' && c <= '9'):
		j := p.i
		for j < len(p.src) && (p.src[j] >= '0' && p.src[j] <= '9' || p.src[j] == '-') {
			j++
		}
		if j < len(p.src) && (p.src[j] == '.' || p.src[j] == 'e' || p.src[j] == 'E') {
			return dst, false // only integers are written as is
		}
		dst = append(dst, p.src[p.i:j]...)
		p.i = j
		return dst, true
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if bytes.HasPrefix(p.src[p.i:], []byte(lit)) {
				p.i += len(lit)
				return append(dst, lit...), true
			}
		}
		return dst, false
	}
}

// str returns the string at p.i with its quotes, when it holds no escape, no control
// character and no U+2028/U+2029 (then it is written as is).
func (p *jsonText) str() ([]byte, bool) {
	for j := p.i + 1; j < len(p.src); j++ {
		switch c := p.src[j]; {
		case c == '"':
			s := p.src[p.i : j+1]
			p.i = j + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c == 0xE2 && j+2 < len(p.src) && p.src[j+1] == 0x80 && (p.src[j+2] == 0xA8 || p.src[j+2] == 0xA9):
			return nil, false
		}
	}
	return nil, false
}

func (p *jsonText) object(dst []byte) ([]byte, bool) {
	type member struct{ key, val []byte }
	var ms []member
	p.i++
	p.space()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.i++
		return append(dst, '{', '}'), true
	}
	for {
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != '"' {
			return dst, false
		}
		k, ok := p.str()
		if !ok {
			return dst, false
		}
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return dst, false
		}
		p.i++
		v, ok := p.value(nil)
		if !ok {
			return dst, false
		}
		ms = append(ms, member{k[1 : len(k)-1], v})
		p.space()
		if p.i >= len(p.src) {
			return dst, false
		}
		if p.src[p.i] == '}' {
			p.i++
			break
		}
		if p.src[p.i] != ',' {
			return dst, false
		}
		p.i++
	}
	sort.Slice(ms, func(a, b int) bool { return bytes.Compare(ms[a].key, ms[b].key) < 0 })
	dst = append(dst, '{')
	for i, m := range ms {
		if i > 0 {
			if bytes.Equal(ms[i-1].key, m.key) {
				return dst, false
			}
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, m.key...)
		dst = append(dst, '"', ':')
		dst = append(dst, m.val...)
	}
	return append(dst, '}'), true
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
