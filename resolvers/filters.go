package resolvers

import (
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/registry"
)

// The functions here turn GraphQL filter inputs into store filters: global IDs decoded (a wrong
// type is BAD_USER_INPUT), enums as strings.

func influencerFilter(f *model.InfluencerFilter) (db.InfluencerFilter, error) {
	if f == nil {
		return db.InfluencerFilter{}, nil
	}
	mcns, err := idsOf("filter.mcnId", f.McnID, typeMcn)
	if err != nil {
		return db.InfluencerFilter{}, err
	}
	provinces, err := provincesOf(f.Province)
	if err != nil {
		return db.InfluencerFilter{}, err
	}
	return db.InfluencerFilter{
		Province: provinces, Category: stringsOf(f.Category), Platform: stringsOf(f.Platform), McnID: mcns,
		HasActiveSanction: f.HasActiveSanction, CreatedFrom: f.CreatedFrom, CreatedTo: f.CreatedTo,
	}, nil
}

func mcnFilter(f *model.McnFilter) (db.McnFilter, error) {
	if f == nil {
		return db.McnFilter{}, nil
	}
	provinces, err := provincesOf(f.Province)
	return db.McnFilter{Province: provinces, HasActiveSanction: f.HasActiveSanction}, err
}

// provincesOf checks a province filter and widens each code to its unit among the 34, so that
// records dated before 1 July 2025 are found under the province that succeeded theirs.
func provincesOf(codes []string) ([]string, error) {
	var out []string
	for _, c := range codes {
		if problem := registry.ProvinceFilterProblem(c); problem != "" {
			return nil, errcode.BadInput("filter.province", "%s", problem)
		}
		out = append(out, registry.ProvinceGroup(c)...)
	}
	return out, nil
}

func brandFilter(f *model.BrandFilter) db.BrandFilter {
	if f == nil {
		return db.BrandFilter{}
	}
	return db.BrandFilter{Industry: stringsOf(f.Industry), HasActiveSanction: f.HasActiveSanction}
}

func disclosureFilter(f *model.DisclosureFilter) (out db.DisclosureFilter, err error) {
	if f == nil {
		return out, nil
	}
	if out.InfluencerID, err = idsOf("filter.influencerId", f.InfluencerID, typeInfluencer); err != nil {
		return out, err
	}
	if out.McnID, err = idsOf("filter.mcnId", f.McnID, typeMcn); err != nil {
		return out, err
	}
	if out.BrandID, err = idsOf("filter.brandId", f.BrandID, typeBrand); err != nil {
		return out, err
	}
	if out.AgencyID, err = idsOf("filter.agencyId", f.AgencyID, typeAgency); err != nil {
		return out, err
	}
	if f.PublishedFrom != nil && f.PublishedTo != nil && f.PublishedTo.Before(*f.PublishedFrom) {
		return out, errcode.BadInput("filter.publishedTo", "publishedTo is before publishedFrom")
	}
	out.Platform, out.ProductCategory, out.Label = stringsOf(f.Platform), stringsOf(f.ProductCategory), stringsOf(f.Label)
	out.LabelTiming, out.Compensation, out.Status = stringsOf(f.LabelTiming), stringsOf(f.Compensation), stringsOf(f.Status)
	if out.Province, err = provincesOf(f.Province); err != nil {
		return out, err
	}
	out.PublishedFrom, out.PublishedTo = f.PublishedFrom, f.PublishedTo
	return out, nil
}

func sanctionFilter(f *model.SanctionFilter) (out db.SanctionFilter, err error) {
	if f == nil {
		return out, nil
	}
	if len(f.SubjectID) > 0 {
		s := &db.Subjects{}
		for _, id := range f.SubjectID {
			typ, dbid, err := parseID("filter.subjectId", id)
			if err != nil {
				return out, err
			}
			switch typ {
			case typeInfluencer:
				s.Influencer = append(s.Influencer, dbid)
			case typeMcn:
				s.Mcn = append(s.Mcn, dbid)
			case typeBrand:
				s.Brand = append(s.Brand, dbid)
			default:
				return out, errcode.BadInput("filter.subjectId", "subjectId must hold influencer, MCN or brand IDs; %q is a %s ID", id, typ)
			}
		}
		out.Subject = s
	}
	if out.InfluencerID, err = idsOf("filter.influencerId", f.InfluencerID, typeInfluencer); err != nil {
		return out, err
	}
	if out.McnID, err = idsOf("filter.mcnId", f.McnID, typeMcn); err != nil {
		return out, err
	}
	if out.BrandID, err = idsOf("filter.brandId", f.BrandID, typeBrand); err != nil {
		return out, err
	}
	if out.AgencyID, err = idsOf("filter.agencyId", f.AgencyID, typeAgency); err != nil {
		return out, err
	}
	if f.DecidedFrom != nil && f.DecidedTo != nil && f.DecidedTo.Before(*f.DecidedFrom) {
		return out, errcode.BadInput("filter.decidedTo", "decidedTo is before decidedFrom")
	}
	if f.MinFineVnd != nil && f.MaxFineVnd != nil && *f.MaxFineVnd < *f.MinFineVnd {
		return out, errcode.BadInput("filter.maxFineVnd", "maxFineVnd is less than minFineVnd")
	}
	out.Violation, out.Status, out.Remedy = stringsOf(f.Violation), stringsOf(f.Status), stringsOf(f.Remedy)
	out.Standing, out.Execution = stringsOf(f.Standing), stringsOf(f.Execution)
	out.Active, out.Jurisdiction = f.Active, f.Jurisdiction
	if out.Province, err = provincesOf(f.Province); err != nil {
		return out, err
	}
	out.DecidedFrom, out.DecidedTo, out.MinFineVnd, out.MaxFineVnd = f.DecidedFrom, f.DecidedTo, f.MinFineVnd, f.MaxFineVnd
	return out, nil
}

// influencerOrderOf is the ordering of influencers(orderBy:), registry.DefaultInfluencerOrder without one.
func influencerOrderOf(o *model.InfluencerOrder) (field string, desc bool) {
	if o == nil {
		return registry.DefaultInfluencerOrder.Field, registry.DefaultInfluencerOrder.Desc
	}
	return string(o.Field), o.Direction == model.OrderDirectionDesc
}

// disclosureOrderOf is the ordering of disclosures(orderBy:), registry.DefaultDisclosureOrder without one.
func disclosureOrderOf(o *model.DisclosureOrder) (field string, desc bool) {
	if o == nil {
		return registry.DefaultDisclosureOrder.Field, registry.DefaultDisclosureOrder.Desc
	}
	return string(o.Field), o.Direction == model.OrderDirectionDesc
}

// sanctionOrderOf is the ordering of sanctions(orderBy:), registry.DefaultSanctionOrder without one.
func sanctionOrderOf(o *model.SanctionOrder) (field string, desc bool) {
	if o == nil {
		return registry.DefaultSanctionOrder.Field, registry.DefaultSanctionOrder.Desc
	}
	return string(o.Field), o.Direction == model.OrderDirectionDesc
}
