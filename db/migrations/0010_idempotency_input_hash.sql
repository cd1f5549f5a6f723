-- An idempotency key also remembers the input it was first used with, so that the same key
-- with a different input is refused (IDEMPOTENCY_KEY_REUSED) instead of silently answered with
-- the first result. Keys claimed before this migration have no hash; they replay on the action
-- alone, as they did (docs/idempotency.md).
ALTER TABLE idempotency_key
    ADD COLUMN input_sha256 text CHECK (input_sha256 ~ '^[0-9a-f]{64}$');
