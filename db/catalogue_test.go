package db_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/registry"
)

// The legal catalogue's refusals, each with its field path and message, and the boundaries it
// accepts (registry.Catalogue.Check, migration 0030).
func TestRecordSanction_LegalCatalogue(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	intp := func(n int) *int { return &n }
	strp := func(s string) *string { return &s }
	n := 100
	next := func() string { n++; return strconv.Itoa(n) + "/QĐ-XPHC" }
	var brand int64
	if err := store.SQL().QueryRow(`INSERT INTO brand (name) VALUES ('Catalogue Brand') RETURNING id`).Scan(&brand); err != nil {
		t.Fatal(err)
	}
	refusals := []struct {
		name  string
		edit  func(*db.NewSanction)
		field string
		want  string
	}{
		{"individual fined above Art. 34(5)", func(s *db.NewSanction) { s.FineVnd = 5_000_000_000 },
			"input.fineVnd", "the cited provisions (38/2021/NĐ-CP Art. 34(5)) fine an individual VND 60,000,000 to 80,000,000; 5,000,000,000 is outside that range"},
		{"individual fined above the decree's cap (Art. 52, no range in the catalogue)", func(s *db.NewSanction) {
			s.Violations[0].Article, s.Violations[0].Clause, s.FineVnd = 52, nil, 100_000_001
		}, "input.fineVnd", "the cited provisions (38/2021/NĐ-CP Art. 52 (no range in the catalogue: the cap of Art. 5)) fine an individual VND 0 to 100,000,000; 100,000,001 is outside that range"},
		{"organisation fined above the decree's cap", func(s *db.NewSanction) {
			s.SubjectKind, s.SubjectID = "BRAND", brand
			s.Violations[0].Clause, s.FineVnd = nil, 200_000_001
		}, "input.fineVnd", "(38/2021/NĐ-CP Art. 34 (no range in the catalogue: the cap of Art. 5)) fine an organisation VND 0 to 200,000,000; 200,000,001"},
		{"decision before the framework law, citing an instrument outside the catalogue", func(s *db.NewSanction) {
			s.DecidedOn, s.Violations[0].Instrument = date("2013-06-30"), "99/2010/NĐ-CP"
		}, "input.decidedOn", "is before 15/2012/QH13 (the Law on Handling Administrative Violations) took effect on 2013-07-01"},
		{"decision in the future", func(s *db.NewSanction) { s.DecidedOn = time.Now().AddDate(0, 0, 2) }, "input.decidedOn", "is in the future"},
		{"individual fined below Art. 34(5)", func(s *db.NewSanction) { s.FineVnd = 59_999_999 },
			"input.fineVnd", "59,999,999 is outside"},
		{"organisation fined as an individual", func(s *db.NewSanction) {
			s.SubjectKind, s.SubjectID = "BRAND", brand
		}, "input.fineVnd", "fine an organisation VND 120,000,000 to 160,000,000"},
		{"decision before the decree took effect", func(s *db.NewSanction) { s.DecidedOn = date("1990-05-01") },
			"input.violations.0.legalBasis.instrument", "38/2021/NĐ-CP took effect on 2021-06-01; a decision of 1990-05-01 cannot rest on it"},
		{"amending decree alone", func(s *db.NewSanction) { s.Violations[0].Instrument = "129/2021/NĐ-CP" },
			"input.violations.0.legalBasis.instrument", "129/2021/NĐ-CP only amends 38/2021/NĐ-CP; cite the amended instrument"},
		{"amending law alone", func(s *db.NewSanction) { s.Violations[0].Instrument, s.Violations[0].Article = "75/2025/QH15", 1 },
			"input.violations.0.legalBasis.instrument", "75/2025/QH15 only amends 16/2012/QH13"},
		{"a rule but no penalty", func(s *db.NewSanction) { s.Violations[0].Instrument, s.Violations[0].Article = "15/2018/NĐ-CP", 27 },
			"input.violations", "no violation cites a sanctioning provision: 15/2018/NĐ-CP sets rules but no penalty"},
		{"amended by an instrument that does not amend it", func(s *db.NewSanction) { s.Violations[0].AmendedBy = strp("14/2022/NĐ-CP") },
			"input.violations.0.legalBasis.amendedBy", "14/2022/NĐ-CP does not amend 38/2021/NĐ-CP"},
		{"amended by before the amendment", func(s *db.NewSanction) {
			s.DecidedOn, s.Violations[0].AmendedBy = date("2021-07-01"), strp("129/2021/NĐ-CP")
		}, "input.violations.0.legalBasis.amendedBy", "129/2021/NĐ-CP took effect on 2021-12-30"},
		{"warning with a fine", func(s *db.NewSanction) { s.Penalty = strp("WARNING") }, "input.fineVnd", "a warning has no fine"},
		{"warning where the provision has none", func(s *db.NewSanction) { s.Penalty, s.FineVnd = strp("WARNING"), 0 },
			"input.penalty", "do not provide for a warning"},
		{"repeated violation", func(s *db.NewSanction) { s.Violations = append(s.Violations, s.Violations[0]) },
			"input.violations.1", "repeats violation 0"},
		{"too many violations", func(s *db.NewSanction) {
			for i := 0; i < 1000; i++ {
				s.Violations = append(s.Violations, s.Violations[0])
			}
		}, "input.violations", "at most 10 violations"},
		{"payment deadline before the decision", func(s *db.NewSanction) { s.PaymentDeadline = ptrDate("2025-05-19") },
			"input.paymentDeadline", "is before the decision date"},
		{"payment deadline years away", func(s *db.NewSanction) { s.PaymentDeadline = ptrDate("2027-05-20") },
			"input.paymentDeadline", "more than a year after the decision"},
		{"unknown additional penalty", func(s *db.NewSanction) { s.AdditionalPenalties = []string{"PRISON"} },
			"input.additionalPenalties.0", "is not an additional penalty"},
		{"date of effect before the decision", func(s *db.NewSanction) { s.EffectiveOn = ptrDate("2025-05-19") },
			"input.effectiveOn", "is before decidedOn"},
		{"date of effect years away", func(s *db.NewSanction) { s.EffectiveOn = ptrDate("2205-05-20") },
			"input.effectiveOn", "is more than a year after the decision; a decision takes effect when signed or on the day it states"},
		{"individual fined above Art. 34(2)", func(s *db.NewSanction) { s.Violations[0].Clause, s.FineVnd = intp(2), 20_000_001 },
			"input.fineVnd", "the cited provisions (38/2021/NĐ-CP Art. 34(2)) fine an individual VND 10,000,000 to 20,000,000; 20,000,001 is outside that range"},
		{"individual fined below Art. 34(2)", func(s *db.NewSanction) { s.Violations[0].Clause, s.FineVnd = intp(2), 9_999_999 },
			"input.fineVnd", "fine an individual VND 10,000,000 to 20,000,000; 9,999,999 is outside"},
		{"organisation fined above twice Art. 34(2)", func(s *db.NewSanction) {
			s.SubjectKind, s.SubjectID = "BRAND", brand
			s.Violations[0].Clause, s.FineVnd = intp(2), 40_000_001
		}, "input.fineVnd", "(38/2021/NĐ-CP Art. 34(2)) fine an organisation VND 20,000,000 to 40,000,000; 40,000,001 is outside"},
	}
	for _, c := range refusals {
		t.Run(c.name, func(t *testing.T) {
			in := validSanction(w.saigonKOL, next())
			c.edit(&in)
			before := counts(t, store, w.national.ID)
			_, err := store.RecordSanction(ctx, w.national, nil, in)
			u := userErr(t, err)
			if got := strings.Join(u.Field, "."); got != c.field || !strings.Contains(u.Message.String(), c.want) {
				t.Errorf("error %s %q; want %s %q", got, u.Message.String(), c.field, c.want)
			}
			if after := counts(t, store, w.national.ID); after != before {
				t.Errorf("rows changed from %s to %s", before, after)
			}
		})
	}
	accepted := []struct {
		name string
		edit func(*db.NewSanction)
	}{
		{"floor of Art. 34(5)", func(s *db.NewSanction) { s.FineVnd = 60_000_000 }},
		{"ceiling of Art. 34(5)", func(s *db.NewSanction) { s.FineVnd = 80_000_000 }},
		{"organisation at twice the ceiling", func(s *db.NewSanction) { s.SubjectKind, s.SubjectID, s.FineVnd = "BRAND", brand, 160_000_000 }},
		{"the day the decree took effect", func(s *db.NewSanction) { s.DecidedOn = date("2021-06-01") }},
		{"the day the framework law took effect", func(s *db.NewSanction) {
			s.DecidedOn, s.Violations[0].Instrument = date("2013-07-01"), "99/2010/NĐ-CP"
		}},
		{"today", func(s *db.NewSanction) {
			now := time.Now().In(db.VietnamTime)
			s.DecidedOn = time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		}},
		{"an individual at the decree's cap (Art. 52)", func(s *db.NewSanction) {
			s.Violations[0].Article, s.Violations[0].Clause, s.FineVnd = 52, nil, 100_000_000
		}},
		{"an organisation at the decree's cap", func(s *db.NewSanction) {
			s.SubjectKind, s.SubjectID = "BRAND", brand
			s.Violations[0].Clause, s.FineVnd = nil, 200_000_000
		}},
		{"as amended by 129/2021", func(s *db.NewSanction) { s.Violations[0].AmendedBy = strp("129/2021/NĐ-CP") }},
		{"two violations sum their ranges", func(s *db.NewSanction) {
			s.Violations = append(s.Violations, db.NewViolation{Category: "FALSE_INFORMATION", Instrument: "15/2020/NĐ-CP", Article: 101, Clause: intp(1),
				AmendedBy: strp("14/2022/NĐ-CP")})
			s.FineVnd = 90_000_000 // 60–80 m + 5–10 m for an individual
		}},
		{"the substantive rule beside the penalty", func(s *db.NewSanction) {
			s.Violations = append(s.Violations, db.NewViolation{Category: "HEALTH_PROFESSIONAL_IMAGE_MISUSE", Instrument: "15/2018/NĐ-CP", Article: 27, Clause: intp(2)})
		}},
		{"an instrument not in the catalogue", func(s *db.NewSanction) { s.Violations[0].Instrument, s.FineVnd = "999/2024/NĐ-CP", 1 }},
		{"date of effect a year after the decision", func(s *db.NewSanction) { s.EffectiveOn = ptrDate("2026-05-20") }},
		{"floor of Art. 34(2)", func(s *db.NewSanction) { s.Violations[0].Clause, s.FineVnd = intp(2), 10_000_000 }},
		{"organisation at twice the ceiling of Art. 34(2)", func(s *db.NewSanction) {
			s.SubjectKind, s.SubjectID = "BRAND", brand
			s.Violations[0].Clause, s.FineVnd = intp(2), 40_000_000
		}},
		{"a wrong tax return: 20 % of the tax, no fixed range (125/2020 Art. 16(1))", func(s *db.NewSanction) {
			s.Violations = []db.NewViolation{{Category: "TAX_NON_COMPLIANCE", Instrument: "125/2020/NĐ-CP", Article: 16, Clause: intp(1)}}
			s.FineVnd = 123_456_000
		}},
		{"payment deadline on the last day of a year", func(s *db.NewSanction) { s.PaymentDeadline = ptrDate("2026-05-20") }},
		{"everything a decision says", func(s *db.NewSanction) {
			s.AdditionalPenalties = []string{"CONFISCATION"}
			s.PaymentDeadline, s.SignatoryTitle, s.ViolationRecordNumber = ptrDate("2025-05-30"), strp("Cục trưởng"), strp("15/BB-VPHC")
		}},
	}
	for _, c := range accepted {
		t.Run(c.name, func(t *testing.T) {
			in := validSanction(w.saigonKOL, next())
			c.edit(&in)
			if _, err := store.RecordSanction(ctx, w.national, nil, in); err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
	// A warning where the provision provides one (Decree 125/2020 Art. 13(1)).
	warn := validSanction(w.saigonKOL, next())
	warn.Penalty, warn.FineVnd = strp("WARNING"), 0
	warn.Violations = []db.NewViolation{{Category: "TAX_NON_COMPLIANCE", Instrument: "125/2020/NĐ-CP", Article: 13, Clause: intp(1)}}
	res, err := store.RecordSanction(ctx, w.national, nil, warn)
	if err != nil {
		t.Fatalf("warning refused: %v", err)
	}
	got, err := store.SanctionsByIDs(ctx, []int64{res.SubjectID})
	if err != nil || got[res.SubjectID].Penalty != "WARNING" || got[res.SubjectID].FineVnd != 0 {
		t.Fatalf("warning read back as %+v (%v)", got[res.SubjectID], err)
	}
}

// Decision numbers restart each calendar year: the same number twice in one year is refused,
// in the next year accepted.
func TestRecordSanction_DecisionNumberUniquePerIssuerAndYear(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	first := validSanction(w.saigonKOL, "7/QĐ-XPHC")
	first.DecidedOn = date("2025-01-02")
	if _, err := store.RecordSanction(ctx, w.national, nil, first); err != nil {
		t.Fatal(err)
	}
	again := validSanction(w.saigonKOL, "7/QĐ-XPHC")
	again.DecidedOn = date("2025-12-31")
	u := userErr(t, func() error { _, err := store.RecordSanction(ctx, w.national, nil, again); return err }())
	if strings.Join(u.Field, ".") != "input.decisionNumber" || u.Code != db.Duplicate || !strings.Contains(u.Message.String(), "already recorded decision 7/QĐ-XPHC in 2025") {
		t.Errorf("same number, same year: %+v", u)
	}
	nextYear := validSanction(w.saigonKOL, "7/QĐ-XPHC")
	nextYear.DecidedOn = date("2026-01-01")
	if nextYear.DecidedOn.After(time.Now()) {
		nextYear.DecidedOn = date("2024-12-31")
	}
	if _, err := store.RecordSanction(ctx, w.national, nil, nextYear); err != nil {
		t.Errorf("same number, another year: %v", err)
	}
	if _, err := store.RecordSanction(ctx, w.other, nil, func() db.NewSanction {
		s := validSanction(w.saigonKOL, "7/QĐ-XPHC")
		s.DecidedOn = date("2025-03-03")
		return s
	}()); err != nil {
		t.Errorf("same number, same year, another issuer: %v", err)
	}
}

func ptrDate(s string) *time.Time { d := date(s); return &d }

// Provinces of influencers and MCNs are today's: one of the 34; a code merged on 1 July 2025 is
// refused with its successor, a name with its code.
func TestRegister_ProvinceFromTheOfficialList(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	strp := func(s string) *string { return &s }
	for _, c := range []struct{ province, want string }{
		{"VN-57", "VN-57 (Bình Dương) was merged into VN-SG (Hồ Chí Minh) on 1 July 2025; use VN-SG"},
		{"Hà Nội", "must be a province code, not a name: Hà Nội is VN-HN"},
		{"VN-XX", "must be an ISO 3166-2:VN province code"},
	} {
		_, err := store.RegisterInfluencer(ctx, w.national, nil, db.NewInfluencer{DisplayName: "Tỉnh Test", Province: strp(c.province)})
		u := userErr(t, err)
		if strings.Join(u.Field, ".") != "input.province" || u.Message.String() != c.want && !strings.HasPrefix(u.Message.String(), c.want) {
			t.Errorf("%s: %s %q; want input.province %q", c.province, strings.Join(u.Field, "."), u.Message.String(), c.want)
		}
		_, err = store.RegisterMcn(ctx, w.national, nil, db.NewMcn{Name: "Tỉnh Test MCN " + c.province, Province: strp(c.province)})
		if u := userErr(t, err); strings.Join(u.Field, ".") != "input.province" {
			t.Errorf("MCN in %s: %+v", c.province, u)
		}
	}
	for _, p := range []string{"VN-SG", "VN-26", "VN-HN", "VN-44"} {
		if _, err := store.RegisterInfluencer(ctx, w.national, nil, db.NewInfluencer{DisplayName: "Tỉnh " + p, Province: strp(p)}); err != nil {
			t.Errorf("%s refused: %v", p, err)
		}
	}
}

// An amendment of the date, the fine or the violations is checked against the catalogue as the
// decision it leaves: the same refusals, field paths and messages as recordSanction.
func TestAmendSanction_LegalCatalogue(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	w := newWorld(t, store)
	ctx := context.Background()
	res, err := store.RecordSanction(ctx, w.national, nil, validSanction(w.saigonKOL, "61/QĐ-XPHC"))
	if err != nil {
		t.Fatal(err)
	}
	fine := func(n int64) *int64 { return &n }
	day := func(s string) *time.Time { d := date(s); return &d }
	for _, c := range []struct {
		name  string
		in    db.SanctionAmendment
		field string
		want  string
	}{
		{"fine above the range", db.SanctionAmendment{FineVnd: fine(5_000_000_000)}, "input.fineVnd",
			"the cited provisions (38/2021/NĐ-CP Art. 34(5)) fine an individual VND 60,000,000 to 80,000,000; 5,000,000,000 is outside that range"},
		{"date before the decree", db.SanctionAmendment{DecidedOn: day("2020-05-01")}, "input.violations.0.legalBasis.instrument",
			"38/2021/NĐ-CP took effect on 2021-06-01; a decision of 2020-05-01 cannot rest on it"},
		{"date before the framework law", db.SanctionAmendment{DecidedOn: day("1990-05-01")}, "input.decidedOn",
			"is before 15/2012/QH13 (the Law on Handling Administrative Violations) took effect on 2013-07-01"},
		{"violations whose bound the recorded fine exceeds", db.SanctionAmendment{Violations: []db.NewViolation{{Category: "MISLEADING_CLAIMS",
			Instrument: "15/2020/NĐ-CP", Article: 101, Clause: func() *int { n := 1; return &n }()}}}, "input.fineVnd",
			"(15/2020/NĐ-CP Art. 101(1)) fine an individual VND 5,000,000 to 10,000,000; 70,000,000 is outside that range"},
		{"an amending decree alone", db.SanctionAmendment{Violations: []db.NewViolation{{Category: "MISLEADING_CLAIMS",
			Instrument: "129/2021/NĐ-CP", Article: 1}}}, "input.violations.0.legalBasis.instrument", "129/2021/NĐ-CP only amends 38/2021/NĐ-CP"},
	} {
		in := c.in
		in.SanctionID, in.ExpectedVersion, in.Reason = res.SubjectID, 1, "correction"
		before := counts(t, store, w.national.ID)
		_, err := store.AmendSanction(ctx, w.national, nil, in)
		userErr(t, err)
		all, _ := db.AsUserErrors(err)
		found := false
		for _, u := range all {
			found = found || strings.Join(u.Field, ".") == c.field && strings.Contains(u.Message.String(), c.want)
		}
		if !found {
			t.Errorf("%s: %+v; want %s %q", c.name, all, c.field, c.want)
		}
		if after := counts(t, store, w.national.ID); after != before {
			t.Errorf("%s: rows changed from %s to %s", c.name, before, after)
		}
	}
	// The boundary: the ceiling of the range, on the day the decree took effect.
	if _, err := store.AmendSanction(ctx, w.national, nil, db.SanctionAmendment{SanctionID: res.SubjectID, ExpectedVersion: 1,
		Reason: "correction", FineVnd: fine(80_000_000), DecidedOn: day("2021-06-01")}); err != nil {
		t.Errorf("amendment to the boundary refused: %v", err)
	}
}

// Migration 0340: Decree 125/2020/NĐ-CP Art. 16(1) is the wrong return fined 20 % of the tax
// understated, Art. 17 tax evasion (0030 had the 20 % under Art. 17); Decree 38/2021/NĐ-CP
// Art. 34(2) fines an individual VND 10–20 m, an organisation twice that.
func TestCatalogue_TaxArticlesAndArt34Clause2(t *testing.T) {
	t.Parallel()
	store := openStore(t)
	cat, err := store.Catalogue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	find := func(instrument string, article int, clause int) (summary string, ind, org string) {
		for _, p := range cat.Provisions {
			if p.Instrument == instrument && p.Article == article && (clause == 0 && p.Clause == nil || p.Clause != nil && *p.Clause == clause) {
				r := func(f *registry.FineRange) string {
					if f == nil {
						return "none"
					}
					return strconv.FormatInt(f.Min, 10) + "-" + strconv.FormatInt(f.Max, 10)
				}
				return p.SummaryEn, r(p.Individual), r(p.Organisation)
			}
		}
		return "missing", "", ""
	}
	for _, c := range []struct {
		instrument       string
		article, clause  int
		summary          string
		individual, orgn string
	}{
		{"125/2020/NĐ-CP", 16, 1, "a fine of 20% of the tax understated", "none", "none"},
		{"125/2020/NĐ-CP", 17, 0, "Tax evasion: a fine of a multiple of the tax evaded", "none", "none"},
		{"38/2021/NĐ-CP", 34, 2, "Art. 34(2)", "10000000-20000000", "20000000-40000000"},
		{"38/2021/NĐ-CP", 34, 5, "misleads", "60000000-80000000", "120000000-160000000"},
	} {
		summary, ind, org := find(c.instrument, c.article, c.clause)
		if !strings.Contains(summary, c.summary) || ind != c.individual || org != c.orgn {
			t.Errorf("%s Art. %d(%d): %q %s %s; want %q %s %s", c.instrument, c.article, c.clause, summary, ind, org, c.summary, c.individual, c.orgn)
		}
	}
	if summary, _, _ := find("125/2020/NĐ-CP", 17, 0); strings.Contains(summary, "20%") {
		t.Errorf("Art. 17 still says 20%%: %q", summary)
	}
}
