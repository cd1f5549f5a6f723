-- The shape of the state the log holds for each record type (docs/transparency.md, "When a
-- record's state gains fields"): type → the SHA-256 of the SQL that builds it (db/state.go).
-- `kolregistry migrate` compares it with the current SQL; for a type whose SQL changed, every
-- record whose row is its latest logged state plus new fields is logged again (adoptFields),
-- and the new shape is recorded here. Empty at first: every type is checked once.
ALTER TABLE audit_head ADD COLUMN state_shapes jsonb NOT NULL DEFAULT '{}';
