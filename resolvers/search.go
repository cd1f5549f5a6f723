package resolvers

import (
	"context"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/model"
)

// searchConnection maps a page of search hits to edges, loading the entities through the
// request's loaders (one batch per kind). A hit whose row vanished cannot happen (nothing is
// hard-deleted) but would simply be left out.
func searchConnection(ctx context.Context, pg db.PageOf[db.SearchHit], count model.Counter) (*model.SearchConnection, error) {
	l := loadersFrom(ctx)
	thunks := make([]func() (model.SearchResult, error), len(pg.Rows))
	for i, h := range pg.Rows {
		thunks[i] = searchThunk(ctx, l, h)
	}
	c := &model.SearchConnection{Count: count, Edges: []*model.SearchEdge{}, Nodes: []model.SearchResult{}}
	for i, h := range pg.Rows {
		node, err := thunks[i]()
		if err != nil {
			return nil, err
		}
		if node == nil {
			continue
		}
		c.Edges = append(c.Edges, &model.SearchEdge{
			Cursor: pg.Cursors[i], Node: node, Kind: model.SearchKind(h.Kind),
			MatchedField: model.SearchField(h.Field), MatchedText: h.Text, Score: h.ScoreFloat(),
		})
		c.Nodes = append(c.Nodes, node)
	}
	c.PageInfo = &model.PageInfo{HasNextPage: pg.HasNextPage, HasPreviousPage: pg.HasPreviousPage}
	if len(c.Edges) > 0 {
		c.PageInfo.StartCursor, c.PageInfo.EndCursor = &c.Edges[0].Cursor, &c.Edges[len(c.Edges)-1].Cursor
	}
	return c, nil
}

// searchThunk starts loading a hit's entity; the returned function waits for it.
func searchThunk(ctx context.Context, l *Loaders, h db.SearchHit) func() (model.SearchResult, error) {
	switch h.Kind {
	case db.SearchInfluencer:
		return thunkOf(l.influencer().LoadThunk(ctx, h.ID), toInfluencer)
	case db.SearchPlatformAccount:
		return thunkOf(l.account().LoadThunk(ctx, h.ID), toAccount)
	case db.SearchMcn:
		return thunkOf(l.mcn().LoadThunk(ctx, h.ID), toMcn)
	default:
		return thunkOf(l.brand().LoadThunk(ctx, h.ID), toBrand)
	}
}

func thunkOf[R, M any](load func() (*R, error), conv func(R) *M) func() (model.SearchResult, error) {
	return func() (model.SearchResult, error) {
		r, err := load()
		if err != nil || r == nil {
			return nil, err
		}
		m, _ := any(conv(*r)).(model.SearchResult)
		return m, nil
	}
}
