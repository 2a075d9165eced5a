-- Writes the social insurance agency's card list (danh sách thẻ BHYT, the layout of
-- crates/app/benefit_lists/bhxh_cards.toml) for the members of a database, as CSV on
-- standard output: the input of the card-list import benchmark (issue 14: 100,000 rows
-- under 30 s). Made for the province-sized database of scripts/bench-coverage-scale.sql.
--
-- Of `rows` rows (100,000 by default), 90 % name a member of province `province` by
-- citizen ID; 5 % leave the citizen ID out and name the member by name, birth year and
-- village (half of them written without accents, as lists often are); 5 % are people the
-- registry does not hold (an unknown citizen ID, a village outside the province), which
-- the import queues as unmatched. Members are drawn in an order that looks random but is
-- the same on every run (by the hash of their id), so the same database gives the same
-- file. The cards are next year's (01/01 to 31/12), with card numbers no import has used,
-- so a first import writes every matched row and a second one skips them all.
--
-- Usage:
--   psql -h 127.0.0.1 -U postgres -d cov500k -v rows=100000 -qAt \
--        -f scripts/bench-card-list.sql > /tmp/the-bhyt-100k.csv
--   giamngheo benefits import --database-url postgres://postgres@127.0.0.1/cov500k \
--        --policy bhyt --agency 42-bhxh /tmp/the-bhyt-100k.csv

\set ON_ERROR_STOP on
\if :{?rows}
\else
\set rows 100000
\endif
\if :{?province}
\else
\set province 42
\endif
\if :{?year}
\else
\set year 2027
\endif

CREATE TEMP TABLE card_people AS
SELECT row_number() OVER (ORDER BY md5(m.id::text)) AS n,
       m.id, m.citizen_id, m.full_name, m.name_folded, m.birth_year,
       (SELECT u.name FROM admin_units u WHERE u.code = h.village_code LIMIT 1) AS village
FROM members m
JOIN households h ON h.home_province = m.home_province AND h.id = m.household_id
WHERE h.province_code = :'province' AND h.active AND m.active AND m.citizen_id IS NOT NULL
ORDER BY md5(m.id::text)
LIMIT :rows;

-- initcap of the folded name: «nguyen van an» as «Nguyen Van An».
COPY (
    SELECT "Mã thẻ", "Số CCCD", "Họ và tên", "Năm sinh", "Thôn", "Từ ngày", "Đến ngày"
    FROM (
        SELECT n,
               'HN4' || :'province' || lpad(n::text, 10, '0') AS "Mã thẻ",
               CASE WHEN n <= :rows * 90 / 100 THEN citizen_id
                    WHEN n <= :rows * 95 / 100 THEN ''
                    ELSE '0019' || lpad(n::text, 8, '0') END AS "Số CCCD",
               CASE WHEN n > :rows * 90 / 100 AND n <= :rows * 95 / 100 AND n % 2 = 0
                    THEN initcap(name_folded) ELSE full_name END AS "Họ và tên",
               birth_year AS "Năm sinh",
               CASE WHEN n <= :rows * 95 / 100 THEN village
                    ELSE 'Thôn Ngoài Tỉnh' END AS "Thôn",
               '01/01/' || :'year' AS "Từ ngày",
               '31/12/' || :'year' AS "Đến ngày"
        FROM card_people
    ) AS rows
    ORDER BY n
) TO STDOUT WITH (FORMAT csv, HEADER true);
