package db_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// The operator's accreditation changes are writes like any other: audited, with no agency as actor.
func TestAgencyAdmin_RecordedInTheAuditTrail(t *testing.T) {
	store := openStore(t)
	ctx := context.Background()
	slug := fmt.Sprintf("so-tt-test-%d", time.Now().UnixNano())
	a, err := store.AddAgency(ctx, db.NewAgency{Slug: slug, Name: "Sở Thông tin thử", Kind: "PROVINCIAL_DEPARTMENT", Jurisdiction: "VN-HN"})
	if err != nil {
		t.Fatalf("add agency: %v", err)
	}
	if _, err := store.SuspendAgency(ctx, slug); err != nil {
		t.Fatalf("suspend: %v", err)
	}
	if _, err := store.SuspendAgency(ctx, slug); err != nil { // no change: nothing recorded
		t.Fatalf("suspend again: %v", err)
	}
	if got, err := store.SetAgencyStatus(ctx, slug, db.AgencyActive); err != nil || got.Status != db.AgencyActive {
		t.Fatalf("activate: %+v, %v", got, err)
	}
	if _, err := store.AddAgency(ctx, db.NewAgency{Slug: slug, Name: "again", Kind: "PROVINCIAL_DEPARTMENT", Jurisdiction: "VN-HN"}); !errors.Is(err, db.ErrAgencyExists) {
		t.Fatalf("second add: %v, want ErrAgencyExists", err)
	}
	if _, err := store.SuspendAgency(ctx, slug+"-missing"); err == nil {
		t.Fatal("suspending an unknown agency succeeded")
	}

	first := 20
	p, err := db.NewPage(&first, nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	pages, err := store.EventsOf(ctx, "Agency", []int64{a.ID}, p)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range pages[a.ID].Rows {
		if e.ActorID != nil {
			t.Errorf("event %d (%s) has actor %d; the operator has none", e.Seq, e.Action, *e.ActorID)
		}
		var diff map[string]any
		if err := json.Unmarshal(e.Diff, &diff); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%s %v", e.Action, diff["status"]))
	}
	want := []string{"addAgency ACTIVE", "suspendAgency map[from:ACTIVE to:SUSPENDED]", "activateAgency map[from:SUSPENDED to:ACTIVE]"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %q, want %q", got, want)
	}
	if _, err := store.VerifyChain(ctx); err != nil {
		t.Errorf("chain: %v", err)
	}
}
