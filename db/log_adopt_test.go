package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/db"
)

// oldSanctionShape is a sanction's state as the log held it before the sanction gained its
// penalty, standing and execution fields.
func oldSanctionShape(t *testing.T, state []byte) []byte {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(state, &s); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"penalty", "additionalPenalties", "paymentDeadline", "signatoryTitle",
		"violationRecordNumber", "standing", "execution", "executedOn"} {
		delete(s, k)
	}
	for _, h := range s["statusHistory"].([]any) {
		delete(h.(map[string]any), "standing")
		delete(h.(map[string]any), "execution")
	}
	for _, v := range s["violations"].([]any) {
		delete(v.(map[string]any)["legalBasis"].(map[string]any), "amendedBy")
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A log written before a record's state gained fields: after `migrate`, each record whose row
// is its logged state plus the new fields is logged again (adoptFields) and verifies; one whose
// row changed a logged value is not adopted and stays reported; the old entries still verify;
// a second migrate adds nothing.
func TestMigrate_AdoptsRecordsWhoseStateGainedFields(t *testing.T) {
	t.Parallel()
	store := ownStore(t, "db_log_adopt")
	ctx := context.Background()
	w := loggedWorld(t, store)
	var ids []int64
	for _, num := range []string{"1/QĐ-ADOPT", "2/QĐ-ADOPT"} {
		res, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, num))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.SubjectID)
	}
	// The log as an older version wrote it: the latest entry of each sanction has the old shape.
	for _, id := range ids {
		st, err := db.StateOf(ctx, store, "Sanction", id)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AppendWithState(ctx, store, db.Event{Action: "importRecord", SubjectType: "Sanction", SubjectID: id,
			Diff: map[string]any{"source": "an older version"}}, oldSanctionShape(t, st)); err != nil {
			t.Fatal(err)
		}
	}
	tampered := ids[1]
	if _, err := store.SQL().Exec(`UPDATE sanction SET fine_vnd = 7000000 WHERE id = $1`, tampered); err != nil {
		t.Fatal(err)
	}
	if _, err := store.SQL().Exec(`UPDATE audit_head SET state_shapes = '{}'`); err != nil {
		t.Fatal(err)
	}
	before, err := store.VerifyLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !hasProblem(before, "Sanction", ids[0], "execution") {
		t.Fatalf("before migrate, want the missing execution of sanction %d reported; got %v", ids[0], before.Problems)
	}

	if err := db.Migrate(ctx, store.SQL()); err != nil {
		t.Fatal(err)
	}
	after, err := store.VerifyLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Events != before.Events+1 {
		t.Errorf("migrate logged %d events; want 1 (the untampered sanction)", after.Events-before.Events)
	}
	for _, p := range after.Problems {
		if p.Record != fmt.Sprintf("Sanction %d (%s)", tampered, db.GlobalID("Sanction", tampered)) {
			t.Errorf("after migrate: %v", p)
		}
	}
	if !hasProblem(after, "Sanction", tampered, "fineVnd") {
		t.Errorf("the tampered fine of sanction %d is no longer reported: %v", tampered, after.Problems)
	}
	page, err := store.AuditEvents(ctx, &db.AuditFilter{SubjectType: "Sanction", SubjectID: ids[0]}, db.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	last := page.Rows[len(page.Rows)-1]
	var diff struct{ Added []string }
	if err := json.Unmarshal(last.Diff, &diff); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"execution", "standing", "penalty", "statusHistory.execution", "violations.legalBasis.amendedBy"} {
		if last.Action != db.AdoptFieldsAction || !slices.Contains(diff.Added, f) {
			t.Errorf("latest event of sanction %d: %s %s; want %s adding %s", ids[0], last.Action, last.Diff, db.AdoptFieldsAction, f)
		}
	}
	if !strings.Contains(string(last.Entry), `"execution":"DUE"`) {
		t.Errorf("the adopting entry does not hold the new fields: %s", last.Entry)
	}
	if err := db.Migrate(ctx, store.SQL()); err != nil {
		t.Fatal(err)
	}
	if again, _ := store.VerifyLog(ctx); again.Events != after.Events {
		t.Errorf("a second migrate logged %d more events", again.Events-after.Events)
	}
}

func hasProblem(rep db.LogReport, typ string, id int64, field string) bool {
	rec := fmt.Sprintf("%s %d (%s)", typ, id, db.GlobalID(typ, id))
	for _, p := range rep.Problems {
		if p.Record == rec && p.Field == field {
			return true
		}
	}
	return false
}
