package db_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// The refs of an event, read before the head lock and appended with it, are the records the
// event is about: a sanction's own and its subject's; an import's events get theirs too, each
// under its own seq.
func TestWrite_AppendsTheRefsOfEachEvent(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	refsOf := func(seq int64) []string {
		t.Helper()
		rows, err := store.SQL().QueryContext(ctx, `SELECT ref_type || ':' || ref_id FROM audit_event_ref WHERE seq = $1 ORDER BY 1`, seq)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		return out
	}
	res, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, fmt.Sprintf("%d/QĐ-REFS", time.Now().UnixNano()%100000)))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("Influencer:%d", w.saigonKOL), fmt.Sprintf("Sanction:%d", res.SubjectID)}
	slices.Sort(want)
	if got := refsOf(res.Seq); !slices.Equal(got, want) {
		t.Errorf("refs of the sanction's event %d: %v, want %v", res.Seq, got, want)
	}

	// An import: a disclosure of each test influencer, then a brand; each event under its own seq.
	var recs []db.Record
	last, err := store.Import(ctx, db.Operator, "importRecord", "refs test", func(ctx context.Context, tx *db.Tx) ([]db.Record, error) {
		recs = nil
		for _, kol := range []int64{w.hanoiKOL, w.saigonKOL} {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO disclosure (influencer_id, product_name, product_category, platform,
				published_at, label, label_timing, compensation, filed_by) VALUES ($1, 'Refs', 'FOOD_SUPPLEMENT', 'TIKTOK',
				now() - interval '3 days', 'NONE', 'NONE', 'CASH_FEE', $2) RETURNING id`, kol, w.national.ID).Scan(&id); err != nil {
				return nil, err
			}
			recs = append(recs, db.Record{Type: "Disclosure", ID: id})
		}
		var brand int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO brand (name) VALUES ('Refs test brand') RETURNING id`).Scan(&brand); err != nil {
			return nil, err
		}
		recs = append(recs, db.Record{Type: "Brand", ID: brand})
		return recs, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, kol := range []int64{w.hanoiKOL, w.saigonKOL} {
		want := []string{fmt.Sprintf("Disclosure:%d", recs[i].ID), fmt.Sprintf("Influencer:%d", kol)}
		if got := refsOf(last - 2 + int64(i)); !slices.Equal(got, want) {
			t.Errorf("refs of the import's event %d: %v, want %v", i, got, want)
		}
	}
	if got, want := refsOf(last), []string{fmt.Sprintf("Brand:%d", recs[2].ID)}; !slices.Equal(got, want) {
		t.Errorf("refs of the import's last event: %v, want %v", got, want)
	}
}
