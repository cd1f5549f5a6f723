package resolvers

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/events"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
)

// Live alerts: the mutations announce what they committed, the subscriptions load each
// announced record fresh from the primary (events carry only IDs).

// maxFilterIDs bounds each ID list of a subscription's arguments.
const maxFilterIDs = 100

// liveLoadTimeout bounds the read of one announced record.
const liveLoadTimeout = 10 * time.Second

// announce publishes e after a commit. A failure is the bus's to log: the write stands, and
// subscribers on this replica still get the event.
func (r *Resolver) announce(ctx context.Context, e events.Event) {
	if r.events != nil {
		_ = r.events.Publish(ctx, e)
	}
}

func (r *Resolver) announceSanction(ctx context.Context, kind events.Kind, s *model.Sanction) {
	e := events.Event{Kind: kind, ID: s.DBID}
	switch s.SubjectKind {
	case model.SubjectInfluencer:
		e.InfluencerIDs = []int64{s.SubjectDBID}
	case model.SubjectBrand:
		e.BrandIDs = []int64{s.SubjectDBID}
	}
	r.announce(ctx, e)
}

// filterIDs decodes a subscription's ID filter: nil when omitted, BAD_USER_INPUT when empty,
// too long, malformed or of another type.
func filterIDs(field string, ss []string, typ string) ([]int64, error) {
	if ss == nil {
		return nil, nil
	}
	if len(ss) == 0 {
		return nil, errcode.BadInput(field, "%s must hold at least one ID, or be omitted to receive every event", field)
	}
	if len(ss) > maxFilterIDs {
		return nil, errcode.BadInput(field, "%s may hold at most %d IDs", field, maxFilterIDs)
	}
	return idsOf(field, ss, typ)
}

// liveLoaders are one subscription's dataloaders: each event brings a fresh set over the
// primary, shared by every subscriber of that event (events.Shared), so that a write fanning
// out to thousands of subscriptions loads each nested record in one batch, not once per
// subscriber, and a second event about the same record never shows the first one's cached rows.
type liveLoaders struct {
	store *db.DB
	wait  time.Duration
	cur   atomic.Pointer[Loaders]
}

// WithLiveLoaders gives a subscription operation per-event dataloaders over store's primary;
// the server puts it around every subscription (queries keep their per-request loaders).
func WithLiveLoaders(ctx context.Context, store *db.DB, wait time.Duration) context.Context {
	l := &liveLoaders{store: store.Fresh(), wait: wait}
	l.cur.Store(newLoaders(l.store, wait))
	return context.WithValue(ctx, loadersKey{}, l)
}

// sharedLoadersKey and sharedRowsKey name what one event's subscribers share.
type (
	sharedLoadersKey     struct{ wait time.Duration }
	sharedRowsKey[R any] struct{}
)

// eventLoaders switches ctx's live loaders, if any, to e's shared set before its record is
// resolved.
func eventLoaders(ctx context.Context, e events.Event) {
	l, ok := ctx.Value(loadersKey{}).(*liveLoaders)
	if !ok {
		return
	}
	v, _ := e.Shared().Do(sharedLoadersKey{l.wait}, func() (any, error) { return newLoaders(l.store, l.wait), nil })
	l.cur.Store(v.(*Loaders))
}

// subscribe opens a bus subscription for f and streams each announced record, loaded from the
// primary, until the client stops, the subscription falls behind or the bus closes.
func subscribe[R, M any](ctx context.Context, r *Resolver, f events.Filter,
	load func(*db.DB, context.Context, []int64) (map[int64]R, error), conv func(R) *M) (<-chan *M, error) {
	if r.events == nil {
		return nil, errors.New("live alerts: no event bus configured")
	}
	sub, err := r.events.Subscribe(ctx, f)
	if errors.Is(err, events.ErrTooManySubscribers) {
		return nil, errcode.New(errcode.RateLimited, "too many live subscriptions: close one before opening another")
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", f.Kind, err)
	}
	out := make(chan *M)
	go func() {
		defer close(out)
		for e := range sub.Events() {
			// One read per event for all its subscribers; no one subscriber hanging up cancels it.
			v, err := e.Shared().Do(sharedRowsKey[R]{}, func() (any, error) {
				lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), liveLoadTimeout)
				defer cancel()
				return load(r.store.Fresh(), lctx, []int64{e.ID})
			})
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				endWithError(ctx, fmt.Errorf("%s: load %d: %w", f.Kind, e.ID, err))
				return
			}
			eventLoaders(ctx, e)
			row, ok := v.(map[int64]R)[e.ID]
			if !ok {
				continue // announced by a replica whose commit this primary does not hold: not ours to show
			}
			select {
			case out <- conv(row):
			case <-ctx.Done():
				return
			}
		}
		if sub.Slow() {
			endWithError(ctx, errcode.New(errcode.RateLimited,
				"this subscription fell too far behind and was ended; subscribe again and re-query what you missed"))
		}
	}()
	return out, nil
}

// endWithError ends a running subscription with err, shown as the error presenter shows any
// error (an internal one is logged and masked).
func endWithError(ctx context.Context, err error) {
	graphql.AddError(ctx, err)
	if errs := graphql.GetErrors(ctx); len(errs) > 0 {
		transport.AddSubscriptionError(ctx, errs[len(errs)-1])
	}
}
