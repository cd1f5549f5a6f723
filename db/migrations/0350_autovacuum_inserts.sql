-- Keep the visibility map current on the tables that lists count and search reads
-- (docs/operations.md, "Vacuum"). totalCount and the search's word counts are index-only
-- scans; a page written since the last vacuum is not all-visible, and every row on it costs
-- a heap fetch. By default autovacuum vacuums after inserts only once they reach 20 % of the
-- table (40,000 influencers, 450,000 search words at 200,000 influencers): on the soak's
-- dataset 26,000 unvacuumed influencer inserts made the count of all influencers 113 ms
-- instead of 47 ms. Vacuum after 0.5 % (plus 1,000 rows) instead; each such vacuum only reads
-- the pages written since the last one.
ALTER TABLE influencer SET (autovacuum_vacuum_insert_scale_factor = 0.005, autovacuum_vacuum_insert_threshold = 1000);
ALTER TABLE platform_account SET (autovacuum_vacuum_insert_scale_factor = 0.005, autovacuum_vacuum_insert_threshold = 1000);
ALTER TABLE search_word SET (autovacuum_vacuum_insert_scale_factor = 0.005, autovacuum_vacuum_insert_threshold = 1000);
ALTER TABLE disclosure SET (autovacuum_vacuum_insert_scale_factor = 0.005, autovacuum_vacuum_insert_threshold = 1000);
ALTER TABLE sanction SET (autovacuum_vacuum_insert_scale_factor = 0.005, autovacuum_vacuum_insert_threshold = 1000);
