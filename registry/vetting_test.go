package registry

import (
	"slices"
	"strings"
	"testing"
)

func codesOf(fs []Factor) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func factor(fs []Factor, code string) *Factor {
	for i := range fs {
		if fs[i].Code == code {
			return &fs[i]
		}
	}
	return nil
}

func evidenceIDs(f *Factor) []int64 {
	var out []int64
	for _, e := range f.Evidence {
		out = append(out, e.ID)
	}
	return out
}

// Each vetting factor of the law, raised and not raised, with its evidence, legal basis and
// both texts.
func TestAssess_FactorsOfTheLaw(t *testing.T) {
	asOf := day("2026-06-01")
	food := VetDisclosure{ID: 11, Category: ProductFoodSupplement, Label: LabelQuangCao, Timing: TimingBeforeAndDuring, PublishedAt: day("2026-03-01")}
	cases := []struct {
		name     string
		facts    VetFacts
		code     string
		raised   bool
		level    RiskLevel
		basis    string
		evidence []int64
	}{
		{"health professional in a food-supplement ad", VetFacts{AsOf: asOf, Promoted: []ProductCategory{ProductFoodSupplement},
			Disclosures: []VetDisclosure{food}, CredentialFields: []string{"HEALTH"}, DisclosureCount: 1},
			"HEALTH_PROFESSIONAL_FOOD_AD", true, RiskHigh, "15/2018/NĐ-CP Art. 27(2)", []int64{11}},
		{"no health credential: no such factor", VetFacts{AsOf: asOf, Promoted: []ProductCategory{ProductFoodSupplement},
			Disclosures: []VetDisclosure{food}, DisclosureCount: 1}, "HEALTH_PROFESSIONAL_FOOD_AD", false, "", "", nil},
		{"health professional promoting cosmetics", VetFacts{AsOf: asOf, Promoted: []ProductCategory{"COSMETICS"},
			CredentialFields: []string{"HEALTH"}}, "HEALTH_PROFESSIONAL_FOOD_AD", false, "", "", nil},

		{"contested decision stays enforceable", VetFacts{AsOf: asOf, Sanctions: []VetSanction{{ID: 5, Standing: StandingUnderComplaint, Execution: ExecutionDue, DecidedOn: day("2026-01-10")}}},
			"SANCTION_IN_FORCE", true, RiskHigh, "15/2012/QH13 (as amended by 67/2020/QH14) Art. 73(1)", []int64{5}},
		{"paid, then contested: not in force", VetFacts{AsOf: asOf, Sanctions: []VetSanction{{ID: 6, Standing: StandingUnderComplaint, Execution: ExecutionComplied, DecidedOn: day("2026-01-10"),
			ExecutedOn: dayPtr("2026-01-20")}}}, "SANCTION_IN_FORCE", false, "", "", nil},
		{"paid, then contested: an open appeal", VetFacts{AsOf: asOf, Sanctions: []VetSanction{{ID: 6, Standing: StandingUnderComplaint, Execution: ExecutionComplied, DecidedOn: day("2026-01-10"),
			ExecutedOn: dayPtr("2026-01-20")}}}, "OPEN_APPEAL", true, RiskMedium, "15/2012/QH13 (as amended by 67/2020/QH14) Art. 73(1)", []int64{6}},
		{"paid, then contested: within the Art. 7 year", VetFacts{AsOf: asOf, Sanctions: []VetSanction{{ID: 6, Standing: StandingUnderComplaint, Execution: ExecutionComplied, DecidedOn: day("2026-01-10"),
			ExecutedOn: dayPtr("2026-01-20")}}}, "RECENT_PAST_SANCTION", true, RiskMedium, "15/2012/QH13 Art. 7", []int64{6}},

		{"fine executed 364 days ago", VetFacts{AsOf: asOf, Sanctions: []VetSanction{{ID: 7, Standing: StandingInForce, Execution: ExecutionComplied, DecidedOn: day("2025-05-01"),
			Since: dayPtr("2025-06-02")}}}, "RECENT_PAST_SANCTION", true, RiskMedium, "15/2012/QH13 Art. 7", []int64{7}},
		{"fine executed a year ago: deemed never sanctioned", VetFacts{AsOf: asOf, Sanctions: []VetSanction{{ID: 7, Standing: StandingInForce, Execution: ExecutionComplied, DecidedOn: day("2025-05-01"),
			Since: dayPtr("2025-06-01")}}}, "OLD_PAST_SANCTION", true, RiskLow, "15/2012/QH13 Art. 7", []int64{7}},
		{"warning executed 6 months ago: deemed never sanctioned", VetFacts{AsOf: asOf, Sanctions: []VetSanction{{ID: 8, Standing: StandingInForce, Execution: ExecutionComplied, DecidedOn: day("2025-11-20"),
			ExecutedOn: dayPtr("2025-12-01"), Penalty: PenaltyWarning}}}, "OLD_PAST_SANCTION", true, RiskLow, "15/2012/QH13 Art. 7", []int64{8}},
		{"warning executed 6 months less a day ago", VetFacts{AsOf: asOf, Sanctions: []VetSanction{{ID: 8, Standing: StandingInForce, Execution: ExecutionComplied, DecidedOn: day("2025-11-20"),
			ExecutedOn: dayPtr("2025-12-02"), Penalty: PenaltyWarning}}}, "RECENT_PAST_SANCTION", true, RiskMedium, "15/2012/QH13 Art. 7", []int64{8}},
		{"a repeat within the year keeps the earlier one counting", VetFacts{AsOf: asOf, Sanctions: []VetSanction{
			{ID: 9, Standing: StandingInForce, Execution: ExecutionComplied, DecidedOn: day("2024-01-01"), ExecutedOn: dayPtr("2024-02-01")},
			{ID: 10, Standing: StandingInForce, Execution: ExecutionComplied, DecidedOn: day("2024-12-01"), ExecutedOn: dayPtr("2024-12-15")}}},
			"RECENT_PAST_SANCTION", true, RiskMedium, "15/2012/QH13 Art. 7", []int64{9}},

		{"betting app", VetFacts{AsOf: asOf, Promoted: []ProductCategory{ProductGambling},
			Disclosures: []VetDisclosure{{ID: 21, Category: ProductGambling, Label: LabelQuangCao, Timing: TimingBeforeAndDuring, PublishedAt: day("2026-02-01")}}},
			"BANNED_CATEGORY", true, RiskHigh, "16/2012/QH13 Art. 7", []int64{21}},
		{"alcohol: banned only from 15°", VetFacts{AsOf: asOf, Promoted: []ProductCategory{ProductAlcohol}}, "BANNED_CATEGORY", true, RiskMedium, "16/2012/QH13 Art. 7", nil},
		{"cosmetics are not banned", VetFacts{AsOf: asOf, Promoted: []ProductCategory{"COSMETICS"}}, "BANNED_CATEGORY", false, "", "", nil},

		{"caption-only label in 2026", VetFacts{AsOf: asOf, Disclosures: []VetDisclosure{
			{ID: 31, Category: "COSMETICS", Label: LabelQuangCao, Timing: TimingCaptionOnly, PublishedAt: day("2026-01-01")},
			{ID: 32, Category: "COSMETICS", Label: LabelQuangCao, Timing: TimingDuringOnly, PublishedAt: day("2025-12-31")}}},
			"LABEL_TIMING", true, RiskMedium, "16/2012/QH13 as amended by 75/2025/QH15", []int64{31}},
		{"caption-only label in 2025", VetFacts{AsOf: asOf, Disclosures: []VetDisclosure{
			{ID: 32, Category: "COSMETICS", Label: LabelQuangCao, Timing: TimingCaptionOnly, PublishedAt: day("2025-12-31")}}},
			"LABEL_TIMING", false, "", "", nil},

		{"livestream on a phone-verified account", VetFacts{AsOf: asOf, Disclosures: []VetDisclosure{
			{ID: 41, Category: "COSMETICS", Label: LabelQuangCao, Timing: TimingBeforeAndDuring, PublishedAt: day("2026-02-01"), Account: VerifiedByPhone, Livestream: true}}},
			"UNVERIFIED_LIVESTREAM", true, RiskMedium, "147/2024/NĐ-CP", []int64{41}},
		{"livestream on a personal-ID account", VetFacts{AsOf: asOf, Disclosures: []VetDisclosure{
			{ID: 42, Category: "COSMETICS", Label: LabelQuangCao, Timing: TimingBeforeAndDuring, PublishedAt: day("2026-02-01"), Account: VerifiedByPersonalID, Livestream: true}}},
			"UNVERIFIED_LIVESTREAM", false, "", "", nil},
		{"a post, not a livestream", VetFacts{AsOf: asOf, Disclosures: []VetDisclosure{
			{ID: 43, Category: "COSMETICS", Label: LabelQuangCao, Timing: TimingBeforeAndDuring, PublishedAt: day("2026-02-01"), Account: Unverified}}},
			"UNVERIFIED_LIVESTREAM", false, "", "", nil},
		{"livestream before Decree 147", VetFacts{AsOf: asOf, Disclosures: []VetDisclosure{
			{ID: 44, Category: "COSMETICS", Label: LabelQuangCao, Timing: TimingBeforeAndDuring, PublishedAt: day("2024-12-24"), Account: Unverified, Livestream: true}}},
			"UNVERIFIED_LIVESTREAM", false, "", "", nil},
	}
	for _, c := range cases {
		fs := Assess(c.facts)
		f := factor(fs, c.code)
		if (f != nil) != c.raised {
			t.Errorf("%s: %s raised %v; factors %v", c.name, c.code, f != nil, codesOf(fs))
			continue
		}
		if f == nil {
			continue
		}
		if f.Level != c.level || f.LegalBasis != c.basis || !slices.Equal(evidenceIDs(f), c.evidence) || f.ReasonEn == "" || f.ReasonVi == "" {
			t.Errorf("%s: %+v; want level %s basis %q evidence %v and both texts", c.name, *f, c.level, c.basis, c.evidence)
		}
	}
}

func TestClearlyLabelled_BeforeAndDuringFrom2026(t *testing.T) {
	cases := []struct {
		l      DisclosureLabel
		timing LabelTiming
		on     string
		want   bool
	}{
		{LabelQuangCao, TimingCaptionOnly, "2025-12-31", true},
		{LabelQuangCao, TimingCaptionOnly, "2026-01-01", false},
		{LabelQuangCao, TimingDuringOnly, "2026-01-01", false},
		{LabelQuangCao, TimingBeforeAndDuring, "2026-01-01", true},
		{LabelAmbiguous, TimingBeforeAndDuring, "2025-01-01", false},
	}
	for _, c := range cases {
		if got := ClearlyLabelled(c.l, c.timing, day(c.on)); got != c.want {
			t.Errorf("%s %s on %s: %v", c.l, c.timing, c.on, got)
		}
	}
}

func TestIsLivestreamURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://www.tiktok.com/@bepnhaminh/live": true, "https://www.facebook.com/bepnhaminh/videos/123": false,
		"https://www.youtube.com/live/abc": true, "https://www.tiktok.com/@bepnhaminh/video/1": false,
	} {
		if IsLivestreamURL(u) != want {
			t.Errorf("%s: %v", u, !want)
		}
	}
}

// Vietnamese reasons name product categories and credential fields by their labels, never by
// the API's enum values.
func TestAssess_VietnameseReasonsUseLabels(t *testing.T) {
	var all []ProductCategory
	for v := range Values("ProductCategory") {
		all = append(all, ProductCategory(v))
	}
	for _, held := range [][]string{nil, {"HEALTH"}} {
		for _, f := range Assess(VetFacts{AsOf: day("2026-03-01"), Promoted: all, CredentialFields: held}) {
			for v := range Values("ProductCategory") {
				if strings.Contains(f.ReasonVi, v) {
					t.Errorf("%s: %q names %s", f.Code, f.ReasonVi, v)
				}
			}
			if strings.Contains(f.ReasonVi, "finance") || strings.Contains(f.ReasonVi, "health") {
				t.Errorf("%s: %q names a credential field in English", f.Code, f.ReasonVi)
			}
		}
	}
}

// LHAV Art. 7: a person is deemed never sanctioned 6 months after executing a warning, 1 year
// after executing any other penalty.
func TestDeemedNeverSanctionedAfter_SixMonthsForAWarningAYearOtherwise(t *testing.T) {
	for _, c := range []struct {
		p             Penalty
		years, months int
	}{
		{PenaltyWarning, 0, 6},
		{PenaltyFine, 1, 0},
		{"", 1, 0}, // a row written before penalty kinds: a fine
	} {
		if y, m := DeemedNeverSanctionedAfter(c.p); y != c.years || m != c.months {
			t.Errorf("DeemedNeverSanctionedAfter(%q) = %d years %d months, want %d, %d", c.p, y, m, c.years, c.months)
		}
	}
}
