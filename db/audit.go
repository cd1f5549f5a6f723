package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
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
}

// Tx is a write transaction; every statement of a mutation runs on it.
type Tx struct {
	*sql.Tx
	// Actor is the agency writing.
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

// Write runs fn and records the event it returns in the audit trail, all in one transaction.
//
// Every write first locks the audit head, so writers are serialized: seq is gap-free, each event
// chains to the one before it, and an idempotency key is checked and claimed without races.
// input is the mutation's validated input: with a key the agency used before for the same
// action and the same input, nothing is written and the first result is returned with Replayed
// set; with another action or input the write is refused (IDEMPOTENCY_KEY_REUSED, see
// idempotency.go). Actor Operator (0) is the registry's operator at the CLI (accrediting
// agencies), recorded with no agency.
func (d *DB) Write(ctx context.Context, actor int64, idempotencyKey *string, action string, input any, fn func(ctx context.Context, tx *Tx) (Event, error)) (WriteResult, error) {
	idem, err := newIdempotency(idempotencyKey, action, input)
	if err != nil {
		return WriteResult{}, err
	}
	var res WriteResult
	err = d.Transact(ctx, sql.LevelReadCommitted, func(stx *sql.Tx) error {
		res = WriteResult{}
		var headSeq int64
		var headHash string
		if err := stx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head FOR UPDATE`).Scan(&headSeq, &headHash); err != nil {
			return fmt.Errorf("lock audit head: %w", err)
		}
		if idem != nil {
			first, replayed, err := idem.replay(ctx, stx, actor)
			if err != nil || replayed {
				res = first
				return err
			}
		}
		ev, err := fn(ctx, &Tx{Tx: stx, Actor: actor})
		if err != nil {
			return err
		}
		if idem != nil {
			if err := idem.claim(ctx, stx, actor, ev); err != nil {
				return err
			}
		}
		diff, err := canonicalJSON(ev.Diff)
		if err != nil {
			return fmt.Errorf("audit diff: %w", err)
		}
		var actorID *int64
		if actor != Operator {
			actorID = &actor
		}
		e := AuditEvent{Seq: headSeq + 1, At: time.Now().UTC().Truncate(time.Microsecond), ActorID: actorID,
			Action: ev.Action, SubjectType: ev.SubjectType, SubjectID: ev.SubjectID, Diff: diff, PrevHash: headHash}
		if e.Action == "" {
			e.Action = action
		}
		if e.Hash, err = e.ComputeHash(); err != nil {
			return err
		}
		if _, err := stx.ExecContext(ctx, `INSERT INTO audit_event (seq, at, actor_id, action, subject_type, subject_id, diff, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.Seq, e.At, actorID, e.Action, e.SubjectType, e.SubjectID, string(e.Diff), e.PrevHash, e.Hash); err != nil {
			return fmt.Errorf("append audit event: %w", err)
		}
		if _, err := stx.ExecContext(ctx, `UPDATE audit_head SET seq = $1, hash = $2`, e.Seq, e.Hash); err != nil {
			return fmt.Errorf("move audit head: %w", err)
		}
		res.SubjectType, res.SubjectID, res.Seq = ev.SubjectType, ev.SubjectID, e.Seq
		return nil
	})
	return res, err
}

// canonicalJSON is the one serialization that is hashed: object keys sorted, no spaces, numbers
// as written. Re-decoding what Postgres returns from jsonb and encoding it again gives the same
// bytes, so the chain can be recomputed from the database alone.
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

// ComputeHash returns sha256(prev_hash || canonical_json(event)) in hex.
func (e AuditEvent) ComputeHash() (string, error) {
	diff, err := canonicalJSON(e.Diff)
	if err != nil {
		return "", fmt.Errorf("event %d: diff: %w", e.Seq, err)
	}
	var actor any
	if e.ActorID != nil {
		actor = *e.ActorID
	}
	body, err := canonicalJSON(map[string]any{
		"seq": e.Seq, "at": e.At.UTC().Format(time.RFC3339Nano), "actor": actor, "action": e.Action,
		"subject": map[string]any{"type": e.SubjectType, "id": strconv.FormatInt(e.SubjectID, 10)},
		"diff":    json.RawMessage(diff),
	})
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write([]byte(e.PrevHash))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// ChainError names the first audit event that does not verify.
type ChainError struct {
	Seq    int64
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", e.Seq, e.Reason)
}

// VerifyChain recomputes the whole audit chain from the database. It returns the number of
// events checked, and a *ChainError naming the first broken link.
func (d *DB) VerifyChain(ctx context.Context) (int64, error) {
	// One snapshot for the events and the head: writers may commit while the chain is read.
	tx, err := d.primary.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_event e ORDER BY e.seq`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	prev, want := GenesisHash, int64(1)
	for rows.Next() {
		e, err := scanAuditEvent(rows)
		if err != nil {
			return want - 1, err
		}
		switch {
		case e.Seq != want:
			return want - 1, &ChainError{Seq: want, Reason: fmt.Sprintf("missing; next event is seq %d", e.Seq)}
		case e.PrevHash != prev:
			return want - 1, &ChainError{Seq: e.Seq, Reason: "prev_hash does not match the previous event's hash"}
		}
		h, err := e.ComputeHash()
		if err != nil {
			return want - 1, err
		}
		if h != e.Hash {
			return want - 1, &ChainError{Seq: e.Seq, Reason: "hash does not match the event's contents"}
		}
		prev, want = e.Hash, want+1
	}
	if err := rows.Err(); err != nil {
		return want - 1, err
	}
	var headSeq int64
	var headHash string
	if err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head`).Scan(&headSeq, &headHash); err != nil {
		return want - 1, err
	}
	if headSeq != want-1 || headHash != prev {
		return want - 1, &ChainError{Seq: headSeq, Reason: "the recorded head does not match the last event"}
	}
	return want - 1, nil
}

const auditCols = `e.seq, e.at, e.actor_id, e.action, e.subject_type, e.subject_id, e.diff, e.prev_hash, e.hash`

func scanAuditEvent(sc scanner, extra ...any) (AuditEvent, error) {
	var r AuditEvent
	var actor sql.NullInt64
	var diff []byte
	err := sc.Scan(append(extra, &r.Seq, &r.At, &actor, &r.Action, &r.SubjectType, &r.SubjectID, &diff, &r.PrevHash, &r.Hash)...)
	r.ActorID, r.Diff = int64Ptr(actor), json.RawMessage(diff)
	return r, err
}

// Head is the latest point of the audit chain.
type Head struct {
	Seq  int64
	Hash string
}

// AuditHead reads the chain's head from the primary (it must reflect the latest commit).
func (d *DB) AuditHead(ctx context.Context) (Head, error) {
	var h Head
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	err := d.primary.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head`).Scan(&h.Seq, &h.Hash)
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
