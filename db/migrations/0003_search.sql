-- Search: the full-text side of search(query:). The trigram indexes of 0001 find typos and
-- partial words; these find every query word (as a prefix) in any order. Both index the same
-- normalized search_text (lower case, no diacritics, đ → d), with the 'simple' configuration:
-- names are not stemmed and there are no stop words in Vietnamese names.
CREATE INDEX influencer_search_fts ON influencer USING gin (to_tsvector('simple', search_text));
CREATE INDEX platform_account_search_fts ON platform_account USING gin (to_tsvector('simple', search_text));
CREATE INDEX mcn_search_fts ON mcn USING gin (to_tsvector('simple', search_text));
CREATE INDEX brand_search_fts ON brand USING gin (to_tsvector('simple', search_text));
