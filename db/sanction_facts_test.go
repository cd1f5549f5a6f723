package db_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/registry"
)

func sanctionNow(t *testing.T, store *db.DB, id int64) db.Sanction {
	t.Helper()
	rows, err := store.SanctionsByIDs(context.Background(), []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	return rows[id]
}

// Paid, then contested: the execution stays COMPLIED while the standing is UNDER_COMPLAINT; the
// older status shows the complaint; vetting does not call it "in force" (LHAV Arts. 7, 73(1)).
func TestSanctionFacts_PaidThenContestedIsOneTruthfulRecord(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	res, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, "401/QĐ-XPHC"))
	id := register(t, res, err)
	if s := sanctionNow(t, store, id); s.Standing != registry.StandingInForce || s.Execution != registry.ExecutionDue || s.Status != registry.InForce {
		t.Fatalf("recorded as %s/%s (%s), want IN_FORCE/DUE (IN_FORCE)", s.Standing, s.Execution, s.Status)
	}
	paid, complaint := "COMPLIED", "UNDER_COMPLAINT"
	if _, err := store.RecordSanctionExecution(ctx, w.national, nil, db.SanctionFactChange{SanctionID: id, Execution: &paid,
		EffectiveOn: date("2025-05-28"), Reason: "nộp phạt", ExpectedVersion: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := store.ChangeSanctionStanding(ctx, w.national, nil, db.SanctionFactChange{SanctionID: id, Standing: &complaint,
		EffectiveOn: date("2025-06-03"), Reason: "khiếu nại", ExpectedVersion: 2}); err != nil {
		t.Fatal(err)
	}
	s := sanctionNow(t, store, id)
	if s.Standing != registry.StandingUnderComplaint || s.Execution != registry.ExecutionComplied || s.Status != registry.UnderComplaint ||
		s.ExecutedOn == nil || dateOf(*s.ExecutedOn) != "2025-05-28" || s.Version != 3 {
		t.Fatalf("now %s/%s (%s) executed %v v%d; want UNDER_COMPLAINT/COMPLIED (UNDER_COMPLAINT) executed 2025-05-28 v3",
			s.Standing, s.Execution, s.Status, s.ExecutedOn, s.Version)
	}
	h, err := store.StatusHistoryBySanctions(ctx, []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range h[id] {
		got = append(got, string(c.Status)+":"+string(c.Standing)+"/"+string(c.Execution))
	}
	if want := []string{"IN_FORCE:IN_FORCE/DUE", "COMPLIED:IN_FORCE/COMPLIED", "UNDER_COMPLAINT:UNDER_COMPLAINT/COMPLIED"}; !slices.Equal(got, want) {
		t.Errorf("history %v, want %v", got, want)
	}
	v, err := store.Vet(ctx, w.saigonKOL, date("2025-07-01"))
	if err != nil {
		t.Fatal(err)
	}
	if c := codes(v); slices.Contains(c, "SANCTION_IN_FORCE") || !slices.Contains(c, "OPEN_APPEAL") || !slices.Contains(c, "RECENT_PAST_SANCTION") {
		t.Errorf("vetting %v (%s); want an open appeal and a recent past sanction, not one in force", c, reasons(v))
	}
	// Before the payment the same decision was in force, unpaid: HIGH.
	if v, err = store.Vet(ctx, w.saigonKOL, date("2025-05-25")); err != nil {
		t.Fatal(err)
	}
	if v.RiskLevel() != db.RiskHigh || codes(v)[0] != "SANCTION_IN_FORCE" {
		t.Errorf("before payment: %s %v, want HIGH SANCTION_IN_FORCE", v.RiskLevel(), codes(v))
	}
	// Once executed it stays executed.
	due := "DUE"
	_, err = store.RecordSanctionExecution(ctx, w.national, nil, db.SanctionFactChange{SanctionID: id, Execution: &due,
		EffectiveOn: date("2025-06-04"), Reason: "nhầm", ExpectedVersion: 3})
	if ue := userErr(t, err); ue.Code != db.Invalid || ue.Field[len(ue.Field)-1] != "execution" {
		t.Errorf("undoing the payment: %+v, want INVALID on execution", ue)
	}
}

// A complaint does not lower HIGH: contested and unpaid, the decision is still to be executed.
func TestSanctionFacts_ContestedUnpaidStaysHigh(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	litigation := "UNDER_LITIGATION"
	in := validSanction(w.saigonKOL, "402/QĐ-XPHC")
	in.Standing = &litigation
	res, err := store.RecordSanction(ctx, w.national, nil, in)
	register(t, res, err)
	v, err := store.Vet(ctx, w.saigonKOL, date("2025-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	if v.RiskLevel() != db.RiskHigh || !slices.Contains(codes(v), "SANCTION_IN_FORCE") || !slices.Contains(codes(v), "OPEN_APPEAL") {
		t.Errorf("contested, unpaid: %s %v; want HIGH with SANCTION_IN_FORCE and OPEN_APPEAL", v.RiskLevel(), codes(v))
	}
	status := "IN_FORCE"
	in = validSanction(w.saigonKOL, "403/QĐ-XPHC")
	in.Status, in.Standing = &status, &litigation
	_, err = store.RecordSanction(ctx, w.national, nil, in)
	if ue := userErr(t, err); ue.Code != db.Invalid || ue.Field[len(ue.Field)-1] != "status" {
		t.Errorf("status and standing both: %+v, want INVALID on status", ue)
	}
	amended := "AMENDED"
	in = validSanction(w.saigonKOL, "404/QĐ-XPHC")
	in.Standing = &amended
	_, err = store.RecordSanction(ctx, w.national, nil, in)
	if ue := userErr(t, err); ue.Code != db.Invalid || ue.Field[len(ue.Field)-1] != "standing" {
		t.Errorf("recorded AMENDED: %+v, want INVALID on standing", ue)
	}
}

// A court annuls another agency's decision: with the review scope it records the ruling; it
// may not record anything but a review outcome, and not without the ruling; the issuing agency
// stays the only one that may change the standing by itself.
func TestSanctionFacts_ReviewingAuthorityRecordsAnAnnulment(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	court := asKind(t, store, w.other, "COURT") // a court reviews any agency's decision (registry.MayReview)
	res, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, "405/QĐ-XPHC"))
	id := register(t, res, err)
	litigation, annulled := "UNDER_LITIGATION", "ANNULLED"
	if _, err := store.ChangeSanctionStanding(ctx, w.national, nil, db.SanctionFactChange{SanctionID: id, Standing: &litigation,
		EffectiveOn: date("2025-06-10"), Reason: "khởi kiện", ExpectedVersion: 1}); err != nil {
		t.Fatal(err)
	}
	_, err = store.ChangeSanctionStanding(ctx, court, nil, db.SanctionFactChange{SanctionID: id, Standing: &annulled,
		EffectiveOn: date("2025-09-10"), Reason: "bản án", ExpectedVersion: 2})
	if ue := userErr(t, err); ue.Code != db.NotOwner {
		t.Errorf("another agency without review: %+v, want NOT_OWNER", ue)
	}
	doc := "https://toaan.gov.vn/ban-an/12-2025-hc-st.pdf"
	_, err = store.ReviewSanction(ctx, court, nil, db.SanctionFactChange{SanctionID: id, Standing: &litigation,
		EffectiveOn: date("2025-09-10"), Reason: "bản án", DocumentURL: &doc, ExpectedVersion: 2})
	if ue := userErr(t, err); ue.Code != db.Invalid || ue.Field[len(ue.Field)-1] != "standing" {
		t.Errorf("review recording a lawsuit: %+v, want INVALID on standing", ue)
	}
	_, err = store.ReviewSanction(ctx, court, nil, db.SanctionFactChange{SanctionID: id, Standing: &annulled,
		EffectiveOn: date("2025-09-10"), Reason: "bản án", ExpectedVersion: 2})
	if ue := userErr(t, err); ue.Code != db.Invalid || ue.Field[len(ue.Field)-1] != "documentUrl" {
		t.Errorf("review without the ruling: %+v, want INVALID on documentUrl", ue)
	}
	if _, err := store.ReviewSanction(ctx, court, nil, db.SanctionFactChange{SanctionID: id, Standing: &annulled,
		EffectiveOn: date("2025-09-10"), Reason: "Bản án số 12/2025/HC-ST hủy quyết định", DocumentURL: &doc, ExpectedVersion: 2}); err != nil {
		t.Fatal(err)
	}
	s := sanctionNow(t, store, id)
	if s.Standing != registry.StandingAnnulled || s.Status != registry.Annulled || s.Execution != registry.ExecutionDue {
		t.Errorf("after the ruling %s/%s (%s), want ANNULLED/DUE (ANNULLED)", s.Standing, s.Execution, s.Status)
	}
	h, err := store.StatusHistoryBySanctions(ctx, []int64{id})
	if err != nil {
		t.Fatal(err)
	}
	if last := h[id][len(h[id])-1]; last.AgencyID != court.ID || last.DocumentURL == nil || *last.DocumentURL != doc {
		t.Errorf("last entry by agency %d with %v, want the court %d with the ruling", last.AgencyID, last.DocumentURL, court.ID)
	}
	var diff string
	if err := store.SQL().QueryRowContext(ctx, `SELECT diff::text FROM audit_event WHERE subject_type = 'Sanction' AND subject_id = $1
		AND action = 'reviewSanction'`, id).Scan(&diff); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"standing": {"to": "ANNULLED", "from": "UNDER_LITIGATION"}`, `"reviewOf": {"agency": `} {
		if !contains(diff, want) {
			t.Errorf("audit diff %s lacks %s", diff, want)
		}
	}
	// Final: nothing changes an annulled decision, not even its execution.
	paid := "COMPLIED"
	_, err = store.RecordSanctionExecution(ctx, w.national, nil, db.SanctionFactChange{SanctionID: id, Execution: &paid,
		EffectiveOn: date("2025-09-11"), Reason: "nộp phạt", ExpectedVersion: 3})
	if ue := userErr(t, err); ue.Code != db.Invalid {
		t.Errorf("paying an annulled decision: %+v, want INVALID", ue)
	}
	v, err := store.Vet(ctx, w.saigonKOL, date("2025-10-01"))
	if err != nil {
		t.Fatal(err)
	}
	if c := codes(v); !slices.Equal(c, []string{"ANNULLED_SANCTION"}) {
		t.Errorf("vetting after the annulment %v, want only ANNULLED_SANCTION", c)
	}
	if v, err = store.Vet(ctx, w.saigonKOL, date("2025-08-01")); err != nil {
		t.Fatal(err)
	}
	if v.RiskLevel() != db.RiskHigh {
		t.Errorf("vetting during the lawsuit %s %v, want HIGH", v.RiskLevel(), codes(v))
	}
}

// Rows written around the write path with only the older status (fixtures, bulk loads) get the
// facts registry.FactsOfStatus gives that status: the migration's trigger mirrors it.
func TestSanctionFacts_RawRowsGetTheFactsOfTheirStatus(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	for i, st := range registry.SanctionStatuses {
		var standing registry.Standing
		var execution registry.Execution
		var executed *string
		if err := store.SQL().QueryRowContext(ctx, `INSERT INTO sanction (subject_kind, influencer_id, agency_id, decision_number,
				decided_on, fine_vnd, status) VALUES ('INFLUENCER', $1, $2, $3, '2025-01-02', 0, $4)
			RETURNING standing, execution, executed_on::text`, w.hanoiKOL, w.national.ID, "9"+string(rune('0'+i))+"/QĐ-RAW", st).
			Scan(&standing, &execution, &executed); err != nil {
			t.Fatal(err)
		}
		want := registry.FactsOfStatus(st)
		if standing != want.Standing || execution != want.Execution || (executed != nil) != want.Execution.Executed() {
			t.Errorf("%s: %s/%s executed %v; want %s/%s", st, standing, execution, executed, want.Standing, want.Execution)
		}
		if got := (registry.SanctionFacts{Standing: standing, Execution: execution}).Status(); got != st {
			t.Errorf("%s: derives back to %s", st, got)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

func dateOf(t time.Time) string { return t.Format("2006-01-02") }

// asKind makes agency a of another kind (and jurisdiction, when given).
func asKind(t *testing.T, store *db.DB, a db.Agency, kind string, jurisdiction ...string) db.Agency {
	t.Helper()
	a.Kind = kind
	if len(jurisdiction) > 0 {
		a.Jurisdiction = jurisdiction[0]
	}
	if _, err := store.SQL().Exec(`UPDATE agency SET kind = $2, jurisdiction = $3 WHERE id = $1`, a.ID, a.Kind, a.Jurisdiction); err != nil {
		t.Fatal(err)
	}
	return a
}

// Who may review a decision (registry.MayReview): the refusals with their code, field and
// message, and each kind of reviewer within its reach recording an outcome.
func TestReviewSanction_OnlyACourtOrASuperiorBody(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	ctx := context.Background()
	w := newWorld(t, store)
	add := func(kind, jurisdiction string) db.Agency {
		return asKind(t, store, newWorld(t, store).other, kind, jurisdiction)
	}
	hanoiPC, saigonPC := add("PEOPLES_COMMITTEE", "VN-HN"), add("PEOPLES_COMMITTEE", "VN-SG")
	ministry, court := add("MINISTRY", "VN"), add("COURT", "VN-HN")
	doc := "https://example.gov.vn/quyet-dinh-giai-quyet-khieu-nai.pdf"
	upheld, annulled := "IN_FORCE", "ANNULLED"
	record := func(by db.Agency, subject int64, number string) int64 {
		res, err := store.RecordSanction(ctx, by, nil, validSanction(subject, number))
		return register(t, res, err)
	}
	review := func(by db.Agency, id int64, standing string) error {
		_, err := store.ReviewSanction(ctx, by, nil, db.SanctionFactChange{SanctionID: id, Standing: &standing,
			EffectiveOn: date("2025-07-01"), Reason: "Quyết định giải quyết khiếu nại", DocumentURL: &doc, ExpectedVersion: 1})
		return err
	}
	complaint := "UNDER_COMPLAINT"
	contested := validSanction(w.hanoiKOL, "501/QĐ-XPHC") // a Hà Nội agency's decision, complained of
	contested.Standing = &complaint
	res, err := store.RecordSanction(ctx, w.provincial, nil, contested)
	provincial := register(t, res, err)
	national := record(w.national, w.saigonKOL, "502/QĐ-XPHC") // a national authority's
	for _, c := range []struct {
		name     string
		reviewer db.Agency
		id       int64
		want     string
	}{
		{"another province's People's Committee", saigonPC, provincial,
			"this agency (VN-SG) is neither a court nor a superior body of the agency that issued the decision"},
		{"a People's Committee, a national decision", hanoiPC, national, "this agency (VN-HN) is neither a court nor a superior body"},
		{"an authority that is no reviewer", w.other, national,
			"only a court, a ministry or a provincial People's Committee records the review of another agency's decision"},
		{"the issuer itself", w.national, national, "an agency reconsiders its own decision with changeSanctionStanding"},
	} {
		before := counts(t, store, w.national.ID) + counts(t, store, w.provincial.ID)
		u := userErr(t, review(c.reviewer, c.id, annulled))
		if u.Code != db.OutsideJurisdiction || strings.Join(u.Field, ".") != "input.sanctionId" || !strings.Contains(u.Message.String(), c.want) {
			t.Errorf("%s: %s %s %q; want OUTSIDE_JURISDICTION input.sanctionId %q", c.name, u.Code, strings.Join(u.Field, "."), u.Message.String(), c.want)
		}
		if after := counts(t, store, w.national.ID) + counts(t, store, w.provincial.ID); after != before {
			t.Errorf("%s: rows changed", c.name)
		}
	}
	// Within reach: Hà Nội's People's Committee upholds its department's decision; the ministry
	// and a court annul decisions of agencies below them.
	if err := review(hanoiPC, provincial, upheld); err != nil {
		t.Errorf("Hà Nội People's Committee, a Hà Nội agency's decision: %v", err)
	}
	if err := review(ministry, national, annulled); err != nil {
		t.Errorf("a ministry, a national authority's decision: %v", err)
	}
	if err := review(court, record(w.national, w.saigonKOL, "503/QĐ-XPHC"), annulled); err != nil {
		t.Errorf("a court, another province's subject: %v", err)
	}
}
