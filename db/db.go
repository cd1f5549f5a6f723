// Package db is the registry's store: every SQL statement lives here, as plain SQL over
// database/sql and github.com/lib/pq. Reads use keyset pagination; writes go through Transact.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"
)

// StatementTimeout bounds every statement the store runs (set per session on the DSN).
const StatementTimeout = 10 * time.Second

// ErrNotFound is returned when a row asked for by key does not exist.
var ErrNotFound = errors.New("not found")

// DB is the store: a primary for writes and reads that must see them, and an optional replica.
type DB struct {
	primary *sql.DB
	read    *sql.DB
	// OnQuery, when set, is called once per statement sent (tests count statements with it).
	OnQuery func(query string)
}

// Open connects to the primary (and the read replica when readURL is not empty) and checks both.
func Open(ctx context.Context, url, readURL string) (*DB, error) {
	primary, err := openOne(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("open primary: %w", err)
	}
	d := &DB{primary: primary, read: primary}
	if readURL != "" {
		read, err := openOne(ctx, readURL)
		if err != nil {
			primary.Close()
			return nil, fmt.Errorf("open read replica: %w", err)
		}
		d.read = read
	}
	return d, nil
}

func openOne(ctx context.Context, url string) (*sql.DB, error) {
	connector, err := pq.NewConnector(url)
	if err != nil {
		return nil, err
	}
	sdb := sql.OpenDB(connector)
	sdb.SetMaxOpenConns(20)
	sdb.SetMaxIdleConns(10)
	sdb.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := sdb.PingContext(pctx); err != nil {
		sdb.Close()
		return nil, err
	}
	return sdb, nil
}

// Close closes the pools.
func (d *DB) Close() error {
	if d.read != d.primary {
		d.read.Close()
	}
	return d.primary.Close()
}

// Ping checks that the primary answers.
func (d *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return d.primary.PingContext(ctx)
}

// SQL returns the primary pool, for commands (seed, migrate) that run their own statements.
func (d *DB) SQL() *sql.DB { return d.primary }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// query runs a read on the replica (or the primary) with the statement timeout.
func (d *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, context.CancelFunc, error) {
	if d.OnQuery != nil {
		d.OnQuery(q)
	}
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	rows, err := d.read.QueryContext(ctx, q, args...)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return rows, cancel, nil
}

// queryRow runs a one-row read on the replica with the statement timeout.
func (d *DB) queryRow(ctx context.Context, q string, args []any, dest ...any) error {
	if d.OnQuery != nil {
		d.OnQuery(q)
	}
	ctx, cancel := context.WithTimeout(ctx, StatementTimeout)
	defer cancel()
	err := d.read.QueryRowContext(ctx, q, args...).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Transact runs fn in one transaction on the primary at the given isolation level, retrying
// serialization failures and deadlocks a few times, and a transaction that met a dead pooled
// connection (driver.ErrBadConn) before it tried to commit: nothing of it was written. One
// that lost its connection while committing is not retried, as it may have committed. fn
// must not keep tx after it returns, and may run more than once.
func (d *DB) Transact(ctx context.Context, isolation sql.IsolationLevel, fn func(tx *sql.Tx) error) (err error) {
	for attempt := 0; ; attempt++ {
		var committing bool
		err = d.transactOnce(ctx, isolation, fn, &committing)
		if attempt >= 4 || !retryable(err, committing) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt+1) * 10 * time.Millisecond):
		}
	}
}

// retryable says whether a failed transaction can run again: a serialization failure or a
// deadlock (rolled back by Postgres), or a dead connection met before the commit.
func retryable(err error, committing bool) bool {
	var pqErr *pq.Error
	switch {
	case err == nil:
		return false
	case errors.As(err, &pqErr):
		return pqErr.Code == "40001" || pqErr.Code == "40P01"
	default:
		return !committing && errors.Is(err, driver.ErrBadConn)
	}
}

func (d *DB) transactOnce(ctx context.Context, isolation sql.IsolationLevel, fn func(tx *sql.Tx) error, committing *bool) (err error) {
	tx, err := d.primary.BeginTx(ctx, &sql.TxOptions{Isolation: isolation})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			tx.Rollback()
			panic(p)
		}
		if err != nil {
			tx.Rollback()
		}
	}()
	if _, err = tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", StatementTimeout.Milliseconds())); err != nil {
		return err
	}
	if err = fn(tx); err != nil {
		return err
	}
	*committing = true
	return tx.Commit()
}

// Fresh returns the store reading from the primary: what a mutation returns must reflect its
// own commit, which a replica may not have yet.
func (d *DB) Fresh() *DB {
	return &DB{primary: d.primary, read: d.primary, OnQuery: d.OnQuery}
}
