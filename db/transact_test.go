package db_test

import (
	"context"
	"database/sql"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
	"github.com/kolregistry/kolregistry/internal/testwait"
)

// deadConnStore is a store of its own database whose write pool has one connection, so that
// a write takes the pooled connection a test kills; kill terminates the database's backends
// (the pools' included) from an admin session and waits until they are gone. verifier is a
// store of the same database with the default pools, for audit verify (which reads on
// several connections at once).
func deadConnStore(t *testing.T, name string) (store, verifier *db.DB, kill func()) {
	t.Helper()
	ctx := context.Background()
	d, err := dbtest.Create(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Drop() })
	store, err = db.OpenWith(ctx, d.URL, "", db.PoolConfig{Write: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if verifier, err = db.Open(ctx, d.URL, ""); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { verifier.Close() })
	admin, err := sql.Open("postgres", dbtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	u, err := url.Parse(d.URL)
	if err != nil {
		t.Fatal(err)
	}
	dbName := strings.TrimPrefix(u.Path, "/")
	return store, verifier, func() {
		t.Helper()
		const alive = `SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`
		if _, err := admin.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = $1 AND pid <> pg_backend_pid()`, dbName); err != nil {
			t.Fatal(err)
		}
		testwait.Until(t, 10*time.Second, "the database's backends to exit", func() bool {
			var n int
			if err := admin.QueryRowContext(ctx, alive, dbName).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n == 0
		})
	}
}

// A write whose pooled connection died while idle (its backend terminated, as by a Postgres
// restart or a proxy's idle timeout) is run again on a new connection and succeeds: the
// client sees no error, and the write is in the log once.
func TestTransact_RetriesAWriteThatMetADeadPooledConnection(t *testing.T) {
	t.Parallel()
	store, verifier, kill := deadConnStore(t, "db_dead_pooled")
	w := loggedWorld(t, store)
	ctx := context.Background()
	if _, err := store.RegisterBrand(ctx, w.national, nil, db.NewBrand{Name: "Nhãn hàng trước"}); err != nil {
		t.Fatal(err)
	}
	kill()
	if idle := store.SQL().Stats().Idle; idle != 1 {
		t.Fatalf("the write pool holds %d idle connections, want its 1 (now dead) connection", idle)
	}
	res, err := store.RegisterBrand(ctx, w.national, nil, db.NewBrand{Name: "Nhãn hàng sau"})
	if err != nil {
		t.Fatalf("a write on a dead pooled connection failed: %v", err)
	}
	var n int
	if err := store.SQL().QueryRowContext(ctx, `SELECT count(*) FROM brand WHERE name = 'Nhãn hàng sau'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("the brand is stored %d times, want 1", n)
	}
	rep := verifyClean(t, verifier)
	if rep.Head.Seq != res.Seq {
		t.Errorf("the head is at seq %d, the write says %d", rep.Head.Seq, res.Seq)
	}
}

// A transaction whose connection dies in the middle, before its commit, is rolled back by
// Postgres and run again from the start: fn runs twice, the second run's rows and event are
// the only ones written.
func TestTransact_RetriesAWriteWhoseConnectionDiedBeforeCommit(t *testing.T) {
	t.Parallel()
	store, verifier, kill := deadConnStore(t, "db_dead_midtx")
	w := loggedWorld(t, store)
	ctx := context.Background()
	runs := 0
	res, err := store.Write(ctx, w.national.ID, nil, "registerBrand", "Nhãn hàng giữa chừng", func(ctx context.Context, tx *db.Tx) (db.Event, error) {
		runs++
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO brand (name) VALUES ('Nhãn hàng giữa chừng') RETURNING id`).Scan(&id); err != nil {
			return db.Event{}, err
		}
		if runs == 1 {
			kill() // the transaction's own backend among them: its next statement meets a dead connection
		}
		return db.Event{SubjectType: "Brand", SubjectID: id, Diff: map[string]any{"name": "Nhãn hàng giữa chừng"}}, nil
	})
	if err != nil {
		t.Fatalf("a write whose connection died before commit failed: %v", err)
	}
	if runs != 2 {
		t.Errorf("fn ran %d times, want 2 (the first on the connection that died)", runs)
	}
	var n int
	var id int64
	if err := store.SQL().QueryRowContext(ctx, `SELECT count(*), max(id) FROM brand WHERE name = 'Nhãn hàng giữa chừng'`).Scan(&n, &id); err != nil {
		t.Fatal(err)
	}
	if n != 1 || id != res.SubjectID {
		t.Errorf("%d brands stored (last id %d), want 1 with the write's id %d", n, id, res.SubjectID)
	}
	verifyClean(t, verifier)
}
