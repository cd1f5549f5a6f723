package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/lib/pq"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/kolregistry/kolregistry/translog"
)

// Reads of the transparency log: stored hashes for proofs and tiles, entries for bundles.

// hashReader reads stored hashes from audit_tree through q.
type hashReader struct {
	ctx context.Context
	q   querier
}

func (r hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	rows, err := r.q.QueryContext(r.ctx, `SELECT idx, hash FROM audit_tree WHERE idx = ANY($1)`, pq.Array(indexes))
	if err != nil {
		return nil, fmt.Errorf("read stored hashes: %w", err)
	}
	defer rows.Close()
	got := make(map[int64]tlog.Hash, len(indexes))
	for rows.Next() {
		var idx int64
		var b []byte
		if err := rows.Scan(&idx, &b); err != nil {
			return nil, err
		}
		var h tlog.Hash
		copy(h[:], b)
		got[idx] = h
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := got[x]
		if !ok {
			return nil, fmt.Errorf("stored hash %d is missing", x)
		}
		out[i] = h
	}
	return out, nil
}

func edgeFromTable(ctx context.Context, q querier, size int64) (translog.Edge, error) {
	return translog.EdgeOf(size, hashReader{ctx, q})
}

// LogHashes is a tlog.HashReader over the stored hashes, for proofs and tiles, bound to ctx
// (a request's, which carries its deadline). It reads the primary: the sizes callers ask
// for come from AuditHead, which a replica may not have reached yet.
func (d *DB) LogHashes(ctx context.Context) tlog.HashReader {
	return hashReader{ctx, d.primary}
}

// LogEntries returns the entries of leaves [from, to), in order.
func (d *DB) LogEntries(ctx context.Context, from, to int64) ([][]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	rows, err := d.primary.QueryContext(ctx, `SELECT seq, entry FROM audit_event WHERE seq > $1 AND seq <= $2 ORDER BY seq`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read entries: %w", err)
	}
	defer rows.Close()
	out := make([][]byte, 0, to-from)
	for want := from + 1; rows.Next(); want++ {
		var seq int64
		var e []byte
		if err := rows.Scan(&seq, &e); err != nil {
			return nil, err
		}
		if seq != want || e == nil {
			return nil, fmt.Errorf("entry %d is missing", want)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if int64(len(out)) != to-from {
		return nil, fmt.Errorf("%d of %d entries found", len(out), to-from)
	}
	return out, nil
}

// ErrProofRange is returned for a proof asked of leaves or trees the log does not have.
var ErrProofRange = errors.New("out of the log's range")

// InclusionProof proves that the entry of event seq is leaf seq−1 of the tree of size
// leaves (0: the current tree). It returns the proof, the tree's size and root, and the event.
func (d *DB) InclusionProof(ctx context.Context, seq, size int64) (tlog.RecordProof, int64, tlog.Hash, AuditEvent, error) {
	var root tlog.Hash
	h, err := d.AuditHead(ctx)
	if err != nil {
		return nil, 0, root, AuditEvent{}, err
	}
	if size == 0 {
		size = h.TreeSize
	}
	if seq < 1 || size < seq || size > h.TreeSize {
		return nil, 0, root, AuditEvent{}, fmt.Errorf("%w: seq %d in a tree of %d (the log has %d)", ErrProofRange, seq, size, h.TreeSize)
	}
	ev, err := d.auditEvent(ctx, seq)
	if err != nil {
		return nil, 0, root, AuditEvent{}, err
	}
	r := d.LogHashes(ctx)
	p, err := tlog.ProveRecord(size, seq-1, r)
	if err != nil {
		return nil, 0, root, AuditEvent{}, fmt.Errorf("prove %d in %d: %w", seq, size, err)
	}
	if root, err = tlog.TreeHash(size, r); err != nil {
		return nil, 0, root, AuditEvent{}, fmt.Errorf("root of %d: %w", size, err)
	}
	return p, size, root, ev, nil
}

// ConsistencyProof proves that the tree of from leaves is a prefix of the tree of to leaves
// (0: the current tree). It returns the proof, to, and both roots.
func (d *DB) ConsistencyProof(ctx context.Context, from, to int64) (p tlog.TreeProof, size int64, fromRoot, toRoot tlog.Hash, err error) {
	h, err := d.AuditHead(ctx)
	if err != nil {
		return nil, 0, fromRoot, toRoot, err
	}
	if to == 0 {
		to = h.TreeSize
	}
	if from < 1 || to < from || to > h.TreeSize {
		return nil, 0, fromRoot, toRoot, fmt.Errorf("%w: from %d to %d (the log has %d)", ErrProofRange, from, to, h.TreeSize)
	}
	r := d.LogHashes(ctx)
	if p, err = tlog.ProveTree(to, from, r); err != nil {
		return nil, 0, fromRoot, toRoot, fmt.Errorf("prove %d in %d: %w", from, to, err)
	}
	if fromRoot, err = tlog.TreeHash(from, r); err != nil {
		return nil, 0, fromRoot, toRoot, err
	}
	if toRoot, err = tlog.TreeHash(to, r); err != nil {
		return nil, 0, fromRoot, toRoot, err
	}
	return p, to, fromRoot, toRoot, nil
}

// auditEvent reads one event from the primary.
func (d *DB) auditEvent(ctx context.Context, seq int64) (AuditEvent, error) {
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	e, err := scanAuditEvent(d.primary.QueryRowContext(ctx, `SELECT `+auditCols+` FROM audit_event e WHERE e.seq = $1`, seq))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("event %d: %w", seq, ErrNotFound)
	}
	return e, err
}
