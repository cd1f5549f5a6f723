-- Search: a word index for broad one-word queries (docs/search.md, "Broad queries").
--
-- A one-word query that a large part of the registry holds as a whole word ("nguyen": a quarter
-- of all influencers) is too costly through the GIN indexes of 0001/0003: every match is read
-- from the heap, rechecked and scored. But a field that holds the query word whole scores a
-- function of its trigram count alone (word similarity 1, every word present, similarity
-- n_query / n_field), so its rank is known from the count. search_word lists, for every word of
-- every influencer's fields and every account's handle, the entity and the trigram count of its
-- shortest field holding that word: a B-tree range in (kind, word, ntrgm, id) order is then the
-- matches in descending score, and one page reads about one page of index entries.
--
-- word  a word of the normalized field (registry_normalize), split as pg_trgm splits words:
--       on every character that is not a letter or a digit;
-- kind  search's tie-break rank: 1 influencer, 2 platform account, 3 MCN, 4 brand;
-- ntrgm the number of distinct trigrams (show_trgm) of the entity's shortest field holding word;
-- pos   which field that is, in the order search breaks ties between fields: 0 display name,
--       1 legal name, 1 + n the n-th alias (influencers); 0 the handle or the name (others).
-- Words compare bytewise (COLLATE "C"), so that the words beginning with the query are one
-- B-tree range (word LIKE 'tran%': tran, trang, tranvananh42…).
CREATE TABLE search_word (
    kind  smallint NOT NULL,
    word  text     COLLATE "C" NOT NULL,
    ntrgm int      NOT NULL,
    id    bigint   NOT NULL,
    pos   int      NOT NULL,
    PRIMARY KEY (kind, word, ntrgm, id)
);
-- Rewriting an entity's words finds its rows by this index; search checks by it (index-only)
-- whether an entity holds the query word itself.
CREATE INDEX search_word_entity ON search_word (kind, id, word);

-- The words of some fields (fields[1] is pos 0), each once, with the trigram count and position
-- of the shortest field holding it (the first such field on a tie).
CREATE FUNCTION registry_field_words(fields text[]) RETURNS TABLE (word text, ntrgm int, pos int)
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT DISTINCT ON (w.word) w.word, coalesce(array_length(show_trgm(f.t), 1), 0), (f.n - 1)::int
   FROM unnest(fields) WITH ORDINALITY AS f(t, n), regexp_split_to_table(f.t, '[^[:alnum:]]+') AS w(word)
   WHERE f.t IS NOT NULL AND w.word <> ''
   ORDER BY w.word, 2, 3 $$;

-- Statement-level triggers keep search_word in step with the tables, set-based (a bulk insert
-- is one INSERT … SELECT here too). PostgreSQL allows transition tables only on single-event
-- triggers, hence one trigger per event.
CREATE FUNCTION search_word_influencer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM search_word s USING old_rows o WHERE s.kind = 1 AND s.id = o.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search_word (word, kind, ntrgm, id, pos)
        SELECT w.word, 1, w.ntrgm, n.id, w.pos
        FROM new_rows n, registry_field_words(ARRAY[n.display_name_search, n.legal_name_search] || n.aliases_search) w;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION search_word_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM search_word s USING old_rows o WHERE s.kind = 2 AND s.id = o.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search_word (word, kind, ntrgm, id, pos)
        SELECT w.word, 2, w.ntrgm, n.id, w.pos FROM new_rows n, registry_field_words(ARRAY[n.handle_search]) w;
    END IF;
    RETURN NULL;
END $$;

-- MCNs and brands: the words of the name (search_text).
CREATE FUNCTION search_word_name() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k smallint := CASE TG_TABLE_NAME WHEN 'mcn' THEN 3 ELSE 4 END;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM search_word s USING old_rows o WHERE s.kind = k AND s.id = o.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO search_word (word, kind, ntrgm, id, pos)
        SELECT w.word, k, w.ntrgm, n.id, w.pos FROM new_rows n, registry_field_words(ARRAY[n.search_text]) w;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER search_word_insert AFTER INSERT ON influencer REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_influencer();
CREATE TRIGGER search_word_update AFTER UPDATE ON influencer REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_influencer();
CREATE TRIGGER search_word_delete AFTER DELETE ON influencer REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_influencer();
CREATE TRIGGER search_word_insert AFTER INSERT ON platform_account REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_account();
CREATE TRIGGER search_word_update AFTER UPDATE ON platform_account REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_account();
CREATE TRIGGER search_word_delete AFTER DELETE ON platform_account REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_account();
CREATE TRIGGER search_word_insert AFTER INSERT ON mcn REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_name();
CREATE TRIGGER search_word_update AFTER UPDATE ON mcn REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_name();
CREATE TRIGGER search_word_delete AFTER DELETE ON mcn REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_name();
CREATE TRIGGER search_word_insert AFTER INSERT ON brand REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_name();
CREATE TRIGGER search_word_update AFTER UPDATE ON brand REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_name();
CREATE TRIGGER search_word_delete AFTER DELETE ON brand REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION search_word_name();

INSERT INTO search_word (word, kind, ntrgm, id, pos)
SELECT w.word, 1, w.ntrgm, i.id, w.pos
FROM influencer i, registry_field_words(ARRAY[i.display_name_search, i.legal_name_search] || i.aliases_search) w;
INSERT INTO search_word (word, kind, ntrgm, id, pos)
SELECT w.word, 2, w.ntrgm, pa.id, w.pos FROM platform_account pa, registry_field_words(ARRAY[pa.handle_search]) w;
INSERT INTO search_word (word, kind, ntrgm, id, pos)
SELECT w.word, 3, w.ntrgm, m.id, w.pos FROM mcn m, registry_field_words(ARRAY[m.search_text]) w;
INSERT INTO search_word (word, kind, ntrgm, id, pos)
SELECT w.word, 4, w.ntrgm, b.id, w.pos FROM brand b, registry_field_words(ARRAY[b.search_text]) w;
