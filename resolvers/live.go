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

// replay is what a subscription with afterSeq sends first: the events after Seq of the
// subscription's kind on records of SubjectType, about any of Refs[type] for each type.
type replay struct {
	After       *int64
	SubjectType string
	Refs        map[string][]int64
}

// refsOf is a replay's filter on records of one type; nil when ids is (no filter).
func refsOf(typ string, ids []int64) map[string][]int64 {
	if ids == nil {
		return nil
	}
	return map[string][]int64{typ: ids}
}

// maxReplay is the most events a subscription replays; further behind, a client reads the
// changes feed first (docs/alerts.md).
const maxReplay = 1000

// sharedSeqKey names the seq of a live event, looked up once for all its subscribers.
type sharedSeqKey struct{}

// subscribe opens a bus subscription for f and streams each announced record, loaded from the
// primary, until the client stops, the subscription falls behind or the bus closes. With
// rp.After it first sends the records of the matching events after that seq up to the head,
// read once subscribed: a live event at or below that head was replayed and is skipped, one
// above it was committed after the head was read, so nothing is lost or sent twice at the seam.
func subscribe[R, M any](ctx context.Context, r *Resolver, f events.Filter, rp replay,
	load func(*db.DB, context.Context, []int64) (map[int64]R, error), conv func(R) *M) (<-chan *M, error) {
	if r.events == nil {
		return nil, errors.New("live alerts: no event bus configured")
	}
	if rp.After != nil && *rp.After < 0 {
		return nil, errcode.BadInput("afterSeq", "afterSeq must be 0 or more")
	}
	sub, err := r.events.Subscribe(ctx, f)
	if errors.Is(err, events.ErrTooManySubscribers) {
		return nil, errcode.New(errcode.RateLimited, "too many live subscriptions: close one before opening another")
	}
	if err != nil {
		return nil, fmt.Errorf("subscribe %s: %w", f.Kind, err)
	}
	var missed []db.SeqID
	var head int64
	if rp.After != nil {
		h, err := r.store.AuditHead(ctx)
		if err != nil {
			return nil, fmt.Errorf("subscribe %s: head: %w", f.Kind, err)
		}
		head = h.Seq
		if missed, err = r.store.ReplayIDs(ctx, rp.SubjectType, events.Actions[f.Kind], rp.Refs, *rp.After, head, maxReplay); err != nil {
			return nil, err
		}
		if len(missed) > maxReplay {
			return nil, errcode.BadInput("afterSeq", "more than %d events to replay after seq %d: read changes(afterSeq: %d) first, then subscribe from its last seq",
				maxReplay, *rp.After, *rp.After)
		}
	}
	out := make(chan *M)
	go func() {
		defer close(out)
		for _, m := range missed {
			lctx, cancel := context.WithTimeout(ctx, liveLoadTimeout)
			rows, err := load(r.store.Fresh(), lctx, []int64{m.ID})
			cancel()
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				endWithError(ctx, fmt.Errorf("%s: replay %d: %w", f.Kind, m.Seq, err))
				return
			}
			row, ok := rows[m.ID]
			if !ok {
				continue
			}
			select {
			case out <- conv(row):
			case <-ctx.Done():
				return
			}
		}
		for e := range sub.Events() {
			if rp.After != nil {
				v, err := e.Shared().Do(sharedSeqKey{}, func() (any, error) {
					lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), liveLoadTimeout)
					defer cancel()
					return r.store.LatestSeqOf(lctx, rp.SubjectType, e.ID, events.Actions[f.Kind])
				})
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					endWithError(ctx, fmt.Errorf("%s: place %d: %w", f.Kind, e.ID, err))
					return
				}
				if v.(int64) <= head {
					continue // committed before the head the replay read: sent already
				}
			}
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
