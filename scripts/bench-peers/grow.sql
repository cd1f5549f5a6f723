-- Grows the demo registry (240 influencers, 1,000 disclosures) to ~20,000 influencers and
-- ~100,000 disclosures for scripts/bench-peers/run.sh: copies of the demo rows, generation g
-- getting ids old + g * 1,000,000 (so children follow their parents without a lookup table).
-- Run once on a freshly seeded database: psql -v ON_ERROR_STOP=1 -f grow.sql.
BEGIN;

-- 84 generations of influencers (0 is the demo itself): 20,160.
CREATE TEMP TABLE gen AS SELECT g FROM generate_series(1, 83) g;

INSERT INTO influencer (id, display_name, legal_name, aliases, province, categories, version, created_by, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT i.id + g * 1000000, i.display_name || ' ' || g, i.legal_name, i.aliases, i.province, i.categories, i.version,
       i.created_by, i.created_at + g * interval '1 minute', i.updated_at + g * interval '1 minute'
FROM influencer i, gen WHERE i.id < 1000000;

INSERT INTO influencer_credential (id, influencer_id, field, title, issuer, valid_until) OVERRIDING SYSTEM VALUE
SELECT c.id + g * 1000000, c.influencer_id + g * 1000000, c.field, c.title, c.issuer, c.valid_until
FROM influencer_credential c, gen WHERE c.id < 1000000;

INSERT INTO platform_account (id, influencer_id, platform, handle, url, platform_user_id, follower_count, followers_as_of,
                              identity_verification, created_at) OVERRIDING SYSTEM VALUE
SELECT a.id + g * 1000000, a.influencer_id + g * 1000000, a.platform, a.handle || '_' || g, a.url, a.platform_user_id,
       a.follower_count, a.followers_as_of, a.identity_verification, a.created_at
FROM platform_account a, gen WHERE a.id < 1000000;

INSERT INTO affiliation (id, influencer_id, mcn_id, kind, started_on, ended_on, source, version, created_by, created_at)
OVERRIDING SYSTEM VALUE
SELECT a.id + g * 1000000, a.influencer_id + g * 1000000, a.mcn_id, a.kind, a.started_on, a.ended_on, a.source, a.version,
       a.created_by, a.created_at
FROM affiliation a, gen WHERE a.id < 1000000;

-- 100 generations of disclosures: generation g belongs to influencer generation g % 84.
CREATE TEMP TABLE dgen AS SELECT g, g % 84 AS ig FROM generate_series(1, 99) g;

INSERT INTO disclosure (id, influencer_id, account_id, mcn_id, product_name, product_category, content_url, platform,
                        published_at, label, label_timing, compensation, status, filed_by, version, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT d.id + g * 1000000, d.influencer_id + ig * 1000000, d.account_id + ig * 1000000, d.mcn_id, d.product_name,
       d.product_category, d.content_url, d.platform, d.published_at - g * interval '1 hour', d.label, d.label_timing,
       d.compensation, d.status, d.filed_by, d.version, d.created_at, d.updated_at
FROM disclosure d, dgen WHERE d.id < 1000000;

INSERT INTO disclosure_brand (disclosure_id, brand_id)
SELECT b.disclosure_id + g * 1000000, b.brand_id FROM disclosure_brand b, dgen WHERE b.disclosure_id < 1000000;

-- Sanctions of influencers follow their influencer's generations; decision numbers stay unique.
INSERT INTO sanction (id, subject_kind, influencer_id, agency_id, decision_number, decided_on, effective_on, fine_vnd,
                      remedies, status, source_url, source_sha256, version, recorded_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT s.id + g * 1000000, s.subject_kind, s.influencer_id + g * 1000000, s.agency_id,
       regexp_replace(s.decision_number, '^[0-9]+', (g * 1000 + s.id)::text), s.decided_on, s.effective_on,
       s.fine_vnd + g, s.remedies, s.status, s.source_url, s.source_sha256, s.version, s.recorded_at, s.updated_at
FROM sanction s, gen WHERE s.id < 1000000 AND s.subject_kind = 'INFLUENCER';

INSERT INTO sanction_violation (id, sanction_id, position, category, instrument, article, clause, point, description)
OVERRIDING SYSTEM VALUE
SELECT v.id + g * 1000000, v.sanction_id + g * 1000000, v.position, v.category, v.instrument, v.article, v.clause, v.point,
       v.description
FROM sanction_violation v JOIN sanction s ON s.id = v.sanction_id, gen
WHERE v.id < 1000000 AND s.subject_kind = 'INFLUENCER';

INSERT INTO sanction_status_change (id, sanction_id, status, effective_on, reason, document_url, agency_id, recorded_at)
OVERRIDING SYSTEM VALUE
SELECT c.id + g * 1000000, c.sanction_id + g * 1000000, c.status, c.effective_on, c.reason, c.document_url, c.agency_id,
       c.recorded_at
FROM sanction_status_change c JOIN sanction s ON s.id = c.sanction_id, gen
WHERE c.id < 1000000 AND s.subject_kind = 'INFLUENCER';

-- Identity sequences continue after the copies.
DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['influencer','influencer_credential','platform_account','affiliation','disclosure','sanction',
                           'sanction_violation','sanction_status_change'] LOOP
    EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, ''id''), (SELECT max(id) FROM %I))', t, t);
  END LOOP;
END $$;
COMMIT;
ANALYZE;
