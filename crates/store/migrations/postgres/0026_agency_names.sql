-- The names of the agencies that hold the `office` role, as officials read them, by the
-- tier of the unit (reform-2025.md): the province's Department of Agriculture and
-- Environment, the commune's Economic Department (a commune that runs the review from
-- its Culture–Social Department changes its own row), and the district's labour office
-- for history. They are settings an administrator edits (`giamngheo agency set`), and a
-- row `agency.unit.<code>` names one unit's agency; nothing is written in templates.
INSERT INTO settings (key, value) VALUES
    ('agency.province', 'Sở Nông nghiệp và Môi trường'),
    ('agency.commune', 'Phòng Kinh tế'),
    ('agency.district', 'Phòng Lao động – Thương binh và Xã hội')
ON CONFLICT (key) DO NOTHING;
