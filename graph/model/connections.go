package model

import "context"

// Counter computes a connection's totalCount only when a client asks for it.
type Counter func(ctx context.Context) (int, error)

type InfluencerConnection struct {
	Edges    []*InfluencerEdge
	Nodes    []*Influencer
	PageInfo *PageInfo
	Count    Counter
}

func (c *InfluencerConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type McnConnection struct {
	Edges    []*McnEdge
	Nodes    []*Mcn
	PageInfo *PageInfo
	Count    Counter
}

func (c *McnConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type AffiliationConnection struct {
	Edges    []*AffiliationEdge
	Nodes    []*Affiliation
	PageInfo *PageInfo
	Count    Counter
}

func (c *AffiliationConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type BrandConnection struct {
	Edges    []*BrandEdge
	Nodes    []*Brand
	PageInfo *PageInfo
	Count    Counter
}

func (c *BrandConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type DisclosureConnection struct {
	Edges    []*DisclosureEdge
	Nodes    []*Disclosure
	PageInfo *PageInfo
	Count    Counter
	// FacetsOf computes facets (facets.go) only when a client asks for them.
	FacetsOf func(ctx context.Context) (*DisclosureFacets, error)
}

func (c *DisclosureConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type SanctionConnection struct {
	Edges    []*SanctionEdge
	Nodes    []*Sanction
	PageInfo *PageInfo
	Count    Counter
	// FacetsOf computes facets (facets.go) only when a client asks for them.
	FacetsOf func(ctx context.Context) (*SanctionFacets, error)
}

func (c *SanctionConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type AgencyConnection struct {
	Edges    []*AgencyEdge
	Nodes    []*Agency
	PageInfo *PageInfo
	Count    Counter
}

func (c *AgencyConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

type AuditEventConnection struct {
	Edges    []*AuditEventEdge
	Nodes    []*AuditEvent
	PageInfo *PageInfo
	Count    Counter
}

func (c *AuditEventConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }
