package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// Idempotency keys (docs/idempotency.md). Every agency mutation goes through DB.Write, every
// subscriber mutation through DB.subscriberWrite (webhooks.go), and they are the only code that
// reads or claims a key: the key is checked there, once, for every mutation.
//
// A key belongs to one agency, or to one subscriber (keyOwner: each has its own table). It is claimed by the first write that uses it, together with the
// mutation's name and a SHA-256 of the mutation's canonical input. A later write with the same
// key from the same agency:
//   - with the same mutation and the same input is a replay: nothing is written, the first
//     result is returned with Replayed set;
//   - with another mutation or another input is refused with IDEMPOTENCY_KEY_REUSED.

// IdempotencyKeyReused is the user error code of a key used again with another mutation or input.
const IdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED"

const maxIDKeyLen = 200 // idempotency_key.key CHECK

// idempotencyLockClass is the first key of the advisory locks on idempotency keys (arbitrary, fixed).
const idempotencyLockClass = 7405

// errKeyReused refuses a key used before with another mutation or input.
func errKeyReused(msg registry.Message) error {
	return UserErrors{{Field: []string{"input", "idempotencyKey"}, Code: IdempotencyKeyReused, Message: msg}}
}

// checkIdempotencyKey refuses a key the idempotency_key table cannot hold.
func checkIdempotencyKey(key *string) error {
	if key == nil {
		return nil
	}
	var c checks
	if len(*key) == 0 || len(*key) > maxIDKeyLen {
		c.invalid(registry.Msg("IDEMPOTENCY_KEY_LENGTH", maxIDKeyLen), "idempotencyKey")
	}
	return c.err()
}

// inputHash is the SHA-256, in hex, of the canonical JSON of a mutation's input (object keys
// sorted, no spaces). The input is the store's input struct after validation has normalized it
// (trimmed text, deduplicated sets), so a retry that differs only in such details is the same input.
func inputHash(input any) (string, error) {
	b, err := canonicalJSON(input)
	if err != nil {
		return "", fmt.Errorf("hash mutation input: %w", err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// keyOwner is whose keys a write's key is among: an agency's (idempotency_key) or a
// subscriber's (subscriber_idempotency_key, 0260), tables of the same shape.
type keyOwner struct {
	table, column string
	lockClass     int // the first key of the owner's advisory locks (arbitrary, fixed)
}

var (
	agencyKeys     = keyOwner{table: "idempotency_key", column: "agency_id", lockClass: idempotencyLockClass}
	subscriberKeys = keyOwner{table: "subscriber_idempotency_key", column: "subscriber_id", lockClass: idempotencyLockClass + 1}
)

// idempotency is one write's key, as DB.Write checks and claims it inside the transaction.
type idempotency struct {
	owner  keyOwner
	key    string
	action string
	hash   string
}

// newIdempotency checks key and hashes input; a nil key is a write without one (nil result).
func newIdempotency(owner keyOwner, key *string, action string, input any) (*idempotency, error) {
	if key == nil {
		return nil, nil
	}
	if err := checkIdempotencyKey(key); err != nil {
		return nil, err
	}
	h, err := inputHash(input)
	if err != nil {
		return nil, err
	}
	return &idempotency{owner: owner, key: *key, action: action, hash: h}, nil
}

// replay looks the key up. It returns the first write's result when this write is its replay,
// a zero result when the key is new, and the IDEMPOTENCY_KEY_REUSED refusal when the key was
// used with another mutation or input. Writers are not serialized by the audit head until
// their final append, so writes with one key are serialized here, by a transaction advisory
// lock on (owner, key): the second waits for the first to commit, then replays it. Should
// two claims still meet (a lock hash collision cannot cause that, only skipped locking),
// claim fails with errKeyRace and Write runs again.
func (k *idempotency) replay(ctx context.Context, tx *Tx, actor int64) (WriteResult, bool, error) {
	var res WriteResult
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, k.owner.lockClass,
		fmt.Sprintf("%d:%s", actor, k.key)); err != nil {
		return res, false, fmt.Errorf("lock idempotency key: %w", err)
	}
	var prevAction string
	var prevHash sql.NullString
	err := tx.QueryRowContext(ctx, `SELECT action, input_sha256, subject_type, subject_id FROM `+k.owner.table+`
		WHERE `+k.owner.column+` = $1 AND key = $2`, actor, k.key).Scan(&prevAction, &prevHash, &res.SubjectType, &res.SubjectID)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return WriteResult{}, false, nil
	case err != nil:
		return WriteResult{}, false, fmt.Errorf("idempotency key: %w", err)
	case prevAction != k.action:
		return WriteResult{}, false, errKeyReused(registry.Msg("IDEMPOTENCY_KEY_OTHER_ACTION", prevAction))
	case prevHash.Valid && prevHash.String != k.hash:
		return WriteResult{}, false, errKeyReused(registry.Msg("IDEMPOTENCY_KEY_OTHER_INPUT"))
	}
	res.Replayed = true
	return res, true, nil
}

// claim records the key as used by this write.
func (k *idempotency) claim(ctx context.Context, tx *Tx, actor int64, ev Event) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+k.owner.table+` (`+k.owner.column+`, key, action, input_sha256, subject_type, subject_id)
		VALUES ($1, $2, $3, $4, $5, $6)`, actor, k.key, k.action, k.hash, ev.SubjectType, ev.SubjectID); err != nil {
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "23505" {
			return errKeyRace
		}
		return fmt.Errorf("claim idempotency key: %w", err)
	}
	return nil
}
