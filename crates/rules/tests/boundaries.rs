//! Boundary tables: for every standard and area, incomes exactly at each line and one
//! đồng above, scores exactly at the threshold and one above, with 2 and 3 deprivations.
//! The expected statuses are written from standards.md, not computed from the code.

use giamngheo_domain::Area;
use giamngheo_rules::{
    ClassifyError, Evidence, HouseholdInput, IndicatorSet, Lang, Reason, Standard, StandardSet,
    Status, classify,
};

use Status::{Medium, NearPoor, NotPoor, Poor};

fn standard(id: &str) -> Standard {
    StandardSet::embedded().get(id).expect("embedded").clone()
}

/// The first `count` indicators ticked.
fn ticks(count: u32) -> IndicatorSet {
    IndicatorSet::from_bits(((1u32 << count) - 1) as u16)
}

fn status_of(standard: &Standard, area: Area, evidence: Evidence, deprived: u32) -> Status {
    let input = HouseholdInput {
        area,
        evidence,
        deprived: ticks(deprived),
    };
    classify(standard, &input).expect("classifiable").status
}

/// `(income, status with 2 deprivations, status with 3 deprivations)`.
type IncomeRow = (u64, Status, Status);

fn check_income_table(id: &str, area: Area, rows: &[IncomeRow]) {
    let standard = standard(id);
    for &(income, with_two, with_three) in rows {
        for (deprived, expected) in [(2, with_two), (3, with_three)] {
            let got = status_of(&standard, area, Evidence::Income(income), deprived);
            assert_eq!(got, expected, "{id} {area} income {income} D={deprived}");
        }
    }
}

#[test]
fn vn_2016_rural_two_lines_either_or() {
    check_income_table(
        "vn-2016",
        Area::Rural,
        &[
            (0, Poor, Poor),
            (700_000, Poor, Poor),
            (700_001, NearPoor, Poor),
            (1_000_000, NearPoor, Poor),
            (1_000_001, Medium, Medium),
            (1_500_000, Medium, Medium),
            (1_500_001, NotPoor, NotPoor),
        ],
    );
}

#[test]
fn vn_2016_urban_two_lines_either_or() {
    check_income_table(
        "vn-2016",
        Area::Urban,
        &[
            (900_000, Poor, Poor),
            (900_001, NearPoor, Poor),
            (1_300_000, NearPoor, Poor),
            (1_300_001, Medium, Medium),
            (1_950_000, Medium, Medium),
            (1_950_001, NotPoor, NotPoor),
        ],
    );
}

#[test]
fn vn_2022_rural_one_line_and() {
    check_income_table(
        "vn-2022",
        Area::Rural,
        &[
            (0, NearPoor, Poor),
            (1_500_000, NearPoor, Poor),
            (1_500_001, Medium, Medium),
            (2_250_000, Medium, Medium),
            (2_250_001, NotPoor, NotPoor),
        ],
    );
}

#[test]
fn vn_2022_urban_one_line_and() {
    check_income_table(
        "vn-2022",
        Area::Urban,
        &[
            (2_000_000, NearPoor, Poor),
            (2_000_001, Medium, Medium),
            (3_000_000, Medium, Medium),
            (3_000_001, NotPoor, NotPoor),
        ],
    );
}

#[test]
fn vn_2027_rural_one_line_and() {
    check_income_table(
        "vn-2027",
        Area::Rural,
        &[
            (2_200_000, NearPoor, Poor),
            (2_200_001, Medium, Medium),
            (3_300_000, Medium, Medium),
            (3_300_001, NotPoor, NotPoor),
        ],
    );
}

#[test]
fn vn_2027_urban_one_line_and() {
    check_income_table(
        "vn-2027",
        Area::Urban,
        &[
            (2_800_000, NearPoor, Poor),
            (2_800_001, Medium, Medium),
            (4_200_000, Medium, Medium),
            (4_200_001, NotPoor, NotPoor),
        ],
    );
}

#[test]
fn above_the_line_is_never_poor_whatever_the_deprivations() {
    let vn2022 = standard("vn-2022");
    let all = vn2022.indicators().len() as u32;
    for (area, line) in [(Area::Rural, 1_500_000), (Area::Urban, 2_000_000)] {
        let status = status_of(&vn2022, area, Evidence::Income(line + 1), all);
        assert_eq!(status, Medium, "{area}");
    }
}

#[test]
fn vn_2022_score_a_at_and_above_the_thresholds() {
    let vn2022 = standard("vn-2022");
    let rows = [
        (Area::Rural, 0, NearPoor, Poor),
        (Area::Rural, 140, NearPoor, Poor),
        (Area::Rural, 141, NotPoor, NotPoor),
        (Area::Urban, 140, NearPoor, Poor),
        (Area::Urban, 175, NearPoor, Poor),
        (Area::Urban, 176, NotPoor, NotPoor),
    ];
    for (area, score, with_two, with_three) in rows {
        for (deprived, expected) in [(2, with_two), (3, with_three)] {
            let got = status_of(&vn2022, area, Evidence::ScoreA(score), deprived);
            assert_eq!(got, expected, "{area} score {score} D={deprived}");
        }
    }
}

#[test]
fn score_b_is_ten_points_per_deprivation() {
    let vn2022 = standard("vn-2022");
    for deprived in 0..=12 {
        let input = HouseholdInput {
            area: Area::Rural,
            evidence: Evidence::ScoreA(100),
            deprived: ticks(deprived),
        };
        let result = classify(&vn2022, &input).unwrap();
        assert_eq!(u32::from(result.deprivation_count), deprived);
        assert_eq!(u32::from(result.score_b), 10 * deprived);
        let expected = if result.score_b >= 30 { Poor } else { NearPoor };
        assert_eq!(result.status, expected, "B = {}", result.score_b);
    }
}

#[test]
fn a_score_under_a_standard_without_threshold_is_refused() {
    for id in ["vn-2016", "vn-2027"] {
        let input = HouseholdInput {
            area: Area::Rural,
            evidence: Evidence::ScoreA(100),
            deprived: ticks(0),
        };
        assert_eq!(
            classify(&standard(id), &input),
            Err(ClassifyError::ScoreANotUsed),
            "{id}"
        );
    }
}

#[test]
fn a_tick_outside_the_standard_is_refused() {
    let vn2016 = standard("vn-2016");
    let input = HouseholdInput {
        area: Area::Rural,
        evidence: Evidence::Income(0),
        // vn-2016 has 10 indicators: bit 10 does not exist.
        deprived: IndicatorSet::from_bits(1 << 10),
    };
    assert_eq!(
        classify(&vn2016, &input),
        Err(ClassifyError::UnknownIndicator)
    );
}

#[test]
fn reasons_name_the_rule_and_the_indicators_in_both_languages() {
    let vn2022 = standard("vn-2022");
    let deprived = vn2022
        .indicator_set(["employment", "health_insurance", "water"])
        .unwrap();
    let input = HouseholdInput {
        area: Area::Rural,
        evidence: Evidence::Income(1_400_000),
        deprived,
    };
    let result = classify(&vn2022, &input).unwrap();
    assert_eq!(result.status, Poor);
    assert_eq!(result.reasons.len(), 3);
    assert_eq!(
        result.reasons[0].text_vi(),
        "Thu nhập bình quân 1.400.000 đồng/người/tháng ≤ chuẩn nghèo 1.500.000 đồng (nông thôn)"
    );
    assert_eq!(
        result.reasons[0].text_en(),
        "Income 1,400,000 VND per person per month ≤ poor line 1,500,000 VND (rural)"
    );
    assert_eq!(
        result.reasons[1].text_vi(),
        "Thiếu hụt 3 chỉ số (điểm B = 30) ≥ 3 chỉ số"
    );
    assert_eq!(
        result.reasons[1].text_en(),
        "3 deprivations (score B = 30) ≥ 3"
    );
    assert_eq!(
        result.reasons[2].text_vi(),
        "Chỉ số thiếu hụt: việc làm, bảo hiểm y tế, nguồn nước sinh hoạt"
    );
    match &result.reasons[2] {
        Reason::Deprived(list) => {
            assert_eq!(
                list.codes().collect::<Vec<_>>(),
                ["employment", "health_insurance", "water"]
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        result.reasons_text(Lang::En),
        "Income 1,400,000 VND per person per month ≤ poor line 1,500,000 VND (rural); \
         3 deprivations (score B = 30) ≥ 3; \
         Deprived: employment, health insurance, domestic water source"
    );
}

#[test]
fn reasons_for_the_other_bands() {
    let vn2016 = standard("vn-2016");
    let text = |id: &Standard, area, evidence, deprived| {
        let input = HouseholdInput {
            area,
            evidence,
            deprived: ticks(deprived),
        };
        classify(id, &input).unwrap().reasons_text(Lang::Vi)
    };
    assert_eq!(
        text(&vn2016, Area::Urban, Evidence::Income(1_000_000), 1),
        "Thu nhập bình quân 1.000.000 đồng/người/tháng > chuẩn nghèo 900.000 và ≤ chuẩn cận nghèo 1.300.000 đồng (thành thị); \
         Thiếu hụt 1 chỉ số (điểm B = 10) < 3 chỉ số; \
         Chỉ số thiếu hụt: tiếp cận các dịch vụ y tế"
    );
    // Below the poor line of vn-2016 the deprivations do not decide, so no count reason.
    assert_eq!(
        text(&vn2016, Area::Rural, Evidence::Income(500_000), 0),
        "Thu nhập bình quân 500.000 đồng/người/tháng ≤ chuẩn nghèo 700.000 đồng (nông thôn)"
    );
    assert_eq!(
        text(&vn2016, Area::Rural, Evidence::Income(1_200_000), 0),
        "Thu nhập bình quân 1.200.000 đồng/người/tháng > chuẩn 1.000.000 và ≤ 1.500.000 đồng: mức sống trung bình (nông thôn)"
    );
    assert_eq!(
        text(&vn2016, Area::Rural, Evidence::Income(1_600_000), 0),
        "Thu nhập bình quân 1.600.000 đồng/người/tháng > mức sống trung bình 1.500.000 đồng (nông thôn)"
    );
    let vn2022 = standard("vn-2022");
    assert_eq!(
        text(&vn2022, Area::Urban, Evidence::ScoreA(176), 4),
        "Điểm A (B1) = 176 > ngưỡng 175 (thành thị); \
         Chỉ số thiếu hụt: việc làm, người phụ thuộc, dinh dưỡng, bảo hiểm y tế"
    );
    assert_eq!(
        text(&vn2022, Area::Urban, Evidence::ScoreA(175), 2),
        "Điểm A (B1) = 175 ≤ ngưỡng 175 (thành thị); \
         Thiếu hụt 2 chỉ số (điểm B = 20) < 3 chỉ số; \
         Chỉ số thiếu hụt: việc làm, người phụ thuộc"
    );
}

#[test]
fn a_local_standard_without_medium_band_says_above_the_line() {
    let text = include_str!("../standards/vn-2022.toml")
        .lines()
        .filter(|line| !line.starts_with("medium_up_to"))
        .collect::<Vec<_>>()
        .join("\n");
    let local = Standard::parse("local.toml", &text).unwrap();
    let input = HouseholdInput {
        area: Area::Rural,
        evidence: Evidence::Income(1_500_001),
        deprived: ticks(0),
    };
    let result = classify(&local, &input).unwrap();
    assert_eq!(result.status, NotPoor);
    assert_eq!(
        result.reasons_text(Lang::Vi),
        "Thu nhập bình quân 1.500.001 đồng/người/tháng > chuẩn 1.500.000 đồng (nông thôn)"
    );
}

#[test]
fn a_higher_minimum_deprivation_count_is_read_from_data() {
    let text = include_str!("../standards/vn-2022.toml").replacen("value = 3,", "value = 4,", 1);
    let local = Standard::parse("local.toml", &text).unwrap();
    assert_eq!(
        status_of(&local, Area::Rural, Evidence::Income(1_000_000), 3),
        NearPoor
    );
    assert_eq!(
        status_of(&local, Area::Rural, Evidence::Income(1_000_000), 4),
        Poor
    );
    assert_eq!(local.score_b_threshold(), 40);
}
