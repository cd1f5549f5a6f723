-- Agency writes: the head of the audit chain and idempotency keys.

-- One row: the last audit event's seq and hash. Every write transaction locks it first, so
-- writers are serialized, seq is gap-free and each event chains to the one before it.
CREATE TABLE audit_head (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq      bigint NOT NULL,
    hash     text NOT NULL
);
INSERT INTO audit_head (only_row, seq, hash) VALUES (true, 0, repeat('0', 64));

-- A retried mutation with the same key from the same agency returns the first result.
CREATE TABLE idempotency_key (
    agency_id    bigint NOT NULL REFERENCES agency(id),
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    action       text NOT NULL,
    subject_type text NOT NULL,
    subject_id   bigint NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (agency_id, key)
);

ALTER TABLE disclosure ADD COLUMN retraction_reason text;
