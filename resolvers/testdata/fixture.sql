-- A small registry for the resolver tests: 3 agencies, 120 influencers with 2 accounts each,
-- 6 MCNs with past and current affiliations, 12 brands, 600 disclosures, 90 sanctions.
INSERT INTO agency (slug, name, name_en, kind, jurisdiction) VALUES
  ('cuc-ptth', 'Cục Phát thanh, truyền hình và thông tin điện tử', 'Authority of Broadcasting', 'BROADCASTING_AUTHORITY', 'VN'),
  ('so-vhtt-hcm', 'Sở Văn hóa và Thể thao TP.HCM', NULL, 'PROVINCIAL_DEPARTMENT', 'VN-SG'),
  ('cuc-attp', 'Cục An toàn thực phẩm', 'Vietnam Food Administration', 'FOOD_SAFETY', 'VN');

INSERT INTO influencer (display_name, aliases, province, categories, created_at, updated_at)
SELECT 'KOL ' || lpad(g::text, 3, '0') || CASE WHEN g % 3 = 0 THEN ' Đặng' ELSE ' Trần' END,
       ARRAY['alias' || g], CASE WHEN g % 2 = 0 THEN 'VN-SG' ELSE 'VN-HN' END,
       CASE WHEN g % 4 = 0 THEN ARRAY['BEAUTY','HEALTH'] ELSE ARRAY['FOOD'] END,
       timestamptz '2025-01-01 00:00+07' + g * interval '1 hour', timestamptz '2025-01-01 00:00+07' + g * interval '1 hour'
FROM generate_series(1, 120) g;

INSERT INTO influencer_credential (influencer_id, field, title, issuer, valid_until)
SELECT id, 'HEALTH', 'Bác sĩ', 'Bộ Y tế', date '2030-01-01' FROM influencer WHERE id % 10 = 0;

INSERT INTO platform_account (influencer_id, platform, handle, url, follower_count, identity_verification)
SELECT i.id, p.platform, 'kol' || i.id || lower(p.platform), 'https://example.vn/' || i.id, 1000 * i.id, 'VN_PHONE'
FROM influencer i CROSS JOIN (VALUES ('TIKTOK'), ('FACEBOOK')) AS p(platform);

INSERT INTO mcn (name, tax_code, province)
SELECT 'MCN ' || g, lpad((3000000000 + g)::text, 10, '0'), 'VN-SG' FROM generate_series(1, 6) g;

-- Every influencer had a past exclusive contract with one MCN and has a current one with another.
INSERT INTO affiliation (influencer_id, mcn_id, kind, started_on, ended_on)
SELECT i.id, (SELECT min(id) FROM mcn) + i.id % 6, 'EXCLUSIVE_MANAGEMENT', date '2023-01-01', date '2024-06-30' FROM influencer i;
INSERT INTO affiliation (influencer_id, mcn_id, kind, started_on, ended_on)
SELECT i.id, (SELECT min(id) FROM mcn) + (i.id + 1) % 6, 'EXCLUSIVE_MANAGEMENT', date '2024-07-01', NULL FROM influencer i;

INSERT INTO brand (name, tax_code, industry)
SELECT 'Brand ' || g, lpad((4000000000 + g)::text, 10, '0'), 'COSMETICS' FROM generate_series(1, 12) g;

INSERT INTO disclosure (influencer_id, account_id, mcn_id, product_name, product_category, platform, published_at,
                        label, label_timing, compensation, filed_by)
SELECT i.id, (SELECT min(pa.id) FROM platform_account pa WHERE pa.influencer_id = i.id), NULL,
       'Sản phẩm ' || g, CASE WHEN g % 2 = 0 THEN 'FOOD_SUPPLEMENT' ELSE 'COSMETICS' END, 'TIKTOK',
       timestamptz '2025-06-01 00:00+07' + (g * 7 + i.id) * interval '1 hour',
       CASE WHEN g % 3 = 0 THEN 'NONE' ELSE 'QUANG_CAO' END, CASE WHEN g % 3 = 0 THEN 'NONE' ELSE 'BEFORE_AND_DURING' END,
       'CASH_FEE', (SELECT min(id) FROM agency)
FROM influencer i CROSS JOIN generate_series(1, 5) g;

INSERT INTO disclosure_brand (disclosure_id, brand_id)
SELECT d.id, (SELECT min(id) FROM brand) + d.id % 12 FROM disclosure d;

INSERT INTO sanction (subject_kind, influencer_id, agency_id, decision_number, decided_on, effective_on, fine_vnd, remedies, status, recorded_at)
SELECT 'INFLUENCER', i.id, (SELECT min(id) FROM agency), (i.id * 10 + g) || '/QĐ-XPHC', date '2025-01-01' + (i.id % 200)::int + g,
       date '2025-01-05' + (i.id % 200)::int + g, 37500000 + (i.id % 7) * 5000000, ARRAY['REMOVE_CONTENT'],
       CASE WHEN g = 1 THEN 'IN_FORCE' ELSE 'COMPLIED' END, timestamptz '2025-02-01 00:00+07'
FROM influencer i CROSS JOIN generate_series(1, 2) g WHERE i.id % 4 <> 3;

INSERT INTO sanction_violation (sanction_id, position, category, instrument, article, clause, description)
SELECT s.id, 1, 'MISLEADING_CLAIMS', '38/2021/NĐ-CP', 34, 5, 'Quảng cáo sai công dụng' FROM sanction s;

INSERT INTO sanction_status_change (sanction_id, status, effective_on, reason, agency_id)
SELECT s.id, 'IN_FORCE', s.effective_on, 'Quyết định xử phạt', s.agency_id FROM sanction s;

INSERT INTO sanction_disclosure (sanction_id, disclosure_id)
SELECT s.id, (SELECT min(d.id) FROM disclosure d WHERE d.influencer_id = s.influencer_id) FROM sanction s;
