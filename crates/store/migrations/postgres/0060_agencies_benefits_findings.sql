-- Agencies, benefits and findings: the shared ground of the support policies (issue 14),
-- the programme's money and activities (issue 16) and the agencies' tasks and inspections
-- (issue 17), laid down once so that each area adds its own tables beside them.

-- Agencies (cơ quan, phòng, ban) as data: each serves one unit (a province, a commune; a
-- district for history) and is of a kind that says which policies, money and tasks its
-- officers write (app/src/policies, programme, tasks). An administrator adds and corrects
-- them; an agency that is closed keeps its row with valid_to, so old records still name it.
-- A small shared table: a reference table on Citus.
CREATE TABLE agencies (
    code        TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    unit_code   TEXT NOT NULL,
    -- labour, finance, agriculture, culture, health, education, infrastructure, justice,
    -- home_affairs, natural_resources, construction, economic, culture_social,
    -- social_policy_bank, social_insurance, school, commune_committee, fatherland_front,
    -- steering_committee.
    kind        TEXT NOT NULL,
    valid_from  DATE NOT NULL,
    -- The last day it existed (inclusive); NULL while it exists.
    valid_to    DATE
);
CREATE INDEX agencies_unit ON agencies (unit_code);

-- An agency officer belongs to one agency; other roles may name theirs too. No foreign
-- key: on Citus the seeded agencies are moved into a reference table while users is still
-- local, which a key from users would forbid; the application checks the code instead
-- (Store::set_user_agency), as it does for unit codes.
ALTER TABLE users ADD COLUMN agency_code TEXT;

-- The seed plan's fourteen agencies of Huyện Hương Khê (444), as history: the district
-- was dissolved on 01/07/2025.
INSERT INTO agencies (code, name, unit_code, kind, valid_from, valid_to) VALUES
('444-ldtbxh', 'Phòng Lao động – Thương binh và Xã hội', '444', 'labour', '2016-01-01', '2025-06-30'),
('444-tckh', 'Phòng Tài chính – Kế hoạch', '444', 'finance', '2016-01-01', '2025-06-30'),
('444-nnptnt', 'Phòng Nông nghiệp và Phát triển nông thôn', '444', 'agriculture', '2016-01-01', '2025-06-30'),
('444-vhtt', 'Phòng Văn hóa – Thông tin', '444', 'culture', '2016-01-01', '2025-06-30'),
('444-yte', 'Phòng Y tế', '444', 'health', '2016-01-01', '2025-06-30'),
('444-gddt', 'Phòng Giáo dục và Đào tạo', '444', 'education', '2016-01-01', '2025-06-30'),
('444-ktht', 'Phòng Kinh tế – Hạ tầng', '444', 'infrastructure', '2016-01-01', '2025-06-30'),
('444-tuphap', 'Phòng Tư pháp', '444', 'justice', '2016-01-01', '2025-06-30'),
('444-noivu', 'Phòng Nội vụ', '444', 'home_affairs', '2016-01-01', '2025-06-30'),
('444-tnmt', 'Phòng Tài nguyên và Môi trường', '444', 'natural_resources', '2016-01-01', '2025-06-30'),
('444-nhcsxh', 'Phòng giao dịch Ngân hàng Chính sách xã hội huyện Hương Khê', '444', 'social_policy_bank', '2016-01-01', '2025-06-30'),
('444-bhxh', 'Bảo hiểm xã hội huyện Hương Khê', '444', 'social_insurance', '2016-01-01', '2025-06-30'),
('444-mttq', 'Ủy ban Mặt trận Tổ quốc Việt Nam huyện Hương Khê', '444', 'fatherland_front', '2016-01-01', '2025-06-30'),
('444-bcd', 'Ban Chỉ đạo các chương trình mục tiêu quốc gia huyện Hương Khê', '444', 'steering_committee', '2016-01-01', '2025-06-30'),
-- Hà Tĩnh's departments since the 2025 reform (reform-2025.md): the Department of
-- Agriculture and Environment runs the review; the province consolidates communes directly.
('42-snnmt', 'Sở Nông nghiệp và Môi trường tỉnh Hà Tĩnh', '42', 'agriculture', '2025-07-01', NULL),
('42-stc', 'Sở Tài chính tỉnh Hà Tĩnh', '42', 'finance', '2025-07-01', NULL),
('42-syt', 'Sở Y tế tỉnh Hà Tĩnh', '42', 'health', '2025-07-01', NULL),
('42-sgddt', 'Sở Giáo dục và Đào tạo tỉnh Hà Tĩnh', '42', 'education', '2025-07-01', NULL),
('42-sxd', 'Sở Xây dựng tỉnh Hà Tĩnh', '42', 'construction', '2025-07-01', NULL),
('42-stp', 'Sở Tư pháp tỉnh Hà Tĩnh', '42', 'justice', '2025-07-01', NULL),
('42-snv', 'Sở Nội vụ tỉnh Hà Tĩnh', '42', 'home_affairs', '2025-07-01', NULL),
('42-svhttdl', 'Sở Văn hóa, Thể thao và Du lịch tỉnh Hà Tĩnh', '42', 'culture', '2025-07-01', NULL),
('42-bhxh', 'Bảo hiểm xã hội tỉnh Hà Tĩnh', '42', 'social_insurance', '2025-07-01', NULL),
('42-nhcsxh', 'Chi nhánh Ngân hàng Chính sách xã hội tỉnh Hà Tĩnh', '42', 'social_policy_bank', '2025-07-01', NULL),
('42-mttq', 'Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Hà Tĩnh', '42', 'fatherland_front', '2025-07-01', NULL),
('42-bcd', 'Ban Chỉ đạo các chương trình mục tiêu quốc gia tỉnh Hà Tĩnh', '42', 'steering_committee', '2025-07-01', NULL);

-- Benefits (lần hưởng chính sách): one row per person or household, policy, and date or
-- period (a card's validity). A correction is a new row that names the row it replaces
-- (supersedes) while the old row gets voided_at; nothing is deleted, so what an agency
-- reported on a day can always be read back. The row keeps the unit the household lived in
-- on the benefit's date. Rows about a household sit on its shard (home_province).
CREATE TABLE benefits (
    id             BIGINT GENERATED BY DEFAULT AS IDENTITY,
    home_province  TEXT NOT NULL,
    household_id   BIGINT NOT NULL,
    -- NULL for a benefit to the whole household (a loan, a house).
    member_id      BIGINT,
    -- The policy code of the catalogue (bhyt, tuition_exemption, loan_poor, …).
    policy         TEXT NOT NULL,
    -- The date of the benefit, or the first day of its period.
    valid_from     DATE NOT NULL,
    -- The last day of its period (inclusive); NULL for a benefit on one date.
    valid_to       DATE,
    -- Integer VND where the benefit is money; a quantity otherwise (head of cattle…).
    amount         BIGINT,
    quantity       DOUBLE PRECISION,
    agency_code    TEXT,
    -- The agency's own reference: card number, loan contract, decision number.
    reference      TEXT,
    -- The village (or commune) of the household on valid_from.
    unit_code      TEXT NOT NULL,
    province_code  TEXT NOT NULL,
    -- entry, bulk, import, migrated.
    source         TEXT NOT NULL,
    import_id      BIGINT,
    supersedes     BIGINT,
    voided_at      TEXT,
    voided_by      TEXT,
    recorded_by    TEXT NOT NULL,
    recorded_at    TEXT NOT NULL,
    PRIMARY KEY (home_province, id),
    FOREIGN KEY (home_province, household_id) REFERENCES households (home_province, id)
);
CREATE INDEX benefits_household ON benefits (home_province, household_id);
CREATE INDEX benefits_policy_unit ON benefits (policy, province_code, unit_code, valid_from);
CREATE INDEX benefits_reference ON benefits (policy, agency_code, reference) WHERE reference IS NOT NULL;

-- Findings (phát hiện): computed checks on the policies (a benefit to someone not eligible
-- on its date, the same person on two households' lists, …), on the review, and what an
-- inspection records. Each keeps its evidence (JSON) and a status until an officer closes
-- it. A computed finding has a stable check_key so that a re-run does not add it twice.
-- Findings are few and read across units by oversight: a reference table on Citus, so they
-- name their household without a foreign key.
CREATE TABLE findings (
    id                 BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    -- policy (computed from benefits), review (computed from the review), inspection.
    source             TEXT NOT NULL,
    -- ineligible_benefit, duplicate_person, loan_after_escape, card_after_death,
    -- duplicate_citizen_id_in_import, income_above_line, meeting_under_threshold, …
    kind               TEXT NOT NULL,
    check_key          TEXT UNIQUE,
    province_code      TEXT NOT NULL,
    unit_code          TEXT NOT NULL,
    household_id       BIGINT,
    member_id          BIGINT,
    benefit_id         BIGINT,
    activity_id        BIGINT,
    inspection_id      BIGINT,
    evidence           TEXT NOT NULL DEFAULT '{}',
    required_action    TEXT,
    responsible_agency TEXT,
    deadline           DATE,
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'justified', 'corrected')),
    status_note        TEXT,
    closed_by          TEXT,
    closed_at          TEXT,
    created_at         TEXT NOT NULL
);
CREATE INDEX findings_unit ON findings (province_code, unit_code, status);
