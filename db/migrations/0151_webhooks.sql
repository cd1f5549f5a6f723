-- Subscribers, watchlists and signed webhooks (docs/webhooks.md). Subscribers are not agencies:
-- they read the public registry and have it pushed to them; none of this is public or audited.
CREATE TABLE subscriber (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE watchlist (
    id            bigserial PRIMARY KEY,
    subscriber_id bigint NOT NULL REFERENCES subscriber(id),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (subscriber_id, name)
);

-- What a watchlist follows: a record (influencer, MCN, brand), or a platform handle that may not
-- be registered yet (it matches the account once registered, and everything about its influencer).
CREATE TABLE watchlist_item (
    id           bigserial PRIMARY KEY,
    watchlist_id bigint NOT NULL REFERENCES watchlist(id),
    ref_type     text CHECK (ref_type IN ('Influencer', 'Mcn', 'Brand')),
    ref_id       bigint,
    platform     text,
    handle       text, -- lower case, without a leading @
    url          text, -- the URL it was given as, when it was
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((ref_type IS NOT NULL AND ref_id IS NOT NULL AND handle IS NULL)
        OR (ref_type IS NULL AND ref_id IS NULL AND handle IS NOT NULL AND platform IS NOT NULL))
);
CREATE UNIQUE INDEX watchlist_item_ref ON watchlist_item (watchlist_id, ref_type, ref_id) WHERE ref_type IS NOT NULL;
CREATE UNIQUE INDEX watchlist_item_handle ON watchlist_item (watchlist_id, platform, handle) WHERE handle IS NOT NULL;
CREATE INDEX watchlist_item_by_ref ON watchlist_item (ref_type, ref_id) WHERE ref_type IS NOT NULL;
CREATE INDEX watchlist_item_by_handle ON watchlist_item (platform, handle) WHERE handle IS NOT NULL;

CREATE TABLE webhook_endpoint (
    id                 bigserial PRIMARY KEY,
    subscriber_id      bigint NOT NULL REFERENCES subscriber(id),
    watchlist_id       bigint NOT NULL REFERENCES watchlist(id),
    url                text NOT NULL,
    secret             text NOT NULL,   -- whsec_<base64>
    previous_secret    text,            -- still signs until previous_expires_at (rotation)
    previous_expires_at timestamptz,
    active             boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoint_watchlist ON webhook_endpoint (watchlist_id) WHERE active;

-- The outbox: one row per (endpoint, audit event), written in the event's transaction.
-- PENDING rows are delivered in seq order per endpoint; DELIVERED after a 2xx; PARKED after
-- the retry window (replay queues them again).
CREATE TABLE webhook_delivery (
    id              bigserial PRIMARY KEY,
    endpoint_id     bigint NOT NULL REFERENCES webhook_endpoint(id),
    seq             bigint NOT NULL,
    status          text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'PARKED')),
    attempts        int NOT NULL DEFAULT 0,
    first_attempt_at timestamptz,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_attempt_at timestamptz,
    last_status     int,
    last_error      text,
    delivered_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (endpoint_id, seq)
);
CREATE INDEX webhook_delivery_pending ON webhook_delivery (endpoint_id, seq) WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_due ON webhook_delivery (next_attempt_at) WHERE status = 'PENDING';
