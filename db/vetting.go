package db

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/kolregistry/kolregistry/registry"
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
	// Disclosures are the records behind those figures.
	Disclosures []registry.VetDisclosure
	// CurrentMcn is the MCN managing the influencer on AsOf (exclusive management first).
	CurrentMcn *Mcn
	// McnActiveSanctions counts the current MCN's active sanctions on AsOf.
	McnActiveSanctions int
	// McnActiveSanctionIDs are those sanctions.
	McnActiveSanctionIDs []int64
	// Credentials valid on AsOf.
	Credentials []Credential
	Factors     []RiskFactor
}

// VettedSanction is a sanction with its standing and execution on the report's date. Since is
// nil while the decision had not taken effect yet (it then counts with the facts it was
// recorded with).
type VettedSanction struct {
	Sanction
	FactsAsOf  registry.SanctionFacts
	StatusAsOf registry.SanctionStatus // derived from FactsAsOf
	Since      *time.Time
	// ExecutedAsOf is the date of the first entry of its history, in effect on the date, that
	// records it executed: execution is a fact of its own, kept when the decision is contested
	// afterwards.
	ExecutedAsOf *time.Time
}

// Active reports whether the sanction was active (in force or under appeal) on the date.
func (s VettedSanction) Active() bool { return s.StatusAsOf.Active() }

// OpenAppeal reports whether the sanction was under complaint or litigation on the date.
func (s VettedSanction) OpenAppeal() bool { return s.StatusAsOf.OpenAppeal() }

// Stands reports whether the sanction counts: not annulled or withdrawn as a data error.
func (s VettedSanction) Stands() bool { return s.FactsAsOf.Standing.Stands() }

// SanctionCount is the number of standing sanctions.
func (v Vetting) SanctionCount() int {
	n := 0
	for _, s := range v.Sanctions {
		if s.Stands() {
			n++
		}
	}
	return n
}

// TotalFinesVnd sums the fines of the standing sanctions.
func (v Vetting) TotalFinesVnd() int64 {
	var n int64
	for _, s := range v.Sanctions {
		if s.Stands() {
			n += s.FineVnd
		}
	}
	return n
}

// endOfDay is the instant a Vietnamese calendar day ends, as SQL: records dated up to then count.
const endOfDay = `(($2::date + 1)::timestamp AT TIME ZONE 'Asia/Ho_Chi_Minh')`

// statusAsOf picks, for sanction s, its last status change in effect on $2; a decision not yet
// in effect falls back to its first recorded status (or the sanction's own, without history).
const vettingSanctionsSQL = `SELECT coalesce(cur.standing, first.standing, s.standing),
		coalesce(cur.execution, first.execution, s.execution), cur.effective_on,
		(SELECT min(c.effective_on) FROM sanction_status_change c
		 WHERE c.sanction_id = s.id AND c.execution IN ('COMPLIED', 'ENFORCED') AND c.effective_on <= $2::date), ` + sanctionCols + `
	FROM sanction s
	LEFT JOIN LATERAL (SELECT c.standing, c.execution, c.effective_on FROM sanction_status_change c
		WHERE c.sanction_id = s.id AND c.effective_on <= $2::date ORDER BY c.effective_on DESC, c.id DESC LIMIT 1) cur ON true
	LEFT JOIN LATERAL (SELECT c.standing, c.execution FROM sanction_status_change c
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
		var since, executed sql.NullTime
		if v.Sanction, err = scanSanction(rows, &v.FactsAsOf.Standing, &v.FactsAsOf.Execution, &since, &executed); err != nil {
			return nil, fmt.Errorf("vetting sanctions: %w", err)
		}
		v.StatusAsOf = v.FactsAsOf.Status()
		v.Since, v.ExecutedAsOf = timePtr(since), timePtr(executed)
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
	if err := d.vettedDisclosures(ctx, &v); err != nil {
		return v, err
	}
	_ = day

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
			v.McnActiveSanctionIDs = append(v.McnActiveSanctionIDs, s.ID)
		}
	}
	return nil
}

// vettedDisclosures reads the disclosures standing at the end of v.AsOf and the figures they
// add up to (a label is clear by registry.ClearlyLabelled).
func (d *DB) vettedDisclosures(ctx context.Context, v *Vetting) error {
	rows, cancel, err := d.query(ctx, `SELECT d.id, d.product_category, d.label, d.label_timing, d.published_at,
			coalesce(d.content_url, ''), coalesce(pa.identity_verification, '')
		FROM disclosure d LEFT JOIN platform_account pa ON pa.id = d.account_id
		WHERE d.influencer_id = $1 AND d.published_at < `+endOfDay+`
		  AND NOT (d.status = 'RETRACTED' AND coalesce(
			(SELECT min(e.at) FROM audit_event e WHERE e.subject_type = 'Disclosure' AND e.subject_id = d.id
			   AND e.action = 'retractDisclosure'), d.updated_at) < `+endOfDay+`)
		ORDER BY d.published_at, d.id`, v.InfluencerID, dateKey(v.AsOf))
	if err != nil {
		return fmt.Errorf("vetting disclosures: %w", err)
	}
	defer cancel()
	defer rows.Close()
	for rows.Next() {
		var x registry.VetDisclosure
		var url string
		if err := rows.Scan(&x.ID, &x.Category, &x.Label, &x.Timing, &x.PublishedAt, &url, &x.Account); err != nil {
			return fmt.Errorf("vetting disclosures: %w", err)
		}
		x.PublishedAt = x.PublishedAt.In(VietnamTime)
		x.Livestream = registry.IsLivestreamURL(url)
		v.Disclosures = append(v.Disclosures, x)
		v.DisclosureCount++
		if !registry.ClearlyLabelled(x.Label, x.Timing, x.PublishedAt) {
			v.DisclosuresWithoutClearLabel++
		}
		if !slices.Contains(v.PromotedCategories, string(x.Category)) {
			v.PromotedCategories = append(v.PromotedCategories, string(x.Category))
		}
	}
	slices.Sort(v.PromotedCategories)
	if v.PromotedCategories == nil {
		v.PromotedCategories = []string{}
	}
	return rows.Err()
}

// Risk levels, in increasing order.
const (
	RiskLow    = string(registry.RiskLow)
	RiskMedium = string(registry.RiskMedium)
	RiskHigh   = string(registry.RiskHigh)
)

// RiskFactor is one finding of a vetting: a code (graph RiskFactorCode), the level it alone
// gives, its text (Reason is the English one), its legal basis and the records that raised it.
type RiskFactor struct {
	Code       string
	Level      string
	Reason     string
	ReasonVi   string
	LegalBasis string
	Evidence   []registry.Evidence
}

// RiskLevel is the highest level of the factors (LOW without any).
func (v Vetting) RiskLevel() string {
	level := registry.RiskLow
	for _, f := range v.Factors {
		if registry.RiskLevel(f.Level).Rank() > level.Rank() {
			level = registry.RiskLevel(f.Level)
		}
	}
	return string(level)
}

// Assess applies the vetting rules (registry.Assess) to the facts gathered.
func Assess(v Vetting) []RiskFactor {
	f := registry.VetFacts{AsOf: v.AsOf, DisclosureCount: v.DisclosureCount, UnclearCount: v.DisclosuresWithoutClearLabel,
		Disclosures: v.Disclosures, McnActiveSanctions: v.McnActiveSanctionIDs}
	for _, c := range v.PromotedCategories {
		f.Promoted = append(f.Promoted, registry.ProductCategory(c))
	}
	for _, c := range v.Credentials {
		f.CredentialFields = append(f.CredentialFields, c.Field)
	}
	if v.CurrentMcn != nil {
		f.McnName, f.McnActiveCount = v.CurrentMcn.Name, v.McnActiveSanctions
	}
	for _, s := range v.Sanctions {
		f.Sanctions = append(f.Sanctions, registry.VetSanction{ID: s.ID, Standing: s.FactsAsOf.Standing, Execution: s.FactsAsOf.Execution,
			DecidedOn: s.DecidedOn, Since: s.Since, ExecutedOn: s.ExecutedAsOf, Penalty: registry.Penalty(s.Penalty)})
	}
	var out []RiskFactor
	for _, x := range registry.Assess(f) {
		out = append(out, RiskFactor{Code: x.Code, Level: string(x.Level), Reason: x.ReasonEn, ReasonVi: x.ReasonVi,
			LegalBasis: x.LegalBasis, Evidence: x.Evidence})
	}
	return out
}
