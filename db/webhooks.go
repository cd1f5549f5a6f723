package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kolregistry/kolregistry/registry"
	"github.com/lib/pq"
)

// Subscribers, watchlists and the webhook outbox (docs/webhooks.md). Subscribers are not
// agencies: what they store here is theirs, not the registry's public record, so these writes
// are plain transactions without audit events.

// Limits of a subscriber's data (the API prices its lists with them).
const (
	MaxWatchlistsPerSubscriber = 20
	MaxItemsPerWatchlist       = 500
	MaxEndpointsPerSubscriber  = 10
	// MaxReplay is how many events one replay may queue again.
	MaxReplay = 10000
)

// ErrSubscriberExists is AddSubscriber with a name taken.
var ErrSubscriberExists = errors.New("a subscriber with this name exists")

// Subscriber is a row of subscriber.
type Subscriber struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// AddSubscriber registers a subscriber (the operator does, at the CLI).
func (d *DB) AddSubscriber(ctx context.Context, name string) (Subscriber, error) {
	var s Subscriber
	err := d.primary.QueryRowContext(ctx, `INSERT INTO subscriber (name) VALUES ($1) RETURNING id, name, created_at`, name).
		Scan(&s.ID, &s.Name, &s.CreatedAt)
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return s, ErrSubscriberExists
	}
	if errors.As(err, &pqErr) && pqErr.Code == "23514" {
		return s, fmt.Errorf("subscriber name %q: lower-case letters, digits and dashes, 2 to 63 of them", name)
	}
	return s, err
}

// SubscriberByName reads a subscriber; ErrNotFound when there is none.
func (d *DB) SubscriberByName(ctx context.Context, name string) (Subscriber, error) {
	var s Subscriber
	err := d.primary.QueryRowContext(ctx, `SELECT id, name, created_at FROM subscriber WHERE name = $1`, name).Scan(&s.ID, &s.Name, &s.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return s, ErrNotFound
	}
	return s, err
}

// WatchItem is one thing a watchlist follows: a record (RefType Influencer, Mcn or Brand), or
// a platform handle, registered or not.
type WatchItem struct {
	ID          int64
	WatchlistID int64
	RefType     string
	RefID       int64
	Platform    string
	Handle      string
	URL         string
	CreatedAt   time.Time
}

// Watchlist is a row of watchlist.
type Watchlist struct {
	ID           int64
	SubscriberID int64
	Name         string
	CreatedAt    time.Time
}

// CreateWatchlist creates a watchlist with its first items, in one transaction. A replay of its
// idempotency key (nil: none) returns the watchlist the first write created.
func (d *DB) CreateWatchlist(ctx context.Context, subscriber int64, key *string, name string, items []WatchItem) (Watchlist, bool, error) {
	input := struct {
		Name  string
		Items []WatchItem
	}{name, items}
	res, err := d.subscriberWrite(ctx, subscriber, key, "createWatchlist", "Watchlist", input, func(tx *Tx) (int64, error) {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM subscriber WHERE id = $1 FOR UPDATE`, subscriber); err != nil {
			return 0, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM watchlist WHERE subscriber_id = $1`, subscriber).Scan(&n); err != nil {
			return 0, err
		}
		if n >= MaxWatchlistsPerSubscriber {
			return 0, userError("INVALID", registry.Msg("AT_MOST_WATCHLISTS", MaxWatchlistsPerSubscriber), "input", "name")
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO watchlist (subscriber_id, name) VALUES ($1, $2)
			ON CONFLICT (subscriber_id, name) DO NOTHING RETURNING id`, subscriber, name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, userError("DUPLICATE", registry.Msg("WATCHLIST_NAME_TAKEN"), "input", "name")
		}
		if err != nil {
			return 0, err
		}
		return id, addItems(ctx, tx, id, items)
	})
	return d.watchlistResult(ctx, subscriber, res, err)
}

// AddWatchItems adds items to a subscriber's watchlist; items already there are kept once.
func (d *DB) AddWatchItems(ctx context.Context, subscriber int64, key *string, watchlist int64, items []WatchItem) (Watchlist, bool, error) {
	input := struct {
		Watchlist int64
		Items     []WatchItem
	}{watchlist, items}
	res, err := d.subscriberWrite(ctx, subscriber, key, "addWatchlistItems", "Watchlist", input, func(tx *Tx) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM watchlist WHERE id = $1 AND subscriber_id = $2 FOR UPDATE`, watchlist, subscriber).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, userError("NOT_FOUND", registry.Msg("NO_SUCH_WATCHLIST"), "input", "watchlistId")
		}
		if err != nil {
			return 0, err
		}
		return id, addItems(ctx, tx, id, items)
	})
	return d.watchlistResult(ctx, subscriber, res, err)
}

func addItems(ctx context.Context, tx *Tx, watchlist int64, items []WatchItem) error {
	for i, it := range items {
		field := []string{"input", "items", fmt.Sprint(i)}
		if it.RefType != "" {
			var ok bool
			table := map[string]string{"Influencer": "influencer", "Mcn": "mcn", "Brand": "brand"}[it.RefType]
			if table == "" {
				return userError("INVALID", registry.Msg("WATCHLIST_RECORD_KIND"), append(field, "recordId")...)
			}
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+` WHERE id = $1)`, it.RefID).Scan(&ok); err != nil {
				return err
			}
			if !ok {
				return userError("NOT_FOUND", registry.Msg("NO_SUCH_RECORD"), append(field, "recordId")...)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO watchlist_item (watchlist_id, ref_type, ref_id) VALUES ($1, $2, $3)
				ON CONFLICT DO NOTHING`, watchlist, it.RefType, it.RefID); err != nil {
				return err
			}
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO watchlist_item (watchlist_id, platform, handle, url) VALUES ($1, $2, $3, $4)
			ON CONFLICT DO NOTHING`, watchlist, it.Platform, strings.ToLower(it.Handle), nullIfEmpty(it.URL)); err != nil {
			return err
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM watchlist_item WHERE watchlist_id = $1`, watchlist).Scan(&n); err != nil {
		return err
	}
	if n > MaxItemsPerWatchlist {
		return userError("INVALID", registry.Msg("AT_MOST_ITEMS", MaxItemsPerWatchlist), "input", "items")
	}
	return nil
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// RemoveWatchItem removes an item from one of the subscriber's watchlists.
func (d *DB) RemoveWatchItem(ctx context.Context, subscriber int64, key *string, item int64) (Watchlist, bool, error) {
	input := struct{ Item int64 }{item}
	res, err := d.subscriberWrite(ctx, subscriber, key, "removeWatchlistItem", "Watchlist", input, func(tx *Tx) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `DELETE FROM watchlist_item i USING watchlist w
			WHERE i.id = $1 AND w.id = i.watchlist_id AND w.subscriber_id = $2 RETURNING i.watchlist_id`, item, subscriber).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, userError("NOT_FOUND", registry.Msg("NO_SUCH_ITEM"), "input", "itemId")
		}
		return id, err
	})
	return d.watchlistResult(ctx, subscriber, res, err)
}

// subscriberWrite runs one write of a subscriber in one transaction, with its idempotency key
// (nil: none), by the rules and the code of agencies' keys (idempotency.go): a replay returns
// the first write's subject without running write; a key used for another mutation or input
// is IDEMPOTENCY_KEY_REUSED. write returns the ID of the watchlist or endpoint it wrote
// (subjectType); its user errors (UserErrors) roll everything back, the key's claim included.
func (d *DB) subscriberWrite(ctx context.Context, subscriber int64, key *string, action, subjectType string, input any,
	write func(tx *Tx) (int64, error)) (WriteResult, error) {
	idem, err := newIdempotency(subscriberKeys, key, action, input)
	if err != nil {
		return WriteResult{}, err
	}
	for attempt := 0; ; attempt++ {
		var res WriteResult
		err := d.Transact(ctx, sql.LevelReadCommitted, func(tx *Tx) error {
			res = WriteResult{}
			if idem != nil {
				first, replayed, err := idem.replay(ctx, tx, subscriber)
				if err != nil || replayed {
					res = first
					return err
				}
			}
			id, err := write(tx)
			if err != nil {
				return err
			}
			res = WriteResult{SubjectType: subjectType, SubjectID: id}
			if idem != nil {
				return idem.claim(ctx, tx, subscriber, Event{Action: action, SubjectType: subjectType, SubjectID: id})
			}
			return nil
		})
		if errors.Is(err, errKeyRace) && attempt < 3 {
			continue
		}
		return res, err
	}
}

// watchlistResult reads the watchlist a write wrote (or, replayed, first wrote), as it is now.
func (d *DB) watchlistResult(ctx context.Context, subscriber int64, res WriteResult, err error) (Watchlist, bool, error) {
	if err != nil {
		return Watchlist{}, false, err
	}
	var w Watchlist
	err = d.primary.QueryRowContext(ctx, `SELECT id, subscriber_id, name, created_at FROM watchlist WHERE id = $1 AND subscriber_id = $2`,
		res.SubjectID, subscriber).Scan(&w.ID, &w.SubscriberID, &w.Name, &w.CreatedAt)
	return w, res.Replayed, err
}

// endpointResult reads the endpoint a write wrote (or, replayed, first wrote), as it is now.
func (d *DB) endpointResult(ctx context.Context, subscriber int64, res WriteResult, err error) (Endpoint, bool, error) {
	if err != nil {
		return Endpoint{}, false, err
	}
	e, err := scanEndpoint(d.primary.QueryRowContext(ctx, `SELECT `+endpointCols+` FROM webhook_endpoint e WHERE e.id = $1 AND e.subscriber_id = $2`,
		res.SubjectID, subscriber))
	return e, res.Replayed, err
}

// WatchlistsOf returns a subscriber's watchlists, oldest first.
func (d *DB) WatchlistsOf(ctx context.Context, subscriber int64) ([]Watchlist, error) {
	rows, err := d.primary.QueryContext(ctx, `SELECT id, subscriber_id, name, created_at FROM watchlist
		WHERE subscriber_id = $1 ORDER BY id LIMIT $2`, subscriber, MaxWatchlistsPerSubscriber)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Watchlist
	for rows.Next() {
		var w Watchlist
		if err := rows.Scan(&w.ID, &w.SubscriberID, &w.Name, &w.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// WatchItemsOf returns a watchlist's items, oldest first.
func (d *DB) WatchItemsOf(ctx context.Context, watchlist int64) ([]WatchItem, error) {
	rows, err := d.primary.QueryContext(ctx, `SELECT id, watchlist_id, coalesce(ref_type, ''), coalesce(ref_id, 0),
		coalesce(platform, ''), coalesce(handle, ''), coalesce(url, ''), created_at
		FROM watchlist_item WHERE watchlist_id = $1 ORDER BY id LIMIT $2`, watchlist, MaxItemsPerWatchlist)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []WatchItem
	for rows.Next() {
		var it WatchItem
		if err := rows.Scan(&it.ID, &it.WatchlistID, &it.RefType, &it.RefID, &it.Platform, &it.Handle, &it.URL, &it.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// Endpoint is a row of webhook_endpoint.
type Endpoint struct {
	ID                int64
	SubscriberID      int64
	WatchlistID       int64
	URL               string
	Secret            string
	PreviousSecret    string
	PreviousExpiresAt *time.Time
	Active            bool
	CreatedAt         time.Time
}

const endpointCols = `e.id, e.subscriber_id, e.watchlist_id, e.url, e.secret, coalesce(e.previous_secret, ''), e.previous_expires_at, e.active, e.created_at`

func scanEndpoint(sc scanner) (Endpoint, error) {
	var e Endpoint
	var exp sql.NullTime
	err := sc.Scan(&e.ID, &e.SubscriberID, &e.WatchlistID, &e.URL, &e.Secret, &e.PreviousSecret, &exp, &e.Active, &e.CreatedAt)
	if exp.Valid {
		e.PreviousExpiresAt = &exp.Time
	}
	return e, err
}

// Secrets are the secrets that sign a delivery now: the current one, and the previous one
// during its grace period after a rotation.
func (e Endpoint) Secrets(now time.Time) []string {
	out := []string{e.Secret}
	if e.PreviousSecret != "" && e.PreviousExpiresAt != nil && now.Before(*e.PreviousExpiresAt) {
		out = append(out, e.PreviousSecret)
	}
	return out
}

// CreateEndpoint registers a webhook endpoint for one of the subscriber's watchlists. The URL
// must have been checked (webhook.CheckURL). A replay of its key returns the endpoint the first
// write created, with its secret as it is now.
func (d *DB) CreateEndpoint(ctx context.Context, subscriber int64, key *string, watchlist int64, url, secret string) (Endpoint, bool, error) {
	input := struct { // the secret is the server's, not the subscriber's input
		Watchlist int64
		URL       string
	}{watchlist, url}
	res, err := d.subscriberWrite(ctx, subscriber, key, "createWebhookEndpoint", "WebhookEndpoint", input, func(tx *Tx) (int64, error) {
		if _, err := tx.ExecContext(ctx, `SELECT 1 FROM subscriber WHERE id = $1 FOR UPDATE`, subscriber); err != nil {
			return 0, err
		}
		var owned bool
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM watchlist WHERE id = $1 AND subscriber_id = $2),
			(SELECT count(*) FROM webhook_endpoint WHERE subscriber_id = $2)`, watchlist, subscriber).Scan(&owned, &n); err != nil {
			return 0, err
		}
		if !owned {
			return 0, userError("NOT_FOUND", registry.Msg("NO_SUCH_WATCHLIST"), "input", "watchlistId")
		}
		if n >= MaxEndpointsPerSubscriber {
			return 0, userError("INVALID", registry.Msg("AT_MOST_ENDPOINTS", MaxEndpointsPerSubscriber), "input", "url")
		}
		var id int64
		err := tx.QueryRowContext(ctx, `INSERT INTO webhook_endpoint (subscriber_id, watchlist_id, url, secret)
			VALUES ($1, $2, $3, $4) RETURNING id`, subscriber, watchlist, url, secret).Scan(&id)
		return id, err
	})
	return d.endpointResult(ctx, subscriber, res, err)
}

// RotateSecret gives an endpoint a new secret; the old one keeps signing (beside the new)
// for grace. A replay of its key rotates nothing (a second rotation would retire the secret
// the subscriber still uses) and returns the endpoint with its secret as it is now.
func (d *DB) RotateSecret(ctx context.Context, subscriber int64, key *string, endpoint int64, secret string, grace time.Duration) (Endpoint, bool, error) {
	input := struct{ Endpoint int64 }{endpoint}
	res, err := d.subscriberWrite(ctx, subscriber, key, "rotateWebhookSecret", "WebhookEndpoint", input, func(tx *Tx) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoint AS e
			SET previous_secret = e.secret, previous_expires_at = now() + $4 * interval '1 second', secret = $3
			WHERE e.id = $1 AND e.subscriber_id = $2 RETURNING e.id`, endpoint, subscriber, secret, grace.Seconds()).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, userError("NOT_FOUND", registry.Msg("NO_SUCH_ENDPOINT"), "input", "endpointId")
		}
		return id, err
	})
	return d.endpointResult(ctx, subscriber, res, err)
}

// SetEndpointActive turns deliveries to an endpoint on or off (off: nothing new is queued,
// and what is queued waits).
func (d *DB) SetEndpointActive(ctx context.Context, subscriber int64, key *string, endpoint int64, active bool) (Endpoint, bool, error) {
	input := struct {
		Endpoint int64
		Active   bool
	}{endpoint, active}
	res, err := d.subscriberWrite(ctx, subscriber, key, "setWebhookEndpointActive", "WebhookEndpoint", input, func(tx *Tx) (int64, error) {
		var id int64
		err := tx.QueryRowContext(ctx, `UPDATE webhook_endpoint SET active = $3 WHERE id = $1 AND subscriber_id = $2 RETURNING id`,
			endpoint, subscriber, active).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, userError("NOT_FOUND", registry.Msg("NO_SUCH_ENDPOINT"), "input", "endpointId")
		}
		return id, err
	})
	return d.endpointResult(ctx, subscriber, res, err)
}

// EndpointsOf returns a subscriber's endpoints, oldest first.
func (d *DB) EndpointsOf(ctx context.Context, subscriber int64) ([]Endpoint, error) {
	rows, err := d.primary.QueryContext(ctx, `SELECT `+endpointCols+` FROM webhook_endpoint e
		WHERE e.subscriber_id = $1 ORDER BY e.id LIMIT $2`, subscriber, MaxEndpointsPerSubscriber)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Endpoint
	for rows.Next() {
		e, err := scanEndpoint(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// matchSQL selects (endpoint, seq) for the refs r(seq, ref_type, ref_id) of %[1]s (the
// relation: audit_event_ref, or the refs a write is about to append) with %[2]s (a condition on
// r.seq) that an active endpoint's watchlist follows: a record the event is about, or a handle
// whose account's influencer the event is about.
const matchSQL = `SELECT w.id, r.seq FROM %[1]s r
	  JOIN watchlist_item i ON i.ref_type = r.ref_type AND i.ref_id = r.ref_id
	  JOIN webhook_endpoint w ON w.watchlist_id = i.watchlist_id AND w.active
	 WHERE %[2]s
	UNION
	SELECT w.id, r.seq FROM %[1]s r
	  JOIN platform_account a ON r.ref_type = 'Influencer' AND a.influencer_id = r.ref_id
	  JOIN watchlist_item i ON i.handle = lower(a.handle) AND i.platform = a.platform
	  JOIN webhook_endpoint w ON w.watchlist_id = i.watchlist_id AND w.active
	 WHERE %[2]s`

// ReplayDeliveries queues again, for one of the subscriber's endpoints, every event from seq
// fromSeq on that its watchlist follows now (at most MaxReplay, the oldest): delivered,
// parked and never-queued ones alike. It returns how many were queued (0 for a replay of its
// idempotency key: that request queues nothing) and whether it was such a replay.
func (d *DB) ReplayDeliveries(ctx context.Context, subscriber int64, key *string, endpoint, fromSeq int64) (int, bool, error) {
	input := struct{ Endpoint, FromSeq int64 }{endpoint, fromSeq}
	var n int
	res, err := d.subscriberWrite(ctx, subscriber, key, "replayWebhookDeliveries", "WebhookEndpoint", input, func(tx *Tx) (int64, error) {
		n = 0
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM webhook_endpoint WHERE id = $1 AND subscriber_id = $2)`,
			endpoint, subscriber).Scan(&ok); err != nil {
			return 0, err
		}
		if !ok {
			return 0, userError("NOT_FOUND", registry.Msg("NO_SUCH_ENDPOINT"), "input", "endpointId")
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO webhook_delivery (endpoint_id, seq)
			SELECT m.id, m.seq FROM (`+fmt.Sprintf(matchSQL, "audit_event_ref", "r.seq >= $1")+`) m WHERE m.id = $2 ORDER BY m.seq LIMIT $3
			ON CONFLICT (endpoint_id, seq) DO UPDATE SET status = 'PENDING', attempts = 0, first_attempt_at = NULL,
				next_attempt_at = now(), last_error = NULL`, fromSeq, endpoint, MaxReplay)
		if err != nil {
			return 0, err
		}
		rows, err := res.RowsAffected()
		n = int(rows)
		return endpoint, err
	})
	if err != nil || res.Replayed {
		return 0, res.Replayed, err
	}
	return n, false, nil
}

// Delivery is a row of webhook_delivery.
type Delivery struct {
	ID             int64
	EndpointID     int64
	Seq            int64
	Status         string
	Attempts       int
	FirstAttemptAt *time.Time
	NextAttemptAt  time.Time
	LastAttemptAt  *time.Time
	LastStatus     *int
	LastError      *string
	DeliveredAt    *time.Time
	CreatedAt      time.Time
}

const deliveryCols = `d.id, d.endpoint_id, d.seq, d.status, d.attempts, d.first_attempt_at, d.next_attempt_at,
	d.last_attempt_at, d.last_status, d.last_error, d.delivered_at, d.created_at`

func scanDelivery(sc scanner) (Delivery, error) {
	var r Delivery
	var first, last, delivered sql.NullTime
	var status sql.NullInt64
	var lastErr sql.NullString
	err := sc.Scan(&r.ID, &r.EndpointID, &r.Seq, &r.Status, &r.Attempts, &first, &r.NextAttemptAt, &last, &status, &lastErr,
		&delivered, &r.CreatedAt)
	if first.Valid {
		r.FirstAttemptAt = &first.Time
	}
	if last.Valid {
		r.LastAttemptAt = &last.Time
	}
	if delivered.Valid {
		r.DeliveredAt = &delivered.Time
	}
	if status.Valid {
		s := int(status.Int64)
		r.LastStatus = &s
	}
	r.LastError = strPtr(lastErr)
	return r, err
}

// Deliveries returns one endpoint's delivery log (of the subscriber's endpoint), in seq order
// after afterSeq, at most limit rows (and whether there are more).
func (d *DB) Deliveries(ctx context.Context, subscriber, endpoint, afterSeq int64, limit int, statuses []string) ([]Delivery, bool, error) {
	q := `SELECT ` + deliveryCols + ` FROM webhook_delivery d JOIN webhook_endpoint e ON e.id = d.endpoint_id
		WHERE d.endpoint_id = $1 AND e.subscriber_id = $2 AND d.seq > $3 AND ($4::text[] IS NULL OR d.status = ANY($4))
		ORDER BY d.seq LIMIT $5`
	var st any
	if statuses != nil {
		st = pq.Array(statuses)
	}
	rows, err := d.primary.QueryContext(ctx, q, endpoint, subscriber, afterSeq, st, limit+1)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		r, err := scanDelivery(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, r)
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, rows.Err()
}

// DueDelivery is the oldest pending delivery of one endpoint, locked for delivery.
type DueDelivery struct {
	Delivery
	Endpoint Endpoint
	Event    AuditEvent
}

// Outcome is what one delivery attempt did.
type Outcome struct {
	Delivered bool
	Status    int    // the HTTP status, 0 when none came back
	Error     string // why it failed
	// Retry is when to try again; a zero Retry parks the delivery.
	Retry time.Time
}

// Batches of DeliverNext: once it holds an endpoint, it delivers up to DeliveryBatch of its
// due deliveries one after the other, in seq order, starting no new one after
// deliveryBatchTime, and records them in one transaction: one claim, one read of the events and
// one commit for the batch rather than for each delivery.
const (
	DeliveryBatch     = 25
	deliveryBatchTime = 2 * time.Second
)

// DeliverNext finds an endpoint whose oldest pending delivery is due, locks the endpoint
// (FOR UPDATE SKIP LOCKED: workers on every replica share the outbox, one endpoint at a time
// each), calls deliver for that delivery and the due ones after it (a batch, stopping at the
// first that fails), and records the outcomes, all in one transaction. Should the process die
// before the commit, the lock goes and the batch's deliveries are all still pending: delivered
// at least once (a receiver may see up to DeliveryBatch again). An endpoint's deliveries go
// strictly in seq order: a later one waits until the earlier one is delivered or parked. It
// reports false when nothing was due.
func (d *DB) DeliverNext(ctx context.Context, deliver func(context.Context, DueDelivery) Outcome) (bool, error) {
	found := false
	err := d.Transact(ctx, sql.LevelReadCommitted, func(tx *Tx) error {
		found = false
		ep, err := scanEndpoint(tx.QueryRowContext(ctx, `SELECT `+endpointCols+`
			FROM webhook_endpoint e
			CROSS JOIN LATERAL (SELECT d.next_attempt_at FROM webhook_delivery d WHERE d.endpoint_id = e.id AND d.status = 'PENDING'
				ORDER BY d.seq LIMIT 1) d
			WHERE e.active AND d.next_attempt_at <= now()
			ORDER BY d.next_attempt_at LIMIT 1
			FOR UPDATE OF e SKIP LOCKED`))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("claim endpoint: %w", err)
		}
		batch, err := dueDeliveries(ctx, tx, ep)
		if err != nil {
			return err
		}
		start := time.Now()
		for i, due := range batch {
			if i > 0 && time.Since(start) > deliveryBatchTime {
				break
			}
			found = true
			out := deliver(ctx, due)
			if ctx.Err() != nil {
				return ctx.Err() // shutting down mid-batch: roll back, the deliveries stay pending
			}
			if err := recordOutcome(ctx, tx, due.ID, out); err != nil {
				return err
			}
			if !out.Delivered {
				break // retried later (or parked): the next waits for its turn
			}
		}
		return nil
	})
	return found, err
}

// dueDeliveries are the endpoint's first pending deliveries (at most DeliveryBatch), in seq
// order, with their events, up to the first that is not due yet.
func dueDeliveries(ctx context.Context, tx *Tx, ep Endpoint) ([]DueDelivery, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+deliveryCols+`, d.next_attempt_at <= now() FROM webhook_delivery d
		WHERE d.endpoint_id = $1 AND d.status = 'PENDING' ORDER BY d.seq LIMIT $2`, ep.ID, DeliveryBatch)
	if err != nil {
		return nil, fmt.Errorf("deliveries of endpoint %d: %w", ep.ID, err)
	}
	var batch []DueDelivery
	var seqs []int64
	for rows.Next() {
		var due bool
		r, err := scanDelivery(withExtra{rows, &due})
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("deliveries of endpoint %d: %w", ep.ID, err)
		}
		if !due {
			break
		}
		batch, seqs = append(batch, DueDelivery{Delivery: r, Endpoint: ep}), append(seqs, r.Seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deliveries of endpoint %d: %w", ep.ID, err)
	}
	evs, err := tx.QueryContext(ctx, `SELECT `+auditCols+` FROM audit_event e WHERE e.seq = ANY($1)`, pq.Array(seqs))
	if err != nil {
		return nil, fmt.Errorf("events of endpoint %d: %w", ep.ID, err)
	}
	defer evs.Close()
	bySeq := map[int64]AuditEvent{}
	for evs.Next() {
		e, err := scanAuditEvent(evs)
		if err != nil {
			return nil, fmt.Errorf("events of endpoint %d: %w", ep.ID, err)
		}
		bySeq[e.Seq] = e
	}
	if err := evs.Err(); err != nil {
		return nil, fmt.Errorf("events of endpoint %d: %w", ep.ID, err)
	}
	for i := range batch {
		e, ok := bySeq[batch[i].Seq]
		if !ok {
			return nil, fmt.Errorf("delivery %d: event %d: %w", batch[i].ID, batch[i].Seq, ErrNotFound)
		}
		batch[i].Event = e
	}
	return batch, nil
}

// withExtra scans a row's columns and then one more.
type withExtra struct {
	rows  *sql.Rows
	extra any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra)...) }

// recordOutcome records one attempt (at the time it ended: clock_timestamp, not the batch's
// transaction start).
func recordOutcome(ctx context.Context, tx *Tx, id int64, out Outcome) error {
	var status any
	if out.Status != 0 {
		status = out.Status
	}
	var err error
	switch {
	case out.Delivered:
		_, err = tx.ExecContext(ctx, `UPDATE webhook_delivery SET status = 'DELIVERED', attempts = attempts + 1,
			first_attempt_at = coalesce(first_attempt_at, clock_timestamp()), last_attempt_at = clock_timestamp(), last_status = $2,
			last_error = NULL, delivered_at = clock_timestamp() WHERE id = $1`, id, status)
	case out.Retry.IsZero():
		_, err = tx.ExecContext(ctx, `UPDATE webhook_delivery SET status = 'PARKED', attempts = attempts + 1,
			first_attempt_at = coalesce(first_attempt_at, clock_timestamp()), last_attempt_at = clock_timestamp(), last_status = $2,
			last_error = $3 WHERE id = $1`, id, status, out.Error)
	default:
		_, err = tx.ExecContext(ctx, `UPDATE webhook_delivery SET attempts = attempts + 1,
			first_attempt_at = coalesce(first_attempt_at, clock_timestamp()), last_attempt_at = clock_timestamp(), last_status = $2,
			last_error = $3, next_attempt_at = $4 WHERE id = $1`, id, status, out.Error, out.Retry)
	}
	if err != nil {
		return fmt.Errorf("record delivery %d: %w", id, err)
	}
	return nil
}

// userError is one refusal of a subscriber's write.
func userError(code string, msg registry.Message, field ...string) error {
	return UserErrors{{Field: field, Message: msg, Code: code}}
}
