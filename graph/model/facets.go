package model

import (
	"context"
	"errors"
)

// errNoFacets is returned by a connection built without a facets function: a bug of the
// resolver that built it, shown to the client only as INTERNAL.
var errNoFacets = errors.New("model: connection has no facets function")

// SanctionFacets are the counts of a filtered set of sanctions by dimension.
type SanctionFacets struct {
	Category     []*ViolationCategoryCount
	Status       []*SanctionStatusCount
	Standing     []*SanctionStandingCount
	Execution    []*SanctionExecutionCount
	Agency       []*AgencyCount
	Year         []*YearCount
	Province     []*ProvinceCount
	TotalFineVnd int64
}

// DisclosureFacets are the counts of a filtered set of disclosures by dimension; the brand
// counts (a join) are computed only when selected, by BrandCounts.
type DisclosureFacets struct {
	Label           []*DisclosureLabelCount
	Platform        []*PlatformCount
	ProductCategory []*ProductCategoryCount
	Year            []*YearCount
	BrandCounts     func(ctx context.Context, n int) ([]*BrandCount, error) `json:"-"`
}

// AgencyCount is a count by agency; the agency is loaded by its resolver.
type AgencyCount struct {
	AgencyDBID int64
	Count      int
}

// BrandCount is a count by brand; the brand is loaded by its resolver.
type BrandCount struct {
	BrandDBID int64
	Count     int
}

// Facets computes the connection's facets only when a client asks for them.
func (c *SanctionConnection) Facets(ctx context.Context) (*SanctionFacets, error) {
	if c.FacetsOf == nil {
		return nil, errNoFacets
	}
	return c.FacetsOf(ctx)
}

// Facets computes the connection's facets only when a client asks for them.
func (c *DisclosureConnection) Facets(ctx context.Context) (*DisclosureFacets, error) {
	if c.FacetsOf == nil {
		return nil, errNoFacets
	}
	return c.FacetsOf(ctx)
}
