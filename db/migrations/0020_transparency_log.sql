-- The transparency log (docs/transparency.md): every audit event is a leaf of an RFC 6962 Merkle
-- tree kept in the same transaction as the write.

-- The global ID the API gives a record: base64url (no padding) of "Type:id". State snapshots
-- are built in SQL, so the IDs inside them must be encoded here exactly as the API encodes them.
CREATE FUNCTION api_id(typ text, id bigint) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT rtrim(translate(encode(convert_to(typ || ':' || id::text, 'UTF8'), 'base64'), E'+/\n', '-_'), '=') $$;

-- An instant in the log: RFC 3339, UTC, microseconds, whatever the session's time zone.
CREATE FUNCTION api_time(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- A calendar date in the log: YYYY-MM-DD, whatever the session's DateStyle.
CREATE FUNCTION api_date(d date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT to_char(d, 'YYYY-MM-DD') $$;

-- The exact bytes of the event's leaf (the entry). NULL only for events written before this
-- migration, until `kolregistry migrate` fills them in (it runs right after the SQL files).
ALTER TABLE audit_event ADD COLUMN entry text;

-- Stored hashes of the tree, indexed as golang.org/x/mod/sumdb/tlog StoredHashIndex numbers them.
CREATE TABLE audit_tree (
    idx  bigint PRIMARY KEY,
    hash bytea NOT NULL CHECK (length(hash) = 32)
);

-- The head also holds the tree: its size (= seq once filled in), its root, and the stored
-- hashes the next append and the next root need (the tree's right edge), so that the write
-- holding the head lock reads nothing else.
ALTER TABLE audit_head
    ADD COLUMN tree_size bigint NOT NULL DEFAULT 0,
    ADD COLUMN root_hash bytea NOT NULL DEFAULT sha256(''::bytea),
    ADD COLUMN edge_idx  bigint[] NOT NULL DEFAULT '{}',
    ADD COLUMN edge_hash bytea[] NOT NULL DEFAULT '{}';

-- audit_event stays append-only, with one exception: filling in the entry of an event written
-- before the log existed, every other column unchanged.
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.entry IS NULL AND NEW.entry IS NOT NULL
       AND (to_jsonb(OLD) - 'entry') = (to_jsonb(NEW) - 'entry') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_event is append-only';
END $$;

CREATE FUNCTION audit_tree_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_tree is append-only';
END $$;
CREATE TRIGGER audit_tree_no_update BEFORE UPDATE OR DELETE ON audit_tree
    FOR EACH ROW EXECUTE FUNCTION audit_tree_append_only();
