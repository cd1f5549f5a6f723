package resolvers

import (
	"context"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/vikstrous/dataloadgen"
)

// loadOne loads a row by id through a loader and maps it; a missing row is nil.
func loadOne[R, M any](ctx context.Context, l *dataloadgen.Loader[int64, *R], id int64, conv func(R) *M) (*M, error) {
	r, err := l.Load(ctx, id)
	if err != nil || r == nil {
		return nil, err
	}
	return conv(*r), nil
}

// loadOptional is loadOne for a nullable foreign key.
func loadOptional[R, M any](ctx context.Context, l *dataloadgen.Loader[int64, *R], id *int64, conv func(R) *M) (*M, error) {
	if id == nil {
		return nil, nil
	}
	return loadOne(ctx, l, *id, conv)
}

// loadChildren loads a parent's child rows through a loader and maps them.
func loadChildren[R, M any](ctx context.Context, l *dataloadgen.Loader[int64, []R], id int64, conv func(R) *M) ([]*M, error) {
	rows, err := l.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	return mapAll(rows, conv), nil
}

// asNode loads an entity for node(id:); nil (not a typed nil) when it does not exist.
func asNode[R, M any](ctx context.Context, r reads[R], id int64, conv func(R) *M) (model.Node, error) {
	row, err := plannedEntity(ctx, r, id)
	if err != nil || row == nil {
		return nil, err
	}
	n, _ := any(conv(*row)).(model.Node)
	return n, nil
}

// node resolves any global ID: null for a well-formed ID of an unknown type or a missing row.
func node(ctx context.Context, field, id string) (model.Node, error) {
	typ, dbid, err := parseID(field, id)
	if err != nil {
		return nil, err
	}
	switch typ {
	case typeInfluencer:
		return asNode(ctx, influencerReads(), dbid, toInfluencer)
	case typeAccount:
		return asNode(ctx, accountReads(), dbid, toAccount)
	case typeMcn:
		return asNode(ctx, mcnReads(), dbid, toMcn)
	case typeAffiliation:
		return asNode(ctx, affiliationReads(), dbid, toAffiliation)
	case typeBrand:
		return asNode(ctx, brandReads(), dbid, toBrand)
	case typeDisclosure:
		return asNode(ctx, disclosureReads(), dbid, toDisclosure)
	case typeAgency:
		return asNode(ctx, agencyReads(), dbid, toAgency)
	case typeSanction:
		return asNode(ctx, sanctionReads(), dbid, toSanction)
	}
	return nil, nil
}

// entity resolves a root field like influencer(id:): null for an ID of another type or a missing row.
func entity[R, M any](ctx context.Context, id, typ string, r reads[R], conv func(R) *M) (*M, error) {
	dbid, ok, err := idOf("id", id, typ)
	if err != nil || !ok {
		return nil, err
	}
	row, err := plannedEntity(ctx, r, dbid)
	if err != nil || row == nil {
		return nil, err
	}
	return conv(*row), nil
}

// disclosuresOf resolves a nested disclosure connection through its batched loader.
func disclosuresOf(ctx context.Context, parent db.DisclosureParent, id int64, first *int, after *string, last *int, before *string) (*model.DisclosureConnection, error) {
	p, err := db.NewPage(first, last, after, before)
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	pg, err := l.disclosuresOf(parent).Load(ctx, pageKey{parent: id, args: argsOf(p)})
	if err != nil {
		return nil, err
	}
	c := disclosureConnection(pg, func(ctx context.Context) (int, error) {
		return l.disclosureCountsOf(parent).Load(ctx, pageKey{parent: id})
	})
	c.FacetsOf = disclosureFacets(l.store, nestedDisclosureFilter(parent, id))
	return c, nil
}

// sanctionsOf resolves a nested sanction connection (of the list's arguments) through its batched loader.
func sanctionsOf(ctx context.Context, parent db.SanctionParent, id int64, list db.SanctionList, first *int, after *string, last *int, before *string) (*model.SanctionConnection, error) {
	p, err := db.NewPage(first, last, after, before)
	if err != nil {
		return nil, err
	}
	l := loadersFrom(ctx)
	pg, err := l.sanctionsOf(parent, list).Load(ctx, pageKey{parent: id, args: argsOf(p)})
	if err != nil {
		return nil, err
	}
	c := sanctionConnection(pg, func(ctx context.Context) (int, error) {
		return l.sanctionCountsOf(parent, list).Load(ctx, pageKey{parent: id})
	})
	c.FacetsOf = sanctionFacets(l.store, list.Of(parent, id))
	return c, nil
}

// sanctionList is a nested sanction list's arguments (the planner reads them as sanctionListArgs).
func sanctionList(status []model.SanctionStatus, active *bool, standing []model.SanctionStanding, execution []model.SanctionExecution) db.SanctionList {
	return db.SanctionList{Status: stringsOf(status), Active: active, Standing: stringsOf(standing), Execution: stringsOf(execution)}
}
