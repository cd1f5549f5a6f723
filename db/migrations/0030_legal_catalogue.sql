-- The legal catalogue: the instruments the registry cites and the sanctioning provisions whose
-- fine ranges a recorded decision is checked against (registry.Catalogue.Check). Sources and
-- what was and was not verified: docs/legal.md. Corrections are new migrations.

CREATE TABLE legal_instrument (
    number        text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('LAW', 'DECREE', 'CIRCULAR', 'RESOLUTION')),
    title_vi      text NOT NULL,
    title_en      text NOT NULL,
    in_force_from date NOT NULL,
    in_force_to   date,
    -- amends: the instruments this one amends; amending_only: it has no rules of its own, so it
    -- is cited "as amended by", never alone.
    amends        text[] NOT NULL DEFAULT '{}',
    amending_only boolean NOT NULL DEFAULT false,
    -- sanctioning: it sets administrative penalties (a decision's basis must be one).
    sanctioning   boolean NOT NULL
);

-- A provision that sets a penalty: an article, or one clause of it. Fines are VND; NULL bounds
-- mean the provision sets no fixed range (e.g. a percentage of the tax due) or that the range is
-- not in the catalogue yet, and no range check applies.
CREATE TABLE sanctioning_provision (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instrument           text NOT NULL REFERENCES legal_instrument(number),
    article              integer NOT NULL CHECK (article > 0),
    clause               integer CHECK (clause > 0),
    amended_by           text REFERENCES legal_instrument(number),
    summary_vi           text NOT NULL,
    summary_en           text NOT NULL,
    min_fine_individual  bigint CHECK (min_fine_individual >= 0),
    max_fine_individual  bigint CHECK (max_fine_individual >= min_fine_individual),
    min_fine_organisation bigint CHECK (min_fine_organisation >= 0),
    max_fine_organisation bigint CHECK (max_fine_organisation >= min_fine_organisation),
    warning_allowed      boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX sanctioning_provision_key ON sanctioning_provision (instrument, article, coalesce(clause, 0));

INSERT INTO legal_instrument (number, kind, title_vi, title_en, in_force_from, amends, amending_only, sanctioning) VALUES
('15/2012/QH13', 'LAW', 'Luật Xử lý vi phạm hành chính', 'Law on Handling Administrative Violations',
  '2013-07-01', '{}', false, false),
('67/2020/QH14', 'LAW', 'Luật sửa đổi, bổ sung một số điều của Luật Xử lý vi phạm hành chính',
  'Law amending the Law on Handling Administrative Violations', '2022-01-01', '{15/2012/QH13}', true, false),
('16/2012/QH13', 'LAW', 'Luật Quảng cáo', 'Advertising Law', '2013-01-01', '{}', false, false),
('75/2025/QH15', 'LAW', 'Luật sửa đổi, bổ sung một số điều của Luật Quảng cáo', 'Law amending the Advertising Law',
  '2026-01-01', '{16/2012/QH13}', true, false),
('38/2021/NĐ-CP', 'DECREE', 'Nghị định quy định xử phạt vi phạm hành chính trong lĩnh vực văn hóa và quảng cáo',
  'Decree on administrative penalties in culture and advertising', '2021-06-01', '{}', false, true),
('129/2021/NĐ-CP', 'DECREE', 'Nghị định sửa đổi, bổ sung một số điều của các Nghị định quy định xử phạt vi phạm hành chính trong lĩnh vực thể thao; du lịch; văn hóa và quảng cáo',
  'Decree amending the decrees on administrative penalties in sport, tourism, culture and advertising',
  '2021-12-30', '{38/2021/NĐ-CP}', true, false),
('15/2020/NĐ-CP', 'DECREE', 'Nghị định quy định xử phạt vi phạm hành chính trong lĩnh vực bưu chính, viễn thông, tần số vô tuyến điện, công nghệ thông tin và giao dịch điện tử',
  'Decree on administrative penalties in post, telecommunications, radio frequencies, information technology and e-transactions',
  '2020-04-15', '{}', false, true),
('14/2022/NĐ-CP', 'DECREE', 'Nghị định sửa đổi, bổ sung một số điều của Nghị định số 15/2020/NĐ-CP',
  'Decree amending Decree 15/2020/NĐ-CP', '2022-01-27', '{15/2020/NĐ-CP}', true, false),
('125/2020/NĐ-CP', 'DECREE', 'Nghị định quy định xử phạt vi phạm hành chính về thuế, hóa đơn',
  'Decree on administrative penalties for tax and invoice violations', '2020-12-05', '{}', false, true),
('15/2018/NĐ-CP', 'DECREE', 'Nghị định quy định chi tiết thi hành một số điều của Luật An toàn thực phẩm',
  'Decree detailing the Law on Food Safety', '2018-02-02', '{}', false, false),
('147/2024/NĐ-CP', 'DECREE', 'Nghị định về quản lý, cung cấp, sử dụng dịch vụ Internet và thông tin trên mạng',
  'Decree on the management, provision and use of Internet services and online information', '2024-12-25', '{}', false, false),
('13/2023/NĐ-CP', 'DECREE', 'Nghị định về bảo vệ dữ liệu cá nhân', 'Decree on personal data protection',
  '2023-07-01', '{}', false, false);

INSERT INTO sanctioning_provision (instrument, article, clause, amended_by, summary_vi, summary_en,
    min_fine_individual, max_fine_individual, min_fine_organisation, max_fine_organisation, warning_allowed) VALUES
-- Decree 38/2021 Art. 5: its fines are for individuals; an organisation pays twice as much.
('38/2021/NĐ-CP', 34, 5, '129/2021/NĐ-CP',
  'Quảng cáo gây nhầm lẫn về chất lượng, công dụng của sản phẩm, hàng hóa, dịch vụ',
  'Advertising that misleads about the quality or uses of goods or services',
  60000000, 80000000, 120000000, 160000000, false),
('38/2021/NĐ-CP', 52, NULL, '129/2021/NĐ-CP',
  'Vi phạm quy định về quảng cáo thực phẩm (không phù hợp với hồ sơ đã đăng ký)',
  'Food advertising violations (not matching the registered dossier)',
  NULL, NULL, NULL, NULL, false),
-- Decree 15/2020 Art. 4: its fines are for organisations; an individual pays half.
('15/2020/NĐ-CP', 101, 1, '14/2022/NĐ-CP',
  'Lợi dụng mạng xã hội để cung cấp, chia sẻ thông tin giả mạo, sai sự thật',
  'Using a social network to provide or share forged or false information',
  5000000, 10000000, 10000000, 20000000, false),
-- Decree 125/2020 Art. 7: its fines are for organisations; an individual pays half.
('125/2020/NĐ-CP', 13, 1, NULL,
  'Nộp hồ sơ khai thuế quá thời hạn từ 01 đến 05 ngày và có tình tiết giảm nhẹ',
  'Filing a tax return 1 to 5 days late, with a mitigating circumstance',
  0, 0, 0, 0, true),
('125/2020/NĐ-CP', 13, 5, NULL,
  'Nộp hồ sơ khai thuế quá thời hạn trên 90 ngày hoặc không nộp hồ sơ khai thuế',
  'Filing a tax return more than 90 days late, or not filing it',
  7500000, 12500000, 15000000, 25000000, false),
('125/2020/NĐ-CP', 17, NULL, NULL,
  'Khai sai dẫn đến thiếu số thuế phải nộp: phạt 20% số thuế khai thiếu',
  'A wrong return leading to tax underpaid: a fine of 20% of the tax underpaid',
  NULL, NULL, NULL, NULL, false);
