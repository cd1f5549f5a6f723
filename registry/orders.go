package registry

// Order is a list's sort: a field of the GraphQL order enum and a direction.
type Order struct {
	Field string
	Desc  bool
}

// The default orders of the lists: newest decision and newest publication first, influencers
// by name. Nested lists (an influencer's sanctions, a brand's disclosures) and exports use the
// same ones.
var (
	DefaultSanctionOrder   = Order{Field: "DECIDED_ON", Desc: true}
	DefaultDisclosureOrder = Order{Field: "PUBLISHED_AT", Desc: true}
	DefaultInfluencerOrder = Order{Field: "DISPLAY_NAME", Desc: false}
)
