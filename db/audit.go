package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/lib/pq"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/kolregistry/kolregistry/translog"
)

// GenesisHash is the prev_hash of the first audit event.
var GenesisHash = fmt.Sprintf("%064d", 0)

// Event is what one write did, as the audit trail records it.
type Event struct {
	Action      string         // the mutation, e.g. "recordSanction"
	SubjectType string         // the GraphQL type of the record written, e.g. "Sanction"
	SubjectID   int64          // its database id
	Diff        map[string]any // what changed: field → new value (or {"from":…, "to":…})
}

// AuditEvent is a row of audit_event.
type AuditEvent struct {
	Seq         int64
	At          time.Time
	ActorID     *int64
	Action      string
	SubjectType string
	SubjectID   int64
	Diff        json.RawMessage
	PrevHash    string
	Hash        string
	// Entry is the exact bytes of the event's leaf in the transparency log (docs/transparency.md).
	Entry []byte
}

// LeafHash is the event's RFC 6962 leaf hash in the log: tlog.RecordHash(entry).
func (e AuditEvent) LeafHash() tlog.Hash { return tlog.RecordHash(e.Entry) }

// Tx is a write transaction, the store bound to it: every statement of a mutation runs on it,
// and its reads (txreads.go) are the store's, run in the transaction. Transact hands one to
// its callback.
type Tx struct {
	*sql.Tx
	// Actor is the agency writing; Operator (0) where none is (the CLI, Transact).
	Actor int64
}

// WriteResult says what a write recorded, or which earlier write an idempotent retry replayed.
type WriteResult struct {
	SubjectType string
	SubjectID   int64
	Seq         int64
	Replayed    bool
}

// Operator is the actor of writes made by the registry's operator through the CLI rather than
// by an agency; its audit events have no actor.
const Operator int64 = 0

// errKeyRace is a concurrent write with the same idempotency key committing first: running
// the write again replays it.
var errKeyRace = errors.New("idempotency key claimed by a concurrent write")

// Write runs fn and records the event it returns in the audit trail and the transparency log,
// all in one transaction.
//
// input is the mutation's validated input: with a key the agency used before for the same
// action and the same input, nothing is written and the first result is returned with Replayed
// set; with another action or input the write is refused (IDEMPOTENCY_KEY_REUSED, see
// idempotency.go).
//
// The rows are checked and written first, by many writers at once; only the final append
// locks the audit head (seq, chain hash, tree), so writers are serialized for a few
// statements rather than for the whole mutation, and seq stays gap-free: a transaction that
// rolls back after taking the lock gives its seq back. Row locks are always taken before the
// head's, so the head never waits on a row. Two concurrent writes with one key meet at the
// idempotency_key row; the loser, run again, replays the winner (or is refused). Actor
// Operator (0) is the registry's operator at the CLI, recorded with no agency.
func (d *DB) Write(ctx context.Context, actor int64, idempotencyKey *string, action string, input any, fn func(ctx context.Context, tx *Tx) (Event, error)) (WriteResult, error) {
	idem, err := newIdempotency(agencyKeys, idempotencyKey, action, input)
	if err != nil {
		return WriteResult{}, err
	}
	for attempt := 0; ; attempt++ {
		res, err := d.writeOnce(ctx, actor, idem, action, fn)
		if errors.Is(err, errKeyRace) && attempt < 3 {
			continue
		}
		return res, err
	}
}

func (d *DB) writeOnce(ctx context.Context, actor int64, idem *idempotency, action string, fn func(ctx context.Context, tx *Tx) (Event, error)) (WriteResult, error) {
	var res WriteResult
	err := d.transact(ctx, sql.LevelReadCommitted, actor, func(tx *Tx) error {
		res = WriteResult{}
		if idem != nil {
			first, replayed, err := idem.replay(ctx, tx, actor)
			if err != nil || replayed {
				res = first
				return err
			}
		}
		ev, err := fn(ctx, tx)
		if err != nil {
			return err
		}
		if ev.Action == "" {
			ev.Action = action
		}
		if idem != nil {
			if err := idem.claim(ctx, tx, actor, ev); err != nil {
				return err
			}
		}
		seqs, err := logEvents(ctx, preparedTx{tx.Tx, d.writes}, actor, []Event{ev})
		if err != nil {
			return err
		}
		res.SubjectType, res.SubjectID, res.Seq = ev.SubjectType, ev.SubjectID, seqs[0]
		return nil
	})
	return res, err
}

// Record names a record an import wrote.
type Record struct {
	Type string
	ID   int64
}

// ImportBatch is how many events one append of an import carries.
const ImportBatch = 2000

// ErrNothingToImport, returned by an import's fn, rolls the import back without an error.
var ErrNothingToImport = errors.New("nothing to import")

// Import writes many records in one transaction through the same log as Write: fn inserts
// the rows and returns the records it wrote, in order; each gets one event, action, with
// diff {"source": source} and the record's state, appended in order. The demo seed and bulk
// loads write this way, so that every record has a history. It returns the last seq written
// (0 when fn returned ErrNothingToImport).
func (d *DB) Import(ctx context.Context, actor int64, action, source string, fn func(ctx context.Context, tx *Tx) ([]Record, error)) (last int64, err error) {
	err = d.transact(ctx, sql.LevelReadCommitted, actor, func(tx *Tx) error {
		last = 0
		if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = '10min'`); err != nil {
			return err
		}
		recs, err := fn(ctx, tx)
		if err != nil {
			return err
		}
		last, err = importRecords(ctx, preparedTx{tx.Tx, d.writes}, actor, action, source, recs)
		return err
	})
	if errors.Is(err, ErrNothingToImport) {
		return 0, nil
	}
	return last, err
}

func importRecords(ctx context.Context, stx querier, actor int64, action, source string, recs []Record) (int64, error) {
	var last int64
	for start := 0; start < len(recs); start += ImportBatch {
		batch := recs[start:min(start+ImportBatch, len(recs))]
		evs := make([]Event, len(batch))
		for i, r := range batch {
			evs[i] = Event{Action: action, SubjectType: r.Type, SubjectID: r.ID, Diff: map[string]any{"source": source}}
		}
		seqs, err := logEvents(ctx, stx, actor, evs)
		if err != nil {
			return last, err
		}
		last = seqs[len(seqs)-1]
	}
	return last, nil
}

// logEvents appends evs to the audit trail and the log: it reads each subject's state, the
// records each event is about and the webhook deliveries they make (readRefs) before the head
// lock, then locks the head and appends every event, its leaf and stored hashes, its refs and
// deliveries and the new head in one statement: under the lock, two statements and the commit.
// It returns the events' seqs.
func logEvents(ctx context.Context, stx querier, actor int64, evs []Event) ([]int64, error) {
	byType := map[string][]int64{}
	for _, ev := range evs {
		byType[ev.SubjectType] = append(byType[ev.SubjectType], ev.SubjectID)
	}
	st := map[string]map[int64][]byte{}
	for typ, ids := range byType {
		var err error
		if st[typ], err = states(ctx, stx, typ, ids); err != nil {
			return nil, err
		}
	}
	return appendEvents(ctx, stx, actor, evs, st)
}

// appendEvents appends evs with the states st (by type and id): it locks the head and writes
// every event, its leaf and stored hashes and the new head in one statement.
func appendEvents(ctx context.Context, stx querier, actor int64, evs []Event, st map[string]map[int64][]byte) ([]int64, error) {
	diffs := make([][]byte, len(evs))
	for i, ev := range evs {
		if _, ok := st[ev.SubjectType][ev.SubjectID]; !ok {
			return nil, fmt.Errorf("log %s: %s %d not found", ev.Action, ev.SubjectType, ev.SubjectID)
		}
		var err error
		if diffs[i], err = canonical(ev.Diff); err != nil {
			return nil, fmt.Errorf("audit diff of %s: %w", ev.Action, err)
		}
	}
	refs, err := readRefs(ctx, stx, evs)
	if err != nil {
		return nil, err
	}
	var actorID *int64
	var actorGID any
	if actor != Operator {
		actorID, actorGID = &actor, GlobalID("Agency", actor)
	}

	h, err := lockHead(ctx, stx)
	if err != nil {
		return nil, err
	}
	n, first := len(evs), h.Seq+1
	var (
		seqs, subjects, idxs    = make([]int64, n), make([]int64, n), []int64{}
		ats, actions, types, dj = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		prevs, hashes, entries  = make([]string, n), make([]string, n), make([]string, n)
		actors                  = make([]sql.NullInt64, n)
		stored                  [][]byte
		at                      = time.Now().UTC().Truncate(time.Microsecond)
	)
	for i, ev := range evs {
		seq := h.Seq + 1
		entry, err := encodeEntry(map[string]any{
			"seq": seq, "at": at.Format(entryTime), "actor": actorGID, "action": ev.Action,
			"subject": map[string]any{"type": ev.SubjectType, "id": GlobalID(ev.SubjectType, ev.SubjectID)},
			"diff":    json.RawMessage(diffs[i]), "state": json.RawMessage(st[ev.SubjectType][ev.SubjectID]),
		})
		if err != nil {
			return nil, fmt.Errorf("entry of %s: %w", ev.Action, err)
		}
		if len(entry) > translog.MaxEntrySize {
			return nil, fmt.Errorf("entry of %s %s %d is %d bytes, over the log's limit of %d", ev.Action, ev.SubjectType, ev.SubjectID, len(entry), translog.MaxEntrySize)
		}
		a, err := h.Edge.Append(tlog.RecordHash(entry))
		if err != nil {
			return nil, err
		}
		hash := chainHash(h.Hash, entry)
		seqs[i], ats[i], actions[i], types[i], subjects[i] = seq, at.Format(time.RFC3339Nano), ev.Action, ev.SubjectType, ev.SubjectID
		dj[i], prevs[i], hashes[i], entries[i] = string(diffs[i]), h.Hash, hash, string(entry)
		if actorID != nil {
			actors[i] = sql.NullInt64{Int64: *actorID, Valid: true}
		}
		for k, sh := range a.Stored {
			idxs = append(idxs, a.Index+int64(k))
			stored = append(stored, append([]byte(nil), sh[:]...))
		}
		h.Seq, h.Hash, h.Root, h.Edge = seq, hash, a.Root, a.Edge
	}
	refSeqs, deliverySeqs := refs.seqs(first)
	edgeHashes := make([][]byte, len(h.Edge.Hashes))
	for i, eh := range h.Edge.Hashes {
		edgeHashes[i] = append([]byte(nil), eh[:]...)
	}
	if _, err := stx.ExecContext(ctx, appendSQL,
		pq.Array(seqs), pq.Array(ats), pq.Array(actors), pq.Array(actions), pq.Array(types), pq.Array(subjects),
		pq.Array(dj), pq.Array(prevs), pq.Array(hashes), pq.Array(entries), pq.Array(idxs), pq.ByteaArray(stored),
		h.Seq, h.Hash, h.Root[:], pq.Array(h.Edge.Indexes), pq.ByteaArray(edgeHashes),
		pq.Array(refSeqs), pq.Array(refs.refType), pq.Array(refs.refID), pq.Array(refs.target), pq.Array(deliverySeqs)); err != nil {
		return nil, fmt.Errorf("append audit events: %w", err)
	}
	return seqs, nil
}

// appendSQL writes the events, their leaves' stored hashes, refs and deliveries and the new head.
var appendSQL = writeStmt(`WITH e AS (
			INSERT INTO audit_event (seq, at, actor_id, action, subject_type, subject_id, diff, prev_hash, hash, entry)
			SELECT s, a::timestamptz, g, c, t, i, d::jsonb, p, h, x
			FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::bigint[], $7::text[],
				$8::text[], $9::text[], $10::text[]) AS u(s, a, g, c, t, i, d, p, h, x)
		), t AS (
			INSERT INTO audit_tree (idx, hash) SELECT * FROM unnest($11::bigint[], $12::bytea[])
		), r AS (
			INSERT INTO audit_event_ref (seq, ref_type, ref_id) SELECT * FROM unnest($18::bigint[], $19::text[], $20::bigint[])
			ON CONFLICT DO NOTHING
		), o AS (
			INSERT INTO webhook_delivery (endpoint_id, seq) SELECT * FROM unnest($21::bigint[], $22::bigint[])
			ON CONFLICT DO NOTHING
		)
		UPDATE audit_head SET seq = $13, hash = $14, tree_size = $13, root_hash = $15, edge_idx = $16, edge_hash = $17`)

// lockHeadSQL locks and reads the audit head.
var lockHeadSQL = writeStmt(`SELECT seq, hash, tree_size, root_hash, edge_idx, edge_hash FROM audit_head FOR UPDATE`)

// entryTime is how an entry writes an instant: RFC 3339, UTC, microseconds (as api_time).
const entryTime = "2006-01-02T15:04:05.000000Z"

// chainHash is an event's hash: hex(sha256(prev_hash || entry)), prev_hash as its 64 hex digits.
func chainHash(prev string, entry []byte) string {
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write(entry)
	return hex.EncodeToString(h.Sum(nil))
}

// head is the locked audit head: the chain's last seq and hash, the tree's root and edge.
type head struct {
	Seq  int64
	Hash string
	Root tlog.Hash
	Edge translog.Edge
}

// lockHead locks and reads the audit head. A tree behind the chain means the log was never
// filled in for events older than it (`kolregistry migrate` does that).
func lockHead(ctx context.Context, stx querier) (head, error) {
	var h head
	var size int64
	var root []byte
	var idx pq.Int64Array
	var hashes pq.ByteaArray
	if err := stx.QueryRowContext(ctx, lockHeadSQL).Scan(&h.Seq, &h.Hash, &size, &root, &idx, &hashes); err != nil {
		return h, fmt.Errorf("lock audit head: %w", err)
	}
	if size != h.Seq {
		return h, fmt.Errorf("the transparency log holds %d of %d audit events: run `kolregistry migrate`", size, h.Seq)
	}
	copy(h.Root[:], root)
	h.Edge = translog.Edge{Size: size, Indexes: idx, Hashes: make([]tlog.Hash, len(hashes))}
	for i, b := range hashes {
		copy(h.Edge.Hashes[i][:], b)
	}
	return h, nil
}

// canonical is the canonical JSON of v (docs/transparency.md, "Entry format"): objects with
// keys sorted by their UTF-8 bytes, no insignificant space, numbers as written, strings with
// only the escapes JSON requires plus Go's \u2028 and \u2029 (no HTML escaping).
func canonical(v any) ([]byte, error) {
	var b []byte
	switch x := v.(type) {
	case json.RawMessage:
		b = x
	case []byte:
		b = x
	default:
		var err error
		if b, err = json.Marshal(v); err != nil {
			return nil, err
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return encodeEntry(generic)
}

// encodeEntry encodes v (whose json.RawMessage parts are canonical already) without HTML
// escaping or a trailing newline; maps come out with sorted keys.
func encodeEntry(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// canonicalJSON is the serialization events written before the log were hashed with, and
// idempotency input hashes still are: as canonical, but with Go's HTML escaping (<, >, & as
// \u003c, \u003e, \u0026).
func canonicalJSON(v any) (json.RawMessage, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	return json.Marshal(generic)
}

// legacyEntry is the entry of an event written before the log existed: exactly the bytes its
// hash was computed over then, so that hash = sha256(prev_hash || entry) holds for every event.
func (e AuditEvent) legacyEntry() ([]byte, error) {
	diff, err := canonicalJSON(e.Diff)
	if err != nil {
		return nil, fmt.Errorf("event %d: diff: %w", e.Seq, err)
	}
	var actor any
	if e.ActorID != nil {
		actor = *e.ActorID
	}
	return canonicalJSON(map[string]any{
		"seq": e.Seq, "at": e.At.UTC().Format(time.RFC3339Nano), "actor": actor, "action": e.Action,
		"subject": map[string]any{"type": e.SubjectType, "id": strconv.FormatInt(e.SubjectID, 10)},
		"diff":    json.RawMessage(diff),
	})
}

// ComputeHash returns the event's chain hash, sha256(prev_hash || entry) in hex.
func (e AuditEvent) ComputeHash() string { return chainHash(e.PrevHash, e.Entry) }

const auditCols = `e.seq, e.at, e.actor_id, e.action, e.subject_type, e.subject_id, e.diff, e.prev_hash, e.hash, coalesce(e.entry, '')`

func scanAuditEvent(sc scanner, extra ...any) (AuditEvent, error) {
	var r AuditEvent
	var actor sql.NullInt64
	var diff, entry []byte
	err := sc.Scan(append(extra, &r.Seq, &r.At, &actor, &r.Action, &r.SubjectType, &r.SubjectID, &diff, &r.PrevHash, &r.Hash, &entry)...)
	r.ActorID, r.Diff, r.Entry = int64Ptr(actor), json.RawMessage(diff), entry
	return r, err
}

// Head is the latest point of the audit chain and of the log's tree (TreeSize = Seq).
type Head struct {
	Seq      int64
	Hash     string
	TreeSize int64
	Root     tlog.Hash
}

// AuditHead reads the chain's head from the primary (it must reflect the latest commit).
func (d *DB) AuditHead(ctx context.Context) (Head, error) {
	var h Head
	var root []byte
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	err := d.primary.QueryRowContext(ctx, `SELECT seq, hash, tree_size, root_hash FROM audit_head`).Scan(&h.Seq, &h.Hash, &h.TreeSize, &root)
	copy(h.Root[:], root)
	return h, err
}

var eventsBySeq = order[AuditEvent]{name: "seq", col: "e.seq", typ: "bigint",
	key: func(r AuditEvent) string { return intKey(r.Seq) }, id: func(r AuditEvent) int64 { return r.Seq }}

// AuditFilter narrows the audit log to one subject.
type AuditFilter struct {
	SubjectType string
	SubjectID   int64
}

func (f *AuditFilter) query() listQuery {
	q := listQuery{from: "audit_event e", cols: auditCols, idCol: "e.seq"}
	if f != nil {
		q.cond("e.subject_type = %s AND e.subject_id = %s", f.SubjectType, f.SubjectID)
	}
	return q
}

// AuditEvents returns one page of the audit log, oldest first, optionally of one subject.
func (d *DB) AuditEvents(ctx context.Context, f *AuditFilter, p Page) (PageOf[AuditEvent], error) {
	return fetchPage(ctx, d, f.query(), eventsBySeq, p, scanAuditEvent)
}

// CountAuditEvents counts the audit log's events, optionally of one subject.
func (d *DB) CountAuditEvents(ctx context.Context, f *AuditFilter) (int, error) {
	return count(ctx, d, f.query())
}

// EventsOf returns the same page of history, oldest first, for many subjects of one type.
func (d *DB) EventsOf(ctx context.Context, subjectType string, ids []int64, p Page) (map[int64]PageOf[AuditEvent], error) {
	q := listQuery{from: "audit_event e", cols: auditCols, idCol: "e.seq"}
	q.cond("e.subject_type = %s", subjectType)
	return fetchPages(ctx, d, q, "e.subject_id", ids, eventsBySeq, p, scanAuditEvent)
}

// CountEventsOf counts the history of many subjects of one type.
func (d *DB) CountEventsOf(ctx context.Context, subjectType string, ids []int64) (map[int64]int, error) {
	q := listQuery{from: "audit_event e", cols: auditCols, idCol: "e.seq"}
	q.cond("e.subject_type = %s", subjectType)
	return countByParent(ctx, d, q, "e.subject_id", ids)
}

// EventsByActors returns the same page of writes, oldest first, for many agencies.
func (d *DB) EventsByActors(ctx context.Context, ids []int64, p Page) (map[int64]PageOf[AuditEvent], error) {
	return fetchPages(ctx, d, listQuery{from: "audit_event e", cols: auditCols, idCol: "e.seq"}, "e.actor_id", ids, eventsBySeq, p, scanAuditEvent)
}

// CountEventsByActors counts the writes of many agencies.
func (d *DB) CountEventsByActors(ctx context.Context, ids []int64) (map[int64]int, error) {
	return countByParent(ctx, d, listQuery{from: "audit_event e", cols: auditCols, idCol: "e.seq"}, "e.actor_id", ids)
}
