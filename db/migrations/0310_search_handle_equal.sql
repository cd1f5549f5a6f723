-- Search: a B-tree on the normalized handle, for the bounded influencer search
-- (docs/search.md, "Bounded candidates"): when the page is already full of influencers scoring
-- above what any handle can score by resemblance (0.8), the accounts that can still be on it are
-- those whose handle equals the query (score 1), an equality the trigram index answers slowly
-- for a query of several common words (it intersects their trigrams' posting lists).
CREATE INDEX platform_account_handle_search ON platform_account (handle_search);
