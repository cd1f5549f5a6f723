-- Corrections of the legal catalogue (0030) from texts read while writing this; what each
-- rests on, and how far it was checked: docs/legal.md, "Fine ranges".

-- Decree 125/2020/NĐ-CP: a wrong return that leaves tax underpaid is Art. 16 (clause 1: a fine
-- of 20 % of the tax understated); Art. 17 is tax evasion, fined a multiple of the tax evaded
-- (clause 1: once the tax evaded) and excepting the acts of Art. 16. 0030 had the 20 % under
-- Art. 17. Neither sets a fixed range: the fine is a share of the tax, which the registry does
-- not record, so no range check applies to them.
INSERT INTO sanctioning_provision (instrument, article, clause, amended_by, summary_vi, summary_en,
    min_fine_individual, max_fine_individual, min_fine_organisation, max_fine_organisation, warning_allowed) VALUES
('125/2020/NĐ-CP', 16, 1, NULL,
  'Khai sai dẫn đến thiếu số thuế phải nộp hoặc tăng số thuế được miễn, giảm, hoàn: phạt 20% số thuế khai thiếu hoặc số thuế đã được miễn, giảm, hoàn cao hơn quy định',
  'A wrong return leaving tax underpaid, or tax exempted, reduced or refunded in excess: a fine of 20% of the tax understated or of the excess',
  NULL, NULL, NULL, NULL, false);
UPDATE sanctioning_provision
   SET summary_vi = 'Trốn thuế: phạt tiền theo bội số của số thuế trốn (khoản 1: một lần số thuế trốn), trừ các hành vi tại Điều 16',
       summary_en = 'Tax evasion: a fine of a multiple of the tax evaded (clause 1: once the tax evaded), except the acts of Art. 16'
 WHERE instrument = '125/2020/NĐ-CP' AND article = 17 AND clause IS NULL;

-- Decree 38/2021/NĐ-CP Art. 34(2): VND 10–20 m. Chapter II fines are an individual's; an
-- organisation pays twice (Art. 5), as for Art. 34(5).
INSERT INTO sanctioning_provision (instrument, article, clause, amended_by, summary_vi, summary_en,
    min_fine_individual, max_fine_individual, min_fine_organisation, max_fine_organisation, warning_allowed) VALUES
('38/2021/NĐ-CP', 34, 2, NULL,
  'Các hành vi quy định tại khoản 2 Điều 34',
  'The acts of Art. 34(2)',
  10000000, 20000000, 20000000, 40000000, false);
