package model

import "time"

// Subscribers, watchlists and webhooks (graph/watchlist.graphqls). IDs of watchlists, items and
// endpoints are global IDs of their own types; they are not Nodes (they are private to their
// subscriber).

type Subscriber struct {
	DBID      int64
	Name      string
	CreatedAt time.Time
}

type Watchlist struct {
	ID           string
	DBID         int64
	SubscriberID int64
	Name         string
	CreatedAt    time.Time
}

type WatchlistItem struct {
	ID         string
	RecordType string // "" for a handle
	RecordDBID int64
	Platform   *Platform
	Handle     *string
	URL        *string
	AddedAt    time.Time
}

type WebhookEndpoint struct {
	ID                      string
	DBID                    int64
	SubscriberID            int64
	WatchlistID             int64
	URL                     string
	Active                  bool
	CreatedAt               time.Time
	PreviousSecretExpiresAt *time.Time
}

type WebhookDelivery struct {
	Seq            int64
	Status         WebhookDeliveryStatus
	Attempts       int
	LastAttemptAt  *time.Time
	NextAttemptAt  *time.Time
	LastStatusCode *int
	LastError      *string
	DeliveredAt    *time.Time
}
