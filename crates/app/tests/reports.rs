//! Official reports through the app layer on SQLite and PostgreSQL: the figures of a small
//! district built by hand, the movement check (and a dataset built to break it), "as of"
//! reproducibility, drill-down within the user's access, and snapshots of every report.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::reports::{ReportRequest, catalog};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, Store};
use std::sync::Arc;

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

async fn setup(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2022-06-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    // The configuration gains fields as features land; the update keeps this test
    // independent of them.
    #[allow(clippy::needless_update)]
    let config = Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(FixedClock(now)));
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n\
                 18499,Xã Điền Mỹ,Xã,3,444\n\
                 18502,Xã Hà Linh,Xã,3,444\n";
    app.import_units(
        units.as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: date(2020, 1, 1),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    let villages = "commune_code,name,kind\n\
                    18499,Thôn Trung Hòa,Thôn\n\
                    18499,Thôn Hạ Lâm,Thôn\n\
                    18502,Thôn Bắc Hà,Thôn\n";
    app.import_villages_as_system(villages.as_bytes())
        .await
        .unwrap();
    app
}

fn member(name: &str, relation: &str, year: i32, ethnicity: &str) -> MemberDraft {
    MemberDraft {
        full_name: name.into(),
        sex: Some(if name.contains(" Thị ") {
            Sex::Female
        } else {
            Sex::Male
        }),
        birth_year: Some(year),
        ethnicity: ethnicity.into(),
        relation: relation.into(),
        work_status: Some(if year > 2006 { "student" } else { "employed" }.into()),
        ..Default::default()
    }
}

/// One household of the fixture: code, village, ethnicity of the head, minority flag,
/// merit flag, members (2 adults plus `children`), and its two classifications.
struct Fixture {
    code: &'static str,
    village: &'static str,
    ethnicity: &'static str,
    children: usize,
    merit: bool,
    /// (status, deprived, causes) for 2021, or none.
    y2021: Option<(&'static str, &'static str, &'static str)>,
    /// (status, transition, deprived, causes) for 2022, or none.
    y2022: Option<(
        &'static str,
        Option<&'static str>,
        &'static str,
        &'static str,
    )>,
}

const FIXTURES: &[Fixture] = &[
    // Điền Mỹ, Thôn Trung Hòa: poor both years.
    Fixture {
        code: "DM01",
        village: "18499001",
        ethnicity: "01",
        children: 2,
        merit: false,
        y2021: Some(("poor", "water,sanitation", "no_land")),
        y2022: Some((
            "poor",
            Some("unchanged"),
            "water,sanitation,telecom",
            "no_land,illness",
        )),
    },
    // Escaped poverty.
    Fixture {
        code: "DM02",
        village: "18499001",
        ethnicity: "01",
        children: 1,
        merit: true,
        y2021: Some(("poor", "housing_quality", "no_capital")),
        y2022: Some(("not_poor", Some("escaped_poverty"), "", "")),
    },
    // Poor to near-poor.
    Fixture {
        code: "DM03",
        village: "18499002",
        ethnicity: "53",
        children: 3,
        merit: false,
        y2021: Some(("poor", "water", "no_skills")),
        y2022: Some(("near_poor", Some("poor_to_near_poor"), "water", "")),
    },
    // Newly poor.
    Fixture {
        code: "DM04",
        village: "18499002",
        ethnicity: "53",
        children: 0,
        merit: false,
        y2021: Some(("not_poor", "", "")),
        y2022: Some((
            "poor",
            Some("newly_poor"),
            "water,nutrition,health_insurance",
            "illness",
        )),
    },
    // Near-poor to poor.
    Fixture {
        code: "DM05",
        village: "18499001",
        ethnicity: "01",
        children: 1,
        merit: false,
        y2021: Some(("near_poor", "telecom", "")),
        y2022: Some((
            "poor",
            Some("near_poor_to_poor"),
            "telecom,water,sanitation",
            "no_land",
        )),
    },
    // Near-poor both years, no transition recorded (computed from the statuses).
    Fixture {
        code: "DM06",
        village: "18499002",
        ethnicity: "01",
        children: 0,
        merit: false,
        y2021: Some(("near_poor", "", "")),
        y2022: Some(("near_poor", None, "housing_area", "")),
    },
    // Not on the lists.
    Fixture {
        code: "DM07",
        village: "18499001",
        ethnicity: "01",
        children: 2,
        merit: false,
        y2021: None,
        y2022: None,
    },
    // Hà Linh: poor both years; a near-poor household that escaped.
    Fixture {
        code: "HL01",
        village: "18502001",
        ethnicity: "01",
        children: 1,
        merit: false,
        y2021: Some(("poor", "water", "no_land")),
        y2022: Some(("poor", Some("unchanged"), "water", "no_land")),
    },
    Fixture {
        code: "HL02",
        village: "18502001",
        ethnicity: "01",
        children: 0,
        merit: true,
        y2021: Some(("near_poor", "telecom", "")),
        y2022: Some(("not_poor", Some("escaped_near_poverty"), "", "")),
    },
    Fixture {
        code: "HL03",
        village: "18502001",
        ethnicity: "01",
        children: 0,
        merit: false,
        y2021: None,
        y2022: None,
    },
];

/// The status as (status, transition, deprived, causes).
type Outcome<'a> = (&'a str, Option<&'a str>, &'a str, &'a str);

fn classification(
    id: i64,
    fx: &Fixture,
    period: i32,
    (status, transition, deprived, causes): Outcome<'_>,
    effective: NaiveDate,
) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: Some("444".into()),
        commune_code: fx.village[..5].to_string(),
        village_code: fx.village.to_string(),
        period,
        standard: if period <= 2021 { "vn-2016" } else { "vn-2022" }.into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 10 * deprived.split(',').filter(|s| !s.is_empty()).count() as i32,
        deprivation_count: deprived.split(',').filter(|s| !s.is_empty()).count() as i32,
        deprived: deprived.into(),
        reasons: String::new(),
        transition: transition.map(String::from),
        member_count: 2 + fx.children as i32,
        causes: causes.into(),
        decision_number: None,
        decision_date: None,
        effective_date: effective,
        approved_by: "test".into(),
        approved_at: "2021-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

/// Builds the fixture district; returns the household ids by code.
async fn build(app: &App) -> std::collections::HashMap<&'static str, i64> {
    let drafts: Vec<DraftInput> = FIXTURES
        .iter()
        .map(|fx| {
            let mut members = vec![
                member(
                    &format!("Nguyễn Văn {}", fx.code),
                    "head",
                    1970,
                    fx.ethnicity,
                ),
                member(
                    &format!("Trần Thị {}", fx.code),
                    "spouse",
                    1972,
                    fx.ethnicity,
                ),
            ];
            for i in 0..fx.children {
                members.push(member(
                    &format!("Nguyễn Văn Con{i} {}", fx.code),
                    "child",
                    2010 + i as i32,
                    fx.ethnicity,
                ));
            }
            DraftInput::form(HouseholdDraft {
                code: fx.code.into(),
                village_code: fx.village.into(),
                address: "Xóm 1".into(),
                merit: fx.merit,
                members,
                ..Default::default()
            })
        })
        .collect();
    let ids = app
        .create_households(By::System, drafts, "test")
        .await
        .unwrap();
    let mut rows = Vec::new();
    for (fx, id) in FIXTURES.iter().zip(&ids) {
        if let Some((s, d, c)) = fx.y2021 {
            rows.push(classification(
                *id,
                fx,
                2021,
                (s, None, d, c),
                date(2020, 12, 20),
            ));
        }
        if let Some((s, t, d, c)) = fx.y2022 {
            rows.push(classification(
                *id,
                fx,
                2022,
                (s, t, d, c),
                date(2021, 12, 20),
            ));
        }
    }
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    FIXTURES.iter().map(|f| f.code).zip(ids).collect()
}

fn actor(role: Role, unit: &str, tier: Tier) -> Actor {
    Actor {
        user_id: 1,
        username: format!("{}-{unit}", role.as_str()),
        role,
        unit_code: unit.to_string(),
        unit_tier: tier,
        agency_code: None,
    }
}

fn request(name: &str, unit: &str, period: i32, as_of: NaiveDate) -> ReportRequest {
    ReportRequest {
        name: name.into(),
        unit: unit.into(),
        period,
        as_of: Some(as_of),
        basis: None,
    }
}

fn value(report: &giamngheo_app::reports::Report, row: Option<&str>, col: &str) -> Option<f64> {
    let i = report
        .columns
        .iter()
        .position(|c| c.id == col)
        .unwrap_or_else(|| panic!("column {col}"));
    report
        .rows
        .iter()
        .find(|r| r.unit_code.as_deref() == row)
        .unwrap()
        .values[i]
}

async fn the_review_results_count_poor_households_and_rates_by_commune(store: Store) {
    let app = setup(store).await;
    build(&app).await;
    let office = actor(Role::Office, "444", Tier::District);
    let r = app
        .report(
            &office,
            &request("ket-qua-ra-soat", "444", 2022, date(2022, 6, 1)),
        )
        .await
        .unwrap();
    assert_eq!(r.rows.len(), 3, "two communes and the total");
    assert_eq!(r.rows[0].label, "Xã Điền Mỹ");
    assert_eq!(value(&r, Some("18499"), "households"), Some(7.0));
    assert_eq!(value(&r, Some("18499"), "poor"), Some(3.0));
    assert_eq!(value(&r, Some("18499"), "near_poor"), Some(2.0));
    // 3 of 7 households: 42,857… % rounded to two decimals.
    assert_eq!(value(&r, Some("18499"), "col4"), Some(42.86));
    assert_eq!(value(&r, None, "poor"), Some(4.0));
    assert_eq!(value(&r, None, "households"), Some(10.0));
    // Minority households: DM04 is poor and of the Ơ Đu people (code 53).
    assert_eq!(value(&r, Some("18499"), "col7"), Some(1.0));
}
app_test!(the_review_results_count_poor_households_and_rates_by_commune);

async fn the_movement_tables_add_up_and_name_each_column(store: Store) {
    let app = setup(store).await;
    build(&app).await;
    let poor = app
        .report_as_system(&request(
            "dien-bien-ho-ngheo",
            "444",
            2022,
            date(2022, 6, 1),
        ))
        .await
        .unwrap();
    let dm = Some("18499");
    let cols: Vec<f64> = (1..=9)
        .map(|i| value(&poor, dm, &format!("c{i}")).unwrap())
        .collect();
    // Start 3 (DM01–03); escaped 1 (DM02); to near-poor 1 (DM03); newly poor 1 (DM04);
    // from near-poor 1 (DM05); end 3 (DM01, DM04, DM05).
    assert_eq!(cols, vec![3.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 3.0]);
    assert!(poor.check.as_ref().unwrap().passed);
    poor.ensure_exportable().unwrap();

    let near = app
        .report_as_system(&request(
            "dien-bien-ho-can-ngheo",
            "444",
            2022,
            date(2022, 6, 1),
        ))
        .await
        .unwrap();
    let cols: Vec<f64> = (1..=9)
        .map(|i| value(&near, dm, &format!("c{i}")).unwrap())
        .collect();
    // Start 2 (DM05, DM06); DM05 became poor (4); DM03 came from the poor list (7).
    assert_eq!(cols, vec![2.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 2.0]);
    let hl: Vec<f64> = (1..=9)
        .map(|i| value(&near, Some("18502"), &format!("c{i}")).unwrap())
        .collect();
    assert_eq!(hl, vec![1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    assert!(near.check.as_ref().unwrap().passed);
}
app_test!(the_movement_tables_add_up_and_name_each_column);

/// A correction of a household's 2021 status, made after the 2022 review recorded its
/// escape, leaves the recorded transition disagreeing with the statuses: the check fails,
/// naming the commune and its figures, and the export is refused. The report as of a day
/// before the correction is unchanged.
async fn a_later_correction_breaks_the_movement_check_and_blocks_the_export(store: Store) {
    let app = setup(store).await;
    let ids = build(&app).await;
    let fx = FIXTURES.iter().find(|f| f.code == "DM02").unwrap();
    let correction = classification(
        ids["DM02"],
        fx,
        2021,
        ("near_poor", None, "", ""),
        date(2022, 2, 1),
    );
    app.store()
        .insert_classifications(&[correction], &[], Utc::now())
        .await
        .unwrap();

    let before = app
        .report_as_system(&request(
            "dien-bien-ho-ngheo",
            "444",
            2022,
            date(2022, 1, 15),
        ))
        .await
        .unwrap();
    assert!(!before.check_failed(), "as of a day before the correction");
    assert_eq!(value(&before, Some("18499"), "c1"), Some(3.0));

    let after = app
        .report_as_system(&request(
            "dien-bien-ho-ngheo",
            "444",
            2022,
            date(2022, 6, 1),
        ))
        .await
        .unwrap();
    assert!(after.check_failed());
    let failures = &after.check.as_ref().unwrap().failures;
    assert_eq!(failures[0].unit_code.as_deref(), Some("18499"));
    assert_eq!((failures[0].left_value, failures[0].right_value), (3, 2));
    match after.ensure_exportable() {
        Err(AppError::Conflict(m)) => {
            assert!(m.contains("Xã Điền Mỹ"), "{m}");
            assert!(m.contains("c1=2"), "{m}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}
app_test!(a_later_correction_breaks_the_movement_check_and_blocks_the_export);

async fn every_figure_drills_down_to_its_households_within_access(store: Store) {
    let app = setup(store).await;
    build(&app).await;
    let office = actor(Role::Office, "444", Tier::District);
    let codes = |rows: Vec<giamngheo_store::HouseholdStatusRow>| {
        let mut c: Vec<String> = rows.into_iter().map(|r| r.code).collect();
        c.sort();
        c
    };
    let poor = app
        .report_households(
            &office,
            "18499",
            "poor.households",
            2022,
            Some(date(2022, 6, 1)),
            None,
        )
        .await
        .unwrap();
    assert_eq!(codes(poor), vec!["DM01", "DM04", "DM05"]);
    let water = app
        .report_households(
            &office,
            "18499",
            "poor.deprived.water",
            2022,
            Some(date(2022, 6, 1)),
            None,
        )
        .await
        .unwrap();
    assert_eq!(codes(water), vec!["DM01", "DM04", "DM05"]);
    let escaped = app
        .report_households(
            &office,
            "444",
            "move.poor.2",
            2022,
            Some(date(2022, 6, 1)),
            None,
        )
        .await
        .unwrap();
    assert_eq!(codes(escaped), vec!["DM02"]);
    let all = app
        .report_households(
            &office,
            "18502",
            "households",
            2022,
            Some(date(2022, 6, 1)),
            None,
        )
        .await
        .unwrap();
    assert_eq!(codes(all), vec!["HL01", "HL02", "HL03"]);

    // A province viewer sees the figures, never the households behind them.
    let viewer = actor(Role::ProvinceViewer, "42", Tier::Province);
    app.report(
        &viewer,
        &request("ket-qua-ra-soat", "444", 2022, date(2022, 6, 1)),
    )
    .await
    .unwrap();
    assert!(matches!(
        app.report_households(&viewer, "18499", "poor.households", 2022, None, None)
            .await,
        Err(AppError::Forbidden(_))
    ));
    // A commune officer does not see the other commune at all.
    let officer = actor(Role::CommuneOfficer, "18499", Tier::Commune);
    assert!(matches!(
        app.report(
            &officer,
            &request("ket-qua-ra-soat", "18502", 2022, date(2022, 6, 1))
        )
        .await,
        Err(AppError::NotFound(_))
    ));
}
app_test!(every_figure_drills_down_to_its_households_within_access);

/// Every report on the fixture district, as JSON: a change of any figure, heading or
/// rounding shows in review. Both backends must give the same snapshot.
async fn every_report_matches_its_snapshot(store: Store) {
    let app = setup(store.clone()).await;
    build(&app).await;
    for name in catalog().names() {
        let period = 2022;
        let r = app
            .report_as_system(&request(name, "444", period, date(2022, 6, 1)))
            .await
            .unwrap();
        insta::assert_json_snapshot!(format!("report_{name}"), r);
        // The workbook and the figures it must hold, for scripts/check_xlsx.py to read
        // back with an independent reader (openpyxl).
        if store.backend() == giamngheo_store::Backend::Sqlite {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-xlsx");
            std::fs::create_dir_all(&dir).unwrap();
            let sheet = r.to_sheet(
                date(2022, 6, 1),
                giamngheo_app::print_wording::Wording::builtin(),
            );
            std::fs::write(
                dir.join(format!("{name}.xlsx")),
                giamngheo_sheets::reports::xlsx(&[sheet]).unwrap(),
            )
            .unwrap();
            std::fs::write(
                dir.join(format!("{name}.json")),
                serde_json::to_vec_pretty(&r).unwrap(),
            )
            .unwrap();
        }
        // The commune level too, for the review results.
        if name == "ket-qua-ra-soat" {
            let r = app
                .report_as_system(&request(name, "18499", period, date(2022, 6, 1)))
                .await
                .unwrap();
            insta::assert_json_snapshot!(format!("report_{name}_commune"), r);
        }
    }
}
app_test!(every_report_matches_its_snapshot);

/// A small deterministic generator (xorshift), so that the model test below explores
/// many orders of insertion without a dependency and fails the same way every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// The model's answer: per household the status of its last row of `period` on or
/// before `as_of` (the order of insertion breaks ties on a date).
fn model_latest<'a>(
    model: &[(i64, i32, NaiveDate, &'a str)],
    period: i32,
    as_of: NaiveDate,
) -> std::collections::BTreeMap<i64, (NaiveDate, usize, &'a str)> {
    let mut latest: std::collections::BTreeMap<i64, (NaiveDate, usize, &str)> = Default::default();
    for (i, (id, p, eff, status)) in model.iter().enumerate() {
        if *p == period && *eff <= as_of {
            let e = latest.entry(*id).or_insert((*eff, i, status));
            if (*eff, i) >= (e.0, e.1) {
                *e = (*eff, i, status);
            }
        }
    }
    latest
}

/// Classifications of the same households and periods added in random batches with
/// random effective dates (corrections dated back between earlier rows, ties on a date)
/// give, as of every date, exactly the household's latest row on or before that date:
/// the figures, the drill-down and the trend agree with a model computed here from the
/// rows as they were added.
async fn the_status_as_of_any_date_is_the_latest_row_on_or_before_it(store: Store) {
    let app = setup(store).await;
    let ids = build(&app).await;
    let mut rng = Xorshift(0x9e37_79b9_7f4a_7c15);
    let statuses = ["poor", "near_poor", "not_poor", "medium"];
    // The model: every row added, in insertion order (ids grow with it), after the
    // fixture's own rows (which are part of the model too).
    let mut model: Vec<(i64, i32, NaiveDate, &str)> = Vec::new();
    for fx in FIXTURES {
        let id = ids[fx.code];
        if let Some((s, _, _)) = fx.y2021 {
            model.push((id, 2021, date(2020, 12, 20), s));
        }
        if let Some((s, _, _, _)) = fx.y2022 {
            model.push((id, 2022, date(2021, 12, 20), s));
        }
    }
    let households: Vec<(&Fixture, i64)> = FIXTURES.iter().map(|f| (f, ids[f.code])).collect();
    for _batch in 0..12 {
        let mut rows = Vec::new();
        for _ in 0..1 + rng.next(4) {
            let (fx, id) = households[rng.next(households.len() as u64) as usize];
            let period = 2021 + rng.next(2) as i32;
            // Dates from late 2020 to early 2023, a few days apart, so that ties happen.
            let effective = date(2020, 12, 1) + chrono::Days::new(rng.next(20) * 40);
            let status = statuses[rng.next(4) as usize];
            rows.push(classification(
                id,
                fx,
                period,
                (status, None, "", ""),
                effective,
            ));
            model.push((id, period, effective, status));
        }
        app.store()
            .insert_classifications(&rows, &[], Utc::now())
            .await
            .unwrap();
    }
    let scope = giamngheo_store::ReportScope {
        scope_column: "district_code",
        scope_code: "444".into(),
        group_column: "commune_code",
        rebase: None,
    };
    let commune_of: std::collections::HashMap<i64, String> = households
        .iter()
        .map(|(fx, id)| (*id, fx.village[..5].to_string()))
        .collect();
    for step in 0..30 {
        let as_of = date(2020, 11, 15) + chrono::Days::new(step * 30 + rng.next(3) * 10);
        for period in [2021, 2022] {
            let latest = model_latest(&model, period, as_of);
            let mut expected: std::collections::BTreeMap<String, i64> = Default::default();
            for (id, (_, _, status)) in &latest {
                *expected
                    .entry(format!("{}.{status}", commune_of[id]))
                    .or_default() += 1;
            }
            let facts = app
                .store()
                .status_facts(&scope, period, as_of, &[], &[])
                .await
                .unwrap();
            let got: std::collections::BTreeMap<String, i64> = facts
                .iter()
                .filter_map(|f| {
                    let status = f.key.strip_suffix(".households")?;
                    (f.value > 0).then(|| (format!("{}.{status}", f.unit), f.value))
                })
                .collect();
            assert_eq!(got, expected, "period {period} as of {as_of}");
            // A province groups by district and commune in one pass (migration 0014):
            // by commune it finds the same, by district their sums.
            for group_column in ["commune_code", "district_code"] {
                let province = giamngheo_store::ReportScope {
                    scope_column: "province_code",
                    scope_code: "42".into(),
                    group_column,
                    rebase: None,
                };
                let facts = app
                    .store()
                    .status_facts(&province, period, as_of, &[], &[])
                    .await
                    .unwrap();
                let mut got: std::collections::BTreeMap<String, i64> = Default::default();
                for f in &facts {
                    if let Some(status) = f.key.strip_suffix(".households")
                        && f.value > 0
                    {
                        *got.entry(format!("{}.{status}", f.unit)).or_default() += f.value;
                    }
                }
                let mut want: std::collections::BTreeMap<String, i64> = Default::default();
                for (key, n) in &expected {
                    let (commune, status) = key.split_once('.').unwrap();
                    let unit = if group_column == "commune_code" {
                        commune
                    } else {
                        "444"
                    };
                    *want.entry(format!("{unit}.{status}")).or_default() += n;
                }
                assert_eq!(
                    got, want,
                    "province by {group_column}, {period} as of {as_of}"
                );
                // One fact per unit and key: the groups are summed in the store.
                let mut keys: Vec<(&str, &str)> = facts
                    .iter()
                    .map(|f| (f.unit.as_str(), f.key.as_str()))
                    .collect();
                let n = keys.len();
                keys.sort();
                keys.dedup();
                assert_eq!(keys.len(), n, "a fact repeated");
            }

            // The drill-down sees the same rows.
            let rows = app
                .store()
                .household_statuses(&scope, period, as_of)
                .await
                .unwrap();
            for row in rows {
                assert_eq!(
                    row.cur_status.as_deref(),
                    latest.get(&row.id).map(|l| l.2),
                    "household {} period {period} as of {as_of}",
                    row.code
                );
            }
        }
        // The trend counts every period at once.
        let trend = app
            .store()
            .status_trend("district_code", "444", as_of)
            .await
            .unwrap();
        let mut expected: Vec<(i32, String, i64)> = Vec::new();
        for period in [2021, 2022] {
            let mut per_status: std::collections::BTreeMap<&str, i64> = Default::default();
            let latest = model_latest(&model, period, as_of);
            for (_, _, s) in latest.values() {
                *per_status.entry(s).or_default() += 1;
            }
            for (s, n) in per_status {
                expected.push((period, s.to_string(), n));
            }
        }
        let mut trend = trend;
        trend.sort();
        expected.sort();
        assert_eq!(trend, expected, "trend as of {as_of}");
    }
}
app_test!(the_status_as_of_any_date_is_the_latest_row_on_or_before_it);

/// The movement groups the store keeps paired (migrations 0013, 0056) against the
/// households' own rows: classifications of four periods (some households skipping one)
/// added in random batches (back-dated
/// corrections, ties on a date, households moving between villages and communes, rows
/// with and without a recorded movement), a household split off and classified, and
/// one merged away. For every scope and many dates, the groups are exactly those of
/// the drill-down, which finds each household's rows by itself.
async fn the_movement_groups_are_the_households_own_pairs(store: Store) {
    use giamngheo_store::{HouseholdStatusRow, MovementGroup, ReportScope};
    let app = setup(store).await;
    let ids = build(&app).await;
    let admin = actor(Role::Admin, "42", Tier::Province);
    let mut rng = Xorshift(0x2545_f491_4f6c_dd1d);
    let statuses = ["poor", "near_poor", "not_poor", "medium"];
    let transitions = [
        None,
        Some("unchanged"),
        Some("escaped_poverty"),
        Some("newly_poor"),
        Some("poor_to_near_poor"),
        Some("near_poor_to_poor"),
        Some("fell_back"),
    ];
    let villages = ["18499001", "18499002", "18502001"];
    let mut households: Vec<(&Fixture, i64)> = FIXTURES.iter().map(|f| (f, ids[f.code])).collect();

    let add_batch = async |households: &[(&Fixture, i64)], rng: &mut Xorshift| {
        let mut rows = Vec::new();
        for _ in 0..1 + rng.next(5) {
            let (fx, id) = households[rng.next(households.len() as u64) as usize];
            // Four periods, so that some households skip one (migration 0056).
            let period = 2021 + rng.next(4) as i32;
            let effective = date(2020, 12, 1) + chrono::Days::new(rng.next(30) * 40);
            let mut row = classification(
                id,
                fx,
                period,
                (
                    statuses[rng.next(4) as usize],
                    transitions[rng.next(transitions.len() as u64) as usize],
                    "",
                    "",
                ),
                effective,
            );
            if rng.next(4) == 0 {
                let village = villages[rng.next(3) as usize];
                row.village_code = village.into();
                row.commune_code = village[..5].into();
            }
            rows.push(row);
        }
        app.store()
            .insert_classifications(&rows, &[], Utc::now())
            .await
            .unwrap();
    };
    for _ in 0..15 {
        add_batch(&households, &mut rng).await;
    }
    // DM01's two children split off into a household of their own, which the later
    // batches classify too; HL02 merges into HL01.
    let dm01 = app.household(&admin, ids["DM01"]).await.unwrap();
    let children: Vec<i64> = dm01.members[2..].iter().map(|m| m.id).collect();
    let split = app
        .split_household(
            &admin,
            ids["DM01"],
            dm01.household.version,
            &children,
            children[0],
            "DM01-T",
        )
        .await
        .unwrap();
    households.push((&FIXTURES[0], split));
    for _ in 0..15 {
        add_batch(&households, &mut rng).await;
    }
    let hl01 = app.household(&admin, ids["HL01"]).await.unwrap();
    let hl02 = app.household(&admin, ids["HL02"]).await.unwrap();
    app.merge_households(
        &admin,
        (ids["HL01"], hl01.household.version),
        (ids["HL02"], hl02.household.version),
    )
    .await
    .unwrap();

    let listed = |s: &Option<String>| matches!(s.as_deref(), Some("poor" | "near_poor"));
    let expected = |rows: Vec<HouseholdStatusRow>| {
        let mut groups: std::collections::BTreeMap<_, i64> = Default::default();
        for r in rows {
            let moved = r
                .cur_transition
                .as_deref()
                .is_some_and(|t| t != "unchanged");
            if listed(&r.prev_status) || listed(&r.cur_status) || moved {
                *groups
                    .entry((
                        r.prev_unit,
                        r.prev_status,
                        r.cur_unit,
                        r.cur_status,
                        r.cur_transition,
                        r.active,
                        r.split,
                    ))
                    .or_default() += 1;
            }
        }
        groups
    };
    let got = |groups: Vec<MovementGroup>| {
        groups
            .into_iter()
            .map(|g| {
                (
                    (
                        g.prev_unit,
                        g.prev_status,
                        g.cur_unit,
                        g.cur_status,
                        g.transition,
                        g.active,
                        g.split,
                    ),
                    g.households,
                )
            })
            .collect::<std::collections::BTreeMap<_, i64>>()
    };
    let scopes = [
        ("province_code", "42", "district_code"),
        ("province_code", "42", "commune_code"),
        ("district_code", "444", "commune_code"),
        ("district_code", "444", "village_code"),
        ("commune_code", "18499", "village_code"),
        ("commune_code", "18502", "village_code"),
        ("village_code", "18499001", "village_code"),
        ("village_code", "18499002", "village_code"),
    ];
    let dates: Vec<NaiveDate> = (0..40)
        .map(|step| date(2020, 11, 15) + chrono::Days::new(step * 35 + rng.next(3) * 10))
        .collect();
    let compare = async || {
        let mut compared = 0;
        for &as_of in &dates {
            for period in [2021, 2022, 2023, 2024, 2025] {
                for (scope_column, code, group_column) in scopes {
                    let scope = ReportScope {
                        scope_column,
                        scope_code: code.into(),
                        group_column,
                        rebase: None,
                    };
                    let want = expected(
                        app.store()
                            .household_statuses(&scope, period, as_of)
                            .await
                            .unwrap(),
                    );
                    let have = got(app
                        .store()
                        .movement_groups(&scope, period, as_of)
                        .await
                        .unwrap());
                    assert_eq!(
                        have, want,
                        "{scope_column} {code} by {group_column}, period {period} as of {as_of}"
                    );
                    compared += want.values().sum::<i64>();
                }
            }
        }
        compared
    };
    // The comparison saw households (the random rows do not leave every table empty).
    let compared = compare().await;
    assert!(compared > 1000, "{compared} households compared");

    // The migration's backfill (0056, the statement the store runs with a filter on the
    // households it writes for), run on the same rows without a filter, pairs them the
    // same way as the store did batch by batch.
    app.store()
        .execute_admin("DELETE FROM movements")
        .await
        .unwrap();
    app.store()
        .execute_admin(giamngheo_store::movement_pairs_statement())
        .await
        .unwrap();
    assert_eq!(compare().await, compared);
}
app_test!(the_movement_groups_are_the_households_own_pairs);

/// A report page opens on the latest period the unit has classifications for (that
/// have taken effect), not on a year whose review is not decided yet.
async fn reports_open_on_the_latest_period_with_classifications(store: Store) {
    let app = setup(store).await;
    let office = actor(Role::Office, "444", Tier::District);
    let ids = build(&app).await;
    let latest = |as_of| {
        let store = app.store().clone();
        async move {
            store
                .latest_period("district_code", "444", as_of)
                .await
                .unwrap()
        }
    };
    assert_eq!(latest(date(2020, 1, 1)).await, None);
    assert_eq!(latest(date(2021, 6, 1)).await, Some(2021));
    assert_eq!(latest(date(2022, 6, 1)).await, Some(2022));
    // The clock says 01/06/2022; a list for 2023 decided for the end of the year is not
    // the one to open on yet.
    let row = classification(
        ids["DM01"],
        &FIXTURES[0],
        2023,
        ("poor", Some("unchanged"), "", ""),
        date(2022, 12, 20),
    );
    app.store()
        .insert_classifications(&[row], &[], Utc::now())
        .await
        .unwrap();
    assert_eq!(latest(date(2023, 1, 1)).await, Some(2023));
    assert_eq!(
        app.default_report_period(&office, "444").await.unwrap(),
        2022
    );
    assert_eq!(
        app.default_report_period(&office, "18502").await.unwrap(),
        2022
    );
    let officer = actor(Role::CommuneOfficer, "18499", Tier::Commune);
    assert!(app.default_report_period(&officer, "18502").await.is_err());
}
app_test!(reports_open_on_the_latest_period_with_classifications);

/// One commune deciding next year's lists early does not move its district there: the
/// reports and the dashboard open on the latest period every commune has decided, and
/// name the communes without data when a later period is asked for.
async fn pages_open_on_the_latest_period_the_whole_unit_has_decided(store: Store) {
    let app = setup(store).await;
    let office = actor(Role::Office, "444", Tier::District);
    let ids = build(&app).await;
    // Điền Mỹ's 2023 list took effect on 01/05/2022, before the clock's 01/06/2022; Hà
    // Linh has only 2021 and 2022.
    let row = classification(
        ids["DM01"],
        &FIXTURES[0],
        2023,
        ("poor", Some("unchanged"), "", ""),
        date(2022, 5, 1),
    );
    app.store()
        .insert_classifications(&[row], &[], Utc::now())
        .await
        .unwrap();
    let as_of = date(2022, 6, 1);
    assert_eq!(
        app.store()
            .latest_period("district_code", "444", as_of)
            .await
            .unwrap(),
        Some(2023),
        "one commune has 2023"
    );
    assert_eq!(
        app.store()
            .latest_complete_period("district_code", "444", as_of)
            .await
            .unwrap(),
        Some(2022)
    );
    assert_eq!(
        app.default_report_period(&office, "444").await.unwrap(),
        2022
    );
    // The commune that has decided opens on its own latest year.
    assert_eq!(
        app.default_report_period(&office, "18499").await.unwrap(),
        2023
    );
    let d = app.dashboard(&office, "444", None).await.unwrap();
    assert_eq!(d.period, Some(2022));
    assert!(d.communes_without_data.is_empty());
    // Asked for 2023, the dashboard names Hà Linh as without data.
    let d = app.dashboard(&office, "444", Some(2023)).await.unwrap();
    let missing: Vec<&str> = d
        .communes_without_data
        .iter()
        .map(|u| u.code.as_str())
        .collect();
    assert_eq!(missing, vec!["18502"]);
    // So does the report of 2023, whose zeros for Hà Linh mean "not decided", not "none".
    let report = app
        .report(
            &office,
            &request("ket-qua-ra-soat", "444", 2023, date(2022, 6, 1)),
        )
        .await
        .unwrap();
    assert!(
        report
            .notes
            .contains(&"Chưa có kết quả năm 2023: Xã Hà Linh.".to_string()),
        "{:?}",
        report.notes
    );
}
app_test!(pages_open_on_the_latest_period_the_whole_unit_has_decided);

/// A commune that skipped a year: Hà Linh decided 2024 without a 2023 review, and its 2024
/// review recorded HL01 leaving the poor list it was on since 2022. The 2024 movement
/// table starts Hà Linh from its 2022 lists, the list in force when 2024 began, so that
/// the start column and the "escaped" column count against the same list and the check
/// holds; a note says which year the start is. Then Điền Mỹ decides 2025 and Hà Linh does
/// not: the 2025 table says "Chưa có kết quả năm 2025" for Hà Linh and leaves it out of its
/// check, instead of failing the check for every village.
async fn a_commune_that_skipped_a_year_starts_from_its_list_in_force(store: Store) {
    let app = setup(store).await;
    let office = actor(Role::Office, "444", Tier::District);
    let ids = build(&app).await;
    let mut rows = Vec::new();
    for fx in FIXTURES {
        let Some((status, _, deprived, causes)) = fx.y2022 else {
            continue;
        };
        let outcome = (status, Some("unchanged"), deprived, causes);
        let id = ids[fx.code];
        if fx.village.starts_with("18499") {
            rows.push(classification(id, fx, 2023, outcome, date(2022, 3, 1)));
            rows.push(classification(id, fx, 2024, outcome, date(2022, 4, 1)));
            rows.push(classification(id, fx, 2025, outcome, date(2022, 5, 1)));
        } else if fx.code == "HL01" {
            let escaped = ("not_poor", Some("escaped_poverty"), "", "");
            rows.push(classification(id, fx, 2024, escaped, date(2022, 4, 1)));
        } else {
            rows.push(classification(id, fx, 2024, outcome, date(2022, 4, 1)));
        }
    }
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    let as_of = date(2022, 6, 1);
    for name in ["dien-bien-ho-ngheo", "dien-bien-ho-can-ngheo"] {
        let report = app
            .report(&office, &request(name, "444", 2024, as_of))
            .await
            .unwrap();
        let check = report.check.as_ref().expect("a movement table has a check");
        assert!(check.passed, "{name}: {:?}", check.failures);
        assert!(
            report.notes.iter().any(|n| n
                .starts_with("Không có kết quả năm 2023: Xã Hà Linh; đầu kỳ là kết quả năm 2022")),
            "{name}: {:?}",
            report.notes
        );
        assert!(
            !report
                .notes
                .iter()
                .any(|n| n.contains("Xã Điền Mỹ") || n.contains("Chưa có kết quả")),
            "Điền Mỹ has both years, Hà Linh a list in force: {:?}",
            report.notes
        );
    }
    // Hà Linh's poor list at the start of 2024 is its 2022 list (HL01), which left it.
    let poor = app
        .report(&office, &request("dien-bien-ho-ngheo", "444", 2024, as_of))
        .await
        .unwrap();
    assert_eq!(value(&poor, Some("18502"), "c1"), Some(1.0));
    assert_eq!(value(&poor, Some("18502"), "c2"), Some(1.0));
    assert_eq!(value(&poor, Some("18502"), "c9"), Some(0.0));
    // Điền Mỹ's start is its own 2023 list, unchanged: DM01 and DM04, DM05 poor.
    assert_eq!(value(&poor, Some("18499"), "c1"), Some(3.0));
    assert_eq!(value(&poor, Some("18499"), "c9"), Some(3.0));

    // 2025: Điền Mỹ has decided, Hà Linh has not.
    for name in ["dien-bien-ho-ngheo", "dien-bien-ho-can-ngheo"] {
        let report = app
            .report(&office, &request(name, "444", 2025, as_of))
            .await
            .unwrap();
        let check = report.check.as_ref().expect("a movement table has a check");
        assert!(check.passed, "{name}: {:?}", check.failures);
        assert!(
            report
                .notes
                .iter()
                .any(|n| n.starts_with("Chưa có kết quả năm 2025: Xã Hà Linh;")),
            "{name}: {:?}",
            report.notes
        );
        assert!(
            !report.notes.iter().any(|n| n.contains("Xã Điền Mỹ")),
            "{:?}",
            report.notes
        );
    }
    // Without a gap, nothing is added: the 2022 table of the fixture has no such note.
    let report = app
        .report(
            &office,
            &request("dien-bien-ho-ngheo", "444", 2022, date(2022, 6, 1)),
        )
        .await
        .unwrap();
    assert!(
        !report
            .notes
            .iter()
            .any(|n| n.contains("Chưa có kết quả") || n.contains("Không có kết quả"))
    );
}
app_test!(a_commune_that_skipped_a_year_starts_from_its_list_in_force);

/// Every report of the catalogue, for a district and a commune, computed from the same
/// households on a plain PostgreSQL and on the Citus cluster, gives the same CSV byte for
/// byte: distributing the tables changes where rows are, never a figure.
#[tokio::test]
async fn every_report_is_the_same_csv_on_citus_as_on_postgres() {
    use giamngheo_store::testing::TestDb;
    let (Some(plain), Some(citus)) = (TestDb::postgres().await, TestDb::citus().await) else {
        return;
    };
    let mut csvs = Vec::new();
    for db in [&plain, &citus] {
        let app = setup(db.store.clone()).await;
        build(&app).await;
        let mut out = Vec::new();
        for name in catalog().names() {
            for unit in ["444", "18499"] {
                let r = app
                    .report_as_system(&request(name, unit, 2022, date(2022, 6, 1)))
                    .await
                    .unwrap();
                let csv = giamngheo_sheets::reports::csv(&r.to_sheet(
                    date(2022, 6, 1),
                    giamngheo_app::print_wording::Wording::builtin(),
                ));
                out.push((format!("{name} {unit}"), csv));
            }
        }
        csvs.push(out);
    }
    assert!(!csvs[0].is_empty());
    for ((name, on_postgres), (_, on_citus)) in csvs[0].iter().zip(&csvs[1]) {
        assert!(
            on_postgres == on_citus,
            "{name} differs:\n{}\n---\n{}",
            String::from_utf8_lossy(on_postgres),
            String::from_utf8_lossy(on_citus)
        );
    }
    plain.finish().await;
    citus.finish().await;
}
