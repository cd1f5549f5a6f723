package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// Vetting is what the registry knew of an influencer at the end of AsOf (Vietnam time): the
// facts of a brand's due diligence and the risk they add up to (see docs/vetting.md).
type Vetting struct {
	InfluencerID int64
	AsOf         time.Time
	// Sanctions decided on or before AsOf, newest decision first, with their status on AsOf.
	Sanctions []VettedSanction
	// Disclosures published on or before AsOf and not retracted by then.
	DisclosureCount              int
	DisclosuresWithoutClearLabel int
	PromotedCategories           []string
	// CurrentMcn is the MCN managing the influencer on AsOf (exclusive management first).
	CurrentMcn *Mcn
	// McnActiveSanctions counts the current MCN's active sanctions on AsOf.
	McnActiveSanctions int
	// Credentials valid on AsOf.
	Credentials []Credential
	Factors     []RiskFactor
}

// VettedSanction is a sanction with its status on the report's date. Since is nil while the
// decision had not taken effect yet (it then counts with the status it was recorded with).
type VettedSanction struct {
	Sanction
	StatusAsOf registry.SanctionStatus
	Since      *time.Time
}

// Active reports whether the sanction was active (in force or under appeal) on the date.
func (s VettedSanction) Active() bool { return s.StatusAsOf.Active() }

// OpenAppeal reports whether the sanction was under complaint or litigation on the date.
func (s VettedSanction) OpenAppeal() bool { return s.StatusAsOf.OpenAppeal() }

// Standing reports whether the sanction counts: not annulled or withdrawn as a data error.
func (s VettedSanction) Standing() bool { return s.StatusAsOf.Stands() }

// SanctionCount is the number of standing sanctions.
func (v Vetting) SanctionCount() int {
	n := 0
	for _, s := range v.Sanctions {
		if s.Standing() {
			n++
		}
	}
	return n
}

// TotalFinesVnd sums the fines of the standing sanctions.
func (v Vetting) TotalFinesVnd() int64 {
	var n int64
	for _, s := range v.Sanctions {
		if s.Standing() {
			n += s.FineVnd
		}
	}
	return n
}

// endOfDay is the instant a Vietnamese calendar day ends, as SQL: records dated up to then count.
const endOfDay = `(($2::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`

// statusAsOf picks, for sanction s, its last status change in effect on $2; a decision not yet
// in effect falls back to its first recorded status (or the sanction's own, without history).
const vettingSanctionsSQL = `SELECT coalesce(cur.status, first.status, s.status), cur.effective_on, ` + sanctionCols + `
	FROM sanction s
	LEFT JOIN LATERAL (SELECT c.status, c.effective_on FROM sanction_status_change c
		WHERE c.sanction_id = s.id AND c.effective_on <= $2::date ORDER BY c.effective_on DESC, c.id DESC LIMIT 1) cur ON true
	LEFT JOIN LATERAL (SELECT c.status FROM sanction_status_change c
		WHERE c.sanction_id = s.id ORDER BY c.effective_on, c.id LIMIT 1) first ON true
	WHERE %s = $1 AND s.decided_on <= $2::date
	ORDER BY s.decided_on DESC, s.id DESC`

func (d *DB) vettedSanctions(ctx context.Context, parentCol string, id int64, asOf time.Time) ([]VettedSanction, error) {
	rows, cancel, err := d.query(ctx, fmt.Sprintf(vettingSanctionsSQL, parentCol), id, dateKey(asOf))
	if err != nil {
		return nil, fmt.Errorf("vetting sanctions: %w", err)
	}
	defer cancel()
	defer rows.Close()
	var out []VettedSanction
	for rows.Next() {
		var v VettedSanction
		var since sql.NullTime
		if v.Sanction, err = scanSanction(rows, &v.StatusAsOf, &since); err != nil {
			return nil, fmt.Errorf("vetting sanctions: %w", err)
		}
		v.Since = timePtr(since)
		out = append(out, v)
	}
	return out, rows.Err()
}

// Vet gathers what the registry knew of influencer id at the end of asOf and assesses it.
// A missing influencer is ErrNotFound.
func (d *DB) Vet(ctx context.Context, id int64, asOf time.Time) (Vetting, error) {
	v := Vetting{InfluencerID: id, AsOf: asOf}
	var one int
	if err := d.queryRow(ctx, `SELECT 1 FROM influencer WHERE id = $1`, []any{id}, &one); err != nil {
		return v, err
	}
	day := dateKey(asOf)
	var err error
	if v.Sanctions, err = d.vettedSanctions(ctx, "s.influencer_id", id, asOf); err != nil {
		return v, err
	}

	// A disclosure counts from its publication; a retraction counts from its audit event (or,
	// for rows written without one, the row's last update).
	err = d.queryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE d.label IN ('AMBIGUOUS', 'NONE')),
			coalesce(array_agg(DISTINCT d.product_category ORDER BY d.product_category), '{}')
		FROM disclosure d
		WHERE d.influencer_id = $1 AND d.published_at < `+endOfDay+`
		  AND NOT (d.status = 'RETRACTED' AND coalesce(
			(SELECT min(e.at) FROM audit_event e WHERE e.subject_type = 'Disclosure' AND e.subject_id = d.id
			   AND e.action = 'retractDisclosure'), d.updated_at) < `+endOfDay+`)`,
		[]any{id, day}, &v.DisclosureCount, &v.DisclosuresWithoutClearLabel, pq.Array(&v.PromotedCategories))
	if err != nil {
		return v, fmt.Errorf("vetting disclosures: %w", err)
	}

	if err := d.currentMcnAsOf(ctx, &v); err != nil {
		return v, err
	}

	creds, err := d.CredentialsByInfluencers(ctx, []int64{id})
	if err != nil {
		return v, fmt.Errorf("vetting credentials: %w", err)
	}
	for _, c := range creds[id] {
		if c.ValidUntil == nil || !c.ValidUntil.Before(asOf) {
			v.Credentials = append(v.Credentials, c)
		}
	}
	v.Factors = Assess(v)
	return v, nil
}

// currentMcnAsOf finds the MCN managing the influencer on v.AsOf (ended_on is exclusive:
// affiliation periods are [started_on, ended_on)) and counts that MCN's active sanctions then.
func (d *DB) currentMcnAsOf(ctx context.Context, v *Vetting) error {
	affs, err := d.AffiliationsByInfluencers(ctx, []int64{v.InfluencerID})
	if err != nil {
		return fmt.Errorf("vetting mcn: %w", err)
	}
	a := CurrentAffiliation(affs[v.InfluencerID], v.AsOf)
	if a == nil {
		return nil
	}
	mcns, err := d.McnsByIDs(ctx, []int64{a.McnID})
	if err != nil {
		return fmt.Errorf("vetting mcn: %w", err)
	}
	m, ok := mcns[a.McnID]
	if !ok {
		return fmt.Errorf("vetting mcn %d: not found", a.McnID)
	}
	v.CurrentMcn = &m
	sanctions, err := d.vettedSanctions(ctx, "s.mcn_id", v.CurrentMcn.ID, v.AsOf)
	if err != nil {
		return err
	}
	for _, s := range sanctions {
		if s.Active() {
			v.McnActiveSanctions++
		}
	}
	return nil
}

// Risk levels, in increasing order.
const (
	RiskLow    = "LOW"
	RiskMedium = "MEDIUM"
	RiskHigh   = "HIGH"
)

var riskOrder = []string{RiskLow, RiskMedium, RiskHigh}

// RiskFactor is one finding of a vetting: a code (graph RiskFactorCode), the level it alone
// gives and a sentence for people.
type RiskFactor struct {
	Code   string
	Level  string
	Reason string
}

// RiskLevel is the highest level of the factors (LOW without any).
func (v Vetting) RiskLevel() string {
	level := RiskLow
	for _, f := range v.Factors {
		if slices.Index(riskOrder, f.Level) > slices.Index(riskOrder, level) {
			level = f.Level
		}
	}
	return level
}

// The vetting rules' thresholds (docs/vetting.md).
const (
	// RecentSanctionYears is how far back a sanction no longer active still raises the risk.
	RecentSanctionYears = 3
	// UnclearLabelMedium and UnclearLabelHigh are shares of disclosures without a clear label.
	UnclearLabelMedium = 0.20
	UnclearLabelHigh   = 0.50
	// UnclearLabelHighMin is how many disclosures the HIGH share needs, so one post is no pattern.
	UnclearLabelHighMin = 4
)

// credentialFor names the credential field a product category needs, for categories where a
// false claim harms health or money (DOMAIN.md: credentials for medicine, finance, law, education).
var credentialFor = map[string]string{
	"FOOD_SUPPLEMENT": "HEALTH", "MEDICINE": "HEALTH", "MEDICAL_DEVICE": "HEALTH",
	"FINANCIAL_SERVICE": "FINANCE", "CRYPTO": "FINANCE",
}

// bannedCategories may not be advertised at all (Advertising Law 16/2012/QH13, Art. 7: tobacco).
var bannedCategories = []string{"TOBACCO"}

// Assess applies the vetting rules to the facts, most serious first (docs/vetting.md).
func Assess(v Vetting) []RiskFactor {
	var out []RiskFactor
	add := func(code, level, format string, args ...any) {
		out = append(out, RiskFactor{Code: code, Level: level, Reason: fmt.Sprintf(format, args...)})
	}
	var inForce, complaints, lawsuits, recent, old, annulled int
	recentFrom := v.AsOf.AddDate(-RecentSanctionYears, 0, 0)
	for _, s := range v.Sanctions {
		switch {
		case s.StatusAsOf == "IN_FORCE":
			inForce++
		case s.StatusAsOf == "UNDER_COMPLAINT":
			complaints++
		case s.StatusAsOf == "UNDER_LITIGATION":
			lawsuits++
		case !s.Standing():
			annulled++
		case s.DecidedOn.After(recentFrom):
			recent++
		default:
			old++
		}
	}
	if inForce > 0 {
		add("SANCTION_IN_FORCE", RiskHigh, "%s in force", plural(inForce, "sanction", "sanctions"))
	}
	if complaints > 0 || lawsuits > 0 {
		var parts []string
		if complaints > 0 {
			parts = append(parts, plural(complaints, "complaint", "complaints")+" open")
		}
		if lawsuits > 0 {
			parts = append(parts, plural(lawsuits, "lawsuit", "lawsuits")+" pending")
		}
		add("OPEN_APPEAL", RiskMedium, "%s", strings.Join(parts, " and "))
	}
	for _, c := range v.PromotedCategories {
		if slices.Contains(bannedCategories, c) {
			add("BANNED_CATEGORY", RiskHigh, "promotes %s, which may not be advertised", c)
		}
	}
	if v.DisclosureCount > 0 && v.DisclosuresWithoutClearLabel > 0 {
		share := float64(v.DisclosuresWithoutClearLabel) / float64(v.DisclosureCount)
		level := ""
		switch {
		case share >= UnclearLabelHigh && v.DisclosureCount >= UnclearLabelHighMin:
			level = RiskHigh
		case share >= UnclearLabelMedium:
			level = RiskMedium
		}
		if level != "" {
			add("UNCLEAR_LABELS", level, "%d%% of disclosures without a clear label (%d of %d)",
				int(share*100+0.5), v.DisclosuresWithoutClearLabel, v.DisclosureCount)
		}
	}
	held := map[string]bool{}
	for _, c := range v.Credentials {
		held[c.Field] = true
	}
	for _, c := range v.PromotedCategories {
		if field, ok := credentialFor[c]; ok && !held[field] {
			add("MISSING_CREDENTIAL", RiskMedium, "promotes %s with no %s credential", c, strings.ToLower(field))
		}
	}
	if v.CurrentMcn != nil && v.McnActiveSanctions > 0 {
		add("MCN_SANCTIONED", RiskMedium, "current MCN %s has %s", v.CurrentMcn.Name,
			plural(v.McnActiveSanctions, "active sanction", "active sanctions"))
	}
	if recent > 0 {
		add("RECENT_PAST_SANCTION", RiskMedium, "%s complied with or amended in the last %d years",
			plural(recent, "earlier sanction", "earlier sanctions"), RecentSanctionYears)
	}
	if old > 0 {
		add("OLD_PAST_SANCTION", RiskLow, "%s older than %d years",
			plural(old, "earlier sanction", "earlier sanctions"), RecentSanctionYears)
	}
	if annulled > 0 {
		add("ANNULLED_SANCTION", RiskLow, "%s annulled or withdrawn (not counted)", plural(annulled, "sanction", "sanctions"))
	}
	if len(out) == 0 {
		add("CLEAN_RECORD", RiskLow, "no sanction, open appeal or labelling problem on record")
	}
	slices.SortStableFunc(out, func(a, b RiskFactor) int {
		return slices.Index(riskOrder, b.Level) - slices.Index(riskOrder, a.Level)
	})
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
