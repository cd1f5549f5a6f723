package registry

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The vetting rules: what a brand's due diligence on an influencer finds in the registry's
// records on a date, each finding with its level, its legal basis, the records that raised it
// and its text in Vietnamese and English. docs/vetting.md is their specification.

// VetSanction is a sanction as it stood on the report's date: its standing and its execution
// then, two separate facts (a complaint does not suspend execution, LHAV Art. 73(1)).
type VetSanction struct {
	ID        int64
	Standing  Standing  // on the date
	Execution Execution // on the date
	DecidedOn time.Time
	// Since is when the latest of the facts took effect (nil: the decision had not taken
	// effect yet).
	Since *time.Time
	// ExecutedOn is when the decision was executed (complied with or enforced) on or before
	// the date, from its history; nil when it was not.
	ExecutedOn *time.Time
	Penalty    Penalty
}

// executed reports whether the sanction had been executed on the date, and when. An executed
// state without a dated entry counts from the date the facts took effect, or the decision.
func (s VetSanction) executed() (time.Time, bool) {
	switch {
	case s.ExecutedOn != nil:
		return *s.ExecutedOn, true
	case !s.Execution.Executed():
		return time.Time{}, false
	case s.Since != nil:
		return *s.Since, true
	}
	return s.DecidedOn, true
}

// VetDisclosure is a disclosure standing on the report's date.
type VetDisclosure struct {
	ID          int64
	Category    ProductCategory
	Label       DisclosureLabel
	Timing      LabelTiming
	PublishedAt time.Time
	// Account is the identity verification of the account it was published on ("" if none).
	Account    IdentityVerification
	Livestream bool
}

// VetFacts are the facts a vetting weighs. DisclosureCount, UnclearCount and Promoted are the
// aggregate figures; Disclosures, when given, are the records behind them (the evidence).
type VetFacts struct {
	AsOf             time.Time
	Sanctions        []VetSanction
	DisclosureCount  int
	UnclearCount     int
	Promoted         []ProductCategory
	Disclosures      []VetDisclosure
	CredentialFields []string // fields of the credentials valid on the date
	McnName          string
	// McnActiveCount is how many active sanctions the current MCN has; McnActiveSanctions their
	// IDs, when known (the evidence).
	McnActiveCount     int
	McnActiveSanctions []int64
}

// Evidence names a record that raised a factor.
type Evidence struct {
	Type string // Sanction, Disclosure
	ID   int64
}

// Factor is one finding of a vetting.
type Factor struct {
	Code       string
	Level      RiskLevel
	ReasonEn   string
	ReasonVi   string
	LegalBasis string
	Evidence   []Evidence
}

// The vetting rules' thresholds.
const (
	// UnclearLabelMedium and UnclearLabelHigh are shares of disclosures without a clear label.
	UnclearLabelMedium = 0.20
	UnclearLabelHigh   = 0.50
	// UnclearLabelHighMin is how many disclosures the HIGH share needs, so one post is no pattern.
	UnclearLabelHighMin = 4
)

// Dates the rules turn on.
var (
	// LabelBeforeAndDuringFrom: Law 75/2025/QH15 (in force 1 Jan 2026) requires an
	// influencer's ad to be marked before and during the promotion.
	LabelBeforeAndDuringFrom = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	// AccountIdentificationFrom: Decree 147/2024/NĐ-CP in force.
	AccountIdentificationFrom = time.Date(2024, 12, 25, 0, 0, 0, 0, time.UTC)
)

// DeemedNeverSanctionedAfter is the LHAV Art. 7 period: 6 months after executing a warning,
// 1 year after executing another penalty, without a repeat violation in that time.
func DeemedNeverSanctionedAfter(p Penalty) (years, months int) {
	if p == PenaltyWarning {
		return 0, 6
	}
	return 1, 0
}

// ClearlyLabelled reports whether a disclosure tells a viewer it is an ad: a clear label and,
// from 1 Jan 2026 (Law 75/2025/QH15), shown before and during the promotion.
func ClearlyLabelled(l DisclosureLabel, timing LabelTiming, published time.Time) bool {
	if !l.Clear() {
		return false
	}
	return published.Before(LabelBeforeAndDuringFrom) || timing == TimingBeforeAndDuring
}

// banned lists the product categories the Advertising Law forbids advertising (16/2012/QH13,
// Art. 7), with the level: HIGH where the category is banned as such, MEDIUM where only part of
// it is (alcohol of 15° and above, prescription medicine) and the registry cannot tell which.
var banned = []struct {
	category ProductCategory
	level    RiskLevel
	// when: "" for a category banned as such, else the part of it that is banned.
	whenEn, vi string
}{
	{ProductTobacco, RiskHigh, "", "thuốc lá bị cấm quảng cáo"},
	{ProductGambling, RiskHigh, "", "cờ bạc, cá cược thuộc ngành nghề cấm kinh doanh bị cấm quảng cáo"},
	{ProductAlcohol, RiskMedium, " if of 15° and above", "rượu có độ cồn từ 15 độ trở lên bị cấm quảng cáo"},
	{ProductMedicine, RiskMedium, " if prescription medicine", "thuốc kê đơn bị cấm quảng cáo"},
}

// credentialFor names the credential field a product category needs, where a false claim harms
// health or money.
var credentialFor = map[ProductCategory]string{
	ProductFoodSupplement: "HEALTH", ProductMedicine: "HEALTH", ProductMedicalDevice: "HEALTH",
	ProductFinancialService: "FINANCE", ProductCrypto: "FINANCE",
}

// foodCategories are the products Decree 15/2018/NĐ-CP Art. 27 governs the advertising of.
var foodCategories = []ProductCategory{"FOOD", ProductFoodSupplement}

// Assess applies the vetting rules, most serious first; CLEAN_RECORD when none applies.
func Assess(f VetFacts) []Factor {
	var out []Factor
	add := func(code string, level RiskLevel, basis, en, vi string, ev []Evidence) {
		out = append(out, Factor{Code: code, Level: level, ReasonEn: en, ReasonVi: vi, LegalBasis: basis, Evidence: ev})
	}
	asOf := dayOf(f.AsOf)

	// Sanctions: standing and execution.
	var enforceable, contested, appeals, recent, deemed, annulled []Evidence
	var complaints, lawsuits int
	for i, s := range f.Sanctions {
		ev := Evidence{"Sanction", s.ID}
		if !s.Standing.Stands() {
			annulled = append(annulled, ev)
			continue
		}
		if s.Standing.Contested() {
			appeals = append(appeals, ev)
			if s.Standing == StandingUnderComplaint {
				complaints++
			} else {
				lawsuits++
			}
		}
		executedOn, executed := s.executed()
		if !executed {
			// In force (as amended, or contested: neither suspends execution) and not executed.
			enforceable = append(enforceable, ev)
			if s.Standing.Contested() {
				contested = append(contested, ev)
			}
			continue
		}
		y, m := DeemedNeverSanctionedAfter(s.Penalty)
		until := dayOf(executedOn).AddDate(y, m, 0)
		repeated := false
		for j, o := range f.Sanctions {
			if j != i && o.Standing.Stands() && o.DecidedOn.After(executedOn) && !o.DecidedOn.After(until) {
				repeated = true
			}
		}
		if asOf.Before(until) || repeated {
			recent = append(recent, ev)
		} else {
			deemed = append(deemed, ev)
		}
	}
	if n := len(enforceable); n > 0 {
		en := plural(n, "sanction in force", "sanctions in force")
		vi := fmt.Sprintf("%d quyết định xử phạt đang có hiệu lực thi hành", n)
		if c := len(contested); c > 0 {
			en += fmt.Sprintf(" (%d contested: a complaint or lawsuit does not suspend execution)", c)
			vi += fmt.Sprintf(" (%d đang bị khiếu nại, khởi kiện: không làm đình chỉ việc thi hành)", c)
		}
		add("SANCTION_IN_FORCE", RiskHigh, "15/2012/QH13 (as amended by 67/2020/QH14) Art. 73(1)", en, vi, enforceable)
	}
	if len(appeals) > 0 {
		var en, vi []string
		if complaints > 0 {
			en = append(en, plural(complaints, "complaint", "complaints")+" open")
			vi = append(vi, fmt.Sprintf("%d khiếu nại đang giải quyết", complaints))
		}
		if lawsuits > 0 {
			en = append(en, plural(lawsuits, "lawsuit", "lawsuits")+" pending")
			vi = append(vi, fmt.Sprintf("%d vụ kiện đang giải quyết", lawsuits))
		}
		add("OPEN_APPEAL", RiskMedium, "15/2012/QH13 (as amended by 67/2020/QH14) Art. 73(1)",
			strings.Join(en, " and "), strings.Join(vi, " và "), appeals)
	}

	// Disclosures.
	for _, b := range banned {
		if !slices.Contains(f.Promoted, b.category) {
			continue
		}
		add("BANNED_CATEGORY", b.level, "16/2012/QH13 Art. 7",
			fmt.Sprintf("promotes %s, which may not be advertised%s", b.category, b.whenEn),
			fmt.Sprintf("quảng cáo %s (%s)", strings.ToLower(Text("ProductCategory", string(b.category), VI)), b.vi), disclosuresOf(f.Disclosures, func(d VetDisclosure) bool { return d.Category == b.category }))
	}
	held := map[string]bool{}
	for _, c := range f.CredentialFields {
		held[c] = true
	}
	if held["HEALTH"] {
		for _, c := range foodCategories {
			if slices.Contains(f.Promoted, c) {
				add("HEALTH_PROFESSIONAL_FOOD_AD", RiskHigh, "15/2018/NĐ-CP Art. 27(2)",
					fmt.Sprintf("a health professional promotes %s: food ads may not use the name or image of doctors, pharmacists or medical staff", c),
					fmt.Sprintf("người có chứng chỉ y tế quảng cáo %s: quảng cáo thực phẩm không được sử dụng tên, hình ảnh của bác sĩ, dược sĩ, nhân viên y tế", strings.ToLower(Text("ProductCategory", string(c), VI))),
					disclosuresOf(f.Disclosures, func(d VetDisclosure) bool { return d.Category == c }))
			}
		}
	}
	if f.DisclosureCount > 0 && f.UnclearCount > 0 {
		share := float64(f.UnclearCount) / float64(f.DisclosureCount)
		var level RiskLevel
		switch {
		case share >= UnclearLabelHigh && f.DisclosureCount >= UnclearLabelHighMin:
			level = RiskHigh
		case share >= UnclearLabelMedium:
			level = RiskMedium
		}
		if level != "" {
			pct := int(share*100 + 0.5)
			add("UNCLEAR_LABELS", level, "16/2012/QH13 as amended by 75/2025/QH15",
				fmt.Sprintf("%d%% of disclosures without a clear label (%d of %d)", pct, f.UnclearCount, f.DisclosureCount),
				fmt.Sprintf("%d%% nội dung không ghi rõ là quảng cáo (%d trên %d)", pct, f.UnclearCount, f.DisclosureCount),
				disclosuresOf(f.Disclosures, func(d VetDisclosure) bool { return !ClearlyLabelled(d.Label, d.Timing, d.PublishedAt) }))
		}
	}
	if late := disclosuresOf(f.Disclosures, func(d VetDisclosure) bool {
		return d.Label.Clear() && !d.PublishedAt.Before(LabelBeforeAndDuringFrom) && d.Timing != TimingBeforeAndDuring
	}); len(late) > 0 {
		add("LABEL_TIMING", RiskMedium, "16/2012/QH13 as amended by 75/2025/QH15",
			fmt.Sprintf("%s labelled only in the caption or during the promotion, not before and during it",
				plural(len(late), "ad since 1 January 2026", "ads since 1 January 2026")),
			fmt.Sprintf("%d quảng cáo từ 01/01/2026 chỉ ghi nhãn ở chú thích hoặc trong khi quảng cáo, không ghi trước và trong suốt quá trình quảng cáo", len(late)),
			late)
	}
	if live := disclosuresOf(f.Disclosures, func(d VetDisclosure) bool {
		return d.Livestream && d.Account != "" && d.Account != VerifiedByPersonalID && !d.PublishedAt.Before(AccountIdentificationFrom)
	}); len(live) > 0 {
		add("UNVERIFIED_LIVESTREAM", RiskMedium, "147/2024/NĐ-CP",
			fmt.Sprintf("%s on an account not identified by personal ID", plural(len(live), "commercial livestream", "commercial livestreams")),
			fmt.Sprintf("%d buổi livestream bán hàng trên tài khoản chưa xác thực bằng số định danh cá nhân", len(live)),
			live)
	}
	for _, c := range f.Promoted {
		if field, ok := credentialFor[c]; ok && !held[field] {
			add("MISSING_CREDENTIAL", RiskMedium, "",
				fmt.Sprintf("promotes %s with no %s credential", c, strings.ToLower(field)),
				fmt.Sprintf("quảng cáo %s mà không có chứng chỉ chuyên môn %s", strings.ToLower(Text("ProductCategory", string(c), VI)), strings.ToLower(Text("ContentCategory", field, VI))),
				disclosuresOf(f.Disclosures, func(d VetDisclosure) bool { return d.Category == c }))
		}
	}
	if f.McnName != "" && f.McnActiveCount > 0 {
		var ev []Evidence
		for _, id := range f.McnActiveSanctions {
			ev = append(ev, Evidence{"Sanction", id})
		}
		add("MCN_SANCTIONED", RiskMedium, "",
			fmt.Sprintf("current MCN %s has %s", f.McnName, plural(f.McnActiveCount, "active sanction", "active sanctions")),
			fmt.Sprintf("MCN hiện tại %s có %d quyết định xử phạt đang có hiệu lực", f.McnName, f.McnActiveCount), ev)
	}
	if n := len(recent); n > 0 {
		add("RECENT_PAST_SANCTION", RiskMedium, "15/2012/QH13 Art. 7",
			fmt.Sprintf("%s executed, not yet deemed never sanctioned (1 year after execution, 6 months after a warning, without a repeat violation)",
				plural(n, "earlier sanction", "earlier sanctions")),
			fmt.Sprintf("%d quyết định xử phạt đã thi hành, chưa hết thời hạn được coi là chưa bị xử lý vi phạm hành chính (01 năm, cảnh cáo 06 tháng, kể từ ngày chấp hành xong, không tái phạm)",
				n), recent)
	}
	if n := len(deemed); n > 0 {
		add("OLD_PAST_SANCTION", RiskLow, "15/2012/QH13 Art. 7",
			fmt.Sprintf("%s executed long enough ago to be deemed never sanctioned", plural(n, "earlier sanction", "earlier sanctions")),
			fmt.Sprintf("%d quyết định xử phạt đã thi hành, được coi là chưa bị xử lý vi phạm hành chính", n), deemed)
	}
	if n := len(annulled); n > 0 {
		add("ANNULLED_SANCTION", RiskLow, "",
			fmt.Sprintf("%s annulled or withdrawn (not counted)", plural(n, "sanction", "sanctions")),
			fmt.Sprintf("%d quyết định bị hủy bỏ hoặc rút do sai dữ liệu (không tính)", n), annulled)
	}
	if len(out) == 0 {
		add("CLEAN_RECORD", RiskLow, "", "no sanction, open appeal or labelling problem on record",
			"không có quyết định xử phạt, khiếu nại hay vi phạm ghi nhãn nào", nil)
	}
	slices.SortStableFunc(out, func(a, b Factor) int { return b.Level.Rank() - a.Level.Rank() })
	return out
}

func disclosuresOf(ds []VetDisclosure, keep func(VetDisclosure) bool) []Evidence {
	var out []Evidence
	for _, d := range ds {
		if keep(d) {
			out = append(out, Evidence{"Disclosure", d.ID})
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// IsLivestreamURL reports whether a content URL is a live broadcast on the platforms the
// registry knows (a TikTok, Facebook or YouTube live page).
func IsLivestreamURL(u string) bool {
	u = strings.ToLower(u)
	return strings.Contains(u, "/live")
}
