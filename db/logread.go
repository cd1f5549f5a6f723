package db

import (
	"context"
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
