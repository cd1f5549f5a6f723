package registry

// AgencyKind is the kind of an agency (the agency.kind column); the review rule names three.
type AgencyKind string

// The kinds the review rule names (the others: docs/legal.md, "Reviewing authorities").
const (
	KindCourt            AgencyKind = "COURT"
	KindMinistry         AgencyKind = "MINISTRY"
	KindPeoplesCommittee AgencyKind = "PEOPLES_COMMITTEE"
)

// Body is what the review rule knows of an agency.
type Body struct {
	ID           int64
	Kind         AgencyKind
	Jurisdiction string // VN or a province code
}

// MayReview is the reviewing-authority rule: which body may record, with sanctions:review, the
// outcome of a review of a decision issued by another. Simply modelled (docs/legal.md):
//   - a court (kind COURT) reviews any agency's decision (Law on Administrative Procedure);
//   - a national ministry reviews the decisions of the agencies below the ministries: national
//     authorities and inspectorates, and every provincial agency;
//   - a provincial People's Committee reviews the decisions of the provincial agencies of its own
//     province (compared by successor province) — its departments;
//   - no other body is a superior, and no body reviews its own decision (it reconsiders it with
//     changeSanctionStanding, as the issuer).
//
// code is "" when the reviewer may; else OUTSIDE_JURISDICTION, with why.
func MayReview(reviewer, issuer Body) (code string, why Message) {
	refuse := func(m Message) (string, Message) { return "OUTSIDE_JURISDICTION", m }
	switch {
	case reviewer.ID == issuer.ID:
		return refuse(Msg("REVIEW_OWN_DECISION"))
	case reviewer.Kind == KindCourt:
		return "", Message{}
	case issuer.Kind == KindCourt:
		return refuse(Msg("REVIEW_NOT_SUPERIOR", reviewer.Jurisdiction))
	case reviewer.Kind == KindMinistry && reviewer.Jurisdiction == National:
		if issuer.Kind == KindMinistry && issuer.Jurisdiction == National {
			return refuse(Msg("REVIEW_NOT_SUPERIOR", reviewer.Jurisdiction))
		}
		return "", Message{}
	case reviewer.Kind == KindPeoplesCommittee && reviewer.Jurisdiction != National:
		if issuer.Kind == KindPeoplesCommittee || issuer.Jurisdiction == National ||
			SuccessorProvince(issuer.Jurisdiction) != SuccessorProvince(reviewer.Jurisdiction) {
			return refuse(Msg("REVIEW_NOT_SUPERIOR", reviewer.Jurisdiction))
		}
		return "", Message{}
	}
	return refuse(Msg("REVIEW_NOT_A_REVIEWER"))
}
