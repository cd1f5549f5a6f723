package db_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// Concurrent writers across a clean restart and a crash of Postgres (a private cluster of the
// test's own): every acknowledged write is there exactly once, a write retried with its
// idempotency key after an error is never duplicated, and audit verify passes.
func TestDurability_WritersAcrossPostgresRestartAndCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a private PostgreSQL")
	}
	cluster := dbtest.StartCluster(t)
	ctx := context.Background()
	store, err := db.Open(ctx, cluster.CreateDatabase(t, "durability"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	agency, err := store.AddAgency(ctx, db.NewAgency{Slug: "cuc-ptth", Name: "Cục Phát thanh", Kind: "BROADCASTING_AUTHORITY", Jurisdiction: "VN"})
	if err != nil {
		t.Fatal(err)
	}

	const writers, perWriter = 8, 25
	acked := make([]map[string]int64, writers) // brand name → id, as acknowledged
	failures := make([]int, writers)
	var wg sync.WaitGroup
	deadline := time.Now().Add(60 * time.Second)
	for w := range writers {
		acked[w] = map[string]int64{}
		wg.Go(func() {
			for i := range perWriter {
				name := fmt.Sprintf("Nhãn hàng %d-%d", w, i)
				key := fmt.Sprintf("durability-%d-%d", w, i)
				for time.Now().Before(deadline) { // retried with the same key until acknowledged
					res, err := store.RegisterBrand(ctx, agency, &key, db.NewBrand{Name: name})
					if err == nil {
						acked[w][name] = res.SubjectID
						break
					}
					failures[w]++
					time.Sleep(50 * time.Millisecond)
				}
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	// The sleeps below are the schedule under test (writers run, then an outage), not waits.
	time.Sleep(300 * time.Millisecond)
	cluster.Stop(t, "fast") // a clean restart
	time.Sleep(200 * time.Millisecond)
	cluster.Start(t)
	time.Sleep(300 * time.Millisecond)
	cluster.Stop(t, "immediate") // a crash: recovery from the WAL
	time.Sleep(200 * time.Millisecond)
	cluster.Start(t)
	wg.Wait()

	total, failed := 0, 0
	for w := range writers {
		total += len(acked[w])
		failed += failures[w]
	}
	t.Logf("%d writes acknowledged, %d attempts failed during the outages", total, failed)
	if total != writers*perWriter {
		t.Fatalf("%d of %d writes acknowledged within a minute", total, writers*perWriter)
	}
	if failed == 0 {
		t.Error("no write met the outages: the test did not test them")
	}
	rows, err := store.SQL().QueryContext(ctx, `SELECT name, count(*), min(id) FROM brand GROUP BY name`)
	if err != nil {
		t.Fatal(err)
	}
	stored := map[string]int64{}
	for rows.Next() {
		var name string
		var n, id int64
		if err := rows.Scan(&name, &n, &id); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("brand %q stored %d times", name, n)
		}
		stored[name] = id
	}
	rows.Close()
	for w := range writers {
		for name, id := range acked[w] {
			if stored[name] != id {
				t.Errorf("acknowledged brand %q (id %d) is stored as id %d", name, id, stored[name])
			}
		}
	}
	if len(stored) != total {
		t.Errorf("%d brands stored, %d acknowledged", len(stored), total)
	}
	rep, err := store.VerifyLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Events < int64(total) {
		t.Errorf("audit verify after the restarts: %d events, problems %v", rep.Events, rep.Problems)
	}
}
