-- Multiplies a PostgreSQL database holding the demo into a province-sized one, for
-- `giamngheo bench coverage` and the card-list import benchmark (issue 14: coverage of a
-- province of 500,000 households under 1 s, import of 100,000 cards under 30 s).
--
-- The demo loader writes about 2,000 households a minute, far too slow for 500,000, so
-- the demo is loaded small and copied here `copies - 1` times with INSERT … SELECT. Each
-- copy keeps every column of its original (statuses, dates, members' ages and schooling,
-- which benefits cover whom and which do not), so the proportions of the demo (most poor
-- people carded, some gaps, a few ineligible benefits) hold at any size. Only what must
-- stay unique changes: ids move by a whole multiple of the table's largest id, household
-- codes and certificate numbers get the copy's number as a suffix, and a copied member's
-- citizen ID becomes `9` followed by its new id on eleven digits (the demo's IDs all start
-- with `0`, so no copy can meet an original). A copied person also gets one more middle
-- name, a different one in each copy: otherwise every person would have 99 namesakes of
-- the same birth year in the same village, and an agency's list matched by name, birth
-- year and village (as the card-list import does without a citizen ID) would find every
-- such row ambiguous, which no real province looks like. The sort keys are left as they
-- were (they only order lists).
--
-- Rows are copied through jsonb (`to_jsonb(row) || changes`, back with
-- `jsonb_populate_record` in a LATERAL join: written as `(f(…)).*` PostgreSQL would call
-- it once per column) so that a column added by a later migration is copied as it
-- is without editing this file. Audit entries, reviews and movements are not copied: the
-- coverage and the import read none of them.
--
-- Usage (the demo first, on an empty database; 5,000 × 100 = 500,000 households):
--   createdb -h 127.0.0.1 -U postgres cov500k
--   giamngheo demo --database-url postgres://postgres@127.0.0.1/cov500k --households 5000
--   psql -h 127.0.0.1 -U postgres -d cov500k -v copies=100 -f scripts/bench-coverage-scale.sql
--   giamngheo bench coverage --database-url postgres://postgres@127.0.0.1/cov500k
-- Run it once on the freshly loaded demo: a second run would multiply the copies too.

\set ON_ERROR_STOP on
\if :{?copies}
\else
\set copies 100
\endif

BEGIN;

-- Rows are appended far faster when the tables' secondary indexes are built once at the
-- end than when each of a few million rows updates fifteen of them: the indexes that do
-- not back a key are dropped here and made again, with the same definitions, below. The
-- foreign keys are not checked row by row either (the copies point at their own copied
-- households, which the statement before wrote).
CREATE TEMP TABLE scale_indexes AS
SELECT i.indexname, i.indexdef
FROM pg_indexes i
WHERE i.schemaname = current_schema()
  AND i.tablename IN ('households', 'members', 'classifications', 'benefits')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = i.indexname);
DO $$
DECLARE r RECORD;
BEGIN
    FOR r IN SELECT indexname FROM scale_indexes LOOP
        EXECUTE format('DROP INDEX %I', r.indexname);
    END LOOP;
END $$;
SET LOCAL session_replication_role = replica;
SET LOCAL maintenance_work_mem = '512MB';
-- Compiling the copies' expressions costs more than it saves here.
SET LOCAL jit = off;

CREATE TEMP TABLE scale_offsets AS
SELECT (SELECT MAX(id) FROM households) AS households,
       (SELECT MAX(id) FROM members) AS members,
       (SELECT MAX(id) FROM classifications) AS classifications,
       COALESCE((SELECT MAX(id) FROM benefits), 0) AS benefits;

-- The middle name of each copy, with its accent-free lower-case form (as
-- `giamngheo_domain::text::fold` writes it); no two fold alike. Beyond 100 copies the
-- names repeat.
CREATE TEMP TABLE scale_words (n INTEGER, word TEXT, folded TEXT);
INSERT INTO scale_words
SELECT row_number() OVER () - 1, w.word, w.folded
FROM (VALUES
    ('An', 'an'), ('Anh', 'anh'), ('Bảo', 'bao'), ('Bích', 'bich'), ('Bình', 'binh'), ('Cảnh', 'canh'),
    ('Châu', 'chau'), ('Chi', 'chi'), ('Chiến', 'chien'), ('Công', 'cong'), ('Cúc', 'cuc'), ('Cường', 'cuong'),
    ('Danh', 'danh'), ('Diệp', 'diep'), ('Dung', 'dung'), ('Duy', 'duy'), ('Dương', 'duong'), ('Đạt', 'dat'),
    ('Đông', 'dong'), ('Đức', 'duc'), ('Giang', 'giang'), ('Hà', 'ha'), ('Hải', 'hai'), ('Hạnh', 'hanh'),
    ('Hậu', 'hau'), ('Hiền', 'hien'), ('Hiếu', 'hieu'), ('Hòa', 'hoa'), ('Hoài', 'hoai'), ('Hoàng', 'hoang'),
    ('Hồng', 'hong'), ('Huệ', 'hue'), ('Huy', 'huy'), ('Hùng', 'hung'), ('Hương', 'huong'), ('Khải', 'khai'),
    ('Khang', 'khang'), ('Khánh', 'khanh'), ('Khoa', 'khoa'), ('Khôi', 'khoi'), ('Kiên', 'kien'), ('Kim', 'kim'),
    ('Lam', 'lam'), ('Lan', 'lan'), ('Linh', 'linh'), ('Loan', 'loan'), ('Long', 'long'), ('Lộc', 'loc'),
    ('Mai', 'mai'), ('Mạnh', 'manh'), ('Minh', 'minh'), ('My', 'my'), ('Nam', 'nam'), ('Nga', 'nga'),
    ('Ngân', 'ngan'), ('Nghĩa', 'nghia'), ('Ngọc', 'ngoc'), ('Nguyên', 'nguyen'), ('Nhàn', 'nhan'), ('Nhung', 'nhung'),
    ('Phong', 'phong'), ('Phúc', 'phuc'), ('Phương', 'phuong'), ('Quang', 'quang'), ('Quân', 'quan'), ('Quế', 'que'),
    ('Quyên', 'quyen'), ('Sang', 'sang'), ('Sơn', 'son'), ('Tâm', 'tam'), ('Tân', 'tan'), ('Thái', 'thai'),
    ('Thanh', 'thanh'), ('Thảo', 'thao'), ('Thắng', 'thang'), ('Thịnh', 'thinh'), ('Thu', 'thu'), ('Thủy', 'thuy'),
    ('Tiến', 'tien'), ('Toàn', 'toan'), ('Trang', 'trang'), ('Trí', 'tri'), ('Trọng', 'trong'), ('Trung', 'trung'),
    ('Tú', 'tu'), ('Tuấn', 'tuan'), ('Tùng', 'tung'), ('Uyên', 'uyen'), ('Vân', 'van'), ('Việt', 'viet'),
    ('Vinh', 'vinh'), ('Vũ', 'vu'), ('Xuân', 'xuan'), ('Yến', 'yen'), ('Liên', 'lien'), ('Phú', 'phu'),
    ('Quý', 'quy'), ('Bắc', 'bac'), ('Hiệp', 'hiep')
) AS w (word, folded);

CREATE TEMP TABLE scale_copies AS
SELECT k, w.word, w.folded
FROM generate_series(1, :copies - 1) AS k
JOIN scale_words w ON w.n = (k - 1) % (SELECT COUNT(*) FROM scale_words);

INSERT INTO households
SELECT r.*
FROM households h, scale_copies c, scale_offsets o,
LATERAL jsonb_populate_record(NULL::households, to_jsonb(h) || jsonb_build_object(
    'id', h.id + c.k * o.households,
    'code', h.code || '-' || c.k,
    'head_name', regexp_replace(h.head_name, '^(\S+) ', '\1 ' || c.word || ' '),
    'merged_into', h.merged_into + c.k * o.households,
    'split_from', h.split_from + c.k * o.households)) AS r;

-- The store finds a household by its id through household_homes (migration 0151): a
-- copied household without its row there would not exist for the product.
INSERT INTO household_homes (household_id, home)
SELECT h.id, h.home_province FROM households h
WHERE NOT EXISTS (SELECT 1 FROM household_homes x WHERE x.household_id = h.id);

INSERT INTO members
SELECT r.*
FROM members m, scale_copies c, scale_offsets o,
LATERAL jsonb_populate_record(NULL::members, to_jsonb(m) || jsonb_build_object(
    'id', m.id + c.k * o.members,
    'household_id', m.household_id + c.k * o.households,
    'full_name', regexp_replace(m.full_name, '^(\S+) ', '\1 ' || c.word || ' '),
    'name_folded', regexp_replace(m.name_folded, '^(\S+) ', '\1 ' || c.folded || ' '),
    'citizen_id', CASE WHEN m.citizen_id IS NULL THEN NULL
        ELSE '9' || lpad((m.id + c.k * o.members)::text, 11, '0') END)) AS r;

INSERT INTO classifications
SELECT r.*
FROM classifications x, scale_copies c, scale_offsets o,
LATERAL jsonb_populate_record(NULL::classifications, to_jsonb(x) || jsonb_build_object(
    'id', x.id + c.k * o.classifications,
    'household_id', x.household_id + c.k * o.households,
    'supersedes', x.supersedes + c.k * o.classifications,
    'certificate_number', x.certificate_number || '-' || c.k)) AS r;

INSERT INTO benefits
SELECT r.*
FROM benefits b, scale_copies c, scale_offsets o,
LATERAL jsonb_populate_record(NULL::benefits, to_jsonb(b) || jsonb_build_object(
    'id', b.id + c.k * o.benefits,
    'household_id', b.household_id + c.k * o.households,
    'member_id', b.member_id + c.k * o.members,
    'supersedes', b.supersedes + c.k * o.benefits,
    'reference', b.reference || '-' || c.k)) AS r;

DO $$
DECLARE r RECORD;
BEGIN
    FOR r IN SELECT indexdef FROM scale_indexes LOOP
        EXECUTE r.indexdef;
    END LOOP;
END $$;

-- The identity sequences continue after the copies, so that the application's own
-- inserts (an import's benefits, a new household) never meet a copied id.
SELECT setval(pg_get_serial_sequence('households', 'id'), (SELECT MAX(id) FROM households));
SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT MAX(id) FROM members));
SELECT setval(pg_get_serial_sequence('classifications', 'id'),
    (SELECT MAX(id) FROM classifications));
SELECT setval(pg_get_serial_sequence('benefits', 'id'),
    GREATEST((SELECT MAX(id) FROM benefits), 1));

-- The counts the reports read are rebuilt from the classifications, as the migrations
-- that made them (0051, 0095) did.
DELETE FROM classification_counts;
INSERT INTO classification_counts (province_code, district_code, commune_code, period, status,
    effective_date, valid_until, households)
SELECT province_code, COALESCE(district_code, ''), commune_code, period, status, effective_date,
    COALESCE(valid_until, '9999-12-31'), COUNT(*)
FROM classifications
GROUP BY province_code, COALESCE(district_code, ''), commune_code, period, status, effective_date,
    COALESCE(valid_until, '9999-12-31');

DELETE FROM classification_village_counts;
INSERT INTO classification_village_counts (province_code, district_code, commune_code,
    village_code, period, status, deprived, effective_date, valid_until, households)
SELECT province_code, COALESCE(district_code, ''), commune_code, village_code, period, status,
    CASE WHEN status IN ('poor', 'near_poor') THEN deprived ELSE '' END, effective_date,
    COALESCE(valid_until, '9999-12-31'), COUNT(*)
FROM classifications
GROUP BY province_code, COALESCE(district_code, ''), commune_code, village_code, period,
    status, CASE WHEN status IN ('poor', 'near_poor') THEN deprived ELSE '' END,
    effective_date, COALESCE(valid_until, '9999-12-31');

COMMIT;

ANALYZE households;
ANALYZE members;
ANALYZE classifications;
ANALYZE benefits;

SELECT (SELECT COUNT(*) FROM households) AS households,
       (SELECT COUNT(*) FROM members) AS members,
       (SELECT COUNT(*) FROM classifications) AS classifications,
       (SELECT COUNT(*) FROM benefits) AS benefits;
