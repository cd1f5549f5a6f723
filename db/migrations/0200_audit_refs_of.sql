-- The refs of events read before the audit head is locked (docs/operations.md, "Write
-- throughput"): audit_refs_of takes the events' subjects, in order, and returns the records each
-- is about, by the event's ordinal (1-based); a write reads them with its rows, before the lock,
-- and appends them with its events in one statement. The rule is the one of record_audit_refs
-- (0150), which now reads it from here: one home.
CREATE FUNCTION audit_refs_of(types text[], ids bigint[])
RETURNS TABLE (ord bigint, ref_type text, ref_id bigint) LANGUAGE sql STABLE AS $$
SELECT DISTINCT e.ord, r.typ, r.id
  FROM unnest(types, ids) WITH ORDINALITY AS e(subject_type, subject_id, ord)
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
$$;

-- record_audit_refs(lo, hi) (rebuilding the refs of logged events) reads the same rule.
CREATE OR REPLACE FUNCTION record_audit_refs(lo bigint, hi bigint) RETURNS void LANGUAGE sql AS $$
INSERT INTO audit_event_ref (seq, ref_type, ref_id)
SELECT e.seqs[r.ord], r.ref_type, r.ref_id
  FROM (SELECT array_agg(seq ORDER BY seq) seqs, array_agg(subject_type ORDER BY seq) types,
               array_agg(subject_id ORDER BY seq) ids
          FROM audit_event WHERE seq BETWEEN lo AND hi) e
 CROSS JOIN LATERAL audit_refs_of(e.types, e.ids) r
ON CONFLICT DO NOTHING
$$;
