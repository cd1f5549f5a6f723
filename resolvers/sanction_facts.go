package resolvers

import (
	"context"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/events"
	"github.com/kolregistry/kolregistry/graph/model"
)

// sanctionFactMutation is the shape of the mutations that append to a sanction's history
// (changeSanctionStanding, recordSanctionExecution, reviewSanction): resolve the sanction ID,
// fill the change, write it, read the sanction back and tell the subscribers.
func sanctionFactMutation[P any](ctx context.Context, store *db.DB, key *string,
	write func(*db.DB, context.Context, db.Agency, *string, db.SanctionFactChange) (db.WriteResult, error),
	sanctionID string, fill func(*db.SanctionFactChange),
	announce func(context.Context, events.Kind, *model.Sanction),
	payload func(*model.Sanction, []*model.UserError, bool) *P) (*P, error) {
	agency, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	var in db.SanctionFactChange
	fill(&in)
	var ids inputIDs
	in.SanctionID = ids.one(sanctionID, typeSanction, "sanctionId")
	var res db.WriteResult
	if err = ids.err(); err == nil {
		res, err = write(store, ctx, agency, key, in)
	}
	s, ue, err := written(ctx, store, res, err, (*db.DB).SanctionsByIDs, toSanction)
	if err != nil {
		return nil, err
	}
	if s != nil && !res.Replayed {
		announce(ctx, events.SanctionStatusChanged, s)
	}
	return payload(s, ue, res.Replayed), nil
}

// changesOf keeps the entries of a history that changed fact (the first entry always).
func changesOf(h []*model.SanctionStatusChange, fact func(*model.SanctionStatusChange) any) []*model.SanctionStatusChange {
	out := make([]*model.SanctionStatusChange, 0, len(h))
	for i, c := range h {
		if i == 0 || fact(c) != fact(h[i-1]) {
			out = append(out, c)
		}
	}
	return out
}
