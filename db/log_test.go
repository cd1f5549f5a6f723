package db_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// ownStore is a store over a database of the test's own (tampering must not reach other tests).
func ownStore(t *testing.T, name string) *db.DB {
	t.Helper()
	d, err := dbtest.Create(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Drop() })
	store, err := db.Open(context.Background(), d.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// loggedWorld is newWorld with its rows logged (they are inserted with plain SQL).
func loggedWorld(t *testing.T, store *db.DB) world {
	t.Helper()
	w := newWorld(t, store)
	_, err := store.Import(context.Background(), db.Operator, "importRecord", "test fixture", func(ctx context.Context, tx *db.Tx) ([]db.Record, error) {
		return []db.Record{{Type: "Agency", ID: w.national.ID}, {Type: "Agency", ID: w.provincial.ID}, {Type: "Agency", ID: w.other.ID},
			{Type: "Influencer", ID: w.hanoiKOL}, {Type: "Influencer", ID: w.saigonKOL}, {Type: "Disclosure", ID: w.disclosure}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func verifyClean(t *testing.T, store *db.DB) db.LogReport {
	t.Helper()
	rep, err := store.VerifyLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 {
		t.Fatalf("verify found %v", rep.Problems)
	}
	return rep
}

// Inclusion and consistency proofs for many sizes and positions check with tlog against the
// root of the tree rebuilt from the entries; a proof for a wrong entry fails.
func TestLog_ProofsCheckForManySizesAndPositions(t *testing.T) {
	t.Parallel()
	store := ownStore(t, "db_log_proofs")
	ctx := context.Background()
	const n = 300
	_, err := store.Import(ctx, db.Operator, "importRecord", "test", func(ctx context.Context, tx *db.Tx) ([]db.Record, error) {
		var recs []db.Record
		for i := range n {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO brand (name) VALUES ($1) RETURNING id`, fmt.Sprintf("Brand <%d> & co", i)).Scan(&id); err != nil {
				return nil, err
			}
			recs = append(recs, db.Record{Type: "Brand", ID: id})
		}
		return recs, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// The tree rebuilt here from the entries alone.
	var stored []tlog.Hash
	reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			out[i] = stored[x]
		}
		return out, nil
	})
	entries, err := store.LogEntries(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range entries {
		if strings.Contains(string(e), `\u003c`) || !strings.Contains(string(e), `"state":{`) {
			t.Fatalf("entry %d is not canonical or has no state: %s", i, e)
		}
		hs, err := tlog.StoredHashes(int64(i), e, reader)
		if err != nil {
			t.Fatal(err)
		}
		stored = append(stored, hs...)
	}
	head, err := store.AuditHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if root, _ := tlog.TreeHash(n, reader); head.TreeSize != n || head.Root != root {
		t.Fatalf("head tree %d; the entries' root differs or size is not %d", head.TreeSize, n)
	}
	sizes := []int64{1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 255, 256, 257, 299, 300}
	for _, size := range sizes {
		root, _ := tlog.TreeHash(size, reader)
		for _, seq := range []int64{1, 2, size / 2, size - 1, size} {
			if seq < 1 || seq > size {
				continue
			}
			p, gotSize, gotRoot, ev, err := store.InclusionProof(ctx, seq, size)
			if err != nil {
				t.Fatalf("prove %d in %d: %v", seq, size, err)
			}
			if gotSize != size || gotRoot != root {
				t.Fatalf("prove %d in %d: size %d, root differs", seq, size, gotSize)
			}
			if err := tlog.CheckRecord(p, size, root, seq-1, tlog.RecordHash(entries[seq-1])); err != nil {
				t.Errorf("inclusion of %d in %d: %v", seq, size, err)
			}
			if ev.LeafHash() != tlog.RecordHash(entries[seq-1]) {
				t.Errorf("event %d: leaf hash is not its entry's", seq)
			}
			wrong := tlog.RecordHash(append([]byte(nil), entries[(seq)%int64(n)]...))
			if size > 1 && tlog.CheckRecord(p, size, root, seq-1, wrong) == nil {
				t.Errorf("inclusion of %d in %d: a wrong entry checked", seq, size)
			}
		}
		for _, from := range sizes {
			if from > size {
				continue
			}
			p, _, fromRoot, toRoot, err := store.ConsistencyProof(ctx, from, size)
			if err != nil {
				t.Fatalf("consistency %d→%d: %v", from, size, err)
			}
			want, _ := tlog.TreeHash(from, reader)
			if fromRoot != want || toRoot != root {
				t.Fatalf("consistency %d→%d: roots differ", from, size)
			}
			if err := tlog.CheckTree(p, size, root, from, fromRoot); err != nil {
				t.Errorf("consistency %d→%d: %v", from, size, err)
			}
			if from < size && tlog.CheckTree(p, size, root, from, tlog.RecordHash([]byte("forged"))) == nil {
				t.Errorf("consistency %d→%d: a forged old root checked", from, size)
			}
		}
	}
	for _, bad := range [][2]int64{{0, 10}, {11, 10}, {1, n + 1}} {
		if _, _, _, _, err := store.InclusionProof(ctx, bad[0], bad[1]); err == nil {
			t.Errorf("inclusion proof of %d in %d was given", bad[0], bad[1])
		}
	}
}

// Each change made behind the API's back is reported with the record and the field.
func TestVerifyLog_TamperingMatrix(t *testing.T) {
	t.Parallel()
	store := ownStore(t, "db_log_tamper")
	ctx := context.Background()
	w := loggedWorld(t, store)
	res, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, "82/QĐ-XPHC"))
	if err != nil {
		t.Fatal(err)
	}
	verifyClean(t, store)
	sanction := fmt.Sprintf("Sanction %d (%s)", res.SubjectID, db.GlobalID("Sanction", res.SubjectID))
	var diffSeq int64
	store.SQL().QueryRow(`SELECT max(seq) FROM audit_event`).Scan(&diffSeq)
	for _, tc := range []struct {
		name, tamper, undo string
		record, field      string
	}{
		{"a sanction's fine", `UPDATE sanction SET fine_vnd = 7000000 WHERE id = %[1]d`, `UPDATE sanction SET fine_vnd = 70000000 WHERE id = %[1]d`,
			fmt.Sprintf("Sanction %d (%s)", res.SubjectID, db.GlobalID("Sanction", res.SubjectID)), "fineVnd"},
		{"an influencer's name", `UPDATE influencer SET display_name = 'Someone Else' WHERE id = %[2]d`, `UPDATE influencer SET display_name = 'Test KOL' WHERE id = %[2]d`,
			fmt.Sprintf("Influencer %d (%s)", w.saigonKOL, db.GlobalID("Influencer", w.saigonKOL)), "displayName"},
		{"a disclosure's label", `UPDATE disclosure SET label = 'QUANG_CAO' WHERE id = %[3]d`, `UPDATE disclosure SET label = 'NONE' WHERE id = %[3]d`,
			fmt.Sprintf("Disclosure %d (%s)", w.disclosure, db.GlobalID("Disclosure", w.disclosure)), "label"},
		{"a violation of a sanction", `UPDATE sanction_violation SET article = 35 WHERE sanction_id = %[1]d`, `UPDATE sanction_violation SET article = 34 WHERE sanction_id = %[1]d`,
			fmt.Sprintf("Sanction %d (%s)", res.SubjectID, db.GlobalID("Sanction", res.SubjectID)), "violations"},
		{"a sanction's execution", `UPDATE sanction SET execution = 'NOT_DUE' WHERE id = %[1]d`, `UPDATE sanction SET execution = 'DUE' WHERE id = %[1]d`,
			sanction, "execution"},
		{"a sanction's execution date", `UPDATE sanction SET execution = 'COMPLIED', executed_on = '2025-06-01' WHERE id = %[1]d`,
			`UPDATE sanction SET execution = 'DUE', executed_on = NULL WHERE id = %[1]d`, sanction, "executedOn"},
		{"a sanction's standing", `UPDATE sanction SET standing = 'UNDER_COMPLAINT' WHERE id = %[1]d`, `UPDATE sanction SET standing = 'IN_FORCE' WHERE id = %[1]d`,
			sanction, "standing"},
		{"a sanction's penalty kind", `UPDATE sanction SET penalty = 'WARNING', fine_vnd = 0 WHERE id = %[1]d`,
			`UPDATE sanction SET penalty = 'FINE', fine_vnd = 70000000 WHERE id = %[1]d`, sanction, "penalty"},
		{"a sanction's additional penalties", `UPDATE sanction SET additional_penalties = '{CONFISCATION}' WHERE id = %[1]d`,
			`UPDATE sanction SET additional_penalties = '{}' WHERE id = %[1]d`, sanction, "additionalPenalties"},
		{"a sanction's payment deadline", `UPDATE sanction SET payment_deadline = '2025-06-30' WHERE id = %[1]d`,
			`UPDATE sanction SET payment_deadline = NULL WHERE id = %[1]d`, sanction, "paymentDeadline"},
		{"a sanction's signatory title", `UPDATE sanction SET signatory_title = 'Cục trưởng' WHERE id = %[1]d`,
			`UPDATE sanction SET signatory_title = NULL WHERE id = %[1]d`, sanction, "signatoryTitle"},
		{"a sanction's violation record number", `UPDATE sanction SET violation_record_number = '12/BB-VPHC' WHERE id = %[1]d`,
			`UPDATE sanction SET violation_record_number = NULL WHERE id = %[1]d`, sanction, "violationRecordNumber"},
		{"the execution in a sanction's history", `UPDATE sanction_status_change SET execution = 'NOT_DUE' WHERE sanction_id = %[1]d`,
			`UPDATE sanction_status_change SET execution = 'DUE' WHERE sanction_id = %[1]d`, sanction, "statusHistory"},
		{"the amending instrument of a violation", `UPDATE sanction_violation SET amended_by = '129/2021/NĐ-CP' WHERE sanction_id = %[1]d`,
			`UPDATE sanction_violation SET amended_by = NULL WHERE sanction_id = %[1]d`, sanction, "violations"},
		{"an audit event's diff (trigger disabled)", `ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
			UPDATE audit_event SET diff = jsonb_set(diff, '{fineVnd}', '1') WHERE seq = %[4]d;
			ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update`, `ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
			UPDATE audit_event SET diff = jsonb_set(diff, '{fineVnd}', '70000000') WHERE seq = %[4]d;
			ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update`, "", "diff"},
		{"an audit event's entry (trigger disabled)", `ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
			UPDATE audit_event SET entry = replace(entry, '70000000', '7000000') WHERE seq = %[4]d;
			ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update`, `ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
			UPDATE audit_event SET entry = replace(entry, '7000000,', '70000000,') WHERE seq = %[4]d;
			ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update`, "", "hash"},
		{"a row inserted behind the API", `INSERT INTO brand (name) VALUES ('Ghost brand')`, `DELETE FROM brand WHERE name = 'Ghost brand'`,
			"Brand ", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exec := func(q string) {
				t.Helper()
				if strings.Contains(q, "%[") {
					q = fmt.Sprintf(q, res.SubjectID, w.saigonKOL, w.disclosure, diffSeq)
				}
				if _, err := store.SQL().Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			exec(tc.tamper)
			defer exec(tc.undo)
			rep, err := store.VerifyLog(ctx)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range rep.Problems {
				if strings.HasPrefix(p.Record, tc.record) && p.Field == tc.field && (tc.record != "" || p.Seq == diffSeq) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a problem with record %q field %q; got %v", tc.record, tc.field, rep.Problems)
			}
		})
	}
	verifyClean(t, store)
}

// Writers append concurrently: seq stays gap-free, the chain and the tree exact.
func TestWrite_ConcurrentWritersKeepTheLogExact(t *testing.T) {
	t.Parallel()
	store := ownStore(t, "db_log_writers")
	w := loggedWorld(t, store)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			_, err := store.RegisterBrand(ctx, w.national, nil, db.NewBrand{Name: fmt.Sprintf("Brand %d", i)})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	rep := verifyClean(t, store)
	if rep.Events != 70 || rep.Head.TreeSize != 70 {
		t.Errorf("%d events, tree of %d; want 70", rep.Events, rep.Head.TreeSize)
	}
}
