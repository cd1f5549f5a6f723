package registry

import (
	"strings"
	"testing"
)

func testCatalogue() Catalogue {
	five, one := 5, 1
	return Catalogue{
		Instruments: map[string]Instrument{
			"15/2012/QH13": {Number: "15/2012/QH13", Kind: Law, InForceFrom: day("2013-07-01")},
			"38/2021/NĐ-CP": {Number: "38/2021/NĐ-CP", Kind: Decree, InForceFrom: day("2021-06-01"), Sanctioning: true,
				Cap: &FineCap{Individual: 100e6, Organisation: 200e6, Article: 5}},
			"129/2021/NĐ-CP": {Number: "129/2021/NĐ-CP", Kind: Decree, InForceFrom: day("2021-12-30"), Amends: []string{"38/2021/NĐ-CP"}, AmendingOnly: true},
			"15/2018/NĐ-CP":  {Number: "15/2018/NĐ-CP", Kind: Decree, InForceFrom: day("2018-02-02")},
			"125/2020/NĐ-CP": {Number: "125/2020/NĐ-CP", Kind: Decree, InForceFrom: day("2020-12-05"), Sanctioning: true},
			"old/2000/NĐ-CP": {Number: "old/2000/NĐ-CP", Kind: Decree, InForceFrom: day("2000-01-01"), InForceTo: dayPtr("2015-01-01"), Sanctioning: true},
		},
		Provisions: []Provision{
			{Instrument: "38/2021/NĐ-CP", Article: 34, Clause: &five, Individual: &FineRange{60e6, 80e6}, Organisation: &FineRange{120e6, 160e6}},
			{Instrument: "38/2021/NĐ-CP", Article: 52},
			{Instrument: "125/2020/NĐ-CP", Article: 13, Clause: &one, Individual: &FineRange{0, 0}, Organisation: &FineRange{0, 0}, WarningAllowed: true},
		},
	}
}

func TestCatalogueCheck(t *testing.T) {
	five, one, two := 5, 1, 2
	s := func(v string) *string { return &v }
	art345 := Citation{Instrument: "38/2021/NĐ-CP", Article: 34, Clause: &five}
	cases := []struct {
		name  string
		d     Decision
		field string // "" = accepted
		want  string
	}{
		{"inside the individual range", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 70e6, []Citation{art345}}, "", ""},
		{"floor", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 60e6, []Citation{art345}}, "", ""},
		{"below the floor", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 37_500_000, []Citation{art345}},
			"fineVnd", "an individual VND 60,000,000 to 80,000,000; 37,500,000 is outside"},
		{"organisation pays twice", Decision{SubjectMcn, day("2025-01-01"), PenaltyFine, 70e6, []Citation{art345}},
			"fineVnd", "an organisation VND 120,000,000 to 160,000,000"},
		{"two violations sum", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 150e6, []Citation{art345, art345}}, "", ""},
		{"article without a range: any fine up to the cap", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 1, []Citation{{Instrument: "38/2021/NĐ-CP", Article: 52, Clause: &two}}}, "", ""},
		{"before the decree", Decision{SubjectInfluencer, day("2021-05-31"), PenaltyFine, 70e6, []Citation{art345}},
			"violations.0.legalBasis.instrument", "took effect on 2021-06-01"},
		{"after the decree ceased", Decision{SubjectInfluencer, day("2015-01-01"), PenaltyFine, 1, []Citation{{Instrument: "old/2000/NĐ-CP", Article: 1}}},
			"violations.0.legalBasis.instrument", "ceased to be in force on 2015-01-01"},
		{"amending decree alone", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 70e6, []Citation{{Instrument: "129/2021/NĐ-CP", Article: 1}}},
			"violations.0.legalBasis.instrument", "only amends 38/2021/NĐ-CP"},
		{"as amended by", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 70e6, []Citation{{Instrument: "38/2021/NĐ-CP", Article: 34, Clause: &five, AmendedBy: s("129/2021/NĐ-CP")}}}, "", ""},
		{"amended by before it took effect", Decision{SubjectInfluencer, day("2021-12-29"), PenaltyFine, 70e6, []Citation{{Instrument: "38/2021/NĐ-CP", Article: 34, Clause: &five, AmendedBy: s("129/2021/NĐ-CP")}}},
			"violations.0.legalBasis.amendedBy", "took effect on 2021-12-30"},
		{"amended by something unknown", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 70e6, []Citation{{Instrument: "38/2021/NĐ-CP", Article: 34, Clause: &five, AmendedBy: s("1/2099/NĐ-CP")}}},
			"violations.0.legalBasis.amendedBy", "not in the legal catalogue"},
		{"only a non-sanctioning rule", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 70e6, []Citation{{Instrument: "15/2018/NĐ-CP", Article: 27}}},
			"violations", "no violation cites a sanctioning provision"},
		{"unknown instrument accepted", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyFine, 5, []Citation{{Instrument: "9/2024/NĐ-CP", Article: 3}}}, "", ""},
		{"warning allowed", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyWarning, 0, []Citation{{Instrument: "125/2020/NĐ-CP", Article: 13, Clause: &one}}}, "", ""},
		{"warning not allowed", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyWarning, 0, []Citation{art345}}, "penalty", "do not provide for a warning"},
		{"warning with a fine", Decision{SubjectInfluencer, day("2025-01-01"), PenaltyWarning, 1, []Citation{{Instrument: "125/2020/NĐ-CP", Article: 13, Clause: &one}}}, "fineVnd", "a warning has no fine"},
	}
	cat := testCatalogue()
	for _, c := range cases {
		ps := cat.Check(c.d)
		if c.field == "" {
			if len(ps) != 0 {
				t.Errorf("%s: refused %+v", c.name, ps)
			}
			continue
		}
		if len(ps) == 0 || strings.Join(ps[0].Field, ".") != c.field || !strings.Contains(ps[0].Message.String(), c.want) {
			t.Errorf("%s: %+v; want %s %q", c.name, ps, c.field, c.want)
		}
	}
}

func TestPaymentDeadlineProblem(t *testing.T) {
	for _, c := range []struct{ decided, deadline, want string }{
		{"2025-05-20", "2025-05-20", ""}, {"2025-05-20", "2026-05-20", ""},
		{"2025-05-20", "2025-05-19", "before the decision"}, {"2025-05-20", "2026-05-21", "more than a year"},
	} {
		got := PaymentDeadlineProblem(day(c.decided), day(c.deadline)).String()
		if (c.want == "") != (got == "") || !strings.Contains(got, c.want) {
			t.Errorf("%s → %s: %q; want %q", c.decided, c.deadline, got, c.want)
		}
	}
}

func TestViolationKey_SameBasisSameKey(t *testing.T) {
	five, six := 5, 6
	a := ViolationKey("MISLEADING_CLAIMS", "38/2021/NĐ-CP", 34, &five, nil)
	if a != ViolationKey("MISLEADING_CLAIMS", "38/2021/NĐ-CP", 34, &five, nil) || a == ViolationKey("MISLEADING_CLAIMS", "38/2021/NĐ-CP", 34, &six, nil) ||
		a == ViolationKey("FALSE_INFORMATION", "38/2021/NĐ-CP", 34, &five, nil) {
		t.Fatal("violation keys do not tell violations apart")
	}
}

// TestCatalogueCheck_FineBounds: a fine lies within the sum of its violations' bounds (a
// provision's range, else up to its instrument's cap), and the refusal names each bound's basis,
// in both languages.
func TestCatalogueCheck_FineBounds(t *testing.T) {
	five, two := 5, 2
	art345 := Citation{Instrument: "38/2021/NĐ-CP", Article: 34, Clause: &five}
	art522 := Citation{Instrument: "38/2021/NĐ-CP", Article: 52, Clause: &two}
	art34 := Citation{Instrument: "38/2021/NĐ-CP", Article: 34} // no clause: no range in the catalogue
	unknown := Citation{Instrument: "9/2024/NĐ-CP", Article: 3}
	cases := []struct {
		name    string
		subject SubjectKind
		fine    int64
		cites   []Citation
		wantEN  string // "" = accepted
		wantVI  string
	}{
		{"individual at the cap", SubjectInfluencer, 100e6, []Citation{art522}, "", ""},
		{"individual above the cap", SubjectInfluencer, 100e6 + 1, []Citation{art522},
			"the cited provisions (38/2021/NĐ-CP Art. 52(2) (no range in the catalogue: the cap of Art. 5)) fine an individual VND 0 to 100,000,000; 100,000,001 is outside that range",
			"các quy định được dẫn chiếu (khoản 2 Điều 52 Nghị định 38/2021/NĐ-CP (danh mục chưa có khung phạt: mức tối đa theo Điều 5)) phạt cá nhân từ 0 đến 100,000,000 đồng"},
		{"organisation at its cap", SubjectBrand, 200e6, []Citation{art34}, "", ""},
		{"organisation above its cap", SubjectMcn, 200e6 + 1, []Citation{art34}, "fine an organisation VND 0 to 200,000,000", "phạt tổ chức từ 0 đến 200,000,000"},
		{"5 billion on an individual under Art. 34(5)", SubjectInfluencer, 5e9, []Citation{art345},
			"the cited provisions (38/2021/NĐ-CP Art. 34(5)) fine an individual VND 60,000,000 to 80,000,000; 5,000,000,000 is outside that range",
			"các quy định được dẫn chiếu (khoản 5 Điều 34 Nghị định 38/2021/NĐ-CP) phạt cá nhân từ 60,000,000 đến 80,000,000 đồng; 5,000,000,000 nằm ngoài khung đó"},
		{"a range and a cap add up", SubjectInfluencer, 180e6, []Citation{art345, art522}, "", ""},
		{"a range and a cap: above the sum", SubjectInfluencer, 180e6 + 1, []Citation{art345, art522},
			"(38/2021/NĐ-CP Art. 34(5); 38/2021/NĐ-CP Art. 52(2) (no range in the catalogue: the cap of Art. 5)) fine an individual VND 60,000,000 to 180,000,000", ""},
		{"a range and a cap: below the floor", SubjectInfluencer, 59e6, []Citation{art345, art522}, "VND 60,000,000 to 180,000,000; 59,000,000", ""},
		{"an instrument outside the catalogue: no bound", SubjectInfluencer, 5e9, []Citation{art345, unknown}, "", ""},
	}
	cat := testCatalogue()
	for _, c := range cases {
		ps := cat.Check(Decision{Subject: c.subject, DecidedOn: day("2025-01-01"), Penalty: PenaltyFine, FineVnd: c.fine, Citations: c.cites})
		if c.wantEN == "" {
			if len(ps) != 0 {
				t.Errorf("%s: refused %+v", c.name, ps)
			}
			continue
		}
		if len(ps) != 1 || strings.Join(ps[0].Field, ".") != "fineVnd" || !strings.Contains(ps[0].Message.In(EN), c.wantEN) ||
			!strings.Contains(ps[0].Message.In(VI), c.wantVI) {
			t.Errorf("%s: %+v\n EN %s\n VI %s\nwant fineVnd %q / %q", c.name, ps, msgIn(ps, EN), msgIn(ps, VI), c.wantEN, c.wantVI)
		}
	}
}

// TestCatalogueCheck_NoDecisionBeforeTheFrameworkLaw: whatever it cites, a decision is not
// dated before LHAV took effect (1 July 2013); that day is accepted.
func TestCatalogueCheck_NoDecisionBeforeTheFrameworkLaw(t *testing.T) {
	cat := testCatalogue()
	unknown := []Citation{{Instrument: "9/2012/NĐ-CP", Article: 3}}
	ps := cat.Check(Decision{SubjectInfluencer, day("2013-06-30"), PenaltyFine, 1, unknown})
	want := "is before 15/2012/QH13 (the Law on Handling Administrative Violations) took effect on 2013-07-01"
	if len(ps) != 1 || strings.Join(ps[0].Field, ".") != "decidedOn" || !strings.Contains(ps[0].Message.In(EN), want) ||
		!strings.Contains(ps[0].Message.In(VI), "01/07/2013") {
		t.Errorf("2013-06-30: %+v; want decidedOn %q", ps, want)
	}
	if ps := cat.Check(Decision{SubjectInfluencer, day("2013-07-01"), PenaltyFine, 1, unknown}); len(ps) != 0 {
		t.Errorf("2013-07-01 refused: %+v", ps)
	}
}

func msgIn(ps []Problem, lang Lang) string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Message.In(lang))
	}
	return strings.Join(out, " | ")
}
