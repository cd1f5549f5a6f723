package resolvers

import (
	"slices"
	"time"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/registry"
)

// The functions here map store rows to GraphQL types: global IDs out, enums typed.

func enums[E ~string](ss []string) []E {
	out := make([]E, len(ss))
	for i, s := range ss {
		out[i] = E(s)
	}
	return out
}

func stringsOf[E ~string](es []E) []string {
	if len(es) == 0 {
		return nil
	}
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = string(e)
	}
	return out
}

func toInfluencer(r db.Influencer) *model.Influencer {
	return &model.Influencer{
		ID: globalID(typeInfluencer, r.ID), DBID: r.ID, DisplayName: r.DisplayName, LegalName: r.LegalName,
		Aliases: nonNil(r.Aliases), Province: r.Province, Categories: enums[model.ContentCategory](r.Categories),
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func toCredential(r db.Credential) *model.Credential {
	return &model.Credential{Field: model.ContentCategory(r.Field), Title: r.Title, Issuer: r.Issuer, ValidUntil: r.ValidUntil}
}

func toAccount(r db.PlatformAccount) *model.PlatformAccount {
	return &model.PlatformAccount{
		ID: globalID(typeAccount, r.ID), DBID: r.ID, InfluencerID: r.InfluencerID, Platform: model.Platform(r.Platform),
		Handle: r.Handle, URL: r.URL, PlatformUserID: r.PlatformUserID, FollowerCount: r.FollowerCount,
		FollowersAsOf: r.FollowersAsOf, IdentityVerification: model.IdentityVerification(r.IdentityVerification),
		CreatedAt: r.CreatedAt,
	}
}

func toMcn(r db.Mcn) *model.Mcn {
	return &model.Mcn{
		ID: globalID(typeMcn, r.ID), DBID: r.ID, Name: r.Name, TaxCode: r.TaxCode, Website: r.Website,
		Province: r.Province, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
}

func toAffiliation(r db.Affiliation) *model.Affiliation {
	return &model.Affiliation{
		ID: globalID(typeAffiliation, r.ID), DBID: r.ID, InfluencerID: r.InfluencerID, McnID: r.McnID,
		Kind: model.AffiliationKind(r.Kind), StartedOn: r.StartedOn, EndedOn: r.EndedOn, Current: r.EndedOn == nil,
		Source: r.Source, Version: r.Version,
	}
}

func toBrand(r db.Brand) *model.Brand {
	b := &model.Brand{
		ID: globalID(typeBrand, r.ID), DBID: r.ID, Name: r.Name, TaxCode: r.TaxCode,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if r.Industry != nil {
		industry := model.ProductCategory(*r.Industry)
		b.Industry = &industry
	}
	return b
}

func toDisclosure(r db.Disclosure) *model.Disclosure {
	return &model.Disclosure{
		ID: globalID(typeDisclosure, r.ID), DBID: r.ID, InfluencerID: r.InfluencerID, AccountID: r.AccountID,
		McnID: r.McnID, FiledByID: r.FiledBy, ProductName: r.ProductName,
		ProductCategory: model.ProductCategory(r.ProductCategory), ContentURL: r.ContentURL,
		Platform: model.Platform(r.Platform), PublishedAt: r.PublishedAt, Label: model.DisclosureLabel(r.Label),
		LabelTiming: model.LabelTiming(r.LabelTiming), Compensation: model.CompensationType(r.Compensation),
		Status: model.DisclosureStatus(r.Status), Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
		RetractionReason: r.RetractionReason,
	}
}

func toAgency(r db.Agency) *model.Agency {
	return &model.Agency{
		ID: globalID(typeAgency, r.ID), DBID: r.ID, Slug: r.Slug, Name: r.Name, NameEn: r.NameEn,
		Kind: model.AgencyKind(r.Kind), Jurisdiction: r.Jurisdiction, Status: model.AgencyStatus(r.Status),
		CreatedAt: r.CreatedAt,
	}
}

func toSanction(r db.Sanction) *model.Sanction {
	return &model.Sanction{
		ID: globalID(typeSanction, r.ID), DBID: r.ID, SubjectKind: model.SubjectKind(r.SubjectKind),
		SubjectDBID: r.SubjectID(), AgencyID: r.AgencyID, DecisionNumber: r.DecisionNumber, DecidedOn: r.DecidedOn,
		EffectiveOn: r.EffectiveOn, FineVnd: r.FineVnd, Remedies: enums[model.Remedy](r.Remedies),
		Status: model.SanctionStatus(r.Status), SourceURL: r.SourceURL, SourceSha256: r.SourceSha256,
		RecordedAt: r.RecordedAt, Version: r.Version,
		Penalty: model.Penalty(r.Penalty), AdditionalPenalties: enums[model.AdditionalPenalty](r.AdditionalPenalties),
		PaymentDeadline: r.PaymentDeadline, SignatoryTitle: r.SignatoryTitle, ViolationRecordNumber: r.ViolationRecordNumber,
		Standing: model.SanctionStanding(r.Standing), Execution: model.SanctionExecution(r.Execution), ExecutedOn: r.ExecutedOn,
	}
}

func toViolation(r db.Violation) *model.Violation {
	ref := &model.LegalReference{Instrument: r.Instrument, Article: r.Article, Point: r.Point, AmendedBy: r.AmendedBy}
	if r.Clause != nil {
		c := int(*r.Clause)
		ref.Clause = &c
	}
	return &model.Violation{Category: model.ViolationCategory(r.Category), LegalBasis: ref, Description: r.Description}
}

func toStatusChange(r db.StatusChange) *model.SanctionStatusChange {
	return &model.SanctionStatusChange{
		Status: model.SanctionStatus(r.Status), Standing: model.SanctionStanding(r.Standing),
		Execution: model.SanctionExecution(r.Execution), EffectiveOn: r.EffectiveOn, Reason: r.Reason,
		DocumentURL: r.DocumentURL, AgencyID: r.AgencyID, RecordedAt: r.RecordedAt,
	}
}

func mapAll[R, M any](rows []R, conv func(R) *M) []*M {
	out := make([]*M, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out
}

func nonNil(ss []string) []string {
	if ss == nil {
		return []string{}
	}
	return ss
}

// page maps a page of rows to a connection's edges, nodes and pageInfo.
func page[R, M, E any](pg db.PageOf[R], conv func(R) *M, edge func(cursor string, node *M) *E) ([]*E, []*M, *model.PageInfo) {
	nodes := mapAll(pg.Rows, conv)
	edges := make([]*E, len(nodes))
	for i, n := range nodes {
		edges[i] = edge(pg.Cursors[i], n)
	}
	info := &model.PageInfo{HasNextPage: pg.HasNextPage, HasPreviousPage: pg.HasPreviousPage}
	if len(pg.Cursors) > 0 {
		info.StartCursor, info.EndCursor = &pg.Cursors[0], &pg.Cursors[len(pg.Cursors)-1]
	}
	return edges, nodes, info
}

func influencerConnection(pg db.PageOf[db.Influencer], count model.Counter) *model.InfluencerConnection {
	c := &model.InfluencerConnection{Count: count}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toInfluencer, func(cur string, n *model.Influencer) *model.InfluencerEdge {
		return &model.InfluencerEdge{Cursor: cur, Node: n}
	})
	return c
}

func mcnConnection(pg db.PageOf[db.Mcn], count model.Counter) *model.McnConnection {
	c := &model.McnConnection{Count: count}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toMcn, func(cur string, n *model.Mcn) *model.McnEdge {
		return &model.McnEdge{Cursor: cur, Node: n}
	})
	return c
}

func affiliationConnection(pg db.PageOf[db.Affiliation], count model.Counter) *model.AffiliationConnection {
	c := &model.AffiliationConnection{Count: count}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toAffiliation, func(cur string, n *model.Affiliation) *model.AffiliationEdge {
		return &model.AffiliationEdge{Cursor: cur, Node: n}
	})
	return c
}

func brandConnection(pg db.PageOf[db.Brand], count model.Counter) *model.BrandConnection {
	c := &model.BrandConnection{Count: count}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toBrand, func(cur string, n *model.Brand) *model.BrandEdge {
		return &model.BrandEdge{Cursor: cur, Node: n}
	})
	return c
}

func disclosureConnection(pg db.PageOf[db.Disclosure], count model.Counter) *model.DisclosureConnection {
	c := &model.DisclosureConnection{Count: count}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toDisclosure, func(cur string, n *model.Disclosure) *model.DisclosureEdge {
		return &model.DisclosureEdge{Cursor: cur, Node: n}
	})
	return c
}

func sanctionConnection(pg db.PageOf[db.Sanction], count model.Counter) *model.SanctionConnection {
	c := &model.SanctionConnection{Count: count}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toSanction, func(cur string, n *model.Sanction) *model.SanctionEdge {
		return &model.SanctionEdge{Cursor: cur, Node: n}
	})
	return c
}

func agencyConnection(pg db.PageOf[db.Agency], count model.Counter) *model.AgencyConnection {
	c := &model.AgencyConnection{Count: count}
	c.Edges, c.Nodes, c.PageInfo = page(pg, toAgency, func(cur string, n *model.Agency) *model.AgencyEdge {
		return &model.AgencyEdge{Cursor: cur, Node: n}
	})
	return c
}

// currentAffiliation picks the affiliation naming the influencer's MCN today in Vietnam.
func currentAffiliation(affs []db.Affiliation) *db.Affiliation {
	return db.CurrentAffiliation(affs, currentDay())
}

// currentDay is the day Influencer.currentMcn is chosen for: today in Vietnam.
func currentDay() time.Time { return time.Now().In(db.VietnamTime) }

// toLegalInstruments lists the catalogue's instruments by number, each with its provisions.
func toLegalInstruments(cat registry.Catalogue) []*model.LegalInstrument {
	numbers := make([]string, 0, len(cat.Instruments))
	for n := range cat.Instruments {
		numbers = append(numbers, n)
	}
	slices.Sort(numbers)
	out := make([]*model.LegalInstrument, len(numbers))
	for i, n := range numbers {
		in := cat.Instruments[n]
		m := &model.LegalInstrument{Number: in.Number, Kind: model.InstrumentKind(in.Kind), TitleVi: in.TitleVi, TitleEn: in.TitleEn,
			InForceFrom: in.InForceFrom, InForceTo: in.InForceTo, Amends: in.Amends, AmendingOnly: in.AmendingOnly,
			Sanctioning: in.Sanctioning, Provisions: []*model.SanctioningProvision{}}
		if in.Cap != nil {
			m.FineCap = &model.FineCap{IndividualVnd: in.Cap.Individual, OrganisationVnd: in.Cap.Organisation, Article: in.Cap.Article}
		}
		if m.Amends == nil {
			m.Amends = []string{}
		}
		for _, p := range cat.Provisions {
			if p.Instrument == n {
				m.Provisions = append(m.Provisions, &model.SanctioningProvision{Instrument: p.Instrument, Article: p.Article,
					Clause: p.Clause, AmendedBy: p.AmendedBy, SummaryVi: p.SummaryVi, SummaryEn: p.SummaryEn,
					Individual: toFineRange(p.Individual), Organisation: toFineRange(p.Organisation), WarningAllowed: p.WarningAllowed})
			}
		}
		out[i] = m
	}
	return out
}

func toFineRange(r *registry.FineRange) *model.FineRange {
	if r == nil {
		return nil
	}
	return &model.FineRange{MinVnd: r.Min, MaxVnd: r.Max}
}
