-- Subscribers' mutations take idempotency keys too (docs/idempotency.md): the same rules and the
-- same code as agencies' (db/idempotency.go), keys of their own, one namespace per subscriber.
-- subject_type/subject_id name what the first write produced (a Watchlist or a WebhookEndpoint).
CREATE TABLE subscriber_idempotency_key (
    subscriber_id bigint NOT NULL REFERENCES subscriber(id),
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    action        text NOT NULL,
    input_sha256  text NOT NULL CHECK (input_sha256 ~ '^[0-9a-f]{64}$'),
    subject_type  text NOT NULL,
    subject_id    bigint NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscriber_id, key)
);
