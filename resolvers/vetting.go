package resolvers

import (
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/model"
)

// toVettingReport maps a vetting to the report; the influencer is loaded by the caller.
// lang VI gives reasons and each factor's reason in Vietnamese; otherwise they are English.
func toVettingReport(v db.Vetting, influencer *model.Influencer, lang model.Language) *model.VettingReport {
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
		reason := f.Reason
		if lang == model.LanguageVi {
			reason = f.ReasonVi
		}
		r.Reasons = append(r.Reasons, reason)
		m := &model.RiskFactor{Code: model.RiskFactorCode(f.Code), Level: model.RiskLevel(f.Level), Reason: reason,
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
