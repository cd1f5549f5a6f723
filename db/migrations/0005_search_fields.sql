-- Search scores every field of a candidate influencer (display name, legal name, each alias)
-- against the normalized query. search_text (0001) is all of them in one string, for the
-- indexes; these are each field normalized on its own, stored, so that scoring a broad query
-- ("Nguyễn": a third of the registry) reads them instead of calling registry_normalize
-- (unaccent) once per field of every candidate. aliases_search[n] is aliases[n] normalized.
CREATE FUNCTION registry_normalize_each(a text[]) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT coalesce(array_agg(registry_normalize(x) ORDER BY n), '{}') FROM unnest(a) WITH ORDINALITY AS u(x, n) $$;

ALTER TABLE influencer
    ADD COLUMN display_name_search text GENERATED ALWAYS AS (registry_normalize(display_name)) STORED,
    ADD COLUMN legal_name_search text GENERATED ALWAYS AS (registry_normalize(legal_name)) STORED,
    ADD COLUMN aliases_search text[] GENERATED ALWAYS AS (registry_normalize_each(aliases)) STORED;
