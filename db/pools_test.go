package db_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// With every read connection busy, authentication's agency lookup and the readiness ping still
// answer at once: they have pools of their own.
func TestPools_AuthAndHealthDoNotWaitBehindReads(t *testing.T) {
	ctx := context.Background()
	store, err := db.OpenWith(ctx, dbURL, "", db.PoolConfig{Read: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	hold, release := context.WithCancel(ctx)
	defer release()
	var wg sync.WaitGroup
	for range 3 { // one more than the pool: the third waits
		wg.Go(func() { db.SleepOn(hold, store, "read", 5*time.Second) })
	}
	deadline := time.Now().Add(3 * time.Second)
	for store.PoolStats()["read"].InUse < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("read pool never filled: %+v", store.PoolStats()["read"])
		}
		time.Sleep(10 * time.Millisecond)
	}

	start := time.Now()
	if _, err := store.AgencyBySlug(ctx, "no-such-agency"); err == nil {
		t.Fatal("AgencyBySlug found an agency that does not exist")
	}
	if err := store.Ping(ctx); err != nil {
		t.Fatalf("ping with the read pool saturated: %v", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("agency lookup and ping took %v with the read pool saturated: they waited behind reads", took)
	}
	if s := store.PoolStats()["read"]; s.MaxOpenConnections != 2 || s.InUse != 2 {
		t.Errorf("read pool stats %+v, want 2 of 2 in use", s)
	}
	release()
	wg.Wait()
}

// A statement of the search class ends at the search timeout, far below the read timeout.
func TestPools_SearchClassHasItsOwnTimeout(t *testing.T) {
	ctx := context.Background()
	store, err := db.OpenWith(ctx, dbURL, "", db.PoolConfig{SearchTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	start := time.Now()
	err = db.QueryAs(db.WithClass(ctx, db.ClassSearch), store, "SELECT pg_sleep(3)")
	if err == nil {
		t.Fatal("a 3 s statement of the search class finished")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the search statement ran %v; its timeout is 200ms", took)
	}
	if !db.IsUnavailable(err) {
		t.Errorf("a timed-out statement is %v, not an unavailability", err)
	}
	if err := db.QueryAs(ctx, store, "SELECT pg_sleep(0.3)"); err != nil {
		t.Errorf("a 300 ms read failed: %v", err)
	}
}

// Every pool's sessions carry their class's statement_timeout, a server-side backstop to the
// context deadlines, and binary parameters (one round trip per parameterized statement).
func TestPools_SessionSettings(t *testing.T) {
	ctx := context.Background()
	store, err := db.OpenWith(ctx, dbURL, "", db.PoolConfig{ExportTimeout: 90 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	for pool, want := range map[string]string{"read": "10s", "auth": "10s", "write": "0", "export": "90s", "health": "1s"} {
		var got string
		if err := store.Pools()[pool].QueryRowContext(ctx, "SHOW statement_timeout").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s pool: statement_timeout %s, want %s", pool, got, want)
		}
		if err := store.Pools()[pool].QueryRowContext(ctx, "SHOW random_page_cost").Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != db.RandomPageCost {
			t.Errorf("%s pool: random_page_cost %s, want %s", pool, got, db.RandomPageCost)
		}
		if s := store.Pools()[pool].Stats(); s.MaxOpenConnections < 1 {
			t.Errorf("%s pool unbounded", pool)
		}
	}
	// A parameterized statement with a typed parameter works with binary parameters.
	var n int
	if err := store.Pools()["read"].QueryRowContext(ctx, "SELECT $1::int + 1", 41).Scan(&n); err != nil || n != 42 {
		t.Errorf("parameterized statement: %d, %v", n, err)
	}
}
