-- The changes feed (docs/mirrors.md): which records each audit event is about.
--
-- An event has one subject, but it changes what readers see of more records: a sanction is
-- about its subject, a disclosure about its influencer, account, MCN and brands, an account
-- about its influencer, an affiliation about its influencer and MCN. audit_event_ref holds
-- those pairs, the subject included, written in the same transaction as the event. It serves
-- the per-record feeds, lastChangedAt, and the webhook outbox's watchlist matching.
CREATE TABLE audit_event_ref (
    seq      bigint NOT NULL, -- audit_event.seq; no foreign key: refs are derived data, rebuilt from the events
    ref_type text   NOT NULL,
    ref_id   bigint NOT NULL,
    PRIMARY KEY (ref_type, ref_id, seq)
);
CREATE INDEX audit_event_ref_seq ON audit_event_ref (seq);

-- record_audit_refs writes the refs of the events lo..hi (their rows are written already).
-- Relations named here never change after the event's record is written, so the refs read at
-- append time are the refs of the event.
CREATE FUNCTION record_audit_refs(lo bigint, hi bigint) RETURNS void LANGUAGE sql AS $$
INSERT INTO audit_event_ref (seq, ref_type, ref_id)
SELECT DISTINCT e.seq, r.typ, r.id
  FROM audit_event e
 CROSS JOIN LATERAL (
        SELECT e.subject_type, e.subject_id
        UNION ALL SELECT 'Influencer', a.influencer_id FROM platform_account a
                   WHERE e.subject_type = 'PlatformAccount' AND a.id = e.subject_id
        UNION ALL SELECT x.typ, x.id FROM affiliation f
                   CROSS JOIN LATERAL (VALUES ('Influencer', f.influencer_id), ('Mcn', f.mcn_id)) x(typ, id)
                   WHERE e.subject_type = 'Affiliation' AND f.id = e.subject_id
        UNION ALL SELECT x.typ, x.id FROM disclosure d
                   CROSS JOIN LATERAL (VALUES ('Influencer', d.influencer_id), ('Mcn', d.mcn_id),
                                              ('PlatformAccount', d.account_id)) x(typ, id)
                   WHERE e.subject_type = 'Disclosure' AND d.id = e.subject_id AND x.id IS NOT NULL
        UNION ALL SELECT 'Brand', b.brand_id FROM disclosure_brand b
                   WHERE e.subject_type = 'Disclosure' AND b.disclosure_id = e.subject_id
        UNION ALL SELECT x.typ, x.id FROM sanction s
                   CROSS JOIN LATERAL (VALUES ('Influencer', s.influencer_id), ('Mcn', s.mcn_id),
                                              ('Brand', s.brand_id)) x(typ, id)
                   WHERE e.subject_type = 'Sanction' AND s.id = e.subject_id AND x.id IS NOT NULL
       ) r(typ, id)
 WHERE e.seq BETWEEN lo AND hi
ON CONFLICT DO NOTHING
$$;

SELECT record_audit_refs(1, (SELECT coalesce(max(seq), 0) FROM audit_event));

-- Filters of the feed: by time and by action.
CREATE INDEX audit_event_at ON audit_event (at, seq);
CREATE INDEX audit_event_action ON audit_event (action, seq);
CREATE INDEX audit_event_actor ON audit_event (actor_id, seq) WHERE actor_id IS NOT NULL;
