package db

import (
	"context"
	"database/sql"
	"encoding/json"
)

// StateOf is a record's state as the write path logs it now (tests only).
func StateOf(ctx context.Context, d *DB, typ string, id int64) ([]byte, error) {
	st, err := states(ctx, d.primary, typ, []int64{id})
	return st[id], err
}

// AppendWithState appends ev logging state as the record's state, whatever its row holds
// (tests only): a log written by an older version, whose states had fewer fields.
func AppendWithState(ctx context.Context, d *DB, ev Event, state []byte) (int64, error) {
	var seq int64
	err := d.Transact(ctx, sql.LevelReadCommitted, func(tx *sql.Tx) error {
		c, err := canonical(json.RawMessage(state))
		if err != nil {
			return err
		}
		seqs, err := appendEvents(ctx, tx, Operator, []Event{ev}, map[string]map[int64][]byte{ev.SubjectType: {ev.SubjectID: c}})
		if err == nil {
			seq = seqs[0]
		}
		return err
	})
	return seq, err
}
