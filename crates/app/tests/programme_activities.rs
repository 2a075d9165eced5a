//! The programme's activities through the app layer, on SQLite, PostgreSQL and Citus:
//! a correction keeps the old version, bad input changes nothing, the ledger's money is
//! linked, the beneficiary journal refuses doubles, the livelihood model's evaluation on
//! a fixture with known escapes, and who may write what.

use chrono::NaiveDate;
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::bulk_import::BulkOptions;
use giamngheo_app::households::By;
use giamngheo_app::programme::{ActivityInput, BeneficiaryInput, DisbursementInput, ReverseInput};
use giamngheo_app::{App, AppError};
use giamngheo_domain::Tier;
use giamngheo_store::testing::query_i64;
use giamngheo_store::{ClassificationFields, Store};

use giamngheo_store::store_test as app_test;

mod common;
use common::one_commune;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn actor(role: Role, unit: &str, tier: Tier, agency: Option<&str>) -> Actor {
    Actor {
        user_id: 1,
        username: format!("{}-{unit}", role.as_str()),
        role,
        unit_code: unit.to_string(),
        unit_tier: tier,
        agency_code: agency.map(str::to_string),
    }
}

fn commune_officer() -> Actor {
    actor(Role::CommuneOfficer, "18499", Tier::Commune, None)
}

/// A livelihood model of 2022 in Xã Điền Mỹ (Project 3 of 2021–2025).
fn model_2022() -> ActivityInput {
    ActivityInput {
        unit: "18499".into(),
        year: 2022,
        project: "p3".into(),
        activity_type: "livelihood_model".into(),
        name: "Mô hình nuôi bò sinh sản".into(),
        start_date: date(2022, 3, 1),
        end_date: Some(date(2022, 12, 31)),
        planned_quantity: Some(10),
        done_quantity: Some(8),
        ..ActivityInput::default()
    }
}

/// A communication event of 2026 (Component 5 of 2026–2035).
fn event_2026() -> ActivityInput {
    ActivityInput {
        unit: "18499".into(),
        year: 2026,
        project: "c5".into(),
        activity_type: "communication_event".into(),
        name: "Hội nghị truyền thông giảm nghèo".into(),
        start_date: date(2026, 5, 10),
        place: Some("Nhà văn hóa thôn Trung Hòa".into()),
        content: Some("Chính sách hỗ trợ sinh kế".into()),
        participants: Some(60),
        participants_women: Some(35),
        participants_minority: Some(4),
        ..ActivityInput::default()
    }
}

fn invalid_field(e: AppError) -> String {
    match e {
        AppError::Invalid { field, .. } => field,
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn an_activity_is_corrected_by_a_new_version_and_bad_input_changes_nothing(store: Store) {
    let app = one_commune(store.clone()).await;
    let officer = commune_officer();
    let id = app.record_activity(&officer, &event_2026()).await.unwrap();

    // Bad input: each refused naming its field, and nothing written.
    let mut no_count = event_2026();
    no_count.participants = None;
    let mut too_many_women = event_2026();
    too_many_women.participants_women = Some(61);
    let mut wrong_kind = event_2026();
    wrong_kind.activity_type = "livelihood_model".into();
    let mut backwards = event_2026();
    backwards.end_date = Some(date(2026, 5, 1));
    let mut no_name = event_2026();
    no_name.name = "  ".into();
    for (input, field) in [
        (no_count, "participants"),
        (too_many_women, "participants_women"),
        (wrong_kind, "activity_type"),
        (backwards, "end_date"),
        (no_name, "name"),
    ] {
        let e = app.record_activity(&officer, &input).await.unwrap_err();
        assert_eq!(invalid_field(e), field);
    }
    assert_eq!(
        query_i64(&store, "SELECT COUNT(*) FROM programme_activities").await,
        1
    );

    // A correction is a new version; the first stays readable and the id is kept.
    let first = app.activity(&officer, id).await.unwrap();
    assert!(first.event);
    let mut corrected = event_2026();
    corrected.participants = Some(64);
    let e = app
        .correct_activity(&officer, id, first.version_id, &corrected, " ")
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "reason");
    let same = app
        .correct_activity(
            &officer,
            id,
            first.version_id,
            &corrected,
            "đếm lại sổ ký tên",
        )
        .await
        .unwrap();
    assert_eq!(same, id);
    let now = app.activity(&officer, id).await.unwrap();
    assert_eq!(now.fields.participants, Some(64));
    assert_eq!(now.replaces, Some(first.version_id));
    let history = app.activity_history(&officer, id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].fields.participants, Some(60));
    assert_eq!(history[0].replaced_by, Some(now.version_id));
    // A correction of a version already corrected is a conflict.
    let e = app
        .correct_activity(&officer, id, first.version_id, &corrected, "lần nữa")
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    assert_eq!(
        app.activities(&officer, "18499", 2026).await.unwrap().len(),
        1
    );
    // Both writes are audited.
    assert_eq!(
        query_i64(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'programme.activity.%'"
        )
        .await,
        2
    );

    // The ledger's disbursements naming the activity are its money, net of reversals.
    let admin = actor(Role::Admin, "42", Tier::Province, None);
    let disbursement = |activity_id| DisbursementInput {
        unit: "18499".into(),
        year: 2026,
        project: "c5".into(),
        source: "central".into(),
        activity_id,
        amount: 12_500_000,
        date: date(2026, 5, 12),
        document_number: Some("PC-15".into()),
        note: None,
        overdraw_note: Some("tạm ứng trước khi có quyết định phân bổ".into()),
    };
    let entry = app
        .record_disbursement(&admin, &disbursement(Some(id)))
        .await
        .unwrap();
    assert_eq!(
        app.activity(&officer, id).await.unwrap().disbursed,
        12_500_000
    );
    app.reverse_entry(
        &admin,
        entry,
        &ReverseInput {
            reason: "ghi nhầm".into(),
            overdraw_note: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(app.activity(&officer, id).await.unwrap().disbursed, 0);
    // A disbursement naming an activity that does not exist is refused.
    let e = app
        .record_disbursement(&admin, &disbursement(Some(id + 1000)))
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "activity_id");
}

/// Ten households of one member each, HK-000 … HK-009; HK-005 is Thái, the others Kinh.
async fn ten_households(app: &App) -> Vec<i64> {
    let mut csv = String::from(
        "household_code,village_code,full_name,sex,birth_date,ethnicity,relation,citizen_id\n",
    );
    for i in 0..10 {
        csv.push_str(&format!(
            "HK-{i:03},18499001,Trần Thị Bình {i},Nữ,{},{},Chủ hộ,042{i:09}\n",
            1970 + i,
            // HK-005 is an ethnic-minority household, for the activity report.
            if i == 5 { "Thái" } else { "Kinh" }
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ho.csv");
    std::fs::write(&path, csv).unwrap();
    app.import_households_bulk(By::System, &path, &BulkOptions::default(), &|_| {})
        .await
        .unwrap();
    let mut ids = Vec::new();
    for i in 0..10 {
        let h = app
            .store()
            .household_by_code("18499", &format!("HK-{i:03}"))
            .await
            .unwrap()
            .unwrap();
        ids.push(h.id);
    }
    ids
}

fn classified(household_id: i64, period: i32, status: &str) -> ClassificationFields {
    ClassificationFields {
        household_id,
        province_code: "42".into(),
        district_code: Some("444".into()),
        commune_code: "18499".into(),
        village_code: "18499001".into(),
        period,
        standard: "vn-2022".into(),
        kind: "periodic".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: 0,
        deprived: String::new(),
        reasons: String::new(),
        transition: None,
        member_count: 1,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date: date(period - 1, 12, 20),
        approved_by: "test".into(),
        approved_at: "2021-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

fn household(code: &str) -> BeneficiaryInput {
    BeneficiaryInput {
        household_code: Some(code.into()),
        member_position: None,
        commune: "18499".into(),
    }
}

async fn the_beneficiary_journal_and_the_model_evaluation(store: Store) {
    let app = one_commune(store.clone()).await;
    let h = ten_households(&app).await;
    // Periods 2022 to 2024 are known (2025 not yet).
    // In the model: HK-000, HK-001 poor, HK-002 near-poor, HK-003 not poor.
    //   HK-000 escapes by 2023; HK-001 by 2024; HK-002 stays near-poor.
    // Not in it: HK-004..HK-007 poor (HK-004 escapes by 2024), HK-008 near-poor
    //   escaping by 2023, HK-009 not poor.
    let mut rows = Vec::new();
    let statuses = [
        ["poor", "near_poor", "near_poor"],
        ["poor", "poor", "not_poor"],
        ["near_poor", "near_poor", "near_poor"],
        ["not_poor", "not_poor", "not_poor"],
        ["poor", "poor", "medium"],
        ["poor", "poor", "poor"],
        ["poor", "poor", "poor"],
        ["poor", "poor", "poor"],
        ["near_poor", "not_poor", "not_poor"],
        ["not_poor", "not_poor", "not_poor"],
    ];
    for (i, years) in statuses.iter().enumerate() {
        for (k, status) in years.iter().enumerate() {
            rows.push(classified(h[i], 2022 + k as i32, status));
        }
    }
    store
        .insert_classifications(&rows, &[], chrono::Utc::now())
        .await
        .unwrap();

    let officer = commune_officer();
    let id = app.record_activity(&officer, &model_2022()).await.unwrap();
    app.change_beneficiaries(
        &officer,
        id,
        &[
            household("HK-000"),
            household("HK-001"),
            household("HK-002"),
            household("HK-003"),
            household("HK-009"),
        ],
        false,
        None,
    )
    .await
    .unwrap();
    // A household already on the list, or a code that does not exist, refuses the
    // whole batch naming the line; nothing is added.
    let e = app
        .change_beneficiaries(
            &officer,
            id,
            &[household("HK-004"), household("HK-000")],
            false,
            None,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("dòng 2"), "{e}");
    let e = app
        .change_beneficiaries(
            &officer,
            id,
            &[household("HK-004"), household("HK-999")],
            false,
            None,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("dòng 2"), "{e}");
    assert_eq!(app.beneficiaries(&officer, id).await.unwrap().len(), 5);
    // Taking off needs a reason, and keeps the journal.
    let e = app
        .change_beneficiaries(&officer, id, &[household("HK-009")], true, None)
        .await
        .unwrap_err();
    assert_eq!(invalid_field(e), "reason");
    app.change_beneficiaries(
        &officer,
        id,
        &[household("HK-009")],
        true,
        Some("ghi nhầm hộ"),
    )
    .await
    .unwrap();
    let now = app.beneficiaries(&officer, id).await.unwrap();
    let codes: Vec<_> = now
        .iter()
        .filter_map(|b| b.household_code.clone())
        .collect();
    assert_eq!(codes, ["HK-000", "HK-001", "HK-002", "HK-003"]);
    assert_eq!(
        query_i64(&store, "SELECT COUNT(*) FROM programme_beneficiaries").await,
        6
    );
    assert_eq!(
        query_i64(
            &store,
            "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'programme.beneficiary.%'"
        )
        .await,
        6
    );

    let e = app.model_evaluation(&officer, id).await.unwrap();
    assert_eq!(e.participants_not_followed, 1);
    let group = |start: &str, in_model: bool| {
        e.groups
            .iter()
            .find(|g| g.start_status == start && g.in_model == in_model)
            .unwrap()
            .clone()
    };
    assert_eq!(group("poor", true).households, 2);
    assert_eq!(group("poor", true).escaped, [Some(1), Some(2), None]);
    assert_eq!(group("near_poor", true).escaped, [Some(0), Some(0), None]);
    assert_eq!(group("poor", false).households, 4);
    assert_eq!(group("poor", false).escaped, [Some(0), Some(1), None]);
    assert_eq!(group("near_poor", false).escaped, [Some(1), Some(1), None]);
    // An event is not a model.
    let event = app.record_activity(&officer, &event_2026()).await.unwrap();
    assert!(app.model_evaluation(&officer, event).await.is_err());
}

/// The activity report `hoat-dong-chuong-trinh` on a hand-computed fixture of 2025:
/// planned against done by activity type (a corrected activity counts by its current
/// version), the beneficiary households by their group on the activity's date (a
/// household that left the lists two years before is recently escaped, one that left
/// four years before is not), and an event's participants.
async fn the_activity_report_on_a_fixture(store: Store) {
    let app = one_commune(store.clone()).await;
    let h = ten_households(&app).await;
    // Statuses by period; each takes effect on 20 December of the year before.
    let histories: [&[(i32, &str)]; 5] = [
        &[(2025, "poor")],
        &[(2025, "near_poor")],
        // Left the lists on 20/12/2022, two and a half years before the activity.
        &[(2022, "poor"), (2023, "not_poor"), (2025, "not_poor")],
        // Left the lists on 20/12/2020, four and a half years before: not counted.
        &[(2020, "near_poor"), (2021, "not_poor"), (2025, "not_poor")],
        // Left at the last review.
        &[(2024, "poor"), (2025, "not_poor")],
    ];
    let mut rows = Vec::new();
    for (i, periods) in histories.iter().enumerate() {
        for (period, status) in periods.iter() {
            rows.push(classified(h[i], *period, status));
        }
    }
    store
        .insert_classifications(&rows, &[], chrono::Utc::now())
        .await
        .unwrap();

    let officer = commune_officer();
    let model = |planned, done| ActivityInput {
        year: 2025,
        start_date: date(2025, 6, 1),
        end_date: Some(date(2025, 11, 30)),
        planned_quantity: Some(planned),
        done_quantity: Some(done),
        ..model_2022()
    };
    let a = app.record_activity(&officer, &model(10, 8)).await.unwrap();
    let b = app.record_activity(&officer, &model(5, 5)).await.unwrap();
    // Activity b is corrected: 4 done, not 5.
    let first = app.activity(&officer, b).await.unwrap();
    app.correct_activity(&officer, b, first.version_id, &model(5, 4), "đếm lại")
        .await
        .unwrap();
    let codes: Vec<_> = (0..7).map(|i| household(&format!("HK-{i:03}"))).collect();
    app.change_beneficiaries(&officer, a, &codes, false, None)
        .await
        .unwrap();
    // HK-006 was added by mistake and taken off: not counted.
    app.change_beneficiaries(&officer, a, &codes[6..], true, Some("ghi nhầm hộ"))
        .await
        .unwrap();
    // HK-000 benefits from both activities: two counts (lượt hộ).
    app.change_beneficiaries(&officer, b, &codes[..1], false, None)
        .await
        .unwrap();
    let event = ActivityInput {
        year: 2025,
        project: "p4".into(),
        start_date: date(2025, 5, 10),
        ..event_2026()
    };
    app.record_activity(&officer, &event).await.unwrap();

    let admin = actor(Role::Admin, "42", Tier::Province, None);
    let report = app
        .report(
            &admin,
            &giamngheo_app::reports::ReportRequest {
                name: "hoat-dong-chuong-trinh".into(),
                unit: "444".into(),
                period: 2025,
                as_of: None,
                basis: None,
            },
        )
        .await
        .unwrap();
    assert!(!report.check_failed(), "{:?}", report.check);
    let value = |unit: Option<&str>, id: &str| {
        let col = report
            .columns
            .iter()
            .position(|c| c.id == id)
            .unwrap_or_else(|| panic!("column {id}"));
        let row = report
            .rows
            .iter()
            .find(|r| r.unit_code.as_deref() == unit)
            .unwrap_or_else(|| panic!("row {unit:?}"));
        row.values[col]
    };
    for unit in [Some("18499"), None] {
        let got: Vec<Option<f64>> = [
            "planned.p3.livelihood_model",
            "done.p3.livelihood_model",
            "rate.p3.livelihood_model",
            "households",
            "poor",
            "near_poor",
            "recently_escaped",
            "ethnic_minority",
            "other",
            "participants",
            "women",
            "men",
            "participants_minority",
        ]
        .iter()
        .map(|id| value(unit, id))
        .collect();
        let want = [
            15.0, 12.0, 80.0, 7.0, 2.0, 1.0, 2.0, 1.0, 1.0, 60.0, 35.0, 25.0, 4.0,
        ];
        assert_eq!(got, want.map(Some), "{unit:?}");
    }
    // An activity type without activities plans nothing; its rate is not a number.
    assert_eq!(value(None, "planned.p4.broadcast"), Some(0.0));
    // The figures are not households' statuses: every column drills down to the
    // programme's own lists of activities and beneficiaries (`App::programme_figure`).
    assert!(report.columns.iter().all(|c| {
        c.drill
            .as_deref()
            .is_some_and(giamngheo_app::programme::is_programme_fact)
    }));
    // Each figure opens the list behind it, whose figures add up to it, on the commune's
    // row and on the total; a rate and the men (a difference) are not a sum of a list.
    let mut opened = 0;
    for (i, c) in report.columns.iter().enumerate() {
        if c.id.starts_with("rate.") || c.id == "men" {
            continue;
        }
        let key = c.drill.as_deref().unwrap();
        for row in report
            .rows
            .iter()
            .filter(|r| matches!(r.unit_code.as_deref(), None | Some("18499")))
        {
            let Some(v) = row.values[i] else { continue };
            let unit = row.unit_code.as_deref().unwrap_or(&report.unit_code);
            let list = app
                .programme_figure(&admin, unit, 2025, key, false)
                .await
                .unwrap();
            assert_eq!(Some(list.total as f64), Some(v), "{key} {unit}");
            assert!(list.title.contains("năm 2025"), "{}", list.title);
            opened += 1;
        }
    }
    assert!(opened > 10, "{opened}");
    // The poor households' list names the household the poor column counts.
    let poor = app
        .programme_figure(&officer, "18499", 2025, "beneficiaries.poor", false)
        .await
        .unwrap();
    assert_eq!(poor.lines.len(), 2, "{poor:?}");
    assert!(
        poor.lines.iter().all(|l| !l.cells[3].is_empty()),
        "{poor:?}"
    );
    // Another commune's officer is told the commune does not exist.
    let other = actor(Role::CommuneOfficer, "18500", Tier::Commune, None);
    assert!(matches!(
        app.programme_figure(&other, "18499", 2025, "beneficiaries.poor", false)
            .await,
        Err(AppError::NotFound(_))
    ));
}

async fn who_may_write_activities(store: Store) {
    let app = one_commune(store.clone()).await;
    let agriculture = actor(Role::AgencyOfficer, "42", Tier::Province, Some("42-snnmt"));
    let finance = actor(Role::AgencyOfficer, "42", Tier::Province, Some("42-stc"));
    let oversight = actor(Role::Oversight, "42", Tier::Province, None);
    let other_commune = actor(Role::CommuneOfficer, "18500", Tier::Commune, None);
    let model = app
        .record_activity(&agriculture, &model_2022())
        .await
        .unwrap();
    assert!(matches!(
        app.record_activity(&agriculture, &event_2026()).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.record_activity(&finance, &model_2022()).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.record_activity(&oversight, &event_2026()).await,
        Err(AppError::Forbidden(_))
    ));
    // Oversight reads; a commune officer elsewhere does not even see it.
    assert_eq!(app.activity(&oversight, model).await.unwrap().id, model);
    assert!(matches!(
        app.activity(&other_commune, model).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.record_activity(&other_commune, &event_2026()).await,
        Err(AppError::NotFound(_))
    ));
}

app_test!(an_activity_is_corrected_by_a_new_version_and_bad_input_changes_nothing);
app_test!(the_beneficiary_journal_and_the_model_evaluation);
app_test!(who_may_write_activities);
app_test!(the_activity_report_on_a_fixture);
