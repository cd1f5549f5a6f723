-- KOL Registry schema: the source of truth.
-- Enumerations are CHECK constraints mirrored by the GraphQL enums (graph/common.graphqls).
-- Nothing is hard-deleted through the API; retraction, annulment and correction are states.
-- No national ID numbers, phone numbers or dates of birth are stored (Decree 13/2023/NĐ-CP).

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- registry_normalize folds case, diacritics and đ/Đ so that "Bếp Của Ngoại" matches "bep cua ngoai".
-- unaccent() is STABLE; wrapping it with an explicit dictionary makes an IMMUTABLE function usable in
-- generated columns and indexes.
CREATE OR REPLACE FUNCTION registry_normalize(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS
$$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, translate(t, 'đĐ', 'dD'))) $$;

-- array_to_string is only STABLE in general, but for text[] it cannot change; generated columns need IMMUTABLE.
CREATE OR REPLACE FUNCTION registry_join(a text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT coalesce(array_to_string(a, ' '), '') $$;

CREATE TABLE agency (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug         text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name         text NOT NULL CHECK (btrim(name) <> ''),
    name_en      text,
    kind         text NOT NULL CHECK (kind IN ('BROADCASTING_AUTHORITY','MINISTRY','INSPECTORATE','PROVINCIAL_DEPARTMENT',
                   'FOOD_SAFETY','HEALTH','TAX','MARKET_SURVEILLANCE','POLICE','PEOPLES_COMMITTEE','ASSOCIATION')),
    jurisdiction text NOT NULL CHECK (jurisdiction ~ '^VN(-[0-9A-Z]{2,3})?$'),
    status       text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','SUSPENDED')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agency_slug_id ON agency (slug, id);

CREATE TABLE influencer (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    display_name text NOT NULL CHECK (btrim(display_name) <> ''),
    legal_name   text,
    aliases      text[] NOT NULL DEFAULT '{}',
    province     text CHECK (province ~ '^VN-[0-9A-Z]{2,3}$'),
    categories   text[] NOT NULL DEFAULT '{}' CHECK (categories <@ ARRAY['BEAUTY','FASHION','FOOD','TRAVEL','TECH','GAMING',
                   'FINANCE','HEALTH','EDUCATION','LAW','PARENTING','ENTERTAINMENT','LIFESTYLE','NEWS','OTHER']),
    version      integer NOT NULL DEFAULT 1,
    created_by   bigint REFERENCES agency(id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- One normalized text over every name a reader may type; search uses it with trigram and full-text indexes.
    search_text  text GENERATED ALWAYS AS (
                   registry_normalize(display_name || ' ' || coalesce(legal_name, '') || ' ' ||
                   registry_join(aliases))) STORED
);
CREATE INDEX influencer_search_trgm ON influencer USING gin (search_text gin_trgm_ops);
CREATE INDEX influencer_display_name_id ON influencer (display_name, id);
CREATE INDEX influencer_created_at_id ON influencer (created_at, id);
CREATE INDEX influencer_updated_at_id ON influencer (updated_at, id);
CREATE INDEX influencer_province ON influencer (province, id);
CREATE INDEX influencer_categories ON influencer USING gin (categories);

CREATE TABLE influencer_credential (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    influencer_id bigint NOT NULL REFERENCES influencer(id),
    field         text NOT NULL CHECK (field IN ('BEAUTY','FASHION','FOOD','TRAVEL','TECH','GAMING',
                   'FINANCE','HEALTH','EDUCATION','LAW','PARENTING','ENTERTAINMENT','LIFESTYLE','NEWS','OTHER')),
    title         text NOT NULL,
    issuer        text NOT NULL,
    valid_until   date
);
CREATE INDEX influencer_credential_influencer ON influencer_credential (influencer_id, id);

CREATE TABLE platform_account (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    influencer_id         bigint NOT NULL REFERENCES influencer(id),
    platform              text NOT NULL CHECK (platform IN ('FACEBOOK','TIKTOK','YOUTUBE','INSTAGRAM','ZALO','THREADS',
                            'X','SHOPEE','LAZADA','OTHER')),
    handle                text NOT NULL CHECK (btrim(handle) <> ''),
    url                   text,
    platform_user_id      text,
    follower_count        bigint CHECK (follower_count >= 0),
    followers_as_of       date,
    identity_verification text NOT NULL DEFAULT 'UNKNOWN'
                            CHECK (identity_verification IN ('VN_PHONE','PERSONAL_ID','UNVERIFIED','UNKNOWN')),
    created_at            timestamptz NOT NULL DEFAULT now(),
    search_text           text GENERATED ALWAYS AS (registry_normalize(handle || ' ' || coalesce(url, ''))) STORED
);
CREATE UNIQUE INDEX platform_account_handle ON platform_account (platform, lower(handle));
CREATE INDEX platform_account_influencer ON platform_account (influencer_id, id);
CREATE INDEX platform_account_search_trgm ON platform_account USING gin (search_text gin_trgm_ops);

CREATE TABLE mcn (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    tax_code    text UNIQUE CHECK (tax_code ~ '^[0-9]{10}([0-9]{3})?$'),
    website     text,
    province    text CHECK (province ~ '^VN-[0-9A-Z]{2,3}$'),
    version     integer NOT NULL DEFAULT 1,
    created_by  bigint REFERENCES agency(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    search_text text GENERATED ALWAYS AS (registry_normalize(name)) STORED
);
CREATE INDEX mcn_name_id ON mcn (name, id);
CREATE INDEX mcn_province ON mcn (province, id);
CREATE INDEX mcn_search_trgm ON mcn USING gin (search_text gin_trgm_ops);

CREATE TABLE affiliation (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    influencer_id bigint NOT NULL REFERENCES influencer(id),
    mcn_id        bigint NOT NULL REFERENCES mcn(id),
    kind          text NOT NULL CHECK (kind IN ('EXCLUSIVE_MANAGEMENT','NON_EXCLUSIVE','EMPLOYEE','CO_OWNER')),
    started_on    date NOT NULL,
    ended_on      date CHECK (ended_on IS NULL OR ended_on >= started_on),
    source        text,
    version       integer NOT NULL DEFAULT 1,
    created_by    bigint REFERENCES agency(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- An influencer is under at most one exclusive management contract at a time.
    CONSTRAINT affiliation_no_overlapping_exclusive EXCLUDE USING gist (
        influencer_id WITH =,
        daterange(started_on, ended_on, '[)') WITH &&
    ) WHERE (kind = 'EXCLUSIVE_MANAGEMENT')
);
CREATE INDEX affiliation_influencer ON affiliation (influencer_id, started_on, id);
CREATE INDEX affiliation_mcn ON affiliation (mcn_id, started_on, id);
CREATE INDEX affiliation_current ON affiliation (influencer_id) WHERE ended_on IS NULL;

CREATE TABLE brand (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL CHECK (btrim(name) <> ''),
    tax_code    text UNIQUE CHECK (tax_code ~ '^[0-9]{10}([0-9]{3})?$'),
    industry    text CHECK (industry IN ('COSMETICS','FOOD','FOOD_SUPPLEMENT','MEDICINE','MEDICAL_DEVICE','FINANCIAL_SERVICE',
                  'CRYPTO','REAL_ESTATE','EDUCATION','ALCOHOL','TOBACCO','GAMBLING','ELECTRONICS','FASHION','TRAVEL','OTHER')),
    version     integer NOT NULL DEFAULT 1,
    created_by  bigint REFERENCES agency(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    search_text text GENERATED ALWAYS AS (registry_normalize(name)) STORED
);
CREATE INDEX brand_name_id ON brand (name, id);
CREATE INDEX brand_industry ON brand (industry, id);
CREATE INDEX brand_search_trgm ON brand USING gin (search_text gin_trgm_ops);

CREATE TABLE disclosure (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    influencer_id    bigint NOT NULL REFERENCES influencer(id),
    account_id       bigint REFERENCES platform_account(id),
    mcn_id           bigint REFERENCES mcn(id),
    product_name     text NOT NULL CHECK (btrim(product_name) <> ''),
    product_category text NOT NULL CHECK (product_category IN ('COSMETICS','FOOD','FOOD_SUPPLEMENT','MEDICINE','MEDICAL_DEVICE',
                       'FINANCIAL_SERVICE','CRYPTO','REAL_ESTATE','EDUCATION','ALCOHOL','TOBACCO','GAMBLING','ELECTRONICS',
                       'FASHION','TRAVEL','OTHER')),
    content_url      text,
    platform         text NOT NULL CHECK (platform IN ('FACEBOOK','TIKTOK','YOUTUBE','INSTAGRAM','ZALO','THREADS',
                       'X','SHOPEE','LAZADA','OTHER')),
    published_at     timestamptz NOT NULL,
    label            text NOT NULL CHECK (label IN ('QUANG_CAO','TAI_TRO','HOP_TAC_THUONG_MAI','PLATFORM_PAID_PARTNERSHIP',
                       'HASHTAG_AD','AFFILIATE_NOTICE','AMBIGUOUS','NONE')),
    label_timing     text NOT NULL CHECK (label_timing IN ('BEFORE_AND_DURING','DURING_ONLY','CAPTION_ONLY','NONE')),
    compensation     text NOT NULL CHECK (compensation IN ('CASH_FEE','AFFILIATE_COMMISSION','FREE_PRODUCT','DISCOUNT_CODE',
                       'EQUITY_OR_CO_OWNER','GIFT_OR_TRAVEL','UNDISCLOSED')),
    status           text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE','AMENDED','RETRACTED')),
    filed_by         bigint NOT NULL REFERENCES agency(id),
    version          integer NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX disclosure_published ON disclosure (published_at, id);
CREATE INDEX disclosure_influencer ON disclosure (influencer_id, published_at, id);
CREATE INDEX disclosure_mcn ON disclosure (mcn_id, published_at, id);
CREATE INDEX disclosure_account ON disclosure (account_id);
CREATE INDEX disclosure_filed_by ON disclosure (filed_by, published_at, id);
CREATE INDEX disclosure_category ON disclosure (product_category, published_at, id);
CREATE INDEX disclosure_label ON disclosure (label, published_at, id);
CREATE INDEX disclosure_platform ON disclosure (platform, published_at, id);
CREATE INDEX disclosure_status ON disclosure (status, published_at, id);

CREATE TABLE disclosure_brand (
    disclosure_id bigint NOT NULL REFERENCES disclosure(id),
    brand_id      bigint NOT NULL REFERENCES brand(id),
    PRIMARY KEY (disclosure_id, brand_id)
);
CREATE INDEX disclosure_brand_brand ON disclosure_brand (brand_id, disclosure_id);

CREATE TABLE sanction (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- The subject is exactly one of an influencer, an MCN or a brand, each with its own foreign key.
    subject_kind       text NOT NULL CHECK (subject_kind IN ('INFLUENCER','MCN','BRAND')),
    influencer_id      bigint REFERENCES influencer(id),
    mcn_id             bigint REFERENCES mcn(id),
    brand_id           bigint REFERENCES brand(id),
    agency_id          bigint NOT NULL REFERENCES agency(id),
    decision_number    text NOT NULL CHECK (decision_number ~ '^[0-9]{1,6}/QĐ-[A-ZĐ0-9-]{2,20}$'),
    decided_on         date NOT NULL,
    effective_on       date,
    fine_vnd           bigint NOT NULL CHECK (fine_vnd >= 0 AND fine_vnd < 9007199254740992),
    remedies           text[] NOT NULL DEFAULT '{}' CHECK (remedies <@ ARRAY['CORRECT_INFORMATION','REMOVE_CONTENT',
                         'ACCOUNT_SUSPENSION','PROFIT_DISGORGEMENT','PUBLIC_APOLOGY','APPEARANCE_RESTRICTION','CRIMINAL_REFERRAL']),
    status             text NOT NULL DEFAULT 'IN_FORCE' CHECK (status IN ('IN_FORCE','COMPLIED','UNDER_COMPLAINT',
                         'UNDER_LITIGATION','AMENDED','ANNULLED','WITHDRAWN_DATA_ERROR')),
    source_url         text,
    source_sha256      text CHECK (source_sha256 ~ '^[0-9a-f]{64}$'),
    version            integer NOT NULL DEFAULT 1,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT sanction_one_subject CHECK (
        (subject_kind = 'INFLUENCER' AND influencer_id IS NOT NULL AND mcn_id IS NULL AND brand_id IS NULL) OR
        (subject_kind = 'MCN' AND mcn_id IS NOT NULL AND influencer_id IS NULL AND brand_id IS NULL) OR
        (subject_kind = 'BRAND' AND brand_id IS NOT NULL AND influencer_id IS NULL AND mcn_id IS NULL)),
    -- Decision numbers restart per issuer each year.
    CONSTRAINT sanction_decision_unique UNIQUE (agency_id, decision_number, decided_on)
);
CREATE INDEX sanction_decided ON sanction (decided_on, id);
CREATE INDEX sanction_fine ON sanction (fine_vnd, id);
CREATE INDEX sanction_recorded ON sanction (recorded_at, id);
CREATE INDEX sanction_influencer ON sanction (influencer_id, decided_on, id) WHERE influencer_id IS NOT NULL;
CREATE INDEX sanction_mcn ON sanction (mcn_id, decided_on, id) WHERE mcn_id IS NOT NULL;
CREATE INDEX sanction_brand ON sanction (brand_id, decided_on, id) WHERE brand_id IS NOT NULL;
CREATE INDEX sanction_agency ON sanction (agency_id, decided_on, id);
CREATE INDEX sanction_status ON sanction (status, decided_on, id);

CREATE TABLE sanction_violation (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sanction_id bigint NOT NULL REFERENCES sanction(id),
    position    integer NOT NULL,
    category    text NOT NULL CHECK (category IN ('MISLEADING_CLAIMS','AD_NOT_MATCHING_DOSSIER','HEALTH_PROFESSIONAL_IMAGE_MISUSE',
                  'BANNED_PRODUCT','UNDISCLOSED_ADVERTISING','UNVERIFIED_ADVERTISER','PRODUCT_NOT_USED','FALSE_INFORMATION',
                  'TAX_NON_COMPLIANCE','AD_NEXT_TO_ILLEGAL_CONTENT','OTHER')),
    instrument  text NOT NULL CHECK (btrim(instrument) <> ''),
    article     integer NOT NULL CHECK (article > 0),
    clause      integer CHECK (clause > 0),
    point       text,
    description text,
    UNIQUE (sanction_id, position)
);
CREATE INDEX sanction_violation_category ON sanction_violation (category, sanction_id);

-- Append-only: every status a sanction has had, with the date it took effect.
CREATE TABLE sanction_status_change (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sanction_id   bigint NOT NULL REFERENCES sanction(id),
    status        text NOT NULL CHECK (status IN ('IN_FORCE','COMPLIED','UNDER_COMPLAINT',
                    'UNDER_LITIGATION','AMENDED','ANNULLED','WITHDRAWN_DATA_ERROR')),
    effective_on  date NOT NULL,
    reason        text,
    document_url  text,
    agency_id     bigint NOT NULL REFERENCES agency(id),
    recorded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sanction_status_change_sanction ON sanction_status_change (sanction_id, effective_on, id);

CREATE TABLE sanction_disclosure (
    sanction_id   bigint NOT NULL REFERENCES sanction(id),
    disclosure_id bigint NOT NULL REFERENCES disclosure(id),
    PRIMARY KEY (sanction_id, disclosure_id)
);
CREATE INDEX sanction_disclosure_disclosure ON sanction_disclosure (disclosure_id, sanction_id);

-- Append-only audit trail; hash = sha256(prev_hash || canonical_json(event)). Filled by the writes.
CREATE TABLE audit_event (
    seq          bigint PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor_id     bigint REFERENCES agency(id),
    action       text NOT NULL,
    subject_type text NOT NULL,
    subject_id   bigint NOT NULL,
    diff         jsonb NOT NULL DEFAULT '{}',
    prev_hash    text NOT NULL,
    hash         text NOT NULL UNIQUE
);
CREATE INDEX audit_event_subject ON audit_event (subject_type, subject_id, seq);

CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only';
END $$;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
