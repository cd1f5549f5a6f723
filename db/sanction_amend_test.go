package db_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/registry"
)

// amendDiff reads the audit diff of the event seq.
func amendDiff(t *testing.T, store *db.DB, seq int64) map[string]any {
	t.Helper()
	var raw []byte
	if err := store.SQL().QueryRow(`SELECT diff FROM audit_event WHERE seq = $1`, seq).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	var diff map[string]any
	if err := json.Unmarshal(raw, &diff); err != nil {
		t.Fatal(err)
	}
	return diff
}

// A decision number is unique per issuer and calendar year for an amendment too: a number
// taken that year, or a date moving the number into a year where it is taken, is a DUPLICATE
// user error on the field at fault with the catalogue's message, in both languages, and
// nothing is written; the same number in another year, and a new number with a new date
// whose old year has that number, are accepted (one statement: no transient conflict).
func TestAmendSanction_DecisionNumberUniquePerIssuerAndYear(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	record := func(number, day string) int64 {
		in := validSanction(w.saigonKOL, number)
		in.DecidedOn = date(day)
		res, err := store.RecordSanction(ctx, w.national, nil, in)
		if err != nil {
			t.Fatal(err)
		}
		return res.SubjectID
	}
	record("7/QĐ-XPHC", "2025-03-01")
	record("9/QĐ-XPHC", "2024-03-01")
	target := record("8/QĐ-XPHC", "2025-04-01")
	strp := func(s string) *string { return &s }
	day := func(s string) *time.Time { d := date(s); return &d }
	version := 1
	for _, c := range []struct {
		name          string
		number        *string
		decided       *time.Time
		field, vi, en string
	}{
		{"a number taken that year", strp("7/QĐ-XPHC"), nil, "input.decisionNumber",
			"cơ quan này đã ghi nhận quyết định 7/QĐ-XPHC trong năm 2025 (số quyết định bắt đầu lại mỗi năm dương lịch)",
			"this agency already recorded decision 7/QĐ-XPHC in 2025 (numbers restart each calendar year)"},
		{"a new number and date taken in the new year", strp("9/QĐ-XPHC"), day("2024-12-31"), "input.decisionNumber",
			"đã ghi nhận quyết định 9/QĐ-XPHC trong năm 2024", "this agency already recorded decision 9/QĐ-XPHC in 2024"},
	} {
		before := counts(t, store, w.national.ID)
		_, err := store.AmendSanction(ctx, w.national, nil, db.SanctionAmendment{SanctionID: target, ExpectedVersion: version,
			Reason: "sửa số quyết định", DecisionNumber: c.number, DecidedOn: c.decided})
		u := userErr(t, err)
		if got := strings.Join(u.Field, "."); got != c.field || u.Code != db.Duplicate ||
			!strings.Contains(u.Message.In(registry.VI), c.vi) || !strings.Contains(u.Message.In(registry.EN), c.en) {
			t.Errorf("%s: %s %s %q / %q; want %s DUPLICATE %q / %q", c.name, got, u.Code, u.Message.In(registry.VI), u.Message.In(registry.EN), c.field, c.vi, c.en)
		}
		if after := counts(t, store, w.national.ID); after != before {
			t.Errorf("%s: rows changed from %s to %s", c.name, before, after)
		}
	}
	// The date alone moves 8/QĐ-XPHC of 2025 into 2024, where another 8/QĐ-XPHC exists.
	record("8/QĐ-XPHC", "2024-06-01")
	_, err := store.AmendSanction(ctx, w.national, nil, db.SanctionAmendment{SanctionID: target, ExpectedVersion: version,
		Reason: "sửa ngày", DecidedOn: day("2024-07-01")})
	if u := userErr(t, err); strings.Join(u.Field, ".") != "input.decidedOn" || u.Code != db.Duplicate ||
		!strings.Contains(u.Message.String(), "already recorded decision 8/QĐ-XPHC in 2024") {
		t.Errorf("date into a taken year: %s %s %q", strings.Join(u.Field, "."), u.Code, u.Message.String())
	}

	// Accepted: 9/QĐ-XPHC is taken in 2024, free in 2025; the same number in another year.
	for _, c := range []struct {
		name    string
		number  *string
		decided *time.Time
	}{
		{"a number taken only in another year", strp("9/QĐ-XPHC"), nil},
		{"its own number, another day of the year", nil, day("2025-04-02")},
		{"a new number with a date in a year where the old one is free", strp("7/QĐ-XPHC"), day("2024-08-01")},
	} {
		res, err := store.AmendSanction(ctx, w.national, nil, db.SanctionAmendment{SanctionID: target, ExpectedVersion: version,
			Reason: "sửa", DecisionNumber: c.number, DecidedOn: c.decided})
		if err != nil {
			t.Fatalf("%s refused: %v", c.name, err)
		}
		version++
		if c.number != nil {
			if got := amendDiff(t, store, res.Seq)["decisionNumber"]; got == nil {
				t.Errorf("%s: no decisionNumber in the diff", c.name)
			}
		}
	}
}

// amendSanction follows the update pattern of the other writes: a field given with its current
// value is not a change, an amendment changing nothing is refused (and bumps no version, writes
// no event), and the audit diff holds each changed field {from, to}.
func TestAmendSanction_DiffFromToAndNoOpRefused(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	res, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, "31/QĐ-XPHC"))
	if err != nil {
		t.Fatal(err)
	}
	same := validSanction(w.saigonKOL, "31/QĐ-XPHC")
	fine := func(n int64) *int64 { return &n }
	before := counts(t, store, w.national.ID)
	_, err = store.AmendSanction(ctx, w.national, nil, db.SanctionAmendment{SanctionID: res.SubjectID, ExpectedVersion: 1,
		Reason: "không đổi gì", FineVnd: fine(70_000_000), DecisionNumber: &same.DecisionNumber, DecidedOn: &same.DecidedOn,
		Violations: same.Violations, Remedies: []string{"REMOVE_CONTENT", "CORRECT_INFORMATION"}, RelatedDisclosureIDs: []int64{}})
	if u := userErr(t, err); u.Code != db.Invalid || strings.Join(u.Field, ".") != "input" ||
		u.Message.String() != "changes nothing: every field given equals the current value" {
		t.Errorf("no-op amendment: %s %s %q", strings.Join(u.Field, "."), u.Code, u.Message.String())
	}
	if after := counts(t, store, w.national.ID); after != before {
		t.Errorf("no-op amendment wrote rows: %s → %s", before, after)
	}
	var version int
	store.SQL().QueryRow(`SELECT version FROM sanction WHERE id = $1`, res.SubjectID).Scan(&version)
	if version != 1 {
		t.Errorf("no-op amendment bumped the version to %d", version)
	}

	out, err := store.AmendSanction(ctx, w.national, nil, db.SanctionAmendment{SanctionID: res.SubjectID, ExpectedVersion: 1,
		Reason: "sai số tiền", FineVnd: fine(75_000_000), DecidedOn: &same.DecidedOn, Remedies: []string{"REMOVE_CONTENT"}})
	if err != nil {
		t.Fatal(err)
	}
	diff := amendDiff(t, store, out.Seq)
	got, _ := json.Marshal(diff)
	want := `{"fineVnd":{"from":70000000,"to":75000000},"reason":"sai số tiền","remedies":{"from":["CORRECT_INFORMATION","REMOVE_CONTENT"],"to":["REMOVE_CONTENT"]}}`
	if string(got) != want {
		t.Errorf("diff = %s\nwant   %s", got, want)
	}
	store.SQL().QueryRow(`SELECT version FROM sanction WHERE id = $1`, res.SubjectID).Scan(&version)
	if version != 2 {
		t.Errorf("version = %d, want 2", version)
	}
}

// What a decision says beside its fine can be corrected too, under the same rules as when it is
// recorded (field path and message of each refusal): the main penalty (a warning has no fine
// and needs provisions that allow it; a change to a warning clears the payment deadline), the
// additional penalties, the payment deadline, the signatory's title and the violation record
// (an empty string clears them).
func TestAmendSanction_PenaltyDeadlineSignatoryAndRecord(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	strp := func(s string) *string { return &s }
	intp := func(n int) *int { return &n }
	fine := func(n int64) *int64 { return &n }
	in := validSanction(w.saigonKOL, "41/QĐ-XPHC")
	in.PaymentDeadline, in.SignatoryTitle, in.ViolationRecordNumber = ptrDate("2025-05-30"), strp("Cục trưởng"), strp("15/BB-VPHC")
	res, err := store.RecordSanction(ctx, w.national, nil, in)
	if err != nil {
		t.Fatal(err)
	}
	tax := []db.NewViolation{{Category: "TAX_NON_COMPLIANCE", Instrument: "125/2020/NĐ-CP", Article: 13, Clause: intp(1)}}
	for _, c := range []struct {
		name  string
		in    db.SanctionAmendment
		field string
		want  string
	}{
		{"a warning keeping the fine", db.SanctionAmendment{Penalty: strp("WARNING")}, "input.fineVnd", "a warning has no fine; record 0"},
		{"a warning where the provision has none", db.SanctionAmendment{Penalty: strp("WARNING"), FineVnd: fine(0)}, "input.penalty",
			"the cited provisions do not provide for a warning"},
		{"a warning with a deadline", db.SanctionAmendment{Penalty: strp("WARNING"), FineVnd: fine(0), Violations: tax,
			PaymentDeadline: ptrDate("2025-06-01")}, "input.paymentDeadline", "a warning has nothing to pay"},
		{"an unknown penalty", db.SanctionAmendment{Penalty: strp("PRISON")}, "input.penalty", "must be FINE or WARNING"},
		{"a deadline years away", db.SanctionAmendment{PaymentDeadline: ptrDate("2027-05-21")}, "input.paymentDeadline",
			"is more than a year after the decision"},
		{"a date moving past the deadline", db.SanctionAmendment{DecidedOn: ptrDate("2025-06-02")}, "input.paymentDeadline",
			"is before the decision date"},
		{"an unknown additional penalty", db.SanctionAmendment{AdditionalPenalties: []string{"CONFISCATION", "PRISON"}},
			"input.additionalPenalties.1", "is not an additional penalty"},
		{"a date of effect years away", db.SanctionAmendment{EffectiveOn: ptrDate("2205-05-20")}, "input.effectiveOn",
			"is more than a year after the decision"},
		{"a decision date moved past its date of effect", db.SanctionAmendment{DecidedOn: ptrDate("2025-05-25"), EffectiveOn: ptrDate("2025-05-21")},
			"input.effectiveOn", "is before decidedOn"},
		{"a signatory title too long", db.SanctionAmendment{SignatoryTitle: strp(strings.Repeat("x", 201))}, "input.signatoryTitle",
			"is longer than 200 characters"},
		{"a record number too long", db.SanctionAmendment{ViolationRecordNumber: strp(strings.Repeat("9", 41))}, "input.violationRecordNumber",
			"is longer than 40 characters"},
	} {
		c.in.SanctionID, c.in.ExpectedVersion, c.in.Reason = res.SubjectID, 1, "sửa"
		before := counts(t, store, w.national.ID)
		_, err := store.AmendSanction(ctx, w.national, nil, c.in)
		all, ok := db.AsUserErrors(err)
		found := false
		for _, u := range all {
			found = found || strings.Join(u.Field, ".") == c.field && strings.Contains(u.Message.String(), c.want)
		}
		if !ok || !found {
			t.Errorf("%s: %v; want %s %q", c.name, err, c.field, c.want)
		}
		if after := counts(t, store, w.national.ID); after != before {
			t.Errorf("%s: rows changed from %s to %s", c.name, before, after)
		}
	}

	// Accepted: the signatory corrected, the record number cleared, a confiscation added.
	out, err := store.AmendSanction(ctx, w.national, nil, db.SanctionAmendment{SanctionID: res.SubjectID, ExpectedVersion: 1, Reason: "sửa",
		SignatoryTitle: strp(" Phó Cục trưởng "), ViolationRecordNumber: strp(""), AdditionalPenalties: []string{"CONFISCATION"},
		PaymentDeadline: ptrDate("2025-05-30")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(amendDiff(t, store, out.Seq))
	want := `{"additionalPenalties":{"from":[],"to":["CONFISCATION"]},"reason":"sửa","signatoryTitle":{"from":"Cục trưởng","to":"Phó Cục trưởng"},"violationRecordNumber":{"from":"15/BB-VPHC","to":null}}`
	if string(got) != want {
		t.Errorf("diff = %s\nwant   %s", got, want)
	}
	// Accepted: a warning for a late tax return (a provision that provides one): the deadline goes.
	out, err = store.AmendSanction(ctx, w.national, nil, db.SanctionAmendment{SanctionID: res.SubjectID, ExpectedVersion: 2, Reason: "cảnh cáo",
		Penalty: strp("WARNING"), FineVnd: fine(0), Violations: tax})
	if err != nil {
		t.Fatal(err)
	}
	diff := amendDiff(t, store, out.Seq)
	if pd, _ := json.Marshal(diff["paymentDeadline"]); string(pd) != `{"from":"2025-05-30","to":null}` {
		t.Errorf("paymentDeadline diff = %s", pd)
	}
	if p, _ := json.Marshal(diff["penalty"]); string(p) != `{"from":"FINE","to":"WARNING"}` {
		t.Errorf("penalty diff = %s", p)
	}
	rows, err := store.SanctionsByIDs(ctx, []int64{res.SubjectID})
	s := rows[res.SubjectID]
	if err != nil || s.Penalty != "WARNING" || s.FineVnd != 0 || s.PaymentDeadline != nil || s.ViolationRecordNumber != nil ||
		s.SignatoryTitle == nil || *s.SignatoryTitle != "Phó Cục trưởng" || strings.Join(s.AdditionalPenalties, ",") != "CONFISCATION" {
		t.Errorf("read back as %+v (%v)", s, err)
	}
}
