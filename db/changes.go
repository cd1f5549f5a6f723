package db

import (
	"context"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// The changes feed (docs/mirrors.md): the audit trail read as deltas after a seq. Seqs are
// gap-free and commit in order (the audit head's lock is held to the commit), so every
// snapshot sees a prefix of the trail: a reader that asks for the events after the last seq
// it holds never skips one, whatever is being written meanwhile.

// eventRefs are what a write appends with its events besides them, read before the audit
// head is locked (logEvents): which records each event is about (audit_event_ref, by
// audit_refs_of) and the webhook deliveries they make (the outbox, webhooks.go), by the
// event's index in the batch. Appended in the events' statement, they commit, or roll back,
// with the events.
type eventRefs struct {
	refEvent, refID       []int64 // a ref: the event's index, the record's id
	refType               []string
	deliveryEvent, target []int64 // a delivery: the event's index, the endpoint
}

// refsSQL reads the refs of the events ($1 their subjects' types, $2 their ids) and the
// deliveries they make (true: a ref; false: a delivery to the endpoint m.id).
var refsSQL = writeStmt(`WITH refs AS (SELECT ord - 1 AS seq, ref_type, ref_id FROM audit_refs_of($1::text[], $2::bigint[]))
		SELECT true, seq, ref_type, ref_id FROM refs
		UNION ALL
		SELECT false, m.seq, '', m.id FROM (` + fmt.Sprintf(matchSQL, "refs", "true") + `) m`)

// readRefs reads the refs and deliveries of evs in one statement.
func readRefs(ctx context.Context, q querier, evs []Event) (eventRefs, error) {
	types, ids := make([]string, len(evs)), make([]int64, len(evs))
	for i, ev := range evs {
		types[i], ids[i] = ev.SubjectType, ev.SubjectID
	}
	rows, err := q.QueryContext(ctx, refsSQL, pq.Array(types), pq.Array(ids))
	if err != nil {
		return eventRefs{}, fmt.Errorf("audit refs: %w", err)
	}
	defer rows.Close()
	var r eventRefs
	for rows.Next() {
		var isRef bool
		var ev, id int64
		var typ string
		if err := rows.Scan(&isRef, &ev, &typ, &id); err != nil {
			return eventRefs{}, err
		}
		if isRef {
			r.refEvent, r.refType, r.refID = append(r.refEvent, ev), append(r.refType, typ), append(r.refID, id)
		} else {
			r.deliveryEvent, r.target = append(r.deliveryEvent, ev), append(r.target, id)
		}
	}
	return r, rows.Err()
}

// seqs are the refs' and the deliveries' seqs once the events have theirs (first: the
// first event's).
func (r eventRefs) seqs(first int64) (refSeqs, deliverySeqs []int64) {
	refSeqs, deliverySeqs = make([]int64, len(r.refEvent)), make([]int64, len(r.deliveryEvent))
	for i, ev := range r.refEvent {
		refSeqs[i] = first + ev
	}
	for i, ev := range r.deliveryEvent {
		deliverySeqs[i] = first + ev
	}
	return refSeqs, deliverySeqs
}

// ChangeFilter narrows the changes feed. Each list is "any of"; the fields combine with AND;
// a zero field does not filter.
type ChangeFilter struct {
	Types   []string // subject types (GraphQL type names)
	Actions []string // mutation names
	ActorID int64    // the agency that wrote
	From    *time.Time
	To      *time.Time // exclusive
	// Related narrows to the events about one record: its own and those of the records that
	// belong to it (an influencer's accounts, affiliations, disclosures and sanctions).
	RelatedType string
	RelatedID   int64
}

func (f ChangeFilter) query() listQuery {
	q := listQuery{from: "audit_event e", cols: auditCols, idCol: "e.seq"}
	if f.Types != nil {
		q.cond("e.subject_type = ANY(%s)", pq.Array(f.Types))
	}
	if f.Actions != nil {
		q.cond("e.action = ANY(%s)", pq.Array(f.Actions))
	}
	if f.ActorID != 0 {
		q.cond("e.actor_id = %s", f.ActorID)
	}
	if f.From != nil {
		q.cond("e.at >= %s", *f.From)
	}
	if f.To != nil {
		q.cond("e.at < %s", *f.To)
	}
	if f.RelatedType != "" {
		q.cond("e.seq IN (SELECT r.seq FROM audit_event_ref r WHERE r.ref_type = %s AND r.ref_id = %s)", f.RelatedType, f.RelatedID)
	}
	return q
}

// SeqCursor is the cursor of the audit event seq in the trail's one ordering, as auditLog and
// the changes feed issue it.
func SeqCursor(seq int64) *Cursor { return &Cursor{Order: eventsBySeq.name, Key: intKey(seq), ID: seq} }

// Changes returns one page of the feed: with p.After, the events after it, oldest first; with
// p.Backward, the latest events (before p.Before when given), still in seq order.
func (d *DB) Changes(ctx context.Context, f ChangeFilter, p Page) (PageOf[AuditEvent], error) {
	return fetchPage(ctx, d, f.query(), eventsBySeq, p, scanAuditEvent)
}

// CountChanges counts the events the filter selects.
func (d *DB) CountChanges(ctx context.Context, f ChangeFilter) (int, error) {
	return count(ctx, d, f.query())
}

// LastChange is the latest audit event about a record (its own or one of its records').
type LastChange struct {
	Seq int64
	At  time.Time
}

// LastChanges returns, for records of one type, the latest event about each (records
// without one are absent).
func (d *DB) LastChanges(ctx context.Context, typ string, ids []int64) (map[int64]LastChange, error) {
	rows, cancel, err := d.query(ctx, `SELECT x.id, l.seq, l.at
		FROM unnest($2::bigint[]) AS x(id)
		CROSS JOIN LATERAL (SELECT e.seq, e.at FROM audit_event_ref r JOIN audit_event e ON e.seq = r.seq
			WHERE r.ref_type = $1 AND r.ref_id = x.id ORDER BY r.seq DESC LIMIT 1) l`, typ, pq.Array(ids))
	if err != nil {
		return nil, fmt.Errorf("last changes of %s: %w", typ, err)
	}
	defer cancel()
	defer rows.Close()
	out := make(map[int64]LastChange, len(ids))
	for rows.Next() {
		var id int64
		var c LastChange
		if err := rows.Scan(&id, &c.Seq, &c.At); err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, rows.Err()
}

// ChangesBatch is how many events one read of StreamChanges fetches.
const ChangesBatch = 500

// StreamChanges calls emit with every event after afterSeq, in seq order, up to the head as
// of the call, reading ChangesBatch events per statement (memory stays flat). It stops at the
// first error emit returns. It reads the primary: a mirror resuming from the seq it holds
// must not be sent back in time by a lagging replica.
func (d *DB) StreamChanges(ctx context.Context, afterSeq int64, emit func(AuditEvent) error) error {
	var head int64
	if err := d.primary.QueryRowContext(ctx, `SELECT seq FROM audit_head`).Scan(&head); err != nil {
		return fmt.Errorf("stream changes: head: %w", err)
	}
	for after := afterSeq; after < head; {
		n, err := d.changesBatch(ctx, after, head, emit, &after)
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
	return nil
}

func (d *DB) changesBatch(ctx context.Context, after, head int64, emit func(AuditEvent) error, last *int64) (int, error) {
	qctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	rows, err := d.primary.QueryContext(qctx, `SELECT `+auditCols+` FROM audit_event e
		WHERE e.seq > $1 AND e.seq <= $2 ORDER BY e.seq LIMIT $3`, after, head, ChangesBatch)
	if err != nil {
		return 0, fmt.Errorf("stream changes after %d: %w", after, err)
	}
	var batch []AuditEvent
	for rows.Next() {
		e, err := scanAuditEvent(rows)
		if err != nil {
			rows.Close()
			return 0, err
		}
		batch = append(batch, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// Emit after the statement is done: a slow client holds no open cursor.
	for _, e := range batch {
		if err := emit(e); err != nil {
			return 0, err
		}
		*last = e.Seq
	}
	return len(batch), nil
}

// SeqID is an audit event's seq and its subject's id.
type SeqID struct {
	Seq int64
	ID  int64
}

// ReplayIDs returns the events after afterSeq up to upTo (a head read before), of one subject
// type and these actions, about any of refs[type] for every type in refs (AND across types),
// oldest first, at most limit+1 (so that the caller knows there were more). It reads the
// primary: a live subscription's replay must reach the head it read.
func (d *DB) ReplayIDs(ctx context.Context, subjectType string, actions []string, refs map[string][]int64, afterSeq, upTo int64, limit int) ([]SeqID, error) {
	q := listQuery{}
	q.cond("e.seq > %s AND e.seq <= %s AND e.subject_type = %s AND e.action = ANY(%s)", afterSeq, upTo, subjectType, pq.Array(actions))
	for typ, ids := range refs {
		q.cond("EXISTS (SELECT 1 FROM audit_event_ref r WHERE r.seq = e.seq AND r.ref_type = %s AND r.ref_id = ANY(%s))", typ, pq.Array(ids))
	}
	qctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	rows, err := d.primary.QueryContext(qctx, fmt.Sprintf(`SELECT e.seq, e.subject_id FROM audit_event e WHERE %s ORDER BY e.seq LIMIT %d`,
		q.whereSQL(), limit+1), q.args...)
	if err != nil {
		return nil, fmt.Errorf("replay %s after %d: %w", subjectType, afterSeq, err)
	}
	defer rows.Close()
	var out []SeqID
	for rows.Next() {
		var s SeqID
		if err := rows.Scan(&s.Seq, &s.ID); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// LatestSeqOf is the seq of the latest event of these actions on one record (0 if none), read
// from the primary: a live event is placed against a replay's head with it.
func (d *DB) LatestSeqOf(ctx context.Context, subjectType string, id int64, actions []string) (int64, error) {
	qctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	var seq int64
	err := d.primary.QueryRowContext(qctx, `SELECT coalesce(max(seq), 0) FROM audit_event
		WHERE subject_type = $1 AND subject_id = $2 AND action = ANY($3)`, subjectType, id, pq.Array(actions)).Scan(&seq)
	return seq, err
}
