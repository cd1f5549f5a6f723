package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/kolregistry/kolregistry/registry"
)

// lockSpec says how one table's record is locked and checked before a write changes it (see
// lockForChange): the locking SELECT, how its row is scanned, and the parts of the row the
// checks read.
type lockSpec[T any] struct {
	// table names the record in the error of a failed read ("read <table>: …").
	table string
	// what names the record in the NOT_FOUND and VERSION_CONFLICT user errors (a registry.Term).
	what registry.Term
	// idField is the input field of the record's id: the field of NOT_FOUND and NOT_OWNER.
	idField string
	// query reads the record by id ($1) FOR UPDATE.
	query string
	// scan scans the row query returns.
	scan func(sc scanner) (T, error)
	// version is the row's version.
	version func(row T) int
	// owner is the agency that may change the row (registry.Owns; nil: any agency), and
	// notOwner the NOT_OWNER message when the actor is not it.
	owner    func(row T) *int64
	notOwner registry.Message
	// may, when set, replaces the ownership rule (a sanction's review path, registry.MayChange
	// and registry.MayReview): code "" when the actor may change the row, else the user error's
	// code, message and field.
	may func(actor int64, row T) (code string, why registry.Message, field string)
}

// lockForChange is the lock step of every write that changes a record: it reads the record for
// update and checks, in this order, that it exists (NOT_FOUND at spec.idField), that the actor
// may change it (registry.Owns, NOT_OWNER at spec.idField; or spec.may) and that it is at the
// version the caller read (VERSION_CONFLICT at expectedVersion, naming the current version).
// ok is false when a check failed, the problem being in c; a mutation's own checks of the row
// (a disclosure retracted, an affiliation already ended) come after, on an ok row.
func lockForChange[T any](ctx context.Context, tx *Tx, c *checks, spec lockSpec[T], id int64, expectedVersion int) (row T, ok bool, err error) {
	row, err = spec.scan(tx.QueryRowContext(ctx, spec.query, id))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		c.mustExist(false, spec.what, spec.idField)
		return row, false, nil
	case err != nil:
		return row, false, fmt.Errorf("read %s: %w", spec.table, err)
	}
	code, why, field := "", registry.Message{}, spec.idField
	if spec.may != nil {
		code, why, field = spec.may(tx.Actor, row)
	} else if !registry.Owns(tx.Actor, spec.owner(row)) {
		code, why = NotOwner, spec.notOwner
	}
	if code != "" {
		c.add(code, why, field)
	} else if v := spec.version(row); v != expectedVersion {
		c.add(VersionConflict, registry.Msg("VERSION_CONFLICT", spec.what, v), "expectedVersion")
	}
	return row, len(c.errs) == 0, nil
}
