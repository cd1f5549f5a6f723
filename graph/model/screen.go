package model

// ScreenResult is what screening found for one candidate. The explanation is held in both
// languages; the explanation field's resolver picks one.
type ScreenResult struct {
	Decision      ScreenDecision
	Score         float64
	ExplanationVi []string
	ExplanationEn []string
	Influencer    *Influencer
	Alternatives  []*Influencer
	Vetting       *VettingReport
}
