package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
)

// AdoptFieldsAction is the action of the events that log a record again after its type's
// state gained fields (docs/transparency.md, "When a record's state gains fields").
const AdoptFieldsAction = "adoptFields"

// stateShape identifies the fields of a type's state: the names of its members and the SQL
// of those that are lists or objects of their own (whose members the SQL names). A change of
// how a value is read (an expression) does not change the shape.
func stateShape(typ string) string {
	h := sha256.New()
	for _, f := range stateDefs[typ].fields {
		h.Write([]byte(f.name + "\n"))
		if f.kind.kind == jsonKind {
			h.Write([]byte(f.expr + "\n"))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// adoptFields brings the log up to a new shape of the records' state, once per change of
// db/state.go: for each type whose state SQL is not the one recorded in audit_head.state_shapes,
// every record whose row differs from its latest logged state only by fields that state did
// not have (every logged value unchanged, lists of the same length) is logged again, action
// AdoptFieldsAction, diff {"added": [the new fields], "source": …}; then the new shape is
// recorded. A row that differs in a value the log holds is not adopted: audit verify reports
// it, as before the upgrade. Entries already written never change.
func adoptFields(ctx context.Context, tx *Tx) error {
	var raw []byte
	if err := tx.QueryRowContext(ctx, `SELECT state_shapes FROM audit_head FOR UPDATE`).Scan(&raw); err != nil {
		return fmt.Errorf("adopt fields: %w", err)
	}
	shapes := map[string]string{}
	if err := json.Unmarshal(raw, &shapes); err != nil {
		return fmt.Errorf("adopt fields: state_shapes: %w", err)
	}
	changed := false
	for _, typ := range SubjectTypes() {
		shape := stateShape(typ)
		if shapes[typ] == shape {
			continue
		}
		evs, err := extendedRecords(ctx, tx, typ)
		if err != nil {
			return err
		}
		for start := 0; start < len(evs); start += ImportBatch {
			if _, err := logEvents(ctx, tx, Operator, evs[start:min(start+ImportBatch, len(evs))]); err != nil {
				return err
			}
		}
		shapes[typ], changed = shape, true
	}
	if !changed {
		return nil
	}
	b, err := json.Marshal(shapes)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE audit_head SET state_shapes = $1`, string(b))
	return err
}

// extendedRecords lists, as events to log, the records of one type whose row is their latest
// logged state with fields added. The rows and the logged states are compared as jsonb in
// SQL first, so that only the records that differ come back.
func extendedRecords(ctx context.Context, tx *Tx, typ string) ([]Event, error) {
	rows, err := tx.QueryContext(ctx, `WITH latest AS (
			SELECT DISTINCT ON (e.subject_id) e.subject_id, e.entry::jsonb -> 'state' AS state
			FROM audit_event e WHERE e.subject_type = $1 AND e.entry IS NOT NULL ORDER BY e.subject_id, e.seq DESC)
		SELECT r.id, r.state, l.state FROM (`+stateDefs[typ].jsonSQL()+`) AS r(id, state)
		JOIN latest l ON l.subject_id = r.id
		WHERE jsonb_typeof(l.state) = 'object' AND l.state <> r.state
		ORDER BY r.id`, typ)
	if err != nil {
		return nil, fmt.Errorf("adopt fields of %s: %w", typ, err)
	}
	defer rows.Close()
	var evs []Event
	for rows.Next() {
		var id int64
		var row, logged []byte
		if err := rows.Scan(&id, &row, &logged); err != nil {
			return nil, fmt.Errorf("adopt fields of %s: %w", typ, err)
		}
		added, ok := extends(decodeJSON(row), decodeJSON(logged), "")
		if !ok || len(added) == 0 {
			continue
		}
		sort.Strings(added)
		evs = append(evs, Event{Action: AdoptFieldsAction, SubjectType: typ, SubjectID: id,
			Diff: map[string]any{"added": added, "source": "kolregistry migrate: the log's state of " + typ + " gained fields"}})
	}
	return evs, rows.Err()
}

func decodeJSON(b []byte) any {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	return v
}

// extends tells whether row is logged with fields added: every member of every object of
// logged is in row with a value it extends, lists have the same length and extend element by
// element, anything else is equal. added are the paths of the members only row has
// ("statusHistory.standing"), each once.
func extends(row, logged any, path string) (added []string, ok bool) {
	switch l := logged.(type) {
	case map[string]any:
		r, isMap := row.(map[string]any)
		if !isMap {
			return nil, false
		}
		for k, rv := range r {
			p := k
			if path != "" {
				p = path + "." + k
			}
			lv, has := l[k]
			if !has {
				added = append(added, p)
				continue
			}
			more, ok := extends(rv, lv, p)
			if !ok {
				return nil, false
			}
			added = append(added, more...)
		}
		for k := range l {
			if _, has := r[k]; !has {
				return nil, false
			}
		}
		return dedupe(added), true
	case []any:
		r, isList := row.([]any)
		if !isList || len(r) != len(l) {
			return nil, false
		}
		for i := range l {
			more, ok := extends(r[i], l[i], path)
			if !ok {
				return nil, false
			}
			added = append(added, more...)
		}
		return dedupe(added), true
	default:
		return nil, row == logged
	}
}

func dedupe(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
