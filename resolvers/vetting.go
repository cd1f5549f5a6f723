package resolvers

import (
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/model"
)

// toVettingReport maps a vetting to the report; the influencer is loaded by the caller.
func toVettingReport(v db.Vetting, influencer *model.Influencer) *model.VettingReport {
	r := &model.VettingReport{
		Influencer: influencer, AsOf: v.AsOf, RiskLevel: model.RiskLevel(v.RiskLevel()),
		Reasons: []string{}, Factors: []*model.RiskFactor{},
		ActiveSanctions: []*model.Sanction{}, Sanctions: []*model.VettedSanction{}, OpenAppeals: []*model.Sanction{},
		SanctionCount: v.SanctionCount(), TotalFinesVnd: v.TotalFinesVnd(),
		DisclosureCount: v.DisclosureCount, DisclosuresWithoutClearLabel: v.DisclosuresWithoutClearLabel,
		PromotedCategories: enums[model.ProductCategory](v.PromotedCategories),
		Credentials:        mapAll(v.Credentials, toCredential),
	}
	for _, f := range v.Factors {
		r.Reasons = append(r.Reasons, f.Reason)
		m := &model.RiskFactor{Code: model.RiskFactorCode(f.Code), Level: model.RiskLevel(f.Level), Reason: f.Reason,
			ReasonEn: f.Reason, ReasonVi: f.ReasonVi, Evidence: []string{}}
		if f.LegalBasis != "" {
			basis := f.LegalBasis
			m.LegalBasis = &basis
		}
		for _, e := range f.Evidence {
			if e.ID != 0 {
				m.Evidence = append(m.Evidence, globalID(e.Type, e.ID))
			}
		}
		r.Factors = append(r.Factors, m)
	}
	for _, s := range v.Sanctions {
		m := toSanction(s.Sanction)
		r.Sanctions = append(r.Sanctions, &model.VettedSanction{Sanction: m, Status: model.SanctionStatus(s.StatusAsOf), StatusSince: s.Since,
			Standing: model.SanctionStanding(s.FactsAsOf.Standing), Execution: model.SanctionExecution(s.FactsAsOf.Execution),
			ExecutedOn: s.ExecutedAsOf})
		if s.Active() {
			r.ActiveSanctions = append(r.ActiveSanctions, m)
		}
		if s.OpenAppeal() {
			r.OpenAppeals = append(r.OpenAppeals, m)
		}
	}
	if v.CurrentMcn != nil {
		r.CurrentMcn = toMcn(*v.CurrentMcn)
	}
	return r
}
