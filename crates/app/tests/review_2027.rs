//! The review of autumn 2026 under vn-2027, on SQLite and PostgreSQL, in a province
//! without districts: a periodic review opened between 1 September and 14 December 2026
//! defaults to the 2027 period under the standard that starts in 2027; the form takes the
//! income as assessed, since vn-2027 has no score-A threshold yet, and the result says
//! which evidence decided; and a review opened before September stays in its own year.
//! Then the 2026 → 2027 movement table: the 2026 lists (vn-2022) against the 2027 lists
//! decided under vn-2027, a household poor in both "still poor", each end of the table
//! naming its standard, and the province's report counting the commune directly.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::reports::ReportRequest;
use giamngheo_app::reviews::{MeetingInput, RequestInput, SurveyInput};
use giamngheo_app::rules::StandardSet;
use giamngheo_app::{App, AppError, Clock, Config};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, Store};
use std::sync::{Arc, Mutex};

use giamngheo_store::store_test as app_test;

/// Xã Hương Khê (18496) of Tỉnh Hà Tĩnh (42), without a district since July 2025.
const HUONG_KHE: &str = "18496";
const VILLAGE: &str = "18496001";

struct MovableClock(Mutex<DateTime<Utc>>);

impl MovableClock {
    fn set(&self, date: &str) {
        *self.0.lock().unwrap() = morning(date);
    }
}

impl Clock for MovableClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

fn day(date: &str) -> NaiveDate {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap()
}

/// Nine in the morning of `date` in Vietnam.
fn morning(date: &str) -> DateTime<Utc> {
    day(date).and_hms_opt(2, 0, 0).unwrap().and_utc()
}

async fn setup(store: Store, today: &str) -> (App, Arc<MovableClock>) {
    setup_with(store, today, Config::default().standards).await
}

async fn setup_with(
    store: Store,
    today: &str,
    standards: Arc<StandardSet>,
) -> (App, Arc<MovableClock>) {
    let clock = Arc::new(MovableClock(Mutex::new(morning(today))));
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::three_levels(),
            standards,
            ..Config::default()
        },
        clock.clone(),
    );
    app.import_units(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n18496,Xã Hương Khê,Xã,2,42\n"
            .as_bytes(),
        &giamngheo_app::units::UnitImportOptions {
            valid_from: day("2025-07-01"),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    app.import_villages_as_system("commune_code,name,kind\n18496,Thôn Hà Trai,Thôn\n".as_bytes())
        .await
        .unwrap();
    (app, clock)
}

fn officer() -> Actor {
    Actor {
        user_id: 1,
        username: "canbo.huongkhe".into(),
        role: Role::CommuneOfficer,
        unit_code: HUONG_KHE.into(),
        unit_tier: Tier::Commune,
        agency_code: None,
    }
}

/// A household of one, its head named `head`.
async fn family(app: &App, code: &str, head: &str) -> i64 {
    app.create_household(
        &officer(),
        HouseholdDraft {
            code: code.into(),
            village_code: VILLAGE.into(),
            address: "Xóm Trai".into(),
            members: vec![MemberDraft {
                full_name: head.into(),
                sex: Some(Sex::Male),
                birth_year: Some(1970),
                ethnicity: "01".into(),
                relation: "head".into(),
                ..Default::default()
            }],
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

/// The household's 2026 status, decided at the end of 2025 under vn-2022.
async fn status_2026(app: &App, household_id: i64, status: &str) {
    let h = app.store().household(household_id).await.unwrap().unwrap();
    let row = ClassificationFields {
        household_id,
        province_code: h.fields.province_code.clone(),
        district_code: h.fields.district_code.clone(),
        commune_code: h.fields.commune_code.clone(),
        village_code: h.fields.village_code.clone(),
        period: 2026,
        standard: "vn-2022".into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: h.fields.area.clone(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: 0,
        deprived: String::new(),
        reasons: String::new(),
        transition: None,
        member_count: h.fields.member_count,
        causes: String::new(),
        decision_number: Some("250/QĐ-UBND".into()),
        decision_date: Some(day("2025-12-22")),
        effective_date: day("2026-01-01"),
        approved_by: "paper".into(),
        approved_at: "2025-12-22T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    };
    app.store()
        .insert_classifications(&[row], &[], Utc::now())
        .await
        .unwrap();
}

fn survey(score_a: Option<i32>, income: Option<i64>, ticks: &[&str]) -> SurveyInput {
    SurveyInput {
        income_per_capita: income,
        score_a,
        ticks: ticks.iter().map(|t| t.to_string()).collect(),
        surveyed_by: "Rà soát viên Lê Thị Hoa".into(),
        surveyed_on: day("2026-11-20"),
    }
}

async fn a_review_opened_in_november_2026_is_for_2027_under_vn_2027(store: Store) {
    let (app, clock) = setup(store, "2026-11-20").await;
    let defaults = app.periodic_review_defaults();
    assert_eq!(defaults.period, 2027);
    assert_eq!(defaults.standard.as_deref(), Some("vn-2027"));
    assert!(defaults.in_window);
    assert_eq!(defaults.closes, day("2026-12-14"));

    // On the first and last day of the window too; before it, the year's own period.
    for (date, period, standard) in [
        ("2026-09-01", 2027, "vn-2027"),
        ("2026-12-14", 2027, "vn-2027"),
        ("2026-08-31", 2026, "vn-2022"),
        ("2025-10-01", 2026, "vn-2022"),
    ] {
        clock.set(date);
        let d = app.periodic_review_defaults();
        assert_eq!(
            (d.period, d.standard.as_deref()),
            (period, Some(standard)),
            "{date}"
        );
    }
    clock.set("2026-12-20");
    assert!(!app.periodic_review_defaults().in_window);
    clock.set("2026-11-20");

    let me = officer();
    let household = app
        .create_household(
            &me,
            HouseholdDraft {
                code: "HK-001".into(),
                village_code: VILLAGE.into(),
                address: "Xóm Trai".into(),
                members: vec![MemberDraft {
                    full_name: "Phan Văn Lộc".into(),
                    sex: Some(Sex::Male),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let id = app
        .open_periodic_review(
            &me,
            HUONG_KHE,
            defaults.period,
            defaults.standard.as_deref().unwrap(),
        )
        .await
        .unwrap();
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.standard, "vn-2027");
    assert_eq!(view.review.period, 2027);
    assert_eq!(view.review.due_on, day("2026-12-14"));
    // No district above the commune: the review names none.
    assert_eq!(view.review.district_code, None);

    app.add_review_request(
        &me,
        id,
        household,
        RequestInput {
            date: day("2026-11-18"),
            channel: "in_person".into(),
            requester: "Phan Văn Lộc".into(),
            kind: "enter".into(),
        },
    )
    .await
    .unwrap();
    let view = app.review(&me, id).await.unwrap();
    let rh = &view.households[0];
    app.record_screening(
        &me,
        id,
        rh.id,
        rh.version,
        &[("Nhà ở tạm, dột nát".to_string(), true)],
        true,
    )
    .await
    .unwrap();
    app.start_survey(&me, id, app.review(&me, id).await.unwrap().review.version)
        .await
        .unwrap();

    // vn-2027 has no score-A threshold: a score A is refused with a message naming it.
    let view = app.review(&me, id).await.unwrap();
    let rh = &view.households[0];
    assert!(matches!(
        app.record_survey(&me, id, rh.id, rh.version, survey(Some(120), None, &[])).await,
        Err(AppError::Invalid { field, message }) if field == "score_a" && message.contains("vn-2027")
    ));
    // "Means of information" is not an indicator of vn-2027; waste treatment is.
    assert!(matches!(
        app.record_survey(
            &me,
            id,
            rh.id,
            rh.version,
            survey(None, Some(2_000_000), &["info_means"])
        )
        .await,
        Err(AppError::Invalid { .. })
    ));
    // The income as assessed (phiếu C style): 2.100.000 ≤ 2.200.000 with three
    // deprivations, one of them waste treatment, is poor, and the reasons say the
    // income decided against the vn-2027 line.
    let outcome = app
        .record_survey(
            &me,
            id,
            rh.id,
            rh.version,
            survey(None, Some(2_100_000), &["waste", "sanitation", "water"]),
        )
        .await
        .unwrap();
    assert_eq!(outcome.status.as_str(), "poor");
    assert!(
        outcome.reasons.contains("Thu nhập bình quân 2.100.000"),
        "{}",
        outcome.reasons
    );
    assert!(outcome.reasons.contains("2.200.000"), "{}", outcome.reasons);
}
app_test!(a_review_opened_in_november_2026_is_for_2027_under_vn_2027);

async fn the_2027_movement_table_compares_vn_2022_lists_with_vn_2027_ones(store: Store) {
    let (app, clock) = setup(store, "2026-11-20").await;
    let me = officer();
    // Lộc is poor in 2026 and stays poor under vn-2027; Bình escapes; Cường was
    // near-poor and becomes poor under the new standard.
    let loc = family(&app, "HK-001", "Phan Văn Lộc").await;
    let binh = family(&app, "HK-002", "Trần Văn Bình").await;
    let cuong = family(&app, "HK-003", "Lê Văn Cường").await;
    status_2026(&app, loc, "poor").await;
    status_2026(&app, binh, "poor").await;
    status_2026(&app, cuong, "near_poor").await;

    let id = app
        .open_periodic_review(&me, HUONG_KHE, 2027, "vn-2027")
        .await
        .unwrap();
    let version = |app: &App| {
        let app = app.clone();
        let me = me.clone();
        async move { app.review(&me, id).await.unwrap().review.version }
    };
    app.start_survey(&me, id, version(&app).await)
        .await
        .unwrap();
    for (household, income, ticks) in [
        (loc, 2_100_000, &["waste", "water", "sanitation"][..]),
        (binh, 3_000_000, &["waste"][..]),
        (cuong, 2_000_000, &["waste", "water", "housing_area"][..]),
    ] {
        let view = app.review(&me, id).await.unwrap();
        let rh = view
            .households
            .iter()
            .find(|h| h.household_id == household)
            .unwrap();
        app.record_survey(
            &me,
            id,
            rh.id,
            rh.version,
            survey(None, Some(income), ticks),
        )
        .await
        .unwrap();
    }
    app.start_meetings(&me, id, version(&app).await)
        .await
        .unwrap();
    assert!(
        app.record_meeting(
            &me,
            id,
            MeetingInput {
                village_code: VILLAGE.into(),
                held_on: day("2026-11-20"),
                attendees: 20,
                agreeing: 18,
                chaired_by: Some("Trưởng thôn".into()),
                minutes: Some((
                    "bien-ban.pdf".into(),
                    "application/pdf".into(),
                    b"%PDF-1.4 bien ban hop dan".to_vec(),
                )),
            },
        )
        .await
        .unwrap()
    );
    app.start_posting(
        &me,
        id,
        version(&app).await,
        day("2026-11-20"),
        "Nhà văn hóa thôn",
    )
    .await
    .unwrap();
    clock.set("2026-12-10");
    app.approve_review(
        &me,
        id,
        version(&app).await,
        "310/QĐ-UBND",
        day("2026-12-10"),
    )
    .await
    .unwrap();

    // The province's report counts its commune directly: there is no district between.
    let report = app
        .report_as_system(&ReportRequest {
            name: "dien-bien-ho-ngheo".into(),
            unit: "42".into(),
            period: 2027,
            as_of: Some(day("2027-01-15")),
            basis: None,
        })
        .await
        .unwrap();
    let row = report
        .rows
        .iter()
        .find(|r| r.unit_code.as_deref() == Some(HUONG_KHE))
        .expect("the commune's row in the province's report");
    let columns: Vec<f64> = row.values.iter().take(9).map(|v| v.unwrap()).collect();
    // Start 2 (Lộc, Bình); escaped 1 (Bình); from near-poor 1 (Cường); end 2 (Lộc,
    // Cường). Lộc is poor at both ends and moves in no column: still poor.
    assert_eq!(columns, vec![2.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 2.0]);
    assert!(report.check.as_ref().unwrap().passed);
    assert_eq!(report.standard, "vn-2027");
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("năm 2026 theo chuẩn vn-2022")
                && n.contains("năm 2027 theo chuẩn vn-2027")),
        "{:?}",
        report.notes
    );
    let statuses = app.household_statuses(&me, loc).await.unwrap();
    assert_eq!(statuses[0].fields.standard, "vn-2027");
    assert_eq!(statuses[0].fields.transition.as_deref(), Some("unchanged"));
}
app_test!(the_2027_movement_table_compares_vn_2022_lists_with_vn_2027_ones);

/// An administrator who receives the 2027 form B adds its score-A thresholds with a
/// standards file of the same id: the form then takes the B1 total, and the reasons say
/// the score decided, against the threshold from the file.
async fn a_score_a_threshold_from_a_standards_file_is_used_for_2027(store: Store) {
    let text = include_str!("../../rules/standards/vn-2027.toml")
        .replace(
            "[areas.urban]",
            "score_a_threshold = { value = 150, source = \"Quyết định của tỉnh (thử)\", to_confirm = true }\n\n[areas.urban]",
        )
        .replace(
            "# Indicators:",
            "score_a_threshold = { value = 185, source = \"Quyết định của tỉnh (thử)\", to_confirm = true }\n\n# Indicators:",
        );
    // The same parsing as `--standards-dir` (the directory itself is read in the rules'
    // tests).
    let mut standards = StandardSet::embedded();
    standards
        .add_files([("standards/vn-2027.toml", text.as_str())])
        .unwrap();
    let standards = Arc::new(standards);
    let (app, _clock) = setup_with(store, "2026-11-20", standards).await;
    let me = officer();
    let loc = family(&app, "HK-001", "Phan Văn Lộc").await;
    status_2026(&app, loc, "poor").await;
    let id = app
        .open_periodic_review(&me, HUONG_KHE, 2027, "vn-2027")
        .await
        .unwrap();
    let v = app.review(&me, id).await.unwrap().review.version;
    app.start_survey(&me, id, v).await.unwrap();
    let view = app.review(&me, id).await.unwrap();
    let rh = &view.households[0];
    let outcome = app
        .record_survey(
            &me,
            id,
            rh.id,
            rh.version,
            survey(Some(140), None, &["waste", "water", "sanitation"]),
        )
        .await
        .unwrap();
    assert_eq!(outcome.status.as_str(), "poor");
    assert!(
        outcome.reasons.contains("Điểm A (B1) = 140"),
        "{}",
        outcome.reasons
    );
    assert!(outcome.reasons.contains("150"), "{}", outcome.reasons);
}
app_test!(a_score_a_threshold_from_a_standards_file_is_used_for_2027);
