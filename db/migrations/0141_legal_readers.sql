-- Courts review sanction decisions (reviewSanction, scope sanctions:review): an agency kind of
-- their own (Law on Administrative Procedure 93/2015/QH13; docs/legal.md).
ALTER TABLE agency DROP CONSTRAINT agency_kind_check;
ALTER TABLE agency ADD CONSTRAINT agency_kind_check CHECK (kind IN ('BROADCASTING_AUTHORITY','MINISTRY','INSPECTORATE',
    'PROVINCIAL_DEPARTMENT','FOOD_SAFETY','HEALTH','TAX','MARKET_SURVEILLANCE','POLICE','PEOPLES_COMMITTEE','ASSOCIATION','COURT'));

-- Names in the order Vietnamese readers expect (ICU's Vietnamese collation: "Anh" < "Ánh" < "Bình",
-- "D" < "Đ" < "E"), for the name orders and their keyset cursors (db.VietnameseCollation).
CREATE INDEX influencer_display_name_vi ON influencer ((display_name COLLATE "vi-x-icu"), id);
CREATE INDEX mcn_name_vi ON mcn ((name COLLATE "vi-x-icu"), id);
CREATE INDEX brand_name_vi ON brand ((name COLLATE "vi-x-icu"), id);

-- Readers' filters: disclosures by product name (words, accents ignored), sanctions by decision number.
CREATE INDEX disclosure_product_name_trgm ON disclosure USING gin (registry_normalize(product_name) gin_trgm_ops);
CREATE INDEX sanction_decision_number ON sanction (decision_number, id);
