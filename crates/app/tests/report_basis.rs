//! Reports across the 2025 reform (issue 12), on SQLite and PostgreSQL, with a small
//! district of its own (not the demo): five old communes with three years of lists, merged
//! into three new communes (one old commune split between two of them, one code reused).
//! `as_was` reports stay the same byte for byte through the reform; `current` reports
//! place every year on today's communes, whose figures are the sums of their old
//! villages, and whose movement tables add up; a new commune's officer reads the history
//! of the communes it absorbed and nothing else.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::basis::Basis;
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::policies::coverage::CoverageRequest;
use giamngheo_app::reform::ReformOptions;
use giamngheo_app::reports::{Report, ReportRequest, catalog};
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, Store};
use std::collections::BTreeMap;
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const OLD_COMMUNES: [&str; 5] = ["18499", "18502", "18505", "18508", "18511"];

/// The new list of 01/07/2025: 18502 is reused for the commune that absorbed the old
/// 18499 and 18502; the old 18508 is split between 18547 and 18550.
const NEW_LIST: &str = "code,name,kind,level,parent_code\n\
                        42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                        18502,Xã Hà Linh,Xã,2,42\n\
                        18547,Xã Phúc Trạch,Xã,2,42\n\
                        18550,Xã Hương Xuân,Xã,2,42\n";
const MAPPING: &str = "old_code,new_code,whole\n\
                       18499,18502,1\n\
                       18502,18502,1\n\
                       18505,18547,1\n\
                       18508,18547,0\n\
                       18508,18550,0\n\
                       18511,18550,1\n";

/// Each village holds four households whose lists move the same way every year:
/// (2024, 2025 with its transition, 2026 with its transition).
type Path = [(&'static str, Option<&'static str>); 3];
const PATHS: [Path; 4] = [
    [
        ("poor", None),
        ("poor", Some("unchanged")),
        ("poor", Some("unchanged")),
    ],
    [
        ("poor", None),
        ("near_poor", Some("poor_to_near_poor")),
        ("not_poor", Some("escaped_near_poverty")),
    ],
    [
        ("not_poor", None),
        ("poor", Some("newly_poor")),
        ("near_poor", Some("poor_to_near_poor")),
    ],
    [
        ("near_poor", None),
        ("near_poor", Some("unchanged")),
        ("poor", Some("near_poor_to_poor")),
    ],
];

struct District {
    app: App,
    /// The villages of each old commune, in order.
    villages: BTreeMap<&'static str, Vec<String>>,
    /// Each household's id and village.
    households: Vec<(i64, String)>,
}

async fn district(store: Store) -> District {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-06-01T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    let mut units = String::from(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n444,Huyện Hương Khê,Huyện,2,42\n",
    );
    for (i, c) in OLD_COMMUNES.iter().enumerate() {
        units.push_str(&format!("{c},Xã Cũ Số {},Xã,3,444\n", i + 1));
    }
    app.import_units(
        units.as_bytes(),
        &UnitImportOptions {
            valid_from: date(2020, 1, 1),
            retire_missing: false,
            hierarchy: Some(Hierarchy::four_levels()),
        },
    )
    .await
    .unwrap();
    let mut csv = String::from("commune_code,name,kind\n");
    for c in OLD_COMMUNES {
        let n = if c == "18508" { 2 } else { 1 };
        for v in 1..=n {
            csv.push_str(&format!("{c},Thôn {v} {c},Thôn\n"));
        }
    }
    let codes = app
        .import_villages_as_system_on(csv.as_bytes(), date(2020, 1, 1))
        .await
        .unwrap();
    let mut villages: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for code in codes {
        let commune = OLD_COMMUNES.iter().find(|c| code.starts_with(**c)).unwrap();
        villages.entry(commune).or_default().push(code);
    }
    let mut drafts = Vec::new();
    let mut places = Vec::new();
    for vs in villages.values() {
        for v in vs {
            for i in 0..PATHS.len() {
                drafts.push(DraftInput::form(HouseholdDraft {
                    code: format!("{}-{i}", &v[v.len() - 4..]),
                    village_code: v.clone(),
                    address: "Xóm 1".into(),
                    members: vec![MemberDraft {
                        full_name: format!("Nguyễn Văn Chủ {v} {i}"),
                        sex: Some(Sex::Male),
                        birth_year: Some(1970),
                        ethnicity: "01".into(),
                        relation: "head".into(),
                        ..Default::default()
                    }],
                    ..Default::default()
                }));
                places.push(v.clone());
            }
        }
    }
    let ids = app
        .create_households(By::System, drafts, "test")
        .await
        .unwrap();
    let households: Vec<(i64, String)> = ids.into_iter().zip(places).collect();
    // The lists of 2024 and 2025, made under the old units.
    let mut rows = Vec::new();
    for (n, (id, village)) in households.iter().enumerate() {
        let path = PATHS[n % PATHS.len()];
        for (year, (status, transition)) in [(2024, path[0]), (2025, path[1])] {
            rows.push(classification(
                *id,
                village,
                (Some("444"), &village[..5]),
                year,
                status,
                transition,
            ));
        }
    }
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    District {
        app,
        villages,
        households,
    }
}

fn classification(
    id: i64,
    village: &str,
    (district, commune): (Option<&str>, &str),
    period: i32,
    status: &str,
    transition: Option<&str>,
) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: district.map(String::from),
        commune_code: commune.into(),
        village_code: village.into(),
        period,
        standard: "vn-2022".into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: 0,
        deprived: String::new(),
        reasons: String::new(),
        transition: transition.map(String::from),
        member_count: 1,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date: date(period - 1, 12, 20),
        approved_by: "test".into(),
        approved_at: format!("{}-12-20T00:00:00Z", period - 1),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

fn request(name: &str, unit: &str, period: i32, basis: Option<Basis>) -> ReportRequest {
    ReportRequest {
        name: name.into(),
        unit: unit.into(),
        period,
        as_of: Some(date(2026, 6, 1)),
        basis,
    }
}

fn value(report: &Report, row: Option<&str>, col: &str) -> f64 {
    let i = report.columns.iter().position(|c| c.id == col).unwrap();
    report
        .rows
        .iter()
        .find(|r| r.unit_code.as_deref() == row)
        .unwrap_or_else(|| panic!("row {row:?} of {}", report.unit_code))
        .values[i]
        .unwrap_or(0.0)
}

/// Every report of 2024 and 2025, as it was, for the district, the province and each
/// old commune: their JSON text.
async fn as_was_reports(app: &App) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    // The coverage report counts eligibility on the request's date (01/06/2026 here),
    // so the 2026 lists made after the reform rightly change it; its basis is tested by
    // `coverage_honours_the_basis` below, on a date within the year.
    for name in catalog()
        .names()
        .into_iter()
        .filter(|n| *n != "bao-phu-chinh-sach")
    {
        for period in [2024, 2025] {
            for unit in ["42", "444"].into_iter().chain(OLD_COMMUNES) {
                let r = app
                    .report_as_system(&request(name, unit, period, Some(Basis::AsWas)))
                    .await
                    .unwrap();
                assert_eq!(r.basis, Basis::AsWas);
                out.insert(
                    format!("{name} {unit} {period}"),
                    serde_json::to_string(&r).unwrap(),
                );
            }
        }
    }
    out
}

async fn reform(app: &App, mapping: &str) -> Result<giamngheo_store::ReformOutcome, AppError> {
    app.apply_reform(
        NEW_LIST.as_bytes(),
        mapping.as_bytes(),
        &ReformOptions {
            effective: date(2025, 7, 1),
            list_name: "vn-2025-07-test".into(),
            dry_run: false,
        },
    )
    .await
}

/// The district through the reform: the split commune's villages assigned, and the 2026
/// lists made under the new communes.
async fn reformed(d: &District) {
    let outcome = reform(&d.app, MAPPING).await.unwrap();
    assert_eq!(outcome.villages_waiting.len(), 2, "{outcome:?}");
    let split = &d.villages["18508"];
    let assign = format!(
        "village_code,commune_code\n{},18547\n{},18550\n",
        split[0], split[1]
    );
    d.app.assign_villages(assign.as_bytes()).await.unwrap();
    let mut rows = Vec::new();
    for (n, (id, village)) in d.households.iter().enumerate() {
        let (status, transition) = PATHS[n % PATHS.len()][2];
        let new = new_commune(d, village);
        rows.push(classification(
            *id,
            village,
            (None, new),
            2026,
            status,
            transition,
        ));
    }
    d.app
        .store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
}

/// The new commune a village went into.
fn new_commune(d: &District, village: &str) -> &'static str {
    match &village[..5] {
        "18499" | "18502" => "18502",
        "18505" => "18547",
        "18511" => "18550",
        _ if village == d.villages["18508"][0] => "18547",
        _ => "18550",
    }
}

async fn as_was_reports_stay_the_same_through_the_reform(store: Store) {
    let d = district(store).await;
    let before = as_was_reports(&d.app).await;
    // A failed reform (a mapping row naming a commune the new list lacks) changes
    // nothing.
    let bad = format!("{MAPPING}18499,99999,1\n");
    assert!(reform(&d.app, &bad).await.is_err());
    assert_eq!(as_was_reports(&d.app).await, before);
    reformed(&d).await;
    let after = as_was_reports(&d.app).await;
    for (key, text) in &before {
        if key.ends_with("2024") {
            assert_eq!(&after[key], text, "{key} changed through the reform");
        } else if key.contains(" 18502 ") || key.contains(" 42 ") {
            // On 31/12/2025, the report's day, the province is made of the new communes
            // and the code 18502 means the new Xã Hà Linh (the statistics office reused
            // it): the units as they stood before are asked for with an earlier `as_of`.
            assert!(after[key].contains("Xã Hà Linh"), "{key}");
        } else {
            // The units closed on 30/06/2025 made the 2025 lists: their 2025 reports
            // are now taken on that day (the note says so), with the same figures.
            let figures = |t: &str| {
                let v: serde_json::Value = serde_json::from_str(t).unwrap();
                (v["rows"].clone(), v["check"].clone(), v["agency"].clone())
            };
            assert_eq!(figures(&after[key]), figures(text), "{key} changed");
        }
    }
    // Running the reform again changes nothing either.
    let again = reform(&d.app, MAPPING).await.unwrap();
    assert_eq!(again.households_moved, 0, "{again:?}");
    assert_eq!(again.units_opened, 0, "{again:?}");
    assert_eq!(as_was_reports(&d.app).await, after);
}
app_test!(as_was_reports_stay_the_same_through_the_reform);

async fn current_reports_place_every_year_on_todays_communes(store: Store) {
    let d = district(store).await;
    // The old villages' figures of 2024 and 2025, as they were.
    let mut old: BTreeMap<(i32, String), Report> = BTreeMap::new();
    for period in [2024, 2025] {
        for c in OLD_COMMUNES {
            let r = d
                .app
                .report_as_system(&request("ket-qua-ra-soat", c, period, None))
                .await
                .unwrap();
            old.insert((period, c.to_string()), r);
        }
    }
    reformed(&d).await;
    for period in [2024, 2025, 2026] {
        let province = d
            .app
            .report_as_system(&request("ket-qua-ra-soat", "42", period, None))
            .await
            .unwrap();
        assert_eq!(province.basis, Basis::Current);
        assert!(
            province.notes[0].contains("hiện nay"),
            "{:?}",
            province.notes
        );
        let rows: Vec<&str> = province
            .rows
            .iter()
            .filter_map(|r| r.unit_code.as_deref())
            .collect();
        assert_eq!(rows, vec!["18502", "18547", "18550"], "{period}");
        for new in ["18502", "18547", "18550"] {
            let villages: Vec<&String> = d
                .villages
                .values()
                .flatten()
                .filter(|v| new_commune(&d, v) == new)
                .collect();
            // Households registered: four a village.
            assert_eq!(
                value(&province, Some(new), "households"),
                4.0 * villages.len() as f64
            );
            for col in ["poor", "near_poor"] {
                let got = value(&province, Some(new), col);
                let want: f64 = if period == 2026 {
                    // The 2026 lists: two poor households and one near-poor a village.
                    let per_village = if col == "poor" { 2.0 } else { 1.0 };
                    per_village * villages.len() as f64
                } else {
                    villages
                        .iter()
                        .map(|v| value(&old[&(period, v[..5].to_string())], Some(v), col))
                        .sum()
                };
                assert_eq!(got, want, "{col} of {new} in {period}");
            }
        }
    }
    // The 2025 → 2026 movement tables of each new commune and of the province count
    // the households of the old communes and add up.
    for name in ["dien-bien-ho-ngheo", "dien-bien-ho-can-ngheo"] {
        for unit in ["42", "18502", "18547", "18550"] {
            let r = d
                .app
                .report_as_system(&request(name, unit, 2026, None))
                .await
                .unwrap();
            assert_eq!(r.basis, Basis::Current);
            assert!(
                r.check.as_ref().unwrap().passed,
                "{name} {unit}: {:?}",
                r.check
            );
            r.ensure_exportable().unwrap();
            let total = value(&r, None, "c1");
            let villages = if unit == "42" {
                6.0
            } else {
                d.villages
                    .values()
                    .flatten()
                    .filter(|v| new_commune(&d, v) == unit)
                    .count() as f64
            };
            // Two households a village start on each list in 2025.
            assert_eq!(total, 2.0 * villages, "{name} {unit}");
        }
    }
    // A closed unit asked for now: as it was by default, an error naming its
    // successors on today's units.
    let old_district = d
        .app
        .report_as_system(&request("ket-qua-ra-soat", "444", 2024, None))
        .await
        .unwrap();
    assert_eq!(old_district.basis, Basis::AsWas);
    match d
        .app
        .report_as_system(&request(
            "ket-qua-ra-soat",
            "444",
            2024,
            Some(Basis::Current),
        ))
        .await
    {
        Err(AppError::Gone(m)) => assert!(m.contains("18547"), "{m}"),
        other => panic!("{other:?}"),
    }
    // The dashboard's trend of a new commune runs through the reform without a break.
    let dash = d.app.dashboard_as_system("18547", None).await.unwrap();
    let trend: Vec<(i32, i64, i64)> = dash
        .trend
        .iter()
        .map(|p| (p.period, p.poor, p.near_poor))
        .collect();
    assert_eq!(trend, vec![(2024, 4, 2), (2025, 4, 4), (2026, 4, 2)]);
}
app_test!(current_reports_place_every_year_on_todays_communes);

fn officer(unit: &str) -> Actor {
    Actor {
        user_id: 1,
        username: format!("officer-{unit}"),
        role: Role::CommuneOfficer,
        unit_code: unit.into(),
        unit_tier: Tier::Commune,
        agency_code: None,
    }
}

async fn a_new_communes_officer_reads_the_history_it_absorbed(store: Store) {
    let d = district(store).await;
    reformed(&d).await;
    let phuc_trach = officer("18547");
    // The old commune that went whole into Phúc Trạch: its 2024 report and its
    // households list before the reform.
    let r = d
        .app
        .report(
            &phuc_trach,
            &request("ket-qua-ra-soat", "18505", 2024, None),
        )
        .await
        .unwrap();
    assert_eq!(r.basis, Basis::AsWas);
    assert_eq!(value(&r, None, "poor"), 2.0);
    let list = d
        .app
        .list_households_as_of(&phuc_trach, Some("18505"), None, 1, Some(date(2025, 1, 1)))
        .await
        .unwrap();
    assert_eq!(list.total, 4);
    assert!(
        list.items
            .iter()
            .all(|h| h.village_code == d.villages["18505"][0])
    );
    // Not the old commune that went into another one, nor the one split between
    // Phúc Trạch and another, nor the old district: not found, nothing named.
    for other in ["18511", "18508", "444"] {
        match d
            .app
            .report(&phuc_trach, &request("ket-qua-ra-soat", other, 2024, None))
            .await
        {
            Err(AppError::NotFound(m)) => assert!(!m.contains("Nguyễn"), "{m}"),
            x => panic!("{other}: {x:?}"),
        }
        assert!(matches!(
            d.app
                .list_households_as_of(&phuc_trach, Some(other), None, 1, Some(date(2025, 1, 1)))
                .await,
            Err(AppError::NotFound(_))
        ));
    }
    // An officer of an unrelated commune reads none of Phúc Trạch's history.
    let xuan = officer("18550");
    assert!(matches!(
        d.app
            .report(&xuan, &request("ket-qua-ra-soat", "18505", 2024, None))
            .await,
        Err(AppError::NotFound(_))
    ));
}
app_test!(a_new_communes_officer_reads_the_history_it_absorbed);

/// BHYT eligible of `unit` in 2024 on `basis`, the same through the narrowed reading and
/// the full one.
async fn coverage_eligible(app: &App, unit: &str, basis: Basis) -> i64 {
    let req = CoverageRequest {
        unit: unit.into(),
        year: 2024,
        policy: Some("bhyt".into()),
        as_of: Some(date(2024, 12, 31)),
        by_child: false,
        basis: Some(basis),
    };
    let fast = app.coverage_as_system(&req).await.unwrap();
    let full = app.coverage_full_evaluation(&req).await.unwrap();
    assert_eq!(fast.rows, full.rows, "{unit} {basis:?}");
    fast.rows[0].eligible
}

/// Coverage honours the basis like the other reports: `as_was` counts each old commune's
/// 2024 list where it was made, `current` counts it on today's communes through the
/// villages (the new 18502 has the old 18499 and 18502, the split 18508 goes half to
/// 18547 and half to 18550), and the totals agree.
async fn coverage_honours_the_basis(store: Store) {
    let d = district(store).await;
    reformed(&d).await;
    let eligible = |unit: &'static str, basis: Basis| coverage_eligible(&d.app, unit, basis);
    let mut old = Vec::new();
    for c in OLD_COMMUNES {
        old.push(eligible(c, Basis::AsWas).await);
    }
    // On 31/12/2024 the 2025 lists (effective 20/12/2024) are in force: all four
    // households of a village are poor or near-poor, one member each.
    assert_eq!(old, vec![4, 4, 4, 8, 4]);
    let mut new = Vec::new();
    for c in ["18502", "18547", "18550"] {
        new.push(eligible(c, Basis::Current).await);
    }
    assert_eq!(new, vec![8, 8, 8]);
    assert_eq!(eligible("42", Basis::Current).await, 24);
    assert_eq!(eligible("444", Basis::AsWas).await, 24);

    // By commune, the province's rows are today's communes.
    let by_child = d
        .app
        .coverage_as_system(&CoverageRequest {
            unit: "42".into(),
            year: 2024,
            policy: Some("bhyt".into()),
            as_of: Some(date(2024, 12, 31)),
            by_child: true,
            basis: Some(Basis::Current),
        })
        .await
        .unwrap();
    let rows: Vec<(&str, i64)> = by_child
        .rows
        .iter()
        .map(|r| (r.unit.as_str(), r.eligible))
        .collect();
    assert_eq!(rows, vec![("18502", 8), ("18547", 8), ("18550", 8)]);

    // The report family gives the same figures on each basis.
    let current = d
        .app
        .report_as_system(&ReportRequest {
            as_of: Some(date(2024, 12, 31)),
            ..request("bao-phu-chinh-sach", "18502", 2024, Some(Basis::Current))
        })
        .await
        .unwrap();
    assert_eq!(value(&current, None, "eligible.bhyt"), 8.0);
}
app_test!(coverage_honours_the_basis);
