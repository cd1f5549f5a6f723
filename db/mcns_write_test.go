package db_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
)

// taxSeq makes tax codes unique across the tests sharing the database.
var taxSeq atomic.Int64

func newTaxCode(digits int) string {
	code := fmt.Sprintf("%07d%03d", time.Now().UnixNano()/1000%10_000_000, taxSeq.Add(1)%1000)
	return code + strings.Repeat("1", digits-10)
}

func registerMcn(t *testing.T, store *db.DB, actor db.Agency, name string) int64 {
	t.Helper()
	res, err := store.RegisterMcn(context.Background(), actor, nil, db.NewMcn{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return res.SubjectID
}

func today() time.Time {
	n := time.Now().In(db.VietnamTime)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

func TestRegisterMcn_ValidatesAndRefusesDuplicateTaxCode(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	tax := newTaxCode(10)
	res, err := store.RegisterMcn(ctx, w.national, nil, db.NewMcn{Name: " Công ty TNHH Sao Việt ", TaxCode: strp(tax),
		Website: strp("https://saoviet.vn"), Province: strp("VN-HN")})
	if err != nil {
		t.Fatal(err)
	}
	var name, storedTax string
	store.SQL().QueryRow(`SELECT name, tax_code FROM mcn WHERE id = $1`, res.SubjectID).Scan(&name, &storedTax)
	if name != "Công ty TNHH Sao Việt" || storedTax != tax {
		t.Errorf("stored %q %q", name, storedTax)
	}
	e := lastEvent(t, store, w.national.ID)
	if e.Action != "registerMcn" || e.SubjectType != "Mcn" || e.SubjectID != res.SubjectID || e.Diff["taxCode"] != tax ||
		e.Diff["name"] != "Công ty TNHH Sao Việt" || e.Diff["website"] != "https://saoviet.vn" {
		t.Errorf("audit event %+v", e)
	}
	if got := written(t, store, w.national.ID); got != "0/0/1/0/0/1/0/0/1" {
		t.Errorf("rows written: %s", got)
	}
	// A branch tax code (13 digits) is valid.
	if _, err := store.RegisterMcn(ctx, w.national, nil, db.NewMcn{Name: "Sao Việt chi nhánh HCM", TaxCode: strp(newTaxCode(13))}); err != nil {
		t.Errorf("13-digit tax code: %v", err)
	}

	cases := []struct {
		name string
		in   db.NewMcn
		want []string
	}{
		{"same tax code", db.NewMcn{Name: "Sao Việt 2", TaxCode: strp(tax)}, []string{"input.taxCode DUPLICATE"}},
		{"11-digit tax code", db.NewMcn{Name: "X", TaxCode: strp("01234567891")}, []string{"input.taxCode INVALID"}},
		{"tax code with a dash", db.NewMcn{Name: "X", TaxCode: strp("0123456789-001")}, []string{"input.taxCode INVALID"}},
		{"blank name, ftp website", db.NewMcn{Name: " ", Website: strp("ftp://saoviet.vn")}, []string{"input.name INVALID", "input.website INVALID"}},
		{"province", db.NewMcn{Name: "X", Province: strp("VN-")}, []string{"input.province INVALID"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := written(t, store, w.national.ID)
			_, err := store.RegisterMcn(ctx, w.national, nil, c.in)
			refused(t, err, c.want...)
			if after := written(t, store, w.national.ID); after != before {
				t.Errorf("rows changed from %s to %s", before, after)
			}
		})
	}
}

func TestRegisterBrand_ValidatesAndIsIdempotent(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	tax := newTaxCode(10)
	key := "brand-" + tax
	in := db.NewBrand{Name: "Công ty CP Dược phẩm An Khang", TaxCode: strp(tax), Industry: strp("FOOD_SUPPLEMENT")}
	res, err := store.RegisterBrand(ctx, w.national, &key, in)
	if err != nil {
		t.Fatal(err)
	}
	e := lastEvent(t, store, w.national.ID)
	if e.Action != "registerBrand" || e.SubjectType != "Brand" || e.SubjectID != res.SubjectID || e.Diff["industry"] != "FOOD_SUPPLEMENT" ||
		e.Diff["taxCode"] != tax {
		t.Errorf("audit event %+v", e)
	}
	after := written(t, store, w.national.ID)
	if after != "0/0/0/0/1/1/0/1/1" {
		t.Errorf("rows written: %s", after)
	}
	again, err := store.RegisterBrand(ctx, w.national, &key, in)
	if err != nil || !again.Replayed || again.SubjectID != res.SubjectID {
		t.Errorf("retry: %+v, %v", again, err)
	}
	if got := written(t, store, w.national.ID); got != after {
		t.Errorf("retry wrote rows: %s → %s", after, got)
	}
	// Without the key the same tax code is a duplicate, not a replay.
	cases := []struct {
		name string
		in   db.NewBrand
		want string
	}{
		{"same tax code", in, "input.taxCode DUPLICATE"},
		{"9-digit tax code", db.NewBrand{Name: "X", TaxCode: strp("012345678")}, "input.taxCode INVALID"},
		{"unknown industry", db.NewBrand{Name: "X", Industry: strp("SHOES")}, "input.industry INVALID"},
		{"blank name", db.NewBrand{Name: "\t"}, "input.name INVALID"},
		{"name too long", db.NewBrand{Name: strings.Repeat("B", 201)}, "input.name INVALID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := written(t, store, w.national.ID)
			_, err := store.RegisterBrand(ctx, w.national, nil, c.in)
			refused(t, err, c.want)
			if after := written(t, store, w.national.ID); after != before {
				t.Errorf("rows changed from %s to %s", before, after)
			}
		})
	}
}

func TestRecordAffiliation_ExclusiveManagementDoesNotOverlap(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	kol := registerKOL(t, store, w.national, "Minh")
	saoViet, metub := registerMcn(t, store, w.national, "Sao Việt"), registerMcn(t, store, w.national, "METUB")
	record := func(in db.NewAffiliation) (db.WriteResult, error) {
		return store.RecordAffiliation(ctx, w.national, nil, in)
	}
	first, err := record(db.NewAffiliation{InfluencerID: kol, McnID: saoViet, Kind: "EXCLUSIVE_MANAGEMENT", StartedOn: date("2024-01-01"),
		Source: strp("https://saoviet.vn/nghe-si")})
	if err != nil {
		t.Fatal(err)
	}
	e := lastEvent(t, store, w.national.ID)
	if e.Action != "recordAffiliation" || e.SubjectType != "Affiliation" || e.SubjectID != first.SubjectID ||
		e.Diff["startedOn"] != "2024-01-01" || e.Diff["endedOn"] != nil || e.Diff["kind"] != "EXCLUSIVE_MANAGEMENT" ||
		e.Diff["mcnId"] != float64(saoViet) {
		t.Errorf("audit event %+v", e)
	}

	cases := []struct {
		name string
		in   db.NewAffiliation
		want []string
	}{
		{"second exclusive contract while the first runs",
			db.NewAffiliation{InfluencerID: kol, McnID: metub, Kind: "EXCLUSIVE_MANAGEMENT", StartedOn: date("2024-06-01")},
			[]string{"input.startedOn INVALID"}},
		{"exclusive contract in the past that overlaps",
			db.NewAffiliation{InfluencerID: kol, McnID: metub, Kind: "EXCLUSIVE_MANAGEMENT", StartedOn: date("2023-06-01"), EndedOn: new(date("2024-01-02"))},
			[]string{"input.startedOn INVALID"}},
		{"unknown influencer and MCN", db.NewAffiliation{InfluencerID: 987654321, McnID: 987654322, Kind: "EMPLOYEE", StartedOn: date("2024-01-01")},
			[]string{"input.influencerId NOT_FOUND", "input.mcnId NOT_FOUND"}},
		{"starts tomorrow", db.NewAffiliation{InfluencerID: kol, McnID: metub, Kind: "NON_EXCLUSIVE", StartedOn: today().AddDate(0, 0, 1)},
			[]string{"input.startedOn INVALID"}},
		{"no start", db.NewAffiliation{InfluencerID: kol, McnID: metub, Kind: "NON_EXCLUSIVE"}, []string{"input.startedOn INVALID"}},
		{"ends before it starts", db.NewAffiliation{InfluencerID: kol, McnID: metub, Kind: "NON_EXCLUSIVE", StartedOn: date("2024-05-01"),
			EndedOn: new(date("2024-04-30"))}, []string{"input.endedOn INVALID"}},
		{"unknown kind", db.NewAffiliation{InfluencerID: kol, McnID: metub, Kind: "FRIEND", StartedOn: date("2024-05-01")}, []string{"input.kind INVALID"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := written(t, store, w.national.ID)
			_, err := record(c.in)
			u := refused(t, err, c.want...)
			if len(u) > 0 && strings.Contains(c.name, "exclusive") && !strings.Contains(u[0].Message.String(), "exclusive management of this influencer by Sao Việt") {
				t.Errorf("overlap message does not say why: %q", u[0].Message.String())
			}
			if after := written(t, store, w.national.ID); after != before {
				t.Errorf("rows changed from %s to %s", before, after)
			}
		})
	}

	// A non-exclusive affiliation may overlap; an exclusive one may start the day the other ended.
	if _, err := record(db.NewAffiliation{InfluencerID: kol, McnID: metub, Kind: "NON_EXCLUSIVE", StartedOn: date("2024-03-01")}); err != nil {
		t.Errorf("overlapping non-exclusive: %v", err)
	}
	if _, err := store.EndAffiliation(ctx, w.national, nil, db.AffiliationEnd{AffiliationID: first.SubjectID, EndedOn: date("2025-01-01"),
		ExpectedVersion: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := record(db.NewAffiliation{InfluencerID: kol, McnID: metub, Kind: "EXCLUSIVE_MANAGEMENT", StartedOn: date("2025-01-01")}); err != nil {
		t.Errorf("exclusive from the day the previous one ended: %v", err)
	}
	if _, err := store.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestEndAffiliation_Rules(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	kol := registerKOL(t, store, w.national, "Minh")
	mcn := registerMcn(t, store, w.national, "Sao Việt")
	res, err := store.RecordAffiliation(ctx, w.national, nil, db.NewAffiliation{InfluencerID: kol, McnID: mcn, Kind: "EXCLUSIVE_MANAGEMENT",
		StartedOn: date("2024-01-15")})
	if err != nil {
		t.Fatal(err)
	}
	id := res.SubjectID
	end := func(actor db.Agency, endedOn time.Time, version int) error {
		_, err := store.EndAffiliation(ctx, actor, nil, db.AffiliationEnd{AffiliationID: id, EndedOn: endedOn, ExpectedVersion: version})
		return err
	}
	before, otherBefore := written(t, store, w.national.ID), written(t, store, w.other.ID)
	refused(t, end(w.other, date("2025-01-01"), 1), "input.affiliationId NOT_OWNER")
	refused(t, end(w.national, date("2025-01-01"), 3), "input.expectedVersion VERSION_CONFLICT")
	refused(t, end(w.national, date("2024-01-14"), 1), "input.endedOn INVALID")
	refused(t, end(w.national, today().AddDate(0, 0, 2), 1), "input.endedOn INVALID")
	refused(t, end(w.national, time.Time{}, 1), "input.endedOn INVALID")
	_, err = store.EndAffiliation(ctx, w.national, nil, db.AffiliationEnd{AffiliationID: 987654321, EndedOn: date("2025-01-01"), ExpectedVersion: 1})
	refused(t, err, "input.affiliationId NOT_FOUND")
	if a, b := written(t, store, w.national.ID), written(t, store, w.other.ID); a != before || b != otherBefore {
		t.Errorf("refused ends wrote rows: %s → %s, %s → %s", before, a, otherBefore, b)
	}

	if err := end(w.national, date("2025-01-01"), 1); err != nil {
		t.Fatal(err)
	}
	var ended string
	var version int
	store.SQL().QueryRow(`SELECT ended_on::text, version FROM affiliation WHERE id = $1`, id).Scan(&ended, &version)
	if ended != "2025-01-01" || version != 2 {
		t.Errorf("after end: %s v%d", ended, version)
	}
	e := lastEvent(t, store, w.national.ID)
	if from, to := fromTo(t, e, "endedOn"); e.Action != "endAffiliation" || e.SubjectID != id || from != nil || to != "2025-01-01" {
		t.Errorf("audit event %+v", e)
	}
	// An ended affiliation stays ended.
	refused(t, end(w.national, date("2025-02-01"), 2), "input.affiliationId INVALID")
}

// Concurrent exclusive contracts for one influencer: exactly one is recorded, the others are
// refused as overlapping (user errors, not internal errors).
func TestRecordAffiliation_ConcurrentExclusiveContracts(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	kol := registerKOL(t, store, w.national, "Minh")
	mcns := make([]int64, 6)
	for i := range mcns {
		mcns[i] = registerMcn(t, store, w.national, fmt.Sprintf("MCN %d", i))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(mcns))
	for i, m := range mcns {
		wg.Go(func() {
			_, errs[i] = store.RecordAffiliation(ctx, w.national, nil, db.NewAffiliation{InfluencerID: kol, McnID: m,
				Kind: "EXCLUSIVE_MANAGEMENT", StartedOn: date("2024-01-01").AddDate(0, i, 0)})
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
			continue
		}
		refused(t, err, "input.startedOn INVALID")
	}
	var n int
	store.SQL().QueryRow(`SELECT count(*) FROM affiliation WHERE influencer_id = $1`, kol).Scan(&n)
	if ok != 1 || n != 1 {
		t.Errorf("%d recorded, %d rows; want exactly one", ok, n)
	}
}
