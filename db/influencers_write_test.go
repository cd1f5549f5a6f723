package db_test

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// written returns the rows an agency's writes of influencers, accounts, MCNs, affiliations,
// brands and disclosures leave behind, for "nothing was written" checks:
// influencer/account/mcn/affiliation/brand/disclosure/disclosure_brand/idempotency_key/audit_event.
// Accounts are counted on the influencers the agency registered. (newWorld files one disclosure
// as the national agency.)
func written(t *testing.T, store *db.DB, agency int64) string {
	t.Helper()
	var s string
	err := store.SQL().QueryRow(`SELECT format('%s/%s/%s/%s/%s/%s/%s/%s/%s',
		(SELECT count(*) FROM influencer WHERE created_by = $1),
		(SELECT count(*) FROM platform_account a JOIN influencer i ON i.id = a.influencer_id WHERE i.created_by = $1),
		(SELECT count(*) FROM mcn WHERE created_by = $1),
		(SELECT count(*) FROM affiliation WHERE created_by = $1),
		(SELECT count(*) FROM brand WHERE created_by = $1),
		(SELECT count(*) FROM disclosure WHERE filed_by = $1),
		(SELECT count(*) FROM disclosure_brand db JOIN disclosure d ON d.id = db.disclosure_id WHERE d.filed_by = $1),
		(SELECT count(*) FROM idempotency_key WHERE agency_id = $1),
		(SELECT count(*) FROM audit_event WHERE actor_id = $1))`, agency).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// event is an audit event as a test reads it back.
type event struct {
	Action, SubjectType string
	SubjectID           int64
	Diff                map[string]any
}

// lastEvent returns the agency's latest audit event.
func lastEvent(t *testing.T, store *db.DB, agency int64) event {
	t.Helper()
	var e event
	var diff []byte
	err := store.SQL().QueryRow(`SELECT action, subject_type, subject_id, diff FROM audit_event
		WHERE actor_id = $1 ORDER BY seq DESC LIMIT 1`, agency).Scan(&e.Action, &e.SubjectType, &e.SubjectID, &diff)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(diff, &e.Diff); err != nil {
		t.Fatal(err)
	}
	return e
}

// fromTo returns the {from, to} of a field in an update's diff.
func fromTo(t *testing.T, e event, field string) (any, any) {
	t.Helper()
	m, ok := e.Diff[field].(map[string]any)
	if !ok {
		t.Fatalf("diff of %s has no {from,to} for %s: %v", e.Action, field, e.Diff)
	}
	return m["from"], m["to"]
}

// refused checks that err is exactly the user errors want ("input.field CODE", in order).
func refused(t *testing.T, err error, want ...string) []db.UserError {
	t.Helper()
	u, ok := db.AsUserErrors(err)
	if !ok {
		t.Fatalf("want user errors %v, got %v", want, err)
	}
	got := make([]string, len(u))
	for i, e := range u {
		got[i] = strings.Join(e.Field, ".") + " " + e.Code
		if _, known := registry.MessageTextOf(e.Message.Code); !known {
			t.Errorf("%s has no message of the catalogue", got[i])
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("user errors %v (%v), want %v", got, u, want)
	}
	return u
}

func strp(s string) *string { return &s }

func registerKOL(t *testing.T, store *db.DB, actor db.Agency, name string) int64 {
	t.Helper()
	res, err := store.RegisterInfluencer(context.Background(), actor, nil, db.NewInfluencer{DisplayName: name})
	if err != nil {
		t.Fatal(err)
	}
	return res.SubjectID
}

func TestRegisterInfluencer_NormalizesAndWritesOneRowAndOneAuditEvent(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	before := written(t, store, w.national.ID)
	res, err := store.RegisterInfluencer(context.Background(), w.national, nil, db.NewInfluencer{
		DisplayName: "  Bếp Nhà Minh ", LegalName: strp("Nguyễn Văn Minh"), Aliases: []string{"Minh Bếp", " minh bếp ", "", "Chef Minh"},
		Province: strp("VN-SG"), Categories: []string{"FOOD", "LIFESTYLE", "FOOD"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Replayed || res.SubjectType != "Influencer" || res.Seq == 0 {
		t.Errorf("result %+v", res)
	}
	if got, want := written(t, store, w.national.ID), "1/0/0/0/0/1/0/0/1"; got != want || before != "0/0/0/0/0/1/0/0/0" {
		t.Errorf("rows written %s → %s, want one influencer and one audit event (%s)", before, got, want)
	}
	var name, legal, province string
	var aliases, categories []string
	var createdBy int64
	if err := store.SQL().QueryRow(`SELECT display_name, legal_name, province, aliases, categories, created_by FROM influencer WHERE id = $1`,
		res.SubjectID).Scan(&name, &legal, &province, pq.Array(&aliases), pq.Array(&categories), &createdBy); err != nil {
		t.Fatal(err)
	}
	if name != "Bếp Nhà Minh" || legal != "Nguyễn Văn Minh" || province != "VN-SG" || createdBy != w.national.ID ||
		!reflect.DeepEqual(aliases, []string{"Minh Bếp", "Chef Minh"}) || !reflect.DeepEqual(categories, []string{"FOOD", "LIFESTYLE"}) {
		t.Errorf("stored %q %q %q %v %v by %d", name, legal, province, aliases, categories, createdBy)
	}
	e := lastEvent(t, store, w.national.ID)
	if e.Action != "registerInfluencer" || e.SubjectType != "Influencer" || e.SubjectID != res.SubjectID ||
		e.Diff["displayName"] != "Bếp Nhà Minh" || e.Diff["province"] != "VN-SG" ||
		!reflect.DeepEqual(e.Diff["aliases"], []any{"Minh Bếp", "Chef Minh"}) {
		t.Errorf("audit event %+v", e)
	}
	if _, err := store.VerifyChain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRegisterInfluencer_RefusesBadInputAndWritesNothing(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	long := strings.Repeat("x", 201)
	cases := []struct {
		name string
		edit func(*db.NewInfluencer, **string)
		want []string
	}{
		{"blank display name", func(in *db.NewInfluencer, _ **string) { in.DisplayName = "   " }, []string{"input.displayName INVALID"}},
		{"display name too long", func(in *db.NewInfluencer, _ **string) { in.DisplayName = long }, []string{"input.displayName INVALID"}},
		{"second alias is a CCCD number", func(in *db.NewInfluencer, _ **string) { in.Aliases = []string{"Minh", "0790 9500 1234"} },
			[]string{"input.aliases.1 INVALID"}},
		{"legal name with a phone number", func(in *db.NewInfluencer, _ **string) { in.LegalName = strp("Minh 0901234567") },
			[]string{"input.legalName INVALID"}},
		{"province not ISO 3166-2:VN", func(in *db.NewInfluencer, _ **string) { in.Province = strp("Hà Nội") }, []string{"input.province INVALID"}},
		{"second category unknown", func(in *db.NewInfluencer, _ **string) { in.Categories = []string{"FOOD", "COOKING"} },
			[]string{"input.categories.1 INVALID"}},
		{"every fault at once", func(in *db.NewInfluencer, _ **string) { in.DisplayName = ""; in.Province = strp("SG") },
			[]string{"input.displayName INVALID", "input.province INVALID"}},
		{"idempotency key too long", func(_ *db.NewInfluencer, key **string) { *key = strp(strings.Repeat("k", 201)) },
			[]string{"input.idempotencyKey INVALID"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := db.NewInfluencer{DisplayName: "Minh", Aliases: []string{"Minh Bếp"}, Province: strp("VN-SG"), Categories: []string{"FOOD"}}
			var key *string
			c.edit(&in, &key)
			before := written(t, store, w.national.ID)
			_, err := store.RegisterInfluencer(context.Background(), w.national, key, in)
			refused(t, err, c.want...)
			if after := written(t, store, w.national.ID); after != before {
				t.Errorf("rows changed from %s to %s", before, after)
			}
		})
	}
}

func TestRegisterInfluencer_IdempotencyKeyReplaysPerAgency(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	key := "register-minh-1"
	in := db.NewInfluencer{DisplayName: "Minh"}
	first, err := store.RegisterInfluencer(ctx, w.national, &key, in)
	if err != nil {
		t.Fatal(err)
	}
	after := written(t, store, w.national.ID)
	// The same input, spelled with other spacing, is the same write.
	again, err := store.RegisterInfluencer(ctx, w.national, &key, db.NewInfluencer{DisplayName: "  Minh "})
	if err != nil {
		t.Fatal(err)
	}
	if !again.Replayed || again.SubjectID != first.SubjectID || again.SubjectType != "Influencer" {
		t.Errorf("retry %+v, first %+v", again, first)
	}
	if got := written(t, store, w.national.ID); got != after || after != "1/0/0/0/0/1/0/1/1" {
		t.Errorf("retry wrote rows: %s → %s", after, got)
	}
	// Another input under the same key is refused, and writes nothing.
	in.DisplayName = "Minh (retry with other text)"
	_, err = store.RegisterInfluencer(ctx, w.national, &key, in)
	refused(t, err, "input.idempotencyKey IDEMPOTENCY_KEY_REUSED")
	if got := written(t, store, w.national.ID); got != after {
		t.Errorf("reused key wrote rows: %s → %s", after, got)
	}
	// Another agency's key of the same text is its own.
	other, err := store.RegisterInfluencer(ctx, w.other, &key, in)
	if err != nil || other.Replayed || other.SubjectID == first.SubjectID {
		t.Errorf("other agency with the same key: %+v, %v", other, err)
	}
}

func TestUpdateInfluencer_OwnerVersionAndDiff(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	res, err := store.RegisterInfluencer(ctx, w.national, nil, db.NewInfluencer{DisplayName: "Minh", Province: strp("VN-SG"),
		Aliases: []string{"Minh Bếp"}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.SubjectID
	update := func(actor db.Agency, in db.InfluencerUpdate) error {
		in.InfluencerID = id
		_, err := store.UpdateInfluencer(ctx, actor, nil, in)
		return err
	}

	before := written(t, store, w.other.ID)
	refused(t, update(w.other, db.InfluencerUpdate{ExpectedVersion: 1, DisplayName: strp("Hijacked")}), "input.influencerId NOT_OWNER")
	if after := written(t, store, w.other.ID); after != before {
		t.Errorf("refused update wrote rows: %s → %s", before, after)
	}
	ownBefore := written(t, store, w.national.ID)
	refused(t, update(w.national, db.InfluencerUpdate{ExpectedVersion: 2, DisplayName: strp("Minh Bếp")}), "input.expectedVersion VERSION_CONFLICT")
	refused(t, update(w.national, db.InfluencerUpdate{ExpectedVersion: 1, DisplayName: strp(" Minh "), Province: strp("VN-SG")}), "input INVALID")
	refused(t, update(w.national, db.InfluencerUpdate{ExpectedVersion: 1, Categories: []string{}}), "input INVALID")
	refused(t, update(w.national, db.InfluencerUpdate{ExpectedVersion: 1, DisplayName: strp("")}), "input.displayName INVALID")
	refused(t, update(w.national, db.InfluencerUpdate{ExpectedVersion: 1, Categories: []string{"COOKING"}}), "input.categories.0 INVALID")
	_, err = store.UpdateInfluencer(ctx, w.national, nil, db.InfluencerUpdate{InfluencerID: 987654321, ExpectedVersion: 1, DisplayName: strp("x")})
	refused(t, err, "input.influencerId NOT_FOUND")
	if after := written(t, store, w.national.ID); after != ownBefore {
		t.Errorf("refused updates wrote rows: %s → %s", ownBefore, after)
	}

	// A real change: rename, clear the province, replace the aliases.
	if err := update(w.national, db.InfluencerUpdate{ExpectedVersion: 1, DisplayName: strp("Bếp Nhà Minh"), Province: strp(" "),
		Aliases: []string{}, Categories: []string{"FOOD", "TRAVEL"}}); err != nil {
		t.Fatal(err)
	}
	var name string
	var province *string
	var version int
	var aliases []string
	store.SQL().QueryRow(`SELECT display_name, province, version, aliases FROM influencer WHERE id = $1`, id).
		Scan(&name, &province, &version, pq.Array(&aliases))
	if name != "Bếp Nhà Minh" || province != nil || version != 2 || len(aliases) != 0 {
		t.Errorf("after update: %q %v v%d %v", name, province, version, aliases)
	}
	e := lastEvent(t, store, w.national.ID)
	if e.Action != "updateInfluencer" || e.SubjectID != id || len(e.Diff) != 4 {
		t.Errorf("audit event %+v", e)
	}
	if from, to := fromTo(t, e, "displayName"); from != "Minh" || to != "Bếp Nhà Minh" {
		t.Errorf("displayName diff %v → %v", from, to)
	}
	if from, to := fromTo(t, e, "province"); from != "VN-SG" || to != nil {
		t.Errorf("province diff %v → %v", from, to)
	}
	if got := written(t, store, w.national.ID); got != "1/0/0/0/0/1/0/0/2" {
		t.Errorf("rows after one update: %s", got)
	}
	// Categories are a set: the same ones in another order change nothing.
	refused(t, update(w.national, db.InfluencerUpdate{ExpectedVersion: 2, Categories: []string{"TRAVEL", "FOOD", "TRAVEL"}}), "input INVALID")
	// The old version is now stale.
	refused(t, update(w.national, db.InfluencerUpdate{ExpectedVersion: 1, DisplayName: strp("Minh")}), "input.expectedVersion VERSION_CONFLICT")

	// An influencer no agency registered (seeded) may be updated by any.
	if _, err := store.UpdateInfluencer(ctx, w.other, nil, db.InfluencerUpdate{InfluencerID: w.saigonKOL, ExpectedVersion: 1,
		LegalName: strp("Trần Thị B")}); err != nil {
		t.Errorf("update of a seeded influencer: %v", err)
	}
}

func TestAddPlatformAccount_NormalizesHandleAndRefusesDuplicates(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	kol := registerKOL(t, store, w.national, "Minh")
	followers := int64(1_200_000)
	res, err := store.AddPlatformAccount(ctx, w.national, nil, db.NewPlatformAccount{InfluencerID: kol, Platform: "TIKTOK",
		Handle: " @Bep.Nha_Minh ", URL: strp("https://www.tiktok.com/@bep.nha_minh"), FollowerCount: &followers})
	if err != nil {
		t.Fatal(err)
	}
	var handle, verification string
	var count int64
	var asOf *string
	store.SQL().QueryRow(`SELECT handle, identity_verification, follower_count, followers_as_of::text FROM platform_account WHERE id = $1`,
		res.SubjectID).Scan(&handle, &verification, &count, &asOf)
	if handle != "bep.nha_minh" || verification != "UNKNOWN" || count != followers || asOf == nil {
		t.Errorf("stored %q %s %d as of %v", handle, verification, count, asOf)
	}
	e := lastEvent(t, store, w.national.ID)
	if e.Action != "addPlatformAccount" || e.SubjectType != "PlatformAccount" || e.SubjectID != res.SubjectID ||
		e.Diff["handle"] != "bep.nha_minh" || e.Diff["platform"] != "TIKTOK" || e.Diff["influencerId"] != float64(kol) {
		t.Errorf("audit event %+v", e)
	}
	if got := written(t, store, w.national.ID); got != "1/1/0/0/0/1/0/0/2" {
		t.Errorf("rows written: %s", got)
	}

	cases := []struct {
		name string
		in   db.NewPlatformAccount
		want string
	}{
		{"same handle, other case and an @", db.NewPlatformAccount{InfluencerID: kol, Platform: "TIKTOK", Handle: "@BEP.NHA_MINH"}, "input.handle DUPLICATE"},
		{"unknown influencer", db.NewPlatformAccount{InfluencerID: 987654321, Platform: "TIKTOK", Handle: "someone.new"}, "input.influencerId NOT_FOUND"},
		{"unknown platform", db.NewPlatformAccount{InfluencerID: kol, Platform: "MYSPACE", Handle: "minh"}, "input.platform INVALID"},
		{"handle with a space", db.NewPlatformAccount{InfluencerID: kol, Platform: "YOUTUBE", Handle: "bep nha minh"}, "input.handle INVALID"},
		{"empty handle", db.NewPlatformAccount{InfluencerID: kol, Platform: "YOUTUBE", Handle: "@"}, "input.handle INVALID"},
		{"a phone number as handle", db.NewPlatformAccount{InfluencerID: kol, Platform: "ZALO", Handle: "0901234567"}, "input.handle INVALID"},
		{"URL not http", db.NewPlatformAccount{InfluencerID: kol, Platform: "YOUTUBE", Handle: "minh", URL: strp("javascript:alert(1)")}, "input.url INVALID"},
		{"negative followers", db.NewPlatformAccount{InfluencerID: kol, Platform: "YOUTUBE", Handle: "minh", FollowerCount: int64p(-1)}, "input.followerCount INVALID"},
		{"unknown verification", db.NewPlatformAccount{InfluencerID: kol, Platform: "YOUTUBE", Handle: "minh", IdentityVerification: strp("PASSPORT")}, "input.identityVerification INVALID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := written(t, store, w.national.ID)
			_, err := store.AddPlatformAccount(ctx, w.national, nil, c.in)
			refused(t, err, c.want)
			if after := written(t, store, w.national.ID); after != before {
				t.Errorf("rows changed from %s to %s", before, after)
			}
		})
	}
	// The same handle on another platform is another account; the chain still verifies after the refusals.
	if _, err := store.AddPlatformAccount(ctx, w.national, nil, db.NewPlatformAccount{InfluencerID: kol, Platform: "FACEBOOK",
		Handle: "Bep.Nha_Minh", IdentityVerification: strp("VN_PHONE")}); err != nil {
		t.Errorf("same handle on another platform: %v", err)
	}
	if _, err := store.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
}

func int64p(v int64) *int64 { return &v }

// A retried update returns the first result: not VERSION_CONFLICT, and no second change.
func TestUpdateInfluencer_RetryWithTheKeyIsReplayed(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	kol := registerKOL(t, store, w.national, "Minh")
	key := "rename-minh"
	in := db.InfluencerUpdate{InfluencerID: kol, ExpectedVersion: 1, DisplayName: strp("Bếp Nhà Minh")}
	first, err := store.UpdateInfluencer(ctx, w.national, &key, in)
	if err != nil {
		t.Fatal(err)
	}
	after := written(t, store, w.national.ID)
	again, err := store.UpdateInfluencer(ctx, w.national, &key, in)
	if err != nil || !again.Replayed || again.SubjectID != kol || again.SubjectType != "Influencer" {
		t.Fatalf("retry: %+v, %v (first %+v)", again, err, first)
	}
	var version int
	store.SQL().QueryRow(`SELECT version FROM influencer WHERE id = $1`, kol).Scan(&version)
	if got := written(t, store, w.national.ID); got != after || version != 2 {
		t.Errorf("retry wrote: %s → %s, version %d", after, got, version)
	}
}
