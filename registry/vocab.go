package registry

import (
	"database/sql/driver"
	"slices"
)

// SubjectKind is what a sanction is about.
type SubjectKind string

// The values of SubjectKind.
const (
	SubjectInfluencer SubjectKind = "INFLUENCER"
	SubjectMcn        SubjectKind = "MCN"
	SubjectBrand      SubjectKind = "BRAND"
)

// AffiliationKind is how an influencer is tied to an MCN.
type AffiliationKind string

// The values of AffiliationKind.
const (
	ExclusiveManagement AffiliationKind = "EXCLUSIVE_MANAGEMENT"
	NonExclusive        AffiliationKind = "NON_EXCLUSIVE"
	Employee            AffiliationKind = "EMPLOYEE"
	CoOwner             AffiliationKind = "CO_OWNER"
)

// AffiliationKinds are all values.
var AffiliationKinds = []AffiliationKind{ExclusiveManagement, NonExclusive, Employee, CoOwner}

// DisclosureLabel is how a promotion was marked as advertising.
type DisclosureLabel string

// The values of DisclosureLabel.
const (
	LabelQuangCao        DisclosureLabel = "QUANG_CAO"
	LabelTaiTro          DisclosureLabel = "TAI_TRO"
	LabelHopTacThuongMai DisclosureLabel = "HOP_TAC_THUONG_MAI"
	LabelPlatformPaid    DisclosureLabel = "PLATFORM_PAID_PARTNERSHIP"
	LabelHashtagAd       DisclosureLabel = "HASHTAG_AD"
	LabelAffiliateNotice DisclosureLabel = "AFFILIATE_NOTICE"
	LabelAmbiguous       DisclosureLabel = "AMBIGUOUS"
	LabelNone            DisclosureLabel = "NONE"
)

// UnclearLabels are the labels that do not tell a viewer the post is an ad.
var UnclearLabels = []DisclosureLabel{LabelAmbiguous, LabelNone}

// Clear reports whether the label tells a viewer the post is an ad.
func (l DisclosureLabel) Clear() bool { return !slices.Contains(UnclearLabels, l) }

// LabelTiming is when in a promotion the label was shown.
type LabelTiming string

// The values of LabelTiming.
const (
	TimingBeforeAndDuring LabelTiming = "BEFORE_AND_DURING"
	TimingDuringOnly      LabelTiming = "DURING_ONLY"
	TimingCaptionOnly     LabelTiming = "CAPTION_ONLY"
	TimingNone            LabelTiming = "NONE"
)

// ProductCategory is what a disclosure promotes.
type ProductCategory string

// The values of ProductCategory the rules name.
const (
	ProductFoodSupplement   ProductCategory = "FOOD_SUPPLEMENT"
	ProductMedicine         ProductCategory = "MEDICINE"
	ProductMedicalDevice    ProductCategory = "MEDICAL_DEVICE"
	ProductFinancialService ProductCategory = "FINANCIAL_SERVICE"
	ProductCrypto           ProductCategory = "CRYPTO"
	ProductAlcohol          ProductCategory = "ALCOHOL"
	ProductTobacco          ProductCategory = "TOBACCO"
	ProductGambling         ProductCategory = "GAMBLING"
)

// IdentityVerification is how a platform account was identified under Decree 147/2024/NĐ-CP.
type IdentityVerification string

// The values of IdentityVerification.
const (
	VerifiedByPhone      IdentityVerification = "VN_PHONE"
	VerifiedByPersonalID IdentityVerification = "PERSONAL_ID"
	Unverified           IdentityVerification = "UNVERIFIED"
	VerificationUnknown  IdentityVerification = "UNKNOWN"
)

// RiskLevel is the level of a vetting factor or report, LOW < MEDIUM < HIGH.
type RiskLevel string

// The values of RiskLevel, in increasing order.
const (
	RiskLow    RiskLevel = "LOW"
	RiskMedium RiskLevel = "MEDIUM"
	RiskHigh   RiskLevel = "HIGH"
)

var riskOrder = []RiskLevel{RiskLow, RiskMedium, RiskHigh}

// Rank orders risk levels: LOW 0, MEDIUM 1, HIGH 2.
func (l RiskLevel) Rank() int { return slices.Index(riskOrder, l) }

// Scan implements sql.Scanner.
func (l *DisclosureLabel) Scan(src any) error {
	v, err := scanText(src, func(string) bool { return true }, "disclosure label")
	*l = DisclosureLabel(v)
	return err
}

// Value implements driver.Valuer.
func (l DisclosureLabel) Value() (driver.Value, error) { return textValue(string(l)) }
