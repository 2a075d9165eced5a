//! The embedded standards say what standards.md says, and a bad standard file is refused
//! with its file, line and reason.

use giamngheo_domain::Area;
use giamngheo_rules::{IncomeRule, Origin, Standard, StandardError, StandardSet};

fn embedded(id: &str) -> Standard {
    StandardSet::embedded()
        .get(id)
        .unwrap_or_else(|| panic!("{id} is embedded"))
        .clone()
}

#[test]
fn the_three_national_standards_are_embedded() {
    let set = StandardSet::embedded();
    assert_eq!(
        set.ids().collect::<Vec<_>>(),
        ["vn-2016", "vn-2022", "vn-2027"]
    );
    for standard in set.iter() {
        assert_eq!(standard.origin(), &Origin::Embedded);
    }
}

#[test]
fn income_lines_follow_the_legal_texts() {
    let cases = [
        ("vn-2016", Area::Rural, 700_000, 1_000_000, Some(1_500_000)),
        ("vn-2016", Area::Urban, 900_000, 1_300_000, Some(1_950_000)),
        (
            "vn-2022",
            Area::Rural,
            1_500_000,
            1_500_000,
            Some(2_250_000),
        ),
        (
            "vn-2022",
            Area::Urban,
            2_000_000,
            2_000_000,
            Some(3_000_000),
        ),
        (
            "vn-2027",
            Area::Rural,
            2_200_000,
            2_200_000,
            Some(3_300_000),
        ),
        (
            "vn-2027",
            Area::Urban,
            2_800_000,
            2_800_000,
            Some(4_200_000),
        ),
    ];
    for (id, area, poor, near_poor, medium_up_to) in cases {
        let standard = embedded(id);
        let lines = standard.lines(area);
        assert_eq!(lines.poor_line.value, poor, "{id} {area}");
        assert_eq!(lines.near_poor_line.value, near_poor, "{id} {area}");
        assert_eq!(
            lines.medium_up_to.as_ref().map(|f| f.value),
            medium_up_to,
            "{id} {area}"
        );
    }
    assert_eq!(embedded("vn-2016").income_rule(), IncomeRule::EitherOr);
    assert_eq!(embedded("vn-2022").income_rule(), IncomeRule::And);
    assert_eq!(embedded("vn-2027").income_rule(), IncomeRule::And);
}

#[test]
fn score_thresholds_and_points_are_data() {
    let standard = embedded("vn-2022");
    let threshold = |area| {
        standard
            .lines(area)
            .score_a_threshold
            .as_ref()
            .map(|f| f.value)
    };
    assert_eq!(threshold(Area::Rural), Some(140));
    assert_eq!(threshold(Area::Urban), Some(175));
    assert_eq!(standard.min_deprivations().value, 3);
    assert_eq!(standard.points_per_indicator().value, 10);
    assert_eq!(standard.score_b_threshold(), 30);
    assert!(standard.has_score_a());
    assert!(!embedded("vn-2016").has_score_a());
    assert!(!embedded("vn-2027").has_score_a());
}

#[test]
fn indicator_codes_are_those_of_standards_md() {
    let codes = |id| {
        embedded(id)
            .indicators()
            .iter()
            .map(|indicator| indicator.code.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        codes("vn-2022"),
        [
            "employment",
            "dependants",
            "nutrition",
            "health_insurance",
            "adult_education",
            "school_attendance",
            "housing_quality",
            "housing_area",
            "water",
            "sanitation",
            "telecom",
            "info_means"
        ]
    );
    assert_eq!(
        codes("vn-2016"),
        [
            "medical_access",
            "health_insurance",
            "adult_education",
            "school_attendance",
            "housing_quality",
            "housing_area",
            "water",
            "sanitation",
            "telecom",
            "info_assets"
        ]
    );
    // The September 2025 draft's twelve, in its six dimensions (reform-2025.md).
    assert_eq!(
        codes("vn-2027"),
        [
            "employment",
            "dependants",
            "nutrition",
            "health_insurance",
            "adult_education",
            "school_attendance",
            "housing_quality",
            "housing_area",
            "water",
            "sanitation",
            "waste",
            "telecom"
        ]
    );
}

#[test]
fn periods_follow_the_extensions() {
    let set = StandardSet::embedded();
    let applying = |year| set.applying_to(year).map(Standard::id).collect::<Vec<_>>();
    assert_eq!(applying(2016), ["vn-2016"]);
    assert_eq!(applying(2021), ["vn-2016"]);
    assert_eq!(applying(2022), ["vn-2022"]);
    assert_eq!(applying(2026), ["vn-2022"]);
    assert_eq!(applying(2027), ["vn-2027"]);
    assert_eq!(applying(2030), ["vn-2027"]);
    assert!(applying(2031).is_empty());
    assert!(embedded("vn-2022").applies_to(2024));
}

#[test]
fn every_embedded_figure_has_a_source_note() {
    for standard in StandardSet::embedded().iter() {
        assert!(
            standard.min_deprivations().source.is_some(),
            "{}",
            standard.id()
        );
        assert!(
            standard.points_per_indicator().source.is_some(),
            "{}",
            standard.id()
        );
        for area in Area::ALL {
            let lines = standard.lines(area);
            assert!(lines.poor_line.source.is_some(), "{} {area}", standard.id());
            assert!(
                lines.near_poor_line.source.is_some(),
                "{} {area}",
                standard.id()
            );
            if let Some(figure) = &lines.medium_up_to {
                assert!(figure.source.is_some(), "{} {area}", standard.id());
            }
        }
        for period in standard.periods() {
            assert!(period.source.is_some(), "{}", standard.id());
        }
        for indicator in standard.indicators() {
            assert!(
                indicator.source.is_some(),
                "{} {}",
                standard.id(),
                indicator.code
            );
        }
    }
}

#[test]
fn the_figures_still_to_confirm_say_so() {
    let vn2027 = embedded("vn-2027");
    let labels: Vec<String> = vn2027
        .figures_to_confirm()
        .into_iter()
        .map(|(label, figure)| {
            let note = figure.source.as_deref().unwrap_or_default();
            assert!(note.contains("cần đối chiếu"), "{label}: {note}");
            label
        })
        .collect();
    assert!(labels.contains(&"rural.medium_up_to".to_string()));
    assert!(labels.contains(&"urban.medium_up_to".to_string()));
    assert!(labels.contains(&"min_deprivations".to_string()));
    assert!(!labels.contains(&"rural.poor_line".to_string()));
    for code in ["waste", "telecom", "employment"] {
        let indicator = &vn2027.indicators()[vn2027.indicator_index(code).unwrap()];
        assert!(indicator.to_confirm, "{code}");
    }
    // The lines and thresholds of vn-2022 are confirmed.
    assert!(embedded("vn-2022").figures_to_confirm().is_empty());
}

/// vn-2022 with one line of its text replaced, for the malformed-file tests.
fn vn2022_with(find: &str, replace: &str) -> String {
    let text = include_str!("../standards/vn-2022.toml");
    assert!(text.contains(find), "the fixture still has {find:?}");
    text.replacen(find, replace, 1)
}

fn line_of(text: &str, needle: &str) -> usize {
    text[..text.find(needle).expect("needle in text")]
        .matches('\n')
        .count()
        + 1
}

fn expect_invalid(text: &str, line: usize, reason_part: &str) {
    match Standard::parse("hcm-2022.toml", text) {
        Err(error @ StandardError::Invalid { .. }) => {
            let message = error.to_string();
            assert_eq!(error.file(), "hcm-2022.toml");
            assert_eq!(error.line(), Some(line), "{message}");
            assert!(
                message.starts_with(&format!("hcm-2022.toml:{line}:")),
                "{message}"
            );
            assert!(message.contains(reason_part), "{message}");
        }
        other => panic!("expected an invalid-file error, got {other:?}"),
    }
}

#[test]
fn a_toml_syntax_error_names_file_and_line() {
    let text = vn2022_with("income_rule = \"and\"", "income_rule = \"and");
    expect_invalid(&text, line_of(&text, "income_rule"), "");
}

#[test]
fn an_unknown_key_is_refused() {
    let text = vn2022_with("min_deprivations =", "min_deprivation_count =");
    expect_invalid(
        &text,
        line_of(&text, "min_deprivation_count"),
        "min_deprivation_count",
    );
}

#[test]
fn a_negative_line_is_refused() {
    let text = vn2022_with("value = 1_500_000", "value = -1");
    expect_invalid(&text, line_of(&text, "value = -1"), "negative");
}

#[test]
fn a_text_where_a_number_belongs_is_refused() {
    let text = vn2022_with("value = 140,", "value = \"140\",");
    expect_invalid(&text, line_of(&text, "\"140\""), "");
}

#[test]
fn a_near_poor_line_below_the_poor_line_is_refused() {
    let text = include_str!("../standards/vn-2016.toml").replacen(
        "value = 1_000_000",
        "value = 600_000",
        1,
    );
    expect_invalid(
        &text,
        line_of(&text, "value = 600_000"),
        "near_poor_line must exceed poor_line",
    );
}

#[test]
fn a_medium_band_below_the_line_is_refused() {
    let text = vn2022_with("value = 2_250_000", "value = 1_000_000");
    expect_invalid(&text, line_of(&text, "value = 1_000_000"), "medium_up_to");
}

#[test]
fn a_minimum_deprivation_count_above_the_indicators_is_refused() {
    let text = vn2022_with("value = 3,", "value = 13,");
    expect_invalid(&text, line_of(&text, "value = 13,"), "min_deprivations");
}

#[test]
fn a_duplicate_indicator_is_refused() {
    let text = vn2022_with("code = \"dependants\"", "code = \"employment\"");
    let line = text
        .match_indices("code = \"employment\"")
        .nth(1)
        .unwrap()
        .0;
    let line = text[..line].matches('\n').count() + 1;
    // The error points at the table of the second indicator, which starts a line or two
    // above its code.
    match Standard::parse("x.toml", &text) {
        Err(StandardError::Invalid {
            line: at, reason, ..
        }) => {
            assert!(at <= line && line - at <= 2, "{at} vs {line}: {reason}");
            assert!(reason.contains("duplicate indicator"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_area_is_refused() {
    let text = include_str!("../standards/vn-2022.toml");
    let cut = text.find("[areas.urban]").unwrap();
    let end = text[cut..].find("\n\n").unwrap() + cut;
    let text = format!("{}{}", &text[..cut], &text[end..]);
    match Standard::parse("x.toml", &text) {
        Err(StandardError::Invalid { reason, .. }) => assert!(reason.contains("urban"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_local_standard_overrides_and_adds() {
    let mut set = StandardSet::embedded();
    let higher = vn2022_with("value = 1_500_000, source", "value = 1_800_000, source");
    let local = higher.replacen("id = \"vn-2022\"", "id = \"hcm-2022\"", 1);
    set.add_files([
        ("vn-2022.toml", higher.as_str()),
        ("hcm-2022.toml", local.as_str()),
    ])
    .unwrap();
    let vn2022 = set.get("vn-2022").unwrap();
    assert_eq!(vn2022.lines(Area::Rural).poor_line.value, 1_800_000);
    assert_eq!(vn2022.origin(), &Origin::File("vn-2022.toml".into()));
    assert_eq!(
        set.get("hcm-2022")
            .unwrap()
            .lines(Area::Rural)
            .poor_line
            .value,
        1_800_000
    );
    assert_eq!(set.ids().count(), 4);
}

#[test]
fn two_files_with_one_id_are_refused() {
    let mut set = StandardSet::embedded();
    let text = include_str!("../standards/vn-2022.toml");
    let error = set
        .add_files([("a.toml", text), ("b.toml", text)])
        .unwrap_err();
    assert_eq!(error.file(), "b.toml");
    assert_eq!(error.line(), Some(line_of(text, "id = ")));
    assert!(error.to_string().contains("a.toml"), "{error}");
}

#[test]
fn a_standards_directory_is_read_in_name_order() {
    let dir = std::env::temp_dir().join(format!("giamngheo-rules-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let local = include_str!("../standards/vn-2022.toml").replacen(
        "id = \"vn-2022\"",
        "id = \"dn-2022\"",
        1,
    );
    std::fs::write(dir.join("dn-2022.toml"), &local).unwrap();
    std::fs::write(dir.join("notes.txt"), "not a standard").unwrap();
    let set = StandardSet::with_dir(&dir).unwrap();
    assert!(set.get("dn-2022").is_some());

    std::fs::write(dir.join("zz-broken.toml"), "id = \"broken\"\nname_vi = 3\n").unwrap();
    let error = StandardSet::with_dir(&dir).unwrap_err();
    assert!(error.file().ends_with("zz-broken.toml"), "{error}");
    assert_eq!(error.line(), Some(2), "{error}");
    std::fs::remove_dir_all(&dir).unwrap();

    let missing = StandardSet::with_dir(&dir).unwrap_err();
    assert!(matches!(missing, StandardError::Read { .. }), "{missing}");
}

#[test]
fn a_derivation_rule_with_an_unknown_parameter_is_refused() {
    let text = vn2022_with(
        "derive = { rule = \"health_insurance\", age_from = 6 }",
        "derive = { rule = \"health_insurance\", age_from = 6, age_to = 80 }",
    );
    expect_invalid(&text, line_of(&text, "age_to = 80"), "age_to");
    let text = vn2022_with(
        "derive = { rule = \"water\" }",
        "derive = { rule = \"rain\" }",
    );
    expect_invalid(&text, line_of(&text, "\"rain\""), "rain");
}

#[test]
fn names_of_a_local_standard_are_stored_in_nfc() {
    // "việc làm" typed in decomposed form (e + combining marks), as some editors save it.
    let decomposed = "vie\u{0323}\u{0302}c la\u{0300}m";
    let text = vn2022_with(
        "name_vi = \"việc làm\"",
        &format!("name_vi = \"{decomposed}\""),
    );
    let standard = Standard::parse("local.toml", &text).unwrap();
    assert_eq!(standard.indicators()[0].name_vi, "việc làm");
}

#[test]
fn a_review_for_a_standards_first_year_defaults_to_that_standard() {
    let set = StandardSet::embedded();
    let default = |period| set.default_for(period).map(Standard::id);
    // vn-2022 was extended through 2026; the review of autumn 2026 classifies for 2027
    // under the standard that starts then.
    assert_eq!(default(2026), Some("vn-2022"));
    assert_eq!(default(2027), Some("vn-2027"));
    assert_eq!(default(2022), Some("vn-2022"));
    assert_eq!(default(2031), None);

    // A province's local copy of vn-2027 applies too, but is not everybody's default.
    let mut with_local = StandardSet::embedded();
    let local = include_str!("../standards/vn-2027.toml").replacen(
        "id = \"vn-2027\"",
        "id = \"aa-2027\"",
        1,
    );
    with_local
        .add_files([("aa-2027.toml", local.as_str())])
        .unwrap();
    assert_eq!(
        with_local.default_for(2027).map(Standard::id),
        Some("vn-2027")
    );
}

#[test]
fn vn2027_is_replaced_from_a_standards_directory_with_a_score_a_threshold() {
    // No score-A threshold is known for 2027: the embedded standard classifies from
    // income. An administrator who receives the new form B adds its thresholds with a
    // file of the same id, and the product uses them without a rebuild.
    assert!(!embedded("vn-2027").has_score_a());
    let dir = std::env::temp_dir().join(format!("giamngheo-vn2027-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = include_str!("../standards/vn-2027.toml")
        .replace(
            "[areas.urban]",
            "score_a_threshold = { value = 150, source = \"Quyết định của tỉnh (thử)\", to_confirm = true }\n\n[areas.urban]",
        )
        .replace(
            "# Indicators:",
            "score_a_threshold = { value = 185, source = \"Quyết định của tỉnh (thử)\", to_confirm = true }\n\n# Indicators:",
        );
    std::fs::write(dir.join("vn-2027.toml"), &text).unwrap();
    let set = StandardSet::with_dir(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let replaced = set.get("vn-2027").unwrap();
    assert!(replaced.has_score_a());
    assert_eq!(
        replaced
            .lines(Area::Rural)
            .score_a_threshold
            .as_ref()
            .map(|f| f.value),
        Some(150)
    );
    assert!(matches!(replaced.origin(), Origin::File(name) if name.ends_with("vn-2027.toml")));
    assert_eq!(replaced.indicators().len(), 12);
}
