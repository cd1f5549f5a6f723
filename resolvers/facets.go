package resolvers

import (
	"context"
	"strconv"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
)

// Facets of the sanctions and disclosures connections: computed by one grouped statement over
// the connection's own filter, and only when a client selects them (see model.SanctionConnection).

// defaultBrandFacets is how many brands DisclosureFacets.brand lists when first is absent.
const defaultBrandFacets = 10

// sanctionFacets returns the lazy facets of the sanctions matching f.
func sanctionFacets(store *db.DB, f db.SanctionFilter) func(context.Context) (*model.SanctionFacets, error) {
	return func(ctx context.Context) (*model.SanctionFacets, error) {
		fc, err := store.FacetSanctions(ctx, f)
		if err != nil {
			return nil, err
		}
		out := &model.SanctionFacets{
			Category: make([]*model.ViolationCategoryCount, len(fc.Category)),
			Status:   make([]*model.SanctionStatusCount, len(fc.Status)),
			Agency:   make([]*model.AgencyCount, 0, len(fc.Agency)),
		}
		for i, c := range fc.Category {
			out.Category[i] = &model.ViolationCategoryCount{Value: model.ViolationCategory(c.Value), Count: c.Count}
		}
		for i, c := range fc.Status {
			out.Status[i] = &model.SanctionStatusCount{Value: model.SanctionStatus(c.Value), Count: c.Count}
		}
		out.Standing, out.Execution, out.Province = []*model.SanctionStandingCount{}, []*model.SanctionExecutionCount{}, []*model.ProvinceCount{}
		for _, c := range fc.Standing {
			out.Standing = append(out.Standing, &model.SanctionStandingCount{Value: model.SanctionStanding(c.Value), Count: c.Count, TotalFineVnd: c.SumVnd})
		}
		for _, c := range fc.Execution {
			out.Execution = append(out.Execution, &model.SanctionExecutionCount{Value: model.SanctionExecution(c.Value), Count: c.Count, TotalFineVnd: c.SumVnd})
		}
		for _, c := range fc.Province {
			out.Province = append(out.Province, &model.ProvinceCount{Province: c.Value, Count: c.Count, TotalFineVnd: c.SumVnd})
		}
		out.TotalFineVnd = fc.TotalFineVnd
		for _, c := range fc.Agency {
			id, err := strconv.ParseInt(c.Value, 10, 64)
			if err != nil {
				return nil, err
			}
			out.Agency = append(out.Agency, &model.AgencyCount{AgencyDBID: id, Count: c.Count})
		}
		if out.Year, err = yearCounts(fc.Year); err != nil {
			return nil, err
		}
		return out, nil
	}
}

// disclosureFacets returns the lazy facets of the disclosures matching f.
func disclosureFacets(store *db.DB, f db.DisclosureFilter) func(context.Context) (*model.DisclosureFacets, error) {
	return func(ctx context.Context) (*model.DisclosureFacets, error) {
		fc, err := store.FacetDisclosures(ctx, f)
		if err != nil {
			return nil, err
		}
		out := &model.DisclosureFacets{
			Label:           make([]*model.DisclosureLabelCount, len(fc.Label)),
			Platform:        make([]*model.PlatformCount, len(fc.Platform)),
			ProductCategory: make([]*model.ProductCategoryCount, len(fc.ProductCategory)),
		}
		for i, c := range fc.Label {
			out.Label[i] = &model.DisclosureLabelCount{Value: model.DisclosureLabel(c.Value), Count: c.Count}
		}
		for i, c := range fc.Platform {
			out.Platform[i] = &model.PlatformCount{Value: model.Platform(c.Value), Count: c.Count}
		}
		for i, c := range fc.ProductCategory {
			out.ProductCategory[i] = &model.ProductCategoryCount{Value: model.ProductCategory(c.Value), Count: c.Count}
		}
		if out.Year, err = yearCounts(fc.Year); err != nil {
			return nil, err
		}
		out.BrandCounts = func(ctx context.Context, n int) ([]*model.BrandCount, error) {
			rows, err := store.FacetDisclosureBrands(ctx, f, n)
			if err != nil {
				return nil, err
			}
			bc := make([]*model.BrandCount, len(rows))
			for i, c := range rows {
				id, err := strconv.ParseInt(c.Value, 10, 64)
				if err != nil {
					return nil, err
				}
				bc[i] = &model.BrandCount{BrandDBID: id, Count: c.Count}
			}
			return bc, nil
		}
		return out, nil
	}
}

func yearCounts(fc []db.FacetCount) ([]*model.YearCount, error) {
	out := make([]*model.YearCount, len(fc))
	for i, c := range fc {
		y, err := strconv.Atoi(c.Value)
		if err != nil {
			return nil, err
		}
		out[i] = &model.YearCount{Year: y, Count: c.Count}
	}
	return out, nil
}

// brandFacetSize validates DisclosureFacets.brand(first:).
func brandFacetSize(first *int) (int, error) {
	if first == nil {
		return defaultBrandFacets, nil
	}
	if *first < 1 || *first > db.MaxPageSize {
		return 0, errcode.BadInput("first", "first must be between 1 and %d, got %d", db.MaxPageSize, *first)
	}
	return *first, nil
}

// nestedDisclosureFilter is the filter equivalent to a nested disclosure list of one parent.
func nestedDisclosureFilter(parent db.DisclosureParent, id int64) db.DisclosureFilter {
	ids := []int64{id}
	switch parent {
	case db.DisclosuresOfMcn:
		return db.DisclosureFilter{McnID: ids}
	case db.DisclosuresOfBrand:
		return db.DisclosureFilter{BrandID: ids}
	default:
		return db.DisclosureFilter{InfluencerID: ids}
	}
}
