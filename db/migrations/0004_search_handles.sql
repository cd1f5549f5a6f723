-- Search finds accounts by handle alone. platform_account.search_text also holds the URL, which
-- doubles the text that word similarity is computed over for every candidate and adds nothing
-- the handle lacks (a pasted profile URL is reduced to its handle, then compared whole).
ALTER TABLE platform_account ADD COLUMN handle_search text GENERATED ALWAYS AS (registry_normalize(handle)) STORED;
CREATE INDEX platform_account_handle_trgm ON platform_account USING gin (handle_search gin_trgm_ops);

-- pg_trgm declares its similarity operators as cheap as comparing two integers (COST 1). Word
-- similarity over a row costs far more, and with the default the planner may prefer reading
-- every account to the trigram index when it expects a few thousand candidates.
-- The functions belong to whoever installed pg_trgm (the bootstrap superuser when a non-superuser
-- created it as a trusted extension): without the right, the planner keeps the default.
DO $$
BEGIN
    ALTER FUNCTION word_similarity_op(text, text) COST 100;
    ALTER FUNCTION word_similarity_commutator_op(text, text) COST 100;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'pg_trgm operator costs unchanged: %', SQLERRM;
END $$;
