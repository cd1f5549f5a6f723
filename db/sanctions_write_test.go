package db_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/db/dbtest"
)

// world is one test's own agencies and subjects, so tests can run side by side in one database.
type world struct {
	national, provincial, other db.Agency
	hanoiKOL, saigonKOL         int64
	disclosure                  int64
}

var worldSeq struct {
	sync.Mutex
	n int
}

func newWorld(t testing.TB, store *db.DB) world {
	t.Helper()
	worldSeq.Lock()
	worldSeq.n++
	n := worldSeq.n
	worldSeq.Unlock()
	ctx := context.Background()
	agency := func(slug, jurisdiction string) db.Agency {
		var id int64
		slug = fmt.Sprintf("%s-%d-%d", slug, n, time.Now().UnixNano()%100000)
		if err := store.SQL().QueryRowContext(ctx, `INSERT INTO agency (slug, name, kind, jurisdiction)
			VALUES ($1, $1, 'BROADCASTING_AUTHORITY', $2) RETURNING id`, slug, jurisdiction).Scan(&id); err != nil {
			t.Fatal(err)
		}
		rows, err := store.AgenciesByIDs(ctx, []int64{id})
		if err != nil {
			t.Fatal(err)
		}
		return rows[id]
	}
	w := world{national: agency("cuc", "VN"), provincial: agency("so-hn", "VN-HN"), other: agency("cuc-khac", "VN")}
	for _, p := range []struct {
		id       *int64
		province string
	}{{&w.hanoiKOL, "VN-HN"}, {&w.saigonKOL, "VN-SG"}} {
		if err := store.SQL().QueryRowContext(ctx, `INSERT INTO influencer (display_name, province) VALUES ('Test KOL', $1) RETURNING id`,
			p.province).Scan(p.id); err != nil {
			t.Fatal(err)
		}
	}
	if err := store.SQL().QueryRowContext(ctx, `INSERT INTO disclosure (influencer_id, product_name, product_category, platform,
		published_at, label, label_timing, compensation, filed_by) VALUES ($1, 'Viên uống', 'FOOD_SUPPLEMENT', 'TIKTOK',
		now() - interval '30 days', 'NONE', 'NONE', 'CASH_FEE', $2) RETURNING id`, w.saigonKOL, w.national.ID).Scan(&w.disclosure); err != nil {
		t.Fatal(err)
	}
	return w
}

func date(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func validSanction(subject int64, number string) db.NewSanction {
	clause := 5
	return db.NewSanction{
		SubjectKind: "INFLUENCER", SubjectID: subject, DecisionNumber: number, DecidedOn: date("2025-05-20"),
		Violations: []db.NewViolation{{Category: "MISLEADING_CLAIMS", Instrument: "38/2021/NĐ-CP", Article: 34, Clause: &clause}},
		FineVnd:    70_000_000, Remedies: []string{"CORRECT_INFORMATION", "REMOVE_CONTENT"},
	}
}

// counts returns the rows a sanction write touches, for "nothing was written" checks.
func counts(t *testing.T, store *db.DB, agency int64) string {
	t.Helper()
	var s string
	err := store.SQL().QueryRow(`SELECT format('%s/%s/%s/%s/%s',
		(SELECT count(*) FROM sanction WHERE agency_id = $1),
		(SELECT count(*) FROM sanction_violation v JOIN sanction s ON s.id = v.sanction_id WHERE s.agency_id = $1),
		(SELECT count(*) FROM sanction_status_change WHERE agency_id = $1),
		(SELECT count(*) FROM sanction_disclosure sd JOIN sanction s ON s.id = sd.sanction_id WHERE s.agency_id = $1),
		(SELECT count(*) FROM audit_event WHERE actor_id = $1))`, agency).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func userErr(t *testing.T, err error) db.UserError {
	t.Helper()
	u, ok := db.AsUserErrors(err)
	if !ok || len(u) == 0 {
		t.Fatalf("want user errors, got %v", err)
	}
	return u[0]
}

func TestRecordSanction_WritesEverythingAndOneAuditEvent(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	in := validSanction(w.saigonKOL, "82/QĐ-XPHC")
	in.RelatedDisclosureIDs = []int64{w.disclosure}
	res, err := store.RecordSanction(context.Background(), w.national, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := counts(t, store, w.national.ID); got != "1/1/1/1/1" {
		t.Errorf("rows written (sanction/violations/status/related/audit) = %s, want 1/1/1/1/1", got)
	}
	var status string
	var fine int64
	store.SQL().QueryRow(`SELECT status, fine_vnd FROM sanction WHERE id = $1`, res.SubjectID).Scan(&status, &fine)
	if status != "IN_FORCE" || fine != 70_000_000 {
		t.Errorf("status %s fine %d", status, fine)
	}
	if _, err := store.VerifyChain(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestRecordSanction_RefusesBadInputAndWritesNothing(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	cases := []struct {
		name  string
		actor db.Agency
		edit  func(*db.NewSanction)
		field string
		code  string
	}{
		{"third violation invalid", w.national, func(s *db.NewSanction) {
			second := s.Violations[0]
			second.Category = "FALSE_INFORMATION" // not a repeat of the first: another category
			s.Violations = append(s.Violations, second, db.NewViolation{Category: "OTHER", Instrument: "38/2021/NĐ-CP", Article: 0})
		}, "input.violations.2.legalBasis.article", db.Invalid},
		{"malformed decision number", w.national, func(s *db.NewSanction) { s.DecisionNumber = "82-XPHC" }, "input.decisionNumber", db.Invalid},
		{"decided in the future", w.national, func(s *db.NewSanction) { s.DecidedOn = time.Now().AddDate(0, 0, 3) }, "input.decidedOn", db.Invalid},
		{"no violations", w.national, func(s *db.NewSanction) { s.Violations = nil }, "input.violations", db.Invalid},
		{"negative fine", w.national, func(s *db.NewSanction) { s.FineVnd = -1 }, "input.fineVnd", db.Invalid},
		{"fine beyond 2^53", w.national, func(s *db.NewSanction) { s.FineVnd = 1 << 53 }, "input.fineVnd", db.Invalid},
		{"bad source URL", w.national, func(s *db.NewSanction) { u := "ftp://x"; s.SourceURL = &u }, "input.sourceUrl", db.Invalid},
		{"recorded as annulled", w.national, func(s *db.NewSanction) { st := "ANNULLED"; s.Status = &st }, "input.status", db.Invalid},
		{"unknown subject", w.national, func(s *db.NewSanction) { s.SubjectID = 987654321 }, "input.subjectId", db.NotFound},
		{"unknown related disclosure", w.national, func(s *db.NewSanction) { s.RelatedDisclosureIDs = []int64{987654321} }, "input.relatedDisclosureIds.0", db.NotFound},
		{"provincial agency outside its province", w.provincial, func(s *db.NewSanction) {}, "input.subjectId", db.OutsideJurisdiction},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := validSanction(w.saigonKOL, "11/QĐ-XPHC")
			c.edit(&in)
			before := counts(t, store, c.actor.ID)
			_, err := store.RecordSanction(context.Background(), c.actor, nil, in)
			u := userErr(t, err)
			if got := strings.Join(u.Field, "."); got != c.field || u.Code != c.code {
				t.Errorf("error %s %s (%s), want %s %s", got, u.Code, u.Message.String(), c.field, c.code)
			}
			if after := counts(t, store, c.actor.ID); after != before {
				t.Errorf("rows changed from %s to %s", before, after)
			}
		})
	}
	// The provincial agency may act in its own province; a duplicate decision number may not.
	if _, err := store.RecordSanction(context.Background(), w.provincial, nil, validSanction(w.hanoiKOL, "12/QĐ-XPHC")); err != nil {
		t.Fatalf("provincial agency in its province: %v", err)
	}
	_, err := store.RecordSanction(context.Background(), w.provincial, nil, validSanction(w.hanoiKOL, "12/QĐ-XPHC"))
	if u := userErr(t, err); u.Code != db.Duplicate {
		t.Errorf("duplicate decision: %v", u)
	}
}

func TestSanctionChanges_OnlyByTheRecordingAgencyAndValidTransitions(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	res, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, "20/QĐ-XPHC"))
	if err != nil {
		t.Fatal(err)
	}
	change := func(actor db.Agency, status string, version int) error {
		_, err := store.ChangeSanctionStatus(ctx, actor, nil, db.SanctionStatusChange{SanctionID: res.SubjectID, Status: status,
			EffectiveOn: date("2025-06-01"), Reason: "đơn khiếu nại", ExpectedVersion: version})
		return err
	}
	before := counts(t, store, w.other.ID)
	if u := userErr(t, change(w.other, "UNDER_COMPLAINT", 1)); u.Code != db.NotOwner {
		t.Errorf("other agency's status change: %+v", u)
	}
	fine := int64(1)
	_, err = store.AmendSanction(ctx, w.other, nil, db.SanctionAmendment{SanctionID: res.SubjectID, ExpectedVersion: 1, Reason: "x", FineVnd: &fine})
	if u := userErr(t, err); u.Code != db.NotOwner {
		t.Errorf("other agency's amendment: %+v", u)
	}
	if after := counts(t, store, w.other.ID); after != before {
		t.Errorf("refused changes wrote rows: %s → %s", before, after)
	}
	if u := userErr(t, change(w.national, "UNDER_COMPLAINT", 7)); u.Code != db.VersionConflict {
		t.Errorf("stale version: %+v", u)
	}
	if err := change(w.national, "UNDER_COMPLAINT", 1); err != nil {
		t.Fatal(err)
	}
	if err := change(w.national, "ANNULLED", 2); err != nil {
		t.Fatal(err)
	}
	if u := userErr(t, change(w.national, "IN_FORCE", 3)); u.Code != db.Invalid || !strings.Contains(u.Message.String(), "final") {
		t.Errorf("change after ANNULLED: %+v", u)
	}
	var history string
	store.SQL().QueryRow(`SELECT string_agg(status, ',' ORDER BY id) FROM sanction_status_change WHERE sanction_id = $1`, res.SubjectID).Scan(&history)
	if history != "IN_FORCE,UNDER_COMPLAINT,ANNULLED" {
		t.Errorf("history = %s", history)
	}
}

func TestWrite_ConcurrentWritersChainGapFreeAndIdempotencyHolds(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 70)
	for i := range 50 {
		wg.Go(func() {
			_, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, fmt.Sprintf("%d/QĐ-XPHC", 100+i)))
			errs <- err
		})
	}
	key := "retry-" + w.national.Slug
	ids := make(chan int64, 20)
	for range 20 {
		wg.Go(func() {
			res, err := store.RecordSanction(ctx, w.other, &key, validSanction(w.saigonKOL, "500/QĐ-XPHC"))
			errs <- err
			ids <- res.SubjectID
		})
	}
	wg.Wait()
	close(errs)
	close(ids)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	first := int64(0)
	for id := range ids {
		if first == 0 {
			first = id
		}
		if id != first {
			t.Errorf("retries returned sanctions %d and %d", first, id)
		}
	}
	if got := counts(t, store, w.national.ID); got != "50/50/50/0/50" {
		t.Errorf("50 concurrent writes: %s", got)
	}
	if got := counts(t, store, w.other.ID); got != "1/1/1/0/1" {
		t.Errorf("20 retries with one key: %s", got)
	}
	var gaps int
	store.SQL().QueryRow(`SELECT count(*) FROM (SELECT seq - lag(seq) OVER (ORDER BY seq) AS step FROM audit_event) s WHERE step <> 1`).Scan(&gaps)
	if gaps != 0 {
		t.Errorf("%d gaps in seq", gaps)
	}
	if _, err := store.VerifyChain(ctx); err != nil {
		t.Fatal(err)
	}
	// The same key for another mutation is refused.
	_, err := store.ChangeSanctionStatus(ctx, w.other, &key, db.SanctionStatusChange{SanctionID: first, Status: "COMPLIED",
		EffectiveOn: date("2025-06-01"), Reason: "đã nộp phạt", ExpectedVersion: 1})
	refused(t, err, "input.idempotencyKey IDEMPOTENCY_KEY_REUSED")
}

func TestVerifyChain_NamesTheFirstTamperedEvent(t *testing.T) {
	t.Parallel()
	// Its own database: tampering must not break the chain other tests verify.
	d, err := dbtest.Create(context.Background(), "db_tamper")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Drop()
	store, err := db.Open(context.Background(), d.URL, "")
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w := newWorld(t, store)
	for i := range 5 {
		if _, err := store.RecordSanction(context.Background(), w.national, nil, validSanction(w.saigonKOL, fmt.Sprintf("%d/QĐ-XPHC", i+1))); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := store.VerifyChain(context.Background()); err != nil || n != 5 {
		t.Fatalf("clean chain: %d, %v", n, err)
	}
	// Someone with database access lowers a fine in the recorded diff of event 3.
	if _, err := store.SQL().Exec(`ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update;
		UPDATE audit_event SET diff = jsonb_set(diff, '{fineVnd}', '1') WHERE seq = 3;
		ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update`); err != nil {
		t.Fatal(err)
	}
	_, err = store.VerifyChain(context.Background())
	var ce *db.ChainError
	if !errors.As(err, &ce) || ce.Seq != 3 {
		t.Fatalf("want a chain error at seq 3, got %v", err)
	}
	// The trigger refuses the same change through normal access.
	if _, err := store.SQL().Exec(`UPDATE audit_event SET action = 'x' WHERE seq = 1`); err == nil {
		t.Error("audit_event accepted an UPDATE")
	}
}
