package db

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/lib/pq"
	"golang.org/x/mod/sumdb/tlog"
)

// AdoptAction is the action of the events that log, once, the state of records written
// before the transparency log existed.
const AdoptAction = "adoptRecord"

// fillLog brings a database from before the transparency log into it, once: it gives every
// older event its entry (the exact bytes its hash covered) and leaf, then logs the current
// state of every record (AdoptAction), so that from then on every row is bound to the log.
// It does nothing once the log has events of its own; a row added behind the API's back
// later is never adopted, audit verify reports it. Then, on every run, it logs again the
// records whose state gained fields since they were last logged (adoptFields).
func fillLog(ctx context.Context, sdb *sql.DB) error {
	d := &DB{primary: sdb, read: sdb}
	return d.Transact(ctx, sql.LevelReadCommitted, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		var seq, size int64
		if err := tx.QueryRowContext(ctx, `SELECT seq, tree_size FROM audit_head FOR UPDATE`).Scan(&seq, &size); err != nil {
			return fmt.Errorf("fill log: %w", err)
		}
		if size == seq && seq > 0 {
			return adoptFields(ctx, tx)
		}
		if size < seq {
			if err := fillEntries(ctx, tx, size); err != nil {
				return err
			}
		}
		var recs []Record
		for _, typ := range SubjectTypes() {
			rows, err := tx.QueryContext(ctx, `SELECT id FROM `+stateDefs[typ].table+` ORDER BY id`)
			if err != nil {
				return fmt.Errorf("fill log: list %s: %w", typ, err)
			}
			for rows.Next() {
				r := Record{Type: typ}
				if err := rows.Scan(&r.ID); err != nil {
					rows.Close()
					return err
				}
				recs = append(recs, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if _, err := importRecords(ctx, tx, Operator, AdoptAction, "recorded before the transparency log", recs); err != nil {
			return err
		}
		return adoptFields(ctx, tx)
	})
}

// fillEntries writes the legacy entry and the leaf of every event after the first size.
func fillEntries(ctx context.Context, tx *Tx, size int64) error {
	var h head
	var err error
	if h.Edge, err = edgeFromTable(ctx, tx, size); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_event e WHERE e.seq > $1 ORDER BY e.seq`, size)
	if err != nil {
		return fmt.Errorf("fill log: %w", err)
	}
	var evs []AuditEvent
	for rows.Next() {
		e, err := scanAuditEvent(rows)
		if err != nil {
			rows.Close()
			return err
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	var idxs []int64
	var stored [][]byte
	for _, e := range evs {
		entry, err := e.legacyEntry()
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_event SET entry = $2 WHERE seq = $1`, e.Seq, string(entry)); err != nil {
			return fmt.Errorf("fill log: entry of %d: %w", e.Seq, err)
		}
		a, err := h.Edge.Append(tlog.RecordHash(entry))
		if err != nil {
			return err
		}
		for k, sh := range a.Stored {
			idxs = append(idxs, a.Index+int64(k))
			stored = append(stored, append([]byte(nil), sh[:]...))
		}
		h.Root, h.Edge = a.Root, a.Edge
	}
	edgeHashes := make([][]byte, len(h.Edge.Hashes))
	for i, eh := range h.Edge.Hashes {
		edgeHashes[i] = append([]byte(nil), eh[:]...)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit_tree (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])`,
		pq.Array(idxs), pq.ByteaArray(stored)); err != nil {
		return fmt.Errorf("fill log: tree: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET tree_size = $1, root_hash = $2, edge_idx = $3, edge_hash = $4`,
		h.Edge.Size, h.Root[:], pq.Array(h.Edge.Indexes), pq.ByteaArray(edgeHashes)); err != nil {
		return fmt.Errorf("fill log: head: %w", err)
	}
	return nil
}
