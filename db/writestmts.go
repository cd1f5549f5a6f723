package db

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Prepared log statements (docs/operations.md, "Write throughput"). Every write ends in the
// same few statements: the subject's state, its refs and deliveries, the head's lock and the
// append. Sent as text, Postgres parsed and planned them on every write, about 2 ms of the
// ~5 ms of Postgres time a write takes (the refs statement alone 1.2 ms), and with 16 writers
// the machine's CPU, not the head's lock, bounds the rate. So the store prepares them once on
// its write pool when it opens, and each transaction runs them through its connection's
// prepared copy (database/sql prepares a statement on a connection the first time a
// transaction there uses it, and keeps it).
//
// They are prepared when the store opens rather than at first use: preparing takes a
// connection of the pool, and a writer that holds one in its transaction must never wait for
// another (with every connection held that way, none would come back). A store opened on a
// database without the tables yet (`kolregistry migrate`) prepares nothing and sends text.

// writeTexts are the texts writeStmt registered, prepared by prepareWrites.
var writeTexts []string

// writeStmt registers text as one to prepare and returns it.
func writeStmt(text string) string {
	writeTexts = append(writeTexts, text)
	return text
}

// writeStmts are a store's prepared log statements by text.
type writeStmts struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// prepareWrites prepares the registered texts and every record type's state statement on pool;
// a text that does not prepare (its tables are not there yet) is sent as text.
func (w *writeStmts) prepare(ctx context.Context, pool *sql.DB) {
	texts := append([]string(nil), writeTexts...)
	for typ := range stateDefs {
		texts = append(texts, stateSQL(typ))
	}
	m := make(map[string]*sql.Stmt, len(texts))
	for _, q := range texts {
		if s, err := pool.PrepareContext(ctx, q); err == nil {
			m[q] = s
		}
	}
	w.mu.Lock()
	w.m = m
	w.mu.Unlock()
}

func (w *writeStmts) get(q string) *sql.Stmt {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.m[q]
}

// drop forgets every prepared statement, after Postgres said a cached plan no longer fits (a
// migration changed a table under a running server): the writes that follow send text, and
// Transact runs the failed one again.
func (w *writeStmts) drop() {
	w.mu.Lock()
	old := w.m
	w.m = nil
	w.mu.Unlock()
	// A transaction that took one of them just before may still run it: close them once every
	// such transaction has ended (a write's statements are bounded by its timeout, 10 s).
	time.AfterFunc(time.Minute, func() {
		for _, s := range old {
			s.Close()
		}
	})
}

func (w *writeStmts) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, s := range w.m {
		s.Close()
	}
	w.m = nil
}

// preparedTx is a transaction that runs the prepared texts as their prepared statements and
// every other text as text.
type preparedTx struct {
	*sql.Tx
	w *writeStmts
}

func (p preparedTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := p.w.get(q); s != nil {
		return p.Tx.StmtContext(ctx, s).QueryContext(ctx, args...)
	}
	return p.Tx.QueryContext(ctx, q, args...)
}

func (p preparedTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if s := p.w.get(q); s != nil {
		return p.Tx.StmtContext(ctx, s).QueryRowContext(ctx, args...)
	}
	return p.Tx.QueryRowContext(ctx, q, args...)
}

func (p preparedTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := p.w.get(q); s != nil {
		return p.Tx.StmtContext(ctx, s).ExecContext(ctx, args...)
	}
	return p.Tx.ExecContext(ctx, q, args...)
}

// stalePlan says whether err is Postgres refusing a prepared statement whose cached plan a
// schema change made wrong ("cached plan must not change result type").
func stalePlan(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "0A000" && strings.Contains(pe.Message, "cached plan")
}
