package db_test

import (
	"context"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// The log statements are prepared when the store opens (writestmts.go). A migration that
// changes what one returns, run under a live server, makes Postgres refuse its cached plan;
// the write must still land, once, with the next seq: Transact drops the prepared statements
// and runs the transaction again as text.
func TestWrite_SurvivesAStalePreparedLogStatement(t *testing.T) {
	ctx := context.Background()
	fresh, err := dbtest.Create(ctx, "stale_plan")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fresh.Drop)
	store, err := db.Open(ctx, fresh.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	w := newWorld(t, store)
	first, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, "1/QĐ-PLAN"))
	if err != nil {
		t.Fatal(err)
	}
	// The sanction state statement was prepared when the store opened; change the type of one
	// of the columns it returns (text to varchar: the same values, another result type).
	if _, err := store.SQL().ExecContext(ctx, `ALTER TABLE sanction ALTER COLUMN signatory_title TYPE varchar(300)`); err != nil {
		t.Fatal(err)
	}
	second, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, "2/QĐ-PLAN"))
	if err != nil {
		t.Fatalf("write after the schema change: %v", err)
	}
	if second.Seq != first.Seq+1 {
		t.Errorf("seqs %d then %d, want consecutive", first.Seq, second.Seq)
	}
	var n int
	if err := store.SQL().QueryRowContext(ctx, `SELECT count(*) FROM sanction WHERE decision_number LIKE '%/QĐ-PLAN'`).Scan(&n); err != nil || n != 2 {
		t.Errorf("%d sanctions written (%v), want 2", n, err)
	}
}
