package db

import (
	"context"
	"fmt"
	"strings"
)

// fieldChanges builds one update of a record: the SET clause of the columns that change and the
// audit diff, each changed field {from, to}. A field given with its current value is not a
// change; an update with no change is refused (empty), so every audit event records one.
type fieldChanges struct {
	sets []string
	args []any
	diff map[string]any
}

// column records that column col (API field name) changes from from to to; arg is the value
// written (to, in the driver's form).
func (f *fieldChanges) column(col, name string, from, to, arg any) {
	f.args = append(f.args, arg)
	f.sets = append(f.sets, fmt.Sprintf("%s = $%d", col, len(f.args)+1))
	f.record(name, from, to)
}

// record records a change that is not a column of the row (a list kept in its own table).
func (f *fieldChanges) record(name string, from, to any) {
	if f.diff == nil {
		f.diff = map[string]any{}
	}
	f.diff[name] = map[string]any{"from": from, "to": to}
}

// empty reports whether nothing changes.
func (f *fieldChanges) empty() bool { return len(f.diff) == 0 }

// update writes the changed columns of row id of table, with its version bumped, in one
// statement.
func (f *fieldChanges) update(ctx context.Context, tx *Tx, table string, id int64) error {
	sets := append(append([]string{}, f.sets...), "version = version + 1", "updated_at = now()")
	_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET `+strings.Join(sets, ", ")+` WHERE id = $1`, append([]any{id}, f.args...)...)
	return err
}
