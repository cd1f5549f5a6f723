package db_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// disclosureWorld is an influencer of the national agency with a TikTok account, an exclusive
// MCN since 2024-01-01, two brands, and another influencer's account.
type disclosureWorld struct {
	world
	kol, account, mcn, brandA, brandB, otherAccount int64
}

func newDisclosureWorld(t *testing.T, store *db.DB) disclosureWorld {
	t.Helper()
	ctx := context.Background()
	w := disclosureWorld{world: newWorld(t, store)}
	w.kol = registerKOL(t, store, w.national, "Minh")
	handle := fmt.Sprintf("bep.nha.minh.%d", w.kol)
	res, err := store.AddPlatformAccount(ctx, w.national, nil, db.NewPlatformAccount{InfluencerID: w.kol, Platform: "TIKTOK", Handle: handle})
	if err != nil {
		t.Fatal(err)
	}
	w.account = res.SubjectID
	if res, err = store.AddPlatformAccount(ctx, w.national, nil, db.NewPlatformAccount{InfluencerID: w.saigonKOL, Platform: "YOUTUBE",
		Handle: "other." + handle}); err != nil {
		t.Fatal(err)
	}
	w.otherAccount = res.SubjectID
	w.mcn = registerMcn(t, store, w.national, "Sao Việt")
	if _, err := store.RecordAffiliation(ctx, w.national, nil, db.NewAffiliation{InfluencerID: w.kol, McnID: w.mcn,
		Kind: "EXCLUSIVE_MANAGEMENT", StartedOn: date("2024-01-01")}); err != nil {
		t.Fatal(err)
	}
	for _, b := range []*int64{&w.brandA, &w.brandB} {
		res, err := store.RegisterBrand(ctx, w.national, nil, db.NewBrand{Name: "Dược An Khang"})
		if err != nil {
			t.Fatal(err)
		}
		*b = res.SubjectID
	}
	return w
}

func (w disclosureWorld) valid() db.NewDisclosure {
	return db.NewDisclosure{InfluencerID: w.kol, AccountID: &w.account, BrandIDs: []int64{w.brandB, w.brandA, w.brandB},
		ProductName: " Viên uống trắng da ", ProductCategory: "FOOD_SUPPLEMENT", ContentURL: strp("https://www.tiktok.com/@minh/video/1"),
		PublishedAt: time.Date(2025, 3, 20, 20, 30, 0, 0, db.VietnamTime), Label: "QUANG_CAO", LabelTiming: "BEFORE_AND_DURING",
		Compensation: "CASH_FEE"}
}

func TestFileDisclosure_WritesDisclosureBrandsAndOneAuditEvent(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newDisclosureWorld(t, store)
	ctx := context.Background()
	before := written(t, store, w.national.ID)
	res, err := store.FileDisclosure(ctx, w.national, nil, w.valid())
	if err != nil {
		t.Fatal(err)
	}
	// influencer/account/mcn/affiliation/brand/disclosure/disclosure_brand/key/audit: +1 disclosure, +2 brands, +1 event.
	if got, want := written(t, store, w.national.ID), "1/1/1/1/2/2/2/0/8"; got != want || before != "1/1/1/1/2/1/0/0/7" {
		t.Errorf("rows %s → %s, want %s", before, got, want)
	}
	var platform, status, name string
	var mcn, filedBy int64
	store.SQL().QueryRow(`SELECT platform, status, mcn_id, filed_by, product_name FROM disclosure WHERE id = $1`, res.SubjectID).
		Scan(&platform, &status, &mcn, &filedBy, &name)
	if platform != "TIKTOK" || status != "ACTIVE" || mcn != w.mcn || filedBy != w.national.ID || name != "Viên uống trắng da" {
		t.Errorf("stored %s %s mcn %d by %d %q", platform, status, mcn, filedBy, name)
	}
	e := lastEvent(t, store, w.national.ID)
	if e.Action != "fileDisclosure" || e.SubjectType != "Disclosure" || e.SubjectID != res.SubjectID || e.Diff["platform"] != "TIKTOK" ||
		e.Diff["mcnId"] != float64(w.mcn) || e.Diff["publishedAt"] != "2025-03-20T13:30:00Z" || e.Diff["status"] != "ACTIVE" ||
		!reflect.DeepEqual(e.Diff["brandIds"], []any{float64(w.brandB), float64(w.brandA)}) {
		t.Errorf("audit event %+v", e)
	}
	if _, err := store.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestFileDisclosure_RefusesBadInputAndWritesNothing(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newDisclosureWorld(t, store)
	ctx := context.Background()
	cases := []struct {
		name string
		edit func(*db.NewDisclosure, **string)
		want []string
	}{
		{"second brand unknown", func(in *db.NewDisclosure, _ **string) { in.BrandIDs = []int64{w.brandA, 987654321} },
			[]string{"input.brandIds.1 NOT_FOUND"}},
		{"no brand", func(in *db.NewDisclosure, _ **string) { in.BrandIDs = nil }, []string{"input.brandIds INVALID"}},
		{"unknown influencer", func(in *db.NewDisclosure, _ **string) {
			in.InfluencerID = 987654321
			in.AccountID = nil
			in.Platform = strp("TIKTOK")
		},
			[]string{"input.influencerId NOT_FOUND"}},
		{"unknown account", func(in *db.NewDisclosure, _ **string) { in.AccountID = int64p(987654321) }, []string{"input.accountId NOT_FOUND"}},
		{"unknown MCN", func(in *db.NewDisclosure, _ **string) { in.McnID = int64p(987654321) }, []string{"input.mcnId NOT_FOUND"}},
		{"another influencer's account", func(in *db.NewDisclosure, _ **string) { in.AccountID = &w.otherAccount },
			[]string{"input.accountId INVALID"}},
		{"platform other than the account's", func(in *db.NewDisclosure, _ **string) { in.Platform = strp("FACEBOOK") },
			[]string{"input.platform INVALID"}},
		{"no account and no platform", func(in *db.NewDisclosure, _ **string) { in.AccountID = nil }, []string{"input.platform INVALID"}},
		{"blank product", func(in *db.NewDisclosure, _ **string) { in.ProductName = " " }, []string{"input.productName INVALID"}},
		{"unknown product category", func(in *db.NewDisclosure, _ **string) { in.ProductCategory = "SHOES" },
			[]string{"input.productCategory INVALID"}},
		{"content URL not http", func(in *db.NewDisclosure, _ **string) { in.ContentURL = strp("tiktok.com/@minh") },
			[]string{"input.contentUrl INVALID"}},
		{"published tomorrow", func(in *db.NewDisclosure, _ **string) { in.PublishedAt = time.Now().Add(24 * time.Hour) },
			[]string{"input.publishedAt INVALID"}},
		{"no publication time", func(in *db.NewDisclosure, _ **string) { in.PublishedAt = time.Time{} }, []string{"input.publishedAt INVALID"}},
		{"unlabelled but with a timing", func(in *db.NewDisclosure, _ **string) { in.Label = "NONE" }, []string{"input.labelTiming INVALID"}},
		{"labelled with timing NONE", func(in *db.NewDisclosure, _ **string) { in.LabelTiming = "NONE" }, []string{"input.labelTiming INVALID"}},
		{"unknown compensation", func(in *db.NewDisclosure, _ **string) { in.Compensation = "KIND" }, []string{"input.compensation INVALID"}},
		{"idempotency key too long", func(_ *db.NewDisclosure, key **string) { *key = strp(strings.Repeat("k", 201)) },
			[]string{"input.idempotencyKey INVALID"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := w.valid()
			var key *string
			c.edit(&in, &key)
			before := written(t, store, w.national.ID)
			_, err := store.FileDisclosure(ctx, w.national, key, in)
			refused(t, err, c.want...)
			if after := written(t, store, w.national.ID); after != before {
				t.Errorf("rows changed from %s to %s", before, after)
			}
		})
	}
}

func TestFileDisclosure_DefaultsMcnToTheOneOnThePublicationDate(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newDisclosureWorld(t, store)
	ctx := context.Background()
	in := w.valid()
	in.PublishedAt = time.Date(2023, 12, 31, 23, 0, 0, 0, db.VietnamTime) // before the contract of 2024-01-01
	res, err := store.FileDisclosure(ctx, w.national, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, store, w.national.ID); e.SubjectID != res.SubjectID || e.Diff["mcnId"] != nil {
		t.Errorf("a post before any contract has MCN %v", e.Diff["mcnId"])
	}
	// 2024-01-01 00:30 in Vietnam is still 2023-12-31 in UTC: the Vietnamese date counts.
	in.PublishedAt = time.Date(2024, 1, 1, 0, 30, 0, 0, db.VietnamTime)
	if _, err := store.FileDisclosure(ctx, w.national, nil, in); err != nil {
		t.Fatal(err)
	}
	if e := lastEvent(t, store, w.national.ID); e.Diff["mcnId"] != float64(w.mcn) {
		t.Errorf("a post on the contract's first day has MCN %v, want %d", e.Diff["mcnId"], w.mcn)
	}
}

func TestFileDisclosure_IdempotencyKey(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newDisclosureWorld(t, store)
	ctx := context.Background()
	key := fmt.Sprintf("file-%d", w.kol)
	first, err := store.FileDisclosure(ctx, w.national, &key, w.valid())
	if err != nil {
		t.Fatal(err)
	}
	after := written(t, store, w.national.ID)
	for range 3 {
		again, err := store.FileDisclosure(ctx, w.national, &key, w.valid())
		if err != nil || !again.Replayed || again.SubjectID != first.SubjectID {
			t.Fatalf("retry: %+v, %v", again, err)
		}
	}
	if got := written(t, store, w.national.ID); got != after {
		t.Errorf("retries wrote rows: %s → %s", after, got)
	}
	// The key belongs to fileDisclosure now.
	_, err = store.RetractDisclosure(ctx, w.national, &key, db.DisclosureRetraction{DisclosureID: first.SubjectID, ExpectedVersion: 1, Reason: "x"})
	refused(t, err, "input.idempotencyKey IDEMPOTENCY_KEY_REUSED")
}

func TestAmendDisclosure_OwnerVersionAndDiff(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newDisclosureWorld(t, store)
	ctx := context.Background()
	res, err := store.FileDisclosure(ctx, w.national, nil, w.valid())
	if err != nil {
		t.Fatal(err)
	}
	id := res.SubjectID
	amend := func(actor db.Agency, in db.DisclosureAmendment) error {
		in.DisclosureID = id
		_, err := store.AmendDisclosure(ctx, actor, nil, in)
		return err
	}
	before, otherBefore := written(t, store, w.national.ID), written(t, store, w.other.ID)
	refused(t, amend(w.other, db.DisclosureAmendment{ExpectedVersion: 1, ProductName: strp("x")}), "input.disclosureId NOT_OWNER")
	refused(t, amend(w.national, db.DisclosureAmendment{ExpectedVersion: 2, ProductName: strp("x")}), "input.expectedVersion VERSION_CONFLICT")
	refused(t, amend(w.national, db.DisclosureAmendment{ExpectedVersion: 1, ProductName: strp("Viên uống trắng da"), Label: strp("QUANG_CAO")}),
		"input INVALID")
	refused(t, amend(w.national, db.DisclosureAmendment{ExpectedVersion: 1, BrandIDs: []int64{w.brandA, 987654321}}), "input.brandIds.1 NOT_FOUND")
	refused(t, amend(w.national, db.DisclosureAmendment{ExpectedVersion: 1, BrandIDs: []int64{}}), "input.brandIds INVALID")
	refused(t, amend(w.national, db.DisclosureAmendment{ExpectedVersion: 1, Label: strp("NONE")}), "input.labelTiming INVALID")
	refused(t, amend(w.national, db.DisclosureAmendment{ExpectedVersion: 1, PublishedAt: new(time.Now().Add(time.Hour))}), "input.publishedAt INVALID")
	_, err = store.AmendDisclosure(ctx, w.national, nil, db.DisclosureAmendment{DisclosureID: 987654321, ExpectedVersion: 1, ProductName: strp("x")})
	refused(t, err, "input.disclosureId NOT_FOUND")
	if a, b := written(t, store, w.national.ID), written(t, store, w.other.ID); a != before || b != otherBefore {
		t.Errorf("refused amendments wrote rows: %s → %s, %s → %s", before, a, otherBefore, b)
	}

	// The post really carried no label: label and timing change together, the brands become brandA alone, the URL is cleared.
	if err := amend(w.national, db.DisclosureAmendment{ExpectedVersion: 1, Label: strp("NONE"), LabelTiming: strp("NONE"),
		BrandIDs: []int64{w.brandA}, ContentURL: strp(" ")}); err != nil {
		t.Fatal(err)
	}
	var label, status string
	var version int
	var url *string
	var brands string
	store.SQL().QueryRow(`SELECT label, status, version, content_url,
		(SELECT string_agg(brand_id::text, ',') FROM disclosure_brand WHERE disclosure_id = d.id) FROM disclosure d WHERE id = $1`, id).
		Scan(&label, &status, &version, &url, &brands)
	if label != "NONE" || status != "AMENDED" || version != 2 || url != nil || brands != fmt.Sprint(w.brandA) {
		t.Errorf("after amendment: %s %s v%d url %v brands %s", label, status, version, url, brands)
	}
	e := lastEvent(t, store, w.national.ID)
	if e.Action != "amendDisclosure" || e.SubjectID != id || len(e.Diff) != 5 {
		t.Errorf("audit event %+v", e)
	}
	if from, to := fromTo(t, e, "label"); from != "QUANG_CAO" || to != "NONE" {
		t.Errorf("label diff %v → %v", from, to)
	}
	if from, to := fromTo(t, e, "status"); from != "ACTIVE" || to != "AMENDED" {
		t.Errorf("status diff %v → %v", from, to)
	}
	if from, to := fromTo(t, e, "brandIds"); len(from.([]any)) != 2 || !reflect.DeepEqual(to, []any{float64(w.brandA)}) {
		t.Errorf("brandIds diff %v → %v", from, to)
	}
	if from, to := fromTo(t, e, "contentUrl"); from == nil || to != nil {
		t.Errorf("contentUrl diff %v → %v", from, to)
	}
	if got := written(t, store, w.national.ID); got != "1/1/1/1/2/2/1/0/9" {
		t.Errorf("rows after one amendment: %s", got)
	}
}

func TestRetractDisclosure_NeedsReasonAndIsFinal(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newDisclosureWorld(t, store)
	ctx := context.Background()
	res, err := store.FileDisclosure(ctx, w.national, nil, w.valid())
	if err != nil {
		t.Fatal(err)
	}
	id := res.SubjectID
	retract := func(actor db.Agency, version int, reason string) error {
		_, err := store.RetractDisclosure(ctx, actor, nil, db.DisclosureRetraction{DisclosureID: id, ExpectedVersion: version, Reason: reason})
		return err
	}
	before := written(t, store, w.national.ID)
	refused(t, retract(w.national, 1, "  "), "input.reason INVALID")
	refused(t, retract(w.other, 1, "nộp nhầm"), "input.disclosureId NOT_OWNER")
	refused(t, retract(w.national, 5, "nộp nhầm"), "input.expectedVersion VERSION_CONFLICT")
	if after := written(t, store, w.national.ID); after != before {
		t.Errorf("refused retractions wrote rows: %s → %s", before, after)
	}
	if err := retract(w.national, 1, " nộp nhầm bài của người khác "); err != nil {
		t.Fatal(err)
	}
	var status, reason string
	var version int
	store.SQL().QueryRow(`SELECT status, retraction_reason, version FROM disclosure WHERE id = $1`, id).Scan(&status, &reason, &version)
	if status != "RETRACTED" || reason != "nộp nhầm bài của người khác" || version != 2 {
		t.Errorf("after retraction: %s %q v%d", status, reason, version)
	}
	e := lastEvent(t, store, w.national.ID)
	if from, to := fromTo(t, e, "status"); e.Action != "retractDisclosure" || from != "ACTIVE" || to != "RETRACTED" ||
		e.Diff["reason"] != "nộp nhầm bài của người khác" {
		t.Errorf("audit event %+v", e)
	}
	// Final: neither retracted again nor amended; the brands stay on record.
	after := written(t, store, w.national.ID)
	u := refused(t, retract(w.national, 2, "lần nữa"), "input.disclosureId INVALID")
	if !strings.Contains(u[0].Message.String(), "final") {
		t.Errorf("message does not say a retraction is final: %q", u[0].Message.String())
	}
	_, err = store.AmendDisclosure(ctx, w.national, nil, db.DisclosureAmendment{DisclosureID: id, ExpectedVersion: 2, ProductName: strp("x")})
	refused(t, err, "input.disclosureId INVALID")
	if got := written(t, store, w.national.ID); got != after {
		t.Errorf("refused changes to a retracted disclosure wrote rows: %s → %s", after, got)
	}
}

// A write that fails after it has inserted rows (here a trigger refuses the second brand of a
// disclosure, or the audit event of an influencer) leaves none of them: not the record, not its
// first brand, not the idempotency key, not an audit event; and the chain still verifies.
func TestWrites_FailureAfterInsertsLeavesNoRows(t *testing.T) {
	t.Parallel()
	// Its own database: the triggers must not touch other tests.
	d, err := dbtest.Create(context.Background(), "db_partial")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Drop()
	store, err := db.Open(context.Background(), d.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()
	w := newDisclosureWorld(t, store)
	if _, err := store.SQL().Exec(fmt.Sprintf(`
		CREATE FUNCTION test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN RAISE EXCEPTION 'refused by test trigger'; END $$;
		CREATE TRIGGER test_refuse_brand BEFORE INSERT ON disclosure_brand
			FOR EACH ROW WHEN (NEW.brand_id = %d) EXECUTE FUNCTION test_refuse();
		CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_event
			FOR EACH ROW WHEN (NEW.diff->>'displayName' = 'Refused at audit') EXECUTE FUNCTION test_refuse();`, w.brandB)); err != nil {
		t.Fatal(err)
	}
	before := written(t, store, w.national.ID)
	count := func() (int, int) {
		var d, i int
		store.SQL().QueryRow(`SELECT (SELECT count(*) FROM disclosure), (SELECT count(*) FROM influencer)`).Scan(&d, &i)
		return d, i
	}
	disclosures, influencers := count()

	in := w.valid()
	in.BrandIDs = []int64{w.brandA, w.brandB} // brandA is inserted, then brandB is refused
	key := "partial-disclosure"
	if _, err := store.FileDisclosure(ctx, w.national, &key, in); err == nil || !strings.Contains(err.Error(), "refused by test trigger") {
		t.Fatalf("want the trigger's error, got %v", err)
	}
	key2 := "partial-influencer"
	if _, err := store.RegisterInfluencer(ctx, w.national, &key2, db.NewInfluencer{DisplayName: "Refused at audit"}); err == nil {
		t.Fatal("the audit trigger did not refuse")
	}
	if after := written(t, store, w.national.ID); after != before {
		t.Errorf("failed writes left rows: %s → %s", before, after)
	}
	if d, i := count(); d != disclosures || i != influencers {
		t.Errorf("disclosures %d → %d, influencers %d → %d", disclosures, d, influencers, i)
	}
	if _, err := store.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
	// The keys were not claimed: once the cause is gone the same retry succeeds.
	if _, err := store.SQL().Exec(`DROP TRIGGER test_refuse_brand ON disclosure_brand`); err != nil {
		t.Fatal(err)
	}
	res, err := store.FileDisclosure(ctx, w.national, &key, in)
	if err != nil || res.Replayed {
		t.Fatalf("retry after the failure: %+v, %v", res, err)
	}
}

func TestAmendDisclosure_DefaultMcnFollowsThePublicationDate(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newDisclosureWorld(t, store)
	ctx := context.Background()
	mcnOf := func(id int64) *int64 {
		var m *int64
		store.SQL().QueryRow(`SELECT mcn_id FROM disclosure WHERE id = $1`, id).Scan(&m)
		return m
	}
	// Filed without an MCN: the contract's MCN was recorded; moved before the contract, it has none.
	res, err := store.FileDisclosure(ctx, w.national, nil, w.valid())
	if err != nil {
		t.Fatal(err)
	}
	if m := mcnOf(res.SubjectID); m == nil || *m != w.mcn {
		t.Fatalf("filed with MCN %v, want %d", m, w.mcn)
	}
	if _, err := store.AmendDisclosure(ctx, w.national, nil, db.DisclosureAmendment{DisclosureID: res.SubjectID, ExpectedVersion: 1,
		PublishedAt: new(time.Date(2023, 6, 1, 12, 0, 0, 0, db.VietnamTime))}); err != nil {
		t.Fatal(err)
	}
	if m := mcnOf(res.SubjectID); m != nil {
		t.Errorf("moved before the contract, MCN %d", *m)
	}
	e := lastEvent(t, store, w.national.ID)
	if from, to := fromTo(t, e, "mcnId"); from != float64(w.mcn) || to != nil {
		t.Errorf("mcnId diff %v → %v", from, to)
	}
	// Filed naming another MCN: the filer's choice stays when the date moves.
	other := registerMcn(t, store, w.national, "METUB")
	in := w.valid()
	in.McnID = &other
	res, err = store.FileDisclosure(ctx, w.national, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.AmendDisclosure(ctx, w.national, nil, db.DisclosureAmendment{DisclosureID: res.SubjectID, ExpectedVersion: 1,
		PublishedAt: new(time.Date(2023, 6, 1, 12, 0, 0, 0, db.VietnamTime))}); err != nil {
		t.Fatal(err)
	}
	if m := mcnOf(res.SubjectID); m == nil || *m != other {
		t.Errorf("the named MCN became %v", m)
	}
	if e := lastEvent(t, store, w.national.ID); e.Diff["mcnId"] != nil {
		t.Errorf("diff records an MCN change: %v", e.Diff)
	}
}

// An amendment whose every field equals the current value is refused like every update's
// (CHANGES_NOTHING, fieldChanges), and writes nothing: no version, no audit event.
func TestAmendDisclosure_ChangesNothingRefused(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newDisclosureWorld(t, store)
	ctx := context.Background()
	in := w.valid()
	res, err := store.FileDisclosure(ctx, w.national, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	before := written(t, store, w.national.ID)
	_, err = store.AmendDisclosure(ctx, w.national, nil, db.DisclosureAmendment{DisclosureID: res.SubjectID, ExpectedVersion: 1,
		ProductName: strp(in.ProductName), Label: strp(in.Label), BrandIDs: in.BrandIDs})
	u := refused(t, err, "input INVALID")
	if u[0].Message.String() != "changes nothing: every field given equals the current value" {
		t.Errorf("message %q", u[0].Message.String())
	}
	if after := written(t, store, w.national.ID); after != before {
		t.Errorf("a refused no-op wrote rows: %s → %s", before, after)
	}
}
