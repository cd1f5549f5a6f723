// Package db is the registry's store: every SQL statement lives here, as plain SQL over
// database/sql and github.com/lib/pq. Reads use keyset pagination; writes go through Transact.
package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
)

// StatementTimeout bounds every statement of the read and write classes (see Class): a
// context deadline on the client and, as a backstop, statement_timeout on the session.
const StatementTimeout = 10 * time.Second

// ErrNotFound is returned when a row asked for by key does not exist.
var ErrNotFound = errors.New("not found")

// DB is the store: a primary for writes and reads that must see them, and an optional replica.
// Each class of work has its own pool (pools.go, docs/operations.md), so that a burst of
// searches cannot make authentication, writes or the readiness probe wait for a connection.
type DB struct {
	primary *sql.DB // writes, and reads that must see them (Fresh)
	read    *sql.DB // reads on the primary (those RouteReads sends to the replica use replica)
	export  *sql.DB // bulk exports (long snapshots), on the primary
	auth    *sql.DB // the agency lookup of every authenticated request, on the primary
	health  *sql.DB // the readiness probe, on the primary
	// replica, with DATABASE_READ_URL, is the streaming replica's read pool and its watch:
	// RouteReads sends a request's reads there only when it has replayed what they must see
	// (replica.go). Without one, nil.
	replica *replicaWatch
	// written is the highest commit LSN of this process's writes (shared by Fresh copies).
	written *atomic.Uint64
	pools   []namedPool
	cfg     PoolConfig
	// stmts are the read statements kept prepared (prepared.go), shared by copies.
	stmts *stmtCache
	// writes are the log statements every write ends in, prepared on the write pool
	// (writestmts.go), shared by copies.
	writes *writeStmts
	// OnQuery, when set, is called once per statement sent (tests count statements with it).
	OnQuery func(query string)
}

// Open connects with the default pool sizes (DefaultPoolConfig); see OpenWith.
func Open(ctx context.Context, url, readURL string) (*DB, error) {
	return OpenWith(ctx, url, readURL, DefaultPoolConfig())
}

// OpenWith connects to the primary (and the read replica when readURL is not empty) with one
// pool per class sized by cfg, and checks both.
func OpenWith(ctx context.Context, url, readURL string, cfg PoolConfig) (*DB, error) {
	cfg = cfg.withDefaults()
	d := &DB{cfg: cfg, written: new(atomic.Uint64), stmts: newStmtCache(PreparedReads), writes: &writeStmts{}}
	var err error
	open := func(name, dsn string, size int, timeout time.Duration) *sql.DB {
		if err != nil {
			return nil
		}
		var p *sql.DB
		if p, err = openPool(dsn, size, timeout); err != nil {
			err = fmt.Errorf("open %s pool: %w", name, err)
			return nil
		}
		d.pools = append(d.pools, namedPool{name, p})
		return p
	}
	// The write pool's sessions have no statement_timeout of their own: it is also SQL(), for
	// migrations and bulk loads; Transact sets one per transaction, reads a context deadline.
	d.primary = open("write", url, cfg.Write, 0)
	d.auth = open("auth", url, cfg.Auth, cfg.StatementTimeout)
	d.health = open("health", url, cfg.Health, cfg.HealthTimeout)
	d.read = open("read", url, cfg.Read, max(cfg.StatementTimeout, cfg.SearchTimeout))
	d.export = open("export", url, cfg.Export, cfg.ExportTimeout)
	var replicaPool *sql.DB
	if readURL != "" && readURL != url {
		replicaPool = open("replica", readURL, cfg.Read, max(cfg.StatementTimeout, cfg.SearchTimeout))
	}
	if err != nil {
		d.Close()
		return nil, err
	}
	// A ping per pool checks both servers and opens each pool's first connection, so that the
	// first readiness probe or authenticated request does not pay for a new backend.
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.primary.PingContext(pctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("open primary: %w", err)
	}
	if replicaPool != nil {
		if err := replicaPool.PingContext(pctx); err != nil {
			d.Close()
			return nil, fmt.Errorf("open read replica: %w", err)
		}
		d.replica = newReplicaWatch(replicaPool, d.primary, cfg.ReadMaxLag, ReplicaPollInterval)
		d.replica.start()
	}
	for _, p := range []*sql.DB{d.read, d.health, d.auth} {
		p.PingContext(pctx) // the primary answered: a failure here shows at first use
	}
	d.writes.prepare(pctx, d.primary)
	return d, nil
}

// Close closes the pools.
func (d *DB) Close() error {
	d.stmts.close()
	d.writes.close()
	if d.replica != nil {
		d.replica.close()
	}
	var first error
	for _, p := range d.pools {
		if err := p.db.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Ping checks that the primary answers, on the health pool's own connection and with its own
// short timeout: a saturated read or write pool does not make the registry look down.
func (d *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.HealthTimeout)
	defer cancel()
	return d.health.PingContext(ctx)
}

// SQL returns the primary pool, for commands (seed, migrate) that run their own statements.
func (d *DB) SQL() *sql.DB { return d.primary }

// querier is what both *sql.DB and *sql.Tx offer.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// query runs a read where RouteReads sent ctx's reads (replica.go) with the statement timeout.
func (d *DB) query(ctx context.Context, q string, args ...any) (*sql.Rows, context.CancelFunc, error) {
	if d.OnQuery != nil {
		d.OnQuery(q)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeoutOf(ctx))
	pool := d.reader(ctx)
	var rows *sql.Rows
	var err error
	if st := d.stmts.stmt(ctx, pool, q); st != nil {
		rows, err = st.QueryContext(ctx, args...)
	}
	if rows == nil && (err == nil || d.stmts.unprepared(err, pool, q)) {
		rows, err = pool.QueryContext(ctx, q, args...)
	}
	if err != nil {
		cancel()
		return nil, nil, err
	}
	return rows, cancel, nil
}

// queryRow runs a one-row read where RouteReads sent ctx's reads, with the statement timeout.
func (d *DB) queryRow(ctx context.Context, q string, args []any, dest ...any) error {
	if d.OnQuery != nil {
		d.OnQuery(q)
	}
	ctx, cancel := context.WithTimeout(ctx, d.timeoutOf(ctx))
	defer cancel()
	pool := d.reader(ctx)
	var err error
	if st := d.stmts.stmt(ctx, pool, q); st != nil {
		err = st.QueryRowContext(ctx, args...).Scan(dest...)
	} else {
		err = pool.QueryRowContext(ctx, q, args...).Scan(dest...)
	}
	if d.stmts.unprepared(err, pool, q) {
		err = pool.QueryRowContext(ctx, q, args...).Scan(dest...)
	}
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
//
// fn gets the transaction-bound store (Tx): the transaction's statements and the store's
// reads run in it (txreads.go), so that what fn checks it reads with the API's read code.
// Its Actor is Operator: no agency writes here (Write and Import, which name one, set it).
func (d *DB) Transact(ctx context.Context, isolation sql.IsolationLevel, fn func(tx *Tx) error) error {
	return d.transact(ctx, isolation, Operator, fn)
}

// transact is Transact with the agency writing as the Tx's Actor (Write, Import).
func (d *DB) transact(ctx context.Context, isolation sql.IsolationLevel, actor int64, fn func(tx *Tx) error) (err error) {
	for attempt := 0; ; attempt++ {
		var committing bool
		err = d.transactOnce(ctx, isolation, actor, fn, &committing)
		if stalePlan(err) {
			d.writes.drop() // a migration changed a table under the server: send text from now on
		}
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
// deadlock (rolled back by Postgres), or a dead connection met before the commit (nothing of
// the transaction was written). A dead connection shows as driver.ErrBadConn when Postgres
// said why (a FATAL error, such as 57P01 for a terminated backend), and as the socket's own
// error when it did not (a reset, an EOF): lib/pq passes those on as they are.
// A prepared log statement whose cached plan a migration made wrong fails before anything is
// written too (writestmts.go): Transact has dropped the prepared statements, and the run
// again sends text.
func retryable(err error, committing bool) bool {
	var pqErr *pq.Error
	switch {
	case err == nil:
		return false
	case errors.As(err, &pqErr):
		return pqErr.Code == "40001" || pqErr.Code == "40P01" || (!committing && (pqErr.Code.Class() == "08" || stalePlan(err)))
	default:
		return !committing && deadConn(err)
	}
}

// deadConn says whether err is the loss of the connection rather than an answer of Postgres.
func deadConn(err error) bool {
	var opErr *net.OpError
	return errors.Is(err, driver.ErrBadConn) || errors.As(err, &opErr) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func (d *DB) transactOnce(ctx context.Context, isolation sql.IsolationLevel, actor int64, fn func(tx *Tx) error, committing *bool) (err error) {
	// One connection for the transaction and, after its commit, the read of its commit LSN.
	conn, err := d.primary.Conn(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, &sql.TxOptions{Isolation: isolation})
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
	if _, err = tx.ExecContext(ctx, fmt.Sprintf("SET LOCAL statement_timeout = %d", d.cfg.StatementTimeout.Milliseconds())); err != nil {
		return err
	}
	if err = fn(&Tx{Tx: tx, Actor: actor}); err != nil {
		return err
	}
	*committing = true
	if err = tx.Commit(); err != nil {
		return err
	}
	d.noteCommitLSN(ctx, conn)
	return nil
}

// noteCommitLSN reads the WAL insert position right after a commit, on the session that
// committed (replica_lsn.go), and records it; if that session failed, on another one. When
// neither answers, the request's tracker says the LSN is lost, so that the server publishes
// an epoch whose LSN is unknown (reads go to the primary) rather than one that is too low.
func (d *DB) noteCommitLSN(ctx context.Context, conn *sql.Conn) {
	lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), d.cfg.StatementTimeout)
	defer cancel()
	l, err := scanLSN(conn.QueryRowContext(lctx, writeLSNQuery))
	if err != nil || l == 0 {
		l, err = scanLSN(d.primary.QueryRowContext(lctx, writeLSNQuery))
	}
	if err != nil || l == 0 {
		if w, ok := ctx.Value(trackerKey{}).(*WriteTracker); ok {
			w.lost.Store(true)
		}
		return
	}
	d.noteCommit(ctx, l)
}

// Fresh returns the store reading from the primary: what a mutation returns must reflect its
// own commit, which a replica may not have yet.
func (d *DB) Fresh() *DB {
	f := *d
	f.read = d.primary
	f.replica = nil
	return &f
}
