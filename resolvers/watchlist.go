package resolvers

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/auth"
	"github.com/kolregistry/kolregistry/db"
	"github.com/kolregistry/kolregistry/graph/errcode"
	"github.com/kolregistry/kolregistry/graph/model"
	"github.com/kolregistry/kolregistry/registry"
	"github.com/kolregistry/kolregistry/webhook"
)

// Subscribers' watchlists and webhooks (docs/webhooks.md). Their IDs are global IDs of these
// types; they are not Nodes, and every read and write is of the caller's own rows.
const (
	typeWatchlist     = "Watchlist"
	typeWatchlistItem = "WatchlistItem"
	typeEndpoint      = "WebhookEndpoint"
)

// maxItemsPerWrite bounds the items of one createWatchlist or addWatchlistItems.
const maxItemsPerWrite = 100

// WithWebhooks lets endpoints resolve to private addresses (WEBHOOK_ALLOW_PRIVATE=1, tests only).
func (r *Resolver) WithWebhooks(allowPrivate bool) *Resolver {
	r.webhookAllowPrivate = allowPrivate
	return r
}

// subscriberOf is the calling subscriber: FORBIDDEN for an agency's token with the scope.
func subscriberOf(ctx context.Context) (db.Subscriber, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p.Subscriber == nil {
		return db.Subscriber{}, errcode.New(errcode.Forbidden, "watchlists belong to subscribers: use a subscriber's token")
	}
	return *p.Subscriber, nil
}

func toSubscriber(s db.Subscriber) *model.Subscriber {
	return &model.Subscriber{DBID: s.ID, Name: s.Name, CreatedAt: s.CreatedAt}
}

func toWatchlist(w db.Watchlist) *model.Watchlist {
	return &model.Watchlist{ID: globalID(typeWatchlist, w.ID), DBID: w.ID, SubscriberID: w.SubscriberID, Name: w.Name, CreatedAt: w.CreatedAt}
}

func toWatchlistItem(it db.WatchItem) *model.WatchlistItem {
	m := &model.WatchlistItem{ID: globalID(typeWatchlistItem, it.ID), RecordType: it.RefType, RecordDBID: it.RefID, AddedAt: it.CreatedAt}
	if it.Handle != "" {
		p := model.Platform(it.Platform)
		h := it.Handle
		m.Platform, m.Handle = &p, &h
	}
	if it.URL != "" {
		u := it.URL
		m.URL = &u
	}
	return m
}

func toEndpoint(e db.Endpoint) *model.WebhookEndpoint {
	m := &model.WebhookEndpoint{ID: globalID(typeEndpoint, e.ID), DBID: e.ID, SubscriberID: e.SubscriberID,
		WatchlistID: e.WatchlistID, URL: e.URL, Active: e.Active, CreatedAt: e.CreatedAt}
	if len(e.Secrets(time.Now())) > 1 { // the previous secret still signs
		m.PreviousSecretExpiresAt = e.PreviousExpiresAt
	}
	return m
}

func toDelivery(d db.Delivery) *model.WebhookDelivery {
	m := &model.WebhookDelivery{Seq: d.Seq, Status: model.WebhookDeliveryStatus(d.Status), Attempts: d.Attempts,
		LastAttemptAt: d.LastAttemptAt, LastStatusCode: d.LastStatus, LastError: d.LastError, DeliveredAt: d.DeliveredAt}
	if d.Status == "PENDING" {
		t := d.NextAttemptAt
		m.NextAttemptAt = &t
	}
	return m
}

// watchItems validates item inputs: a record of a followable type, or a platform with a handle
// or a profile URL.
func watchItems(in []*model.WatchlistItemInput) ([]db.WatchItem, error) {
	if len(in) > maxItemsPerWrite {
		return nil, errcode.BadInput("items", "at most %d items per request", maxItemsPerWrite)
	}
	out := make([]db.WatchItem, 0, len(in))
	for _, it := range in {
		var w db.WatchItem
		switch {
		case it.RecordID != nil:
			if it.Handle != nil || it.URL != nil {
				return nil, errcode.BadInput("items", "an item is a recordId, or a platform with a handle or url: not both")
			}
			typ, id, err := parseID("items.recordId", *it.RecordID)
			if err != nil {
				return nil, err
			}
			if typ != typeInfluencer && typ != typeMcn && typ != typeBrand {
				return nil, errcode.BadInput("items.recordId", "a watchlist follows influencers, MCNs and brands; %q is a %s ID", *it.RecordID, typ)
			}
			w.RefType, w.RefID = typ, id
		case it.URL != nil && it.Handle == nil:
			// The profile-address parser search and screening use (registry/profileurl.go).
			ref, ok := registry.ParseProfile(*it.URL)
			if !ok || ref.Handle == "" || ref.Site || ref.Unresolved != "" {
				return nil, errcode.BadInput("items.url", "%q is not a profile address with a handle on a known platform; give platform and handle", *it.URL)
			}
			if it.Platform != nil && string(*it.Platform) != string(ref.Platform) {
				return nil, errcode.BadInput("items.url", "%q is a %s profile, not %s", *it.URL, ref.Platform, *it.Platform)
			}
			w.Platform, w.Handle, w.URL = string(ref.Platform), strings.ToLower(ref.Handle), *it.URL
		case it.Platform != nil && it.Handle != nil:
			w.Platform, w.Handle = string(*it.Platform), *it.Handle
			w.Handle = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(w.Handle), "@"))
			if w.Handle == "" || len(w.Handle) > 100 || strings.ContainsAny(w.Handle, " /?#") {
				return nil, errcode.BadInput("items.handle", "a handle is 1..100 characters without spaces or slashes")
			}
		default:
			return nil, errcode.BadInput("items", "an item is a recordId, or a platform with a handle or url")
		}
		out = append(out, w)
	}
	return out, nil
}

func watchlistPayload(w db.Watchlist, replayed bool, err error) (*model.WatchlistPayload, error) {
	if err != nil {
		ue, err := refused(err)
		return &model.WatchlistPayload{UserErrors: ue}, err
	}
	return &model.WatchlistPayload{Watchlist: toWatchlist(w), Replayed: replayed, UserErrors: []*model.UserError{}}, nil
}

// endpointPayload answers an endpoint write; withSecret shows the endpoint's secret (its
// current one: a replay of a creation or a rotation shows what the first write gave).
func endpointPayload(e db.Endpoint, replayed, withSecret bool, err error) (*model.WebhookEndpointPayload, error) {
	if err != nil {
		ue, err := refused(err)
		return &model.WebhookEndpointPayload{UserErrors: ue}, err
	}
	p := &model.WebhookEndpointPayload{Endpoint: toEndpoint(e), Replayed: replayed, UserErrors: []*model.UserError{}}
	if withSecret {
		p.Secret = &e.Secret
	}
	return p, nil
}

// ownID decodes the global ID of one of the caller's rows of type typ.
func ownID(field, s, typ string) (int64, error) {
	ids, err := idsOf(field, []string{s}, typ)
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}

func (r *Resolver) createWatchlist(ctx context.Context, in model.CreateWatchlistInput) (*model.WatchlistPayload, error) {
	s, err := subscriberOf(ctx)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || len([]rune(name)) > 200 {
		return nil, errcode.BadInput("name", "name must hold 1 to 200 characters")
	}
	items, err := watchItems(in.Items)
	if err != nil {
		return nil, err
	}
	return watchlistPayload(r.store.CreateWatchlist(ctx, s.ID, in.IdempotencyKey, name, items))
}

func (r *Resolver) addWatchlistItems(ctx context.Context, in model.AddWatchlistItemsInput) (*model.WatchlistPayload, error) {
	s, err := subscriberOf(ctx)
	if err != nil {
		return nil, err
	}
	id, err := ownID("watchlistId", in.WatchlistID, typeWatchlist)
	if err != nil {
		return nil, err
	}
	items, err := watchItems(in.Items)
	if err != nil {
		return nil, err
	}
	return watchlistPayload(r.store.AddWatchItems(ctx, s.ID, in.IdempotencyKey, id, items))
}

func (r *Resolver) removeWatchlistItem(ctx context.Context, in model.RemoveWatchlistItemInput) (*model.WatchlistPayload, error) {
	s, err := subscriberOf(ctx)
	if err != nil {
		return nil, err
	}
	id, err := ownID("itemId", in.ItemID, typeWatchlistItem)
	if err != nil {
		return nil, err
	}
	return watchlistPayload(r.store.RemoveWatchItem(ctx, s.ID, in.IdempotencyKey, id))
}

func (r *Resolver) createWebhookEndpoint(ctx context.Context, in model.CreateWebhookEndpointInput) (*model.WebhookEndpointPayload, error) {
	s, err := subscriberOf(ctx)
	if err != nil {
		return nil, err
	}
	id, err := ownID("watchlistId", in.WatchlistID, typeWatchlist)
	if err != nil {
		return nil, err
	}
	if err := webhook.CheckURL(ctx, in.URL, r.webhookAllowPrivate); err != nil {
		var bad *webhook.URLError
		if !errors.As(err, &bad) {
			return nil, err
		}
		return endpointPayload(db.Endpoint{}, false, false, db.UserErrors{{Field: []string{"input", "url"}, Message: bad.Message, Code: db.Invalid}})
	}
	e, replayed, err := r.store.CreateEndpoint(ctx, s.ID, in.IdempotencyKey, id, in.URL, webhook.NewSecret())
	return endpointPayload(e, replayed, true, err)
}

func (r *Resolver) rotateWebhookSecret(ctx context.Context, in model.RotateWebhookSecretInput) (*model.WebhookEndpointPayload, error) {
	s, err := subscriberOf(ctx)
	if err != nil {
		return nil, err
	}
	id, err := ownID("endpointId", in.EndpointID, typeEndpoint)
	if err != nil {
		return nil, err
	}
	e, replayed, err := r.store.RotateSecret(ctx, s.ID, in.IdempotencyKey, id, webhook.NewSecret(), webhook.RotationGrace)
	return endpointPayload(e, replayed, true, err)
}

func (r *Resolver) setWebhookEndpointActive(ctx context.Context, in model.SetWebhookEndpointActiveInput) (*model.WebhookEndpointPayload, error) {
	s, err := subscriberOf(ctx)
	if err != nil {
		return nil, err
	}
	id, err := ownID("endpointId", in.EndpointID, typeEndpoint)
	if err != nil {
		return nil, err
	}
	e, replayed, err := r.store.SetEndpointActive(ctx, s.ID, in.IdempotencyKey, id, in.Active)
	return endpointPayload(e, replayed, false, err)
}

func (r *Resolver) replayWebhookDeliveries(ctx context.Context, in model.ReplayWebhookDeliveriesInput) (*model.ReplayWebhookDeliveriesPayload, error) {
	s, err := subscriberOf(ctx)
	if err != nil {
		return nil, err
	}
	id, err := ownID("endpointId", in.EndpointID, typeEndpoint)
	if err != nil {
		return nil, err
	}
	if in.FromSeq < 1 {
		return nil, errcode.BadInput("fromSeq", "fromSeq must be 1 or more")
	}
	n, replayed, err := r.store.ReplayDeliveries(ctx, s.ID, in.IdempotencyKey, id, in.FromSeq)
	if err != nil {
		ue, err := refused(err)
		return &model.ReplayWebhookDeliveriesPayload{UserErrors: ue}, err
	}
	out := &model.ReplayWebhookDeliveriesPayload{Queued: n, Replayed: replayed, UserErrors: []*model.UserError{}}
	if eps, err := r.store.EndpointsOf(ctx, s.ID); err == nil {
		for _, e := range eps {
			if e.ID == id {
				out.Endpoint = toEndpoint(e)
			}
		}
	}
	return out, nil
}

func (r *Resolver) watchlistsOf(ctx context.Context, s *model.Subscriber) ([]*model.Watchlist, error) {
	ws, err := r.store.WatchlistsOf(ctx, s.DBID)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Watchlist, len(ws))
	for i, w := range ws {
		out[i] = toWatchlist(w)
	}
	return out, nil
}

func (r *Resolver) endpointsOf(ctx context.Context, s *model.Subscriber) ([]*model.WebhookEndpoint, error) {
	es, err := r.store.EndpointsOf(ctx, s.DBID)
	if err != nil {
		return nil, err
	}
	out := make([]*model.WebhookEndpoint, len(es))
	for i, e := range es {
		out[i] = toEndpoint(e)
	}
	return out, nil
}

func (r *Resolver) itemsOf(ctx context.Context, w *model.Watchlist) ([]*model.WatchlistItem, error) {
	its, err := r.store.WatchItemsOf(ctx, w.DBID)
	if err != nil {
		return nil, err
	}
	out := make([]*model.WatchlistItem, len(its))
	for i, it := range its {
		out[i] = toWatchlistItem(it)
	}
	return out, nil
}

func (r *Resolver) endpointWatchlist(ctx context.Context, e *model.WebhookEndpoint) (*model.Watchlist, error) {
	ws, err := r.store.WatchlistsOf(ctx, e.SubscriberID)
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if w.ID == e.WatchlistID {
			return toWatchlist(w), nil
		}
	}
	return nil, errcode.New(errcode.NotFound, "the endpoint's watchlist is gone")
}

func (r *Resolver) deliveries(ctx context.Context, e *model.WebhookEndpoint, afterSeq *int64, first *int, status []model.WebhookDeliveryStatus) (*model.WebhookDeliveryPage, error) {
	p, err := db.NewPage(first, nil, nil, nil)
	if err != nil {
		return nil, err
	}
	var after int64
	if afterSeq != nil {
		after = *afterSeq
	}
	var st []string
	if status != nil {
		st = make([]string, len(status))
		for i, s := range status {
			st[i] = string(s)
		}
	}
	rows, more, err := r.store.Deliveries(ctx, e.SubscriberID, e.DBID, after, p.Limit, st)
	if err != nil {
		return nil, err
	}
	out := &model.WebhookDeliveryPage{Nodes: make([]*model.WebhookDelivery, len(rows)), HasNextPage: more}
	for i, d := range rows {
		out.Nodes[i] = toDelivery(d)
	}
	return out, nil
}

func (r *Resolver) deliveryEvent(ctx context.Context, d *model.WebhookDelivery) (*model.AuditEvent, error) {
	pg, err := r.store.Changes(ctx, db.ChangeFilter{}, db.Page{Limit: 1, After: db.SeqCursor(d.Seq - 1)})
	if err != nil {
		return nil, err
	}
	if len(pg.Rows) == 0 || pg.Rows[0].Seq != d.Seq {
		return nil, errcode.New(errcode.NotFound, "event %d is not readable yet", d.Seq)
	}
	return toAuditEvent(pg.Rows[0]), nil
}
