-- Plan targets (chỉ tiêu) per unit and year, and the commune boundaries a dashboard map
-- draws. Targets are data an officer corrects in the UI; each change is audited.
CREATE TABLE targets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    province_code TEXT NOT NULL,
    unit_code     TEXT NOT NULL,
    year          INTEGER NOT NULL,
    -- What is measured: poverty_rate_reduction, health_insurance_poor, … (app/targets.rs).
    indicator     TEXT NOT NULL,
    -- The target; a range (1–1.5 points) keeps its upper end in target_max.
    target_value  DOUBLE PRECISION NOT NULL,
    target_max    DOUBLE PRECISION,
    -- 'points' (percentage points) or 'percent'.
    measure_unit  TEXT NOT NULL CHECK (measure_unit IN ('points', 'percent')),
    source_note   TEXT NOT NULL DEFAULT '',
    version       BIGINT NOT NULL DEFAULT 1,
    updated_by    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (unit_code, year, indicator)
);

-- The seed plan's targets for Huyện Hương Khê (444), year 2021.
INSERT INTO targets (province_code, unit_code, year, indicator, target_value, target_max, measure_unit, source_note, updated_by, updated_at) VALUES
('42', '444', 2021, 'poverty_rate_reduction', 1.0, 1.5, 'points', 'Kế hoạch năm 2021 của UBND huyện: giảm tỷ lệ hộ nghèo 1–1,5%', 'hệ thống', '2021-01-01T00:00:00Z'),
('42', '444', 2021, 'preferential_loan', 100, NULL, 'percent', 'Kế hoạch năm 2021: 100% hộ nghèo, cận nghèo, mới thoát nghèo có nhu cầu, đủ điều kiện được vay vốn ưu đãi', 'hệ thống', '2021-01-01T00:00:00Z'),
('42', '444', 2021, 'health_insurance_poor', 100, NULL, 'percent', 'Kế hoạch năm 2021: 100% người nghèo có thẻ BHYT', 'hệ thống', '2021-01-01T00:00:00Z'),
('42', '444', 2021, 'health_insurance_near_poor', 100, NULL, 'percent', 'Kế hoạch năm 2021: 100% người cận nghèo có thẻ BHYT (tỉnh hỗ trợ 30% mức đóng)', 'hệ thống', '2021-01-01T00:00:00Z'),
('42', '444', 2021, 'patient_support', 100, NULL, 'percent', 'Kế hoạch năm 2021: 100% bệnh nhân nghèo được hỗ trợ tiền ăn, chi phí', 'hệ thống', '2021-01-01T00:00:00Z'),
('42', '444', 2021, 'tuition_support', 100, NULL, 'percent', 'Kế hoạch năm 2021: 100% học sinh hộ nghèo được miễn, giảm học phí, hỗ trợ chi phí học tập', 'hệ thống', '2021-01-01T00:00:00Z'),
('42', '444', 2021, 'information_access_poor', 100, NULL, 'percent', 'Kế hoạch năm 2021: duy trì tỷ lệ người nghèo được tiếp cận thông tin', 'hệ thống', '2021-01-01T00:00:00Z'),
('42', '444', 2021, 'clean_water_poor', 100, NULL, 'percent', 'Kế hoạch năm 2021: duy trì tỷ lệ hộ nghèo có nước sinh hoạt hợp vệ sinh', 'hệ thống', '2021-01-01T00:00:00Z');

-- Commune boundaries (GeoJSON) uploaded by an administrator for the dashboard map.
CREATE TABLE geo_boundaries (
    unit_code     TEXT PRIMARY KEY NOT NULL,
    province_code TEXT NOT NULL,
    -- One GeoJSON geometry (Polygon or MultiPolygon), lon/lat.
    geometry      TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL
);
