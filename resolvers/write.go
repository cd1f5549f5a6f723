package resolvers

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/registry"
)

// HasScope implements @hasScope: a mutation runs only for an authenticated agency whose token
// grants the scope. The server wires it into graph.Config.Directives.
func HasScope(ctx context.Context, _ any, next graphql.Resolver, scope string) (any, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return nil, errcode.New(errcode.Unauthenticated, "writes need an agency token: send Authorization: Bearer <token>")
	}
	if !p.Has(scope) {
		return nil, errcode.New(errcode.Forbidden, "the token does not grant the %s scope", scope)
	}
	return next(ctx)
}

// actor is the calling agency. @hasScope has already refused anonymous callers.
func actor(ctx context.Context) (db.Agency, error) {
	p, ok := auth.FromContext(ctx)
	if !ok {
		return db.Agency{}, errcode.New(errcode.Unauthenticated, "writes need an agency token")
	}
	return p.Agency, nil
}

// refused maps the user errors of a refused write to the payload's userErrors; any other error
// is returned as it is (the error presenter masks it).
func refused(err error) ([]*model.UserError, error) {
	u, ok := db.AsUserErrors(err)
	if !ok {
		return nil, err
	}
	out := make([]*model.UserError, len(u))
	for i, e := range u {
		out[i] = &model.UserError{Field: e.Field, Msg: e.Message, Code: model.UserErrorCode(e.Code)}
	}
	return out, nil
}

// inputIDs decodes the global IDs of a mutation input. A malformed ID is INVALID and one of
// another type NOT_FOUND, each with its field path; they are gathered in errs.
type inputIDs struct{ errs db.UserErrors }

func (in *inputIDs) one(s, typ string, field ...string) int64 {
	t, id, err := parseID("id", s)
	path := append([]string{"input"}, field...)
	switch {
	case err != nil:
		in.errs = append(in.errs, db.UserError{Field: path, Code: db.Invalid, Message: registry.Msg("INVALID_ID")})
	case t != typ:
		in.errs = append(in.errs, db.UserError{Field: path, Code: db.NotFound, Message: registry.Msg("NO_RECORD_WITH_ID", registry.Term(typ))})
	}
	return id
}

func (in *inputIDs) optional(s *string, typ string, field ...string) *int64 {
	if s == nil {
		return nil
	}
	id := in.one(*s, typ, field...)
	return &id
}

func (in *inputIDs) many(ss []string, typ string, field string) []int64 {
	if ss == nil {
		return nil
	}
	out := make([]int64, len(ss))
	for i, s := range ss {
		out[i] = in.one(s, typ, field, itoa(i))
	}
	return out
}

func (in *inputIDs) err() error {
	if len(in.errs) == 0 {
		return nil
	}
	return in.errs
}

// written finishes a mutation: a refused write becomes userErrors, a successful one is read back
// (from the primary) as the payload's record.
func written[R, M any](ctx context.Context, store *db.DB, res db.WriteResult, err error,
	load func(*db.DB, context.Context, []int64) (map[int64]R, error), conv func(R) *M) (*M, []*model.UserError, error) {
	if err != nil {
		ue, err := refused(err)
		return nil, ue, err
	}
	rows, err := load(store.Fresh(), ctx, []int64{res.SubjectID})
	if err != nil {
		return nil, nil, err
	}
	row, ok := rows[res.SubjectID]
	if !ok {
		return nil, nil, fmt.Errorf("%s %d written but not found", res.SubjectType, res.SubjectID)
	}
	return conv(row), []*model.UserError{}, nil
}

// subjectOf decodes a sanction subject's global ID into its kind and id.
func subjectOf(ids *inputIDs, s string) (kind string, id int64) {
	t, id, err := parseID("id", s)
	kinds := map[string]string{typeInfluencer: "INFLUENCER", typeMcn: "MCN", typeBrand: "BRAND"}
	path := []string{"input", "subjectId"}
	switch {
	case err != nil:
		ids.errs = append(ids.errs, db.UserError{Field: path, Code: db.Invalid, Message: registry.Msg("INVALID_ID")})
	case kinds[t] == "":
		ids.errs = append(ids.errs, db.UserError{Field: path, Code: db.NotFound, Message: registry.Msg("NO_SUBJECT_WITH_ID")})
	}
	return kinds[t], id
}

func violationsOf(vs []*model.ViolationInput) []db.NewViolation {
	out := make([]db.NewViolation, len(vs))
	for i, v := range vs {
		out[i] = db.NewViolation{Category: string(v.Category), Description: v.Description}
		if v.LegalBasis != nil {
			out[i].Instrument, out[i].Article, out[i].Clause, out[i].Point, out[i].AmendedBy =
				v.LegalBasis.Instrument, v.LegalBasis.Article, v.LegalBasis.Clause, v.LegalBasis.Point, v.LegalBasis.AmendedBy
		}
	}
	return out
}
