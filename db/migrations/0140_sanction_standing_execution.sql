-- A sanction's legal standing and its execution are separate facts (Law on Handling
-- Administrative Violations 15/2012/QH13 as amended by 67/2020/QH14, Art. 73(1): a complaint or
-- lawsuit does not suspend execution; docs/legal.md). Each status-history entry now records
-- both facts after it; the sanction row holds the latest ones, the date it was executed, and
-- keeps `status`, derived from the two (registry.SanctionFacts.Status), for existing clients.
ALTER TABLE sanction_status_change
    ADD COLUMN standing text CHECK (standing IN ('IN_FORCE','UNDER_COMPLAINT','UNDER_LITIGATION','AMENDED',
        'ANNULLED','WITHDRAWN_DATA_ERROR')),
    ADD COLUMN execution text CHECK (execution IN ('NOT_DUE','DUE','COMPLIED','ENFORCED'));

-- The mapping of the older history, entry by entry (registry.SanctionFacts.WithStatus): COMPLIED
-- records the execution and closes a pending complaint or lawsuit (the decision stands as it was
-- before, amended or in force); any other status is the standing, and the execution carries on.
WITH h AS (
    SELECT c.id, c.status,
           bool_or(c.status = 'COMPLIED') OVER w AS executed,
           array_remove(array_agg(CASE WHEN c.status <> 'COMPLIED' THEN c.status END) OVER w, NULL) AS standings
    FROM sanction_status_change c
    WINDOW w AS (PARTITION BY c.sanction_id ORDER BY c.effective_on, c.id ROWS UNBOUNDED PRECEDING))
UPDATE sanction_status_change c
   SET execution = CASE WHEN h.executed THEN 'COMPLIED' ELSE 'DUE' END,
       standing = CASE
           WHEN h.status <> 'COMPLIED' THEN h.status
           WHEN h.standings[cardinality(h.standings)] = 'AMENDED' THEN 'AMENDED'
           ELSE 'IN_FORCE' END
  FROM h WHERE h.id = c.id;

ALTER TABLE sanction_status_change ALTER COLUMN standing SET NOT NULL, ALTER COLUMN execution SET NOT NULL;

ALTER TABLE sanction
    ADD COLUMN standing text CHECK (standing IN ('IN_FORCE','UNDER_COMPLAINT','UNDER_LITIGATION','AMENDED',
        'ANNULLED','WITHDRAWN_DATA_ERROR')),
    ADD COLUMN execution text CHECK (execution IN ('NOT_DUE','DUE','COMPLIED','ENFORCED')),
    ADD COLUMN executed_on date;

UPDATE sanction s
   SET standing = coalesce(last.standing, CASE WHEN s.status = 'COMPLIED' THEN 'IN_FORCE' ELSE s.status END),
       execution = coalesce(last.execution, CASE WHEN s.status = 'COMPLIED' THEN 'COMPLIED' ELSE 'DUE' END),
       executed_on = (SELECT min(c.effective_on) FROM sanction_status_change c
                      WHERE c.sanction_id = s.id AND c.execution IN ('COMPLIED', 'ENFORCED'))
  FROM sanction s2
  LEFT JOIN LATERAL (SELECT c.standing, c.execution FROM sanction_status_change c WHERE c.sanction_id = s2.id
                     ORDER BY c.effective_on DESC, c.id DESC LIMIT 1) last ON true
 WHERE s2.id = s.id;

ALTER TABLE sanction ALTER COLUMN standing SET NOT NULL, ALTER COLUMN execution SET NOT NULL,
    ADD CONSTRAINT sanction_executed_on CHECK ((executed_on IS NOT NULL) = (execution IN ('COMPLIED', 'ENFORCED')));

CREATE INDEX sanction_standing ON sanction (standing, decided_on, id);
CREATE INDEX sanction_execution ON sanction (execution, decided_on, id);

-- Rows written around the write path with only the older status (test fixtures, bulk loads such
-- as scripts/bench-peers) get the facts that status means on its own, the SQL mirror of
-- registry.FactsOfStatus (COMPLIED: in force and complied with; any other status: that standing,
-- due). The write path and the seed always give both facts; registry tests hold the two equal.
CREATE FUNCTION sanction_facts_of_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.standing IS NULL THEN
        NEW.standing := CASE WHEN NEW.status = 'COMPLIED' THEN 'IN_FORCE' ELSE NEW.status END;
    END IF;
    IF NEW.execution IS NULL THEN
        NEW.execution := CASE WHEN NEW.status = 'COMPLIED' THEN 'COMPLIED' ELSE 'DUE' END;
    END IF;
    IF TG_TABLE_NAME = 'sanction' THEN -- nested: the history has no executed_on
        IF NEW.executed_on IS NULL AND NEW.execution IN ('COMPLIED', 'ENFORCED') THEN
            NEW.executed_on := coalesce(NEW.effective_on, NEW.decided_on);
        END IF;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER sanction_facts_of_status BEFORE INSERT ON sanction
    FOR EACH ROW WHEN (NEW.standing IS NULL OR NEW.execution IS NULL) EXECUTE FUNCTION sanction_facts_of_status();
CREATE TRIGGER sanction_status_change_facts_of_status BEFORE INSERT ON sanction_status_change
    FOR EACH ROW WHEN (NEW.standing IS NULL OR NEW.execution IS NULL) EXECUTE FUNCTION sanction_facts_of_status();
