-- The most an instrument fines one violation (registry.Instrument.Cap): a violation citing a
-- provision the catalogue has no range of is checked against it (registry.Catalogue.Check).
-- Sources and what was and was not verified: docs/legal.md, "Fine ranges".
ALTER TABLE legal_instrument
    ADD COLUMN max_fine_individual   bigint CHECK (max_fine_individual > 0),
    ADD COLUMN max_fine_organisation bigint CHECK (max_fine_organisation >= max_fine_individual),
    ADD COLUMN cap_article           integer CHECK (cap_article > 0),
    ADD CONSTRAINT legal_instrument_cap CHECK ((max_fine_individual IS NULL) = (max_fine_organisation IS NULL)
        AND (max_fine_individual IS NULL) = (cap_article IS NULL));

-- Decree 38/2021/NĐ-CP Art. 5: in advertising at most VND 100 m for an individual and 200 m for
-- an organisation (the fines of Chapter II are an individual's; an organisation pays twice).
-- The registry cites its advertising provisions; culture's lower cap is not modelled.
UPDATE legal_instrument SET max_fine_individual = 100000000, max_fine_organisation = 200000000, cap_article = 5
 WHERE number = '38/2021/NĐ-CP';
