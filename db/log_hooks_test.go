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
	err := d.Transact(ctx, sql.LevelReadCommitted, func(tx *Tx) error {
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

// StatesTwoWays reads the state of every record of one type as the write path renders it and
// as PostgreSQL builds the same fields into one jsonb value, put in canonical form (tests only).
func StatesTwoWays(ctx context.Context, d *DB, typ string) (rendered, viaJSONB map[int64][]byte, err error) {
	def := stateDefs[typ]
	var ids []int64
	rows, err := d.primary.QueryContext(ctx, `SELECT id FROM `+def.table)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if rendered, err = states(ctx, d.primary, typ, ids); err != nil {
		return nil, nil, err
	}
	viaJSONB = map[int64][]byte{}
	rows, err = d.primary.QueryContext(ctx, def.jsonSQL())
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return nil, nil, err
		}
		if viaJSONB[id], err = canonical(json.RawMessage(raw)); err != nil {
			return nil, nil, err
		}
	}
	return rendered, viaJSONB, rows.Err()
}
