-- What a penalty decision says beside its fine (Law on Handling Administrative Violations
-- 15/2012/QH13 Arts. 21, 58, 68, 73): the main penalty (a warning has no fine), additional
-- penalties, the payment deadline, the signatory's title and the violation record (biên bản)
-- it rests on; and, per violation, the instrument that amended the provision cited.
ALTER TABLE sanction
    ADD COLUMN penalty text NOT NULL DEFAULT 'FINE' CHECK (penalty IN ('FINE', 'WARNING')),
    ADD COLUMN additional_penalties text[] NOT NULL DEFAULT '{}' CHECK (additional_penalties <@ ARRAY[
        'LICENCE_SUSPENSION', 'ACTIVITY_SUSPENSION', 'CONFISCATION']),
    ADD COLUMN payment_deadline date,
    ADD COLUMN signatory_title text CHECK (btrim(signatory_title) <> ''),
    ADD COLUMN violation_record_number text CHECK (btrim(violation_record_number) <> ''),
    ADD CONSTRAINT sanction_warning_no_fine CHECK (penalty <> 'WARNING' OR fine_vnd = 0);

ALTER TABLE sanction_violation ADD COLUMN amended_by text;

-- Decision numbers restart per issuer each calendar year: (issuer, number, year) is the identity
-- (the old key included the whole date, so one number could repeat within a year).
CREATE UNIQUE INDEX sanction_decision_year ON sanction (agency_id, decision_number, (extract(year FROM decided_on)));
