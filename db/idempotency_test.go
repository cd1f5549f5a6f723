package db_test

import (
	"context"
	"testing"

	"github.com/kolregistry/kolregistry/db"
)

// "Clear the legal name" and "leave it" are both a nil LegalName once validated; under one key
// they are still two different inputs.
func TestUpdateInfluencer_IdempotencyTellsClearFromKeep(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	res, err := store.RegisterInfluencer(ctx, w.national, nil, db.NewInfluencer{DisplayName: "Minh", LegalName: strp("Nguyễn Văn Minh")})
	if err != nil {
		t.Fatal(err)
	}
	key := "update-clear-legal"
	clear := db.InfluencerUpdate{InfluencerID: res.SubjectID, ExpectedVersion: 1, LegalName: strp(" "), Province: strp("VN-SG")}
	if _, err := store.UpdateInfluencer(ctx, w.national, &key, clear); err != nil {
		t.Fatal(err)
	}
	after := written(t, store, w.national.ID)
	keep := db.InfluencerUpdate{InfluencerID: res.SubjectID, ExpectedVersion: 1, Province: strp("VN-SG")}
	_, err = store.UpdateInfluencer(ctx, w.national, &key, keep)
	refused(t, err, "input.idempotencyKey IDEMPOTENCY_KEY_REUSED")
	again, err := store.UpdateInfluencer(ctx, w.national, &key, clear)
	if err != nil || !again.Replayed {
		t.Errorf("retry of the clearing update: %+v, %v", again, err)
	}
	if got := written(t, store, w.national.ID); got != after {
		t.Errorf("refusal and replay wrote rows: %s → %s", after, got)
	}
}

// A key claimed before inputs were hashed (input_sha256 NULL) replays on the action alone, as
// it did when it was claimed; another action is still refused.
func TestWrite_KeyClaimedBeforeHashingReplaysOnTheAction(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	key := "claimed-before-0010"
	first, err := store.RegisterInfluencer(ctx, w.national, &key, db.NewInfluencer{DisplayName: "Minh"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.SQL().ExecContext(ctx, `UPDATE idempotency_key SET input_sha256 = NULL WHERE agency_id = $1 AND key = $2`,
		w.national.ID, key); err != nil {
		t.Fatal(err)
	}
	after := written(t, store, w.national.ID)
	again, err := store.RegisterInfluencer(ctx, w.national, &key, db.NewInfluencer{DisplayName: "Minh, other text"})
	if err != nil || !again.Replayed || again.SubjectID != first.SubjectID {
		t.Errorf("legacy key retry: %+v, %v", again, err)
	}
	_, err = store.RegisterBrand(ctx, w.national, &key, db.NewBrand{Name: "Sữa Việt"})
	refused(t, err, "input.idempotencyKey IDEMPOTENCY_KEY_REUSED")
	if got := written(t, store, w.national.ID); got != after {
		t.Errorf("legacy key wrote rows: %s → %s", after, got)
	}
}
