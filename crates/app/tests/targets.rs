//! Plan targets through the app layer on SQLite and PostgreSQL: the seed's 2021 targets
//! of Hương Khê measured against classifications built by hand, "no data" where the
//! product holds none, and edits with their access rules and audit entries.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::targets::{TargetEdit, TargetStatus, TargetsView};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, Store};
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A district of two communes on 2 July 2021, half way through the plan's year.
async fn setup(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2021-07-02T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    #[allow(clippy::needless_update)]
    let config = Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    };
    let app = App::new(store, config, Arc::new(FixedClock(now)));
    let units = "code,name,kind,level,parent_code\n\
                 42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                 444,Huyện Hương Khê,Huyện,2,42\n\
                 445,Huyện Khác,Huyện,2,42\n\
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
    app.import_villages_as_system(
        "commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n18502,Thôn Bắc Hà,Thôn\n".as_bytes(),
    )
    .await
    .unwrap();
    app
}

fn member(name: &str, relation: &str, card: Option<NaiveDate>) -> MemberDraft {
    MemberDraft {
        full_name: name.into(),
        sex: Some(Sex::Male),
        birth_year: Some(1975),
        ethnicity: "01".into(),
        relation: relation.into(),
        work_status: Some("employed".into()),
        health_insurance_number: card.map(|_| "HN4424212345678".into()),
        health_insurance_expiry: card,
        ..Default::default()
    }
}

fn classification(
    id: i64,
    village: &str,
    period: i32,
    status: &str,
    deprived: &str,
) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: Some("444".into()),
        commune_code: village[..5].to_string(),
        village_code: village.to_string(),
        period,
        standard: "vn-2016".into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: None,
        score_a: None,
        score_b: 0,
        deprivation_count: deprived.split(',').filter(|s| !s.is_empty()).count() as i32,
        deprived: deprived.into(),
        reasons: String::new(),
        transition: None,
        member_count: 2,
        causes: String::new(),
        decision_number: None,
        decision_date: None,
        effective_date: date(period - 1, 12, 20),
        approved_by: "test".into(),
        approved_at: "2020-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

/// Twenty households, ten per commune. Period 2020: 4 poor (20 %); period 2021: 3 poor
/// (15 %), so the rate fell by 5 points. The poor of 2021 have 6 members, 3 of them with a
/// card valid in July 2021 (one card expired in June); one of them lacks clean water.
async fn build(app: &App) -> Vec<i64> {
    let valid = Some(date(2021, 12, 31));
    let expired = Some(date(2021, 6, 30));
    let drafts: Vec<DraftInput> = (0..20)
        .map(|i| {
            let village = if i < 10 { "18499001" } else { "18502001" };
            let cards = match i {
                0 => (valid, valid),
                1 => (valid, expired),
                _ => (None, None),
            };
            DraftInput::form(HouseholdDraft {
                code: format!("H{i:02}"),
                village_code: village.into(),
                address: "Xóm 1".into(),
                members: vec![
                    member(&format!("Nguyễn Văn Chủ {i}"), "head", cards.0),
                    member(&format!("Nguyễn Văn Con {i}"), "child", cards.1),
                ],
                ..Default::default()
            })
        })
        .collect();
    let ids = app
        .create_households(By::System, drafts, "test")
        .await
        .unwrap();
    let mut rows = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let village = if i < 10 { "18499001" } else { "18502001" };
        let s2020 = if i < 3 || i == 10 { "poor" } else { "not_poor" };
        let s2021 = if i < 3 { "poor" } else { "not_poor" };
        rows.push(classification(*id, village, 2020, s2020, ""));
        let deprived = if i == 2 { "water" } else { "" };
        rows.push(classification(*id, village, 2021, s2021, deprived));
    }
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    ids
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

fn find<'a>(view: &'a TargetsView, code: &str) -> &'a giamngheo_app::targets::TargetProgress {
    view.targets
        .iter()
        .find(|t| t.target.indicator == code)
        .unwrap_or_else(|| panic!("target {code}"))
}

async fn the_seed_targets_are_measured_where_data_exists(store: Store) {
    let app = setup(store).await;
    let ids = build(&app).await;
    let office = actor(Role::Office, "444", Tier::District);
    let view = app.targets(&office, "444", 2021).await.unwrap();
    assert_eq!(view.targets.len(), 8, "the seed's eight targets");
    assert_eq!(view.as_of, date(2021, 7, 2));
    assert!((view.elapsed - 0.5).abs() < 0.01);

    let rate = find(&view, "poverty_rate_reduction");
    assert_eq!(rate.target.target_value, 1.0);
    assert_eq!(rate.target.target_max, Some(1.5));
    assert_eq!(rate.measured, Some(5.0));
    assert_eq!(rate.status, TargetStatus::Met);
    assert!(
        rate.note.contains("kỳ 2020: 4 / 20 hộ = 20,00 %"),
        "{}",
        rate.note
    );

    // 3 of the 6 people of poor households hold a card valid on 2 July 2021.
    let cards = find(&view, "health_insurance_poor");
    assert_eq!(cards.measured, Some(50.0));
    // 2 July is day 183 of 365: 50 % is just short of the 50,1 % the year's share asks.
    assert_eq!(cards.status, TargetStatus::Behind);
    // No near-poor household: nothing to measure.
    let near = find(&view, "health_insurance_near_poor");
    assert_eq!((near.measured, near.status), (None, TargetStatus::NoData));
    assert!(near.note.contains("chưa có hộ cận nghèo"));

    // 2 of 3 poor households have clean water.
    let water = find(&view, "clean_water_poor");
    assert_eq!(water.measured, Some(66.67));

    // No loan and no medical support recorded: no figure, and the note names the agency
    // whose list was never imported. No poor household has a pupil: nobody eligible.
    for (code, says) in [
        (
            "preferential_loan",
            "danh sách của Ngân hàng Chính sách xã hội chưa được nhập",
        ),
        ("patient_support", "danh sách của ngành y tế chưa được nhập"),
        ("tuition_support", "chưa có đối tượng được hưởng"),
    ] {
        let t = find(&view, code);
        assert_eq!(t.measured, None, "{code} is never invented");
        assert_eq!(t.status, TargetStatus::NoData);
        assert!(t.note.contains(says), "{code}: {}", t.note);
    }
    assert_eq!(view.years, vec![2021]);

    // One loan to a poor household: 3 poor and 1 recently escaped (H10, off the list
    // since 20/12/2020) are eligible, 1 is covered.
    let poor = ids[0];
    app.record_benefit(
        &office,
        giamngheo_app::policies::benefits::BenefitInput {
            household_id: poor,
            policy: "loan_poor".into(),
            valid_from: Some(date(2021, 3, 1)),
            amount: Some(50_000_000),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let view = app.targets(&office, "444", 2021).await.unwrap();
    let loans = find(&view, "preferential_loan");
    assert_eq!(loans.measured, Some(25.0), "{}", loans.note);
}
app_test!(the_seed_targets_are_measured_where_data_exists);

async fn a_year_without_classifications_says_so(store: Store) {
    let app = setup(store).await;
    // No household, no classification: every target of 2021 has no data.
    let view = app.targets_as_system("444", 2021).await.unwrap();
    for t in &view.targets {
        assert_eq!(t.status, TargetStatus::NoData, "{}", t.target.indicator);
        assert!(t.measured.is_none());
        assert!(!t.note.is_empty());
    }
    // A year with no targets is an empty list, not an error.
    let empty = app.targets_as_system("444", 2022).await.unwrap();
    assert!(empty.targets.is_empty());
}
app_test!(a_year_without_classifications_says_so);

async fn the_labour_office_edits_targets_and_each_change_is_audited(store: Store) {
    let app = setup(store).await;
    build(&app).await;
    let office = actor(Role::Office, "444", Tier::District);
    let edit = TargetEdit {
        unit_code: "444".into(),
        year: 2021,
        indicator: "poverty_rate_reduction".into(),
        target_value: 6.0,
        target_max: None,
        source_note: "Nghị quyết HĐND huyện, điều chỉnh".into(),
        expected_version: Some(1),
    };
    let saved = app.save_target(&office, edit.clone()).await.unwrap();
    assert_eq!((saved.version, saved.target_value), (2, 6.0));
    assert_eq!(saved.updated_by, "office-444");
    let view = app.targets(&office, "444", 2021).await.unwrap();
    let rate = find(&view, "poverty_rate_reduction");
    // 5 points of 6 by July: more than half the year's share, so on track.
    assert_eq!(rate.status, TargetStatus::OnTrack);

    // The same edit again names a version that is gone.
    let stale = app.save_target(&office, edit.clone()).await.unwrap_err();
    assert!(matches!(stale, AppError::Conflict(_)), "{stale:?}");

    // A commune's target is new data.
    let commune = app
        .save_target(
            &office,
            TargetEdit {
                unit_code: "18499".into(),
                indicator: "health_insurance_poor".into(),
                target_value: 100.0,
                expected_version: None,
                ..edit.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(commune.province_code, "42");

    let (log, _) = app.store().audit_log(10, 0).await.unwrap();
    let entries: Vec<_> = log
        .iter()
        .map(|r| &r.entry)
        .filter(|e| e.entity == "target")
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1].action, "target.update");
    assert!(
        entries[1].changes.contains("\"old\":1.0"),
        "{}",
        entries[1].changes
    );
    assert!(entries[1].changes.contains("\"new\":6.0"));
    assert_eq!(entries[0].action, "target.create");

    // Out of range, unknown indicator.
    let bad = app
        .save_target(
            &office,
            TargetEdit {
                target_value: 120.0,
                indicator: "tuition_support".into(),
                expected_version: Some(1),
                ..edit.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(bad, AppError::Invalid { .. }), "{bad:?}");
    let unknown = app
        .save_target(
            &office,
            TargetEdit {
                indicator: "happiness".into(),
                ..edit.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(unknown, AppError::Invalid { .. }));

    // A commune officer reads but does not edit; another district does not see 444.
    let commune_officer = actor(Role::CommuneOfficer, "18499", Tier::Commune);
    assert!(app.targets(&commune_officer, "18499", 2021).await.is_ok());
    let refused = app
        .save_target(
            &commune_officer,
            TargetEdit {
                unit_code: "18499".into(),
                expected_version: Some(1),
                indicator: "health_insurance_poor".into(),
                ..edit.clone()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, AppError::Forbidden(_)), "{refused:?}");
    let other = actor(Role::Office, "445", Tier::District);
    assert!(matches!(
        app.save_target(&other, edit.clone()).await.unwrap_err(),
        AppError::NotFound(_)
    ));
    assert!(matches!(
        app.targets(&other, "444", 2021).await.unwrap_err(),
        AppError::NotFound(_)
    ));
}
app_test!(the_labour_office_edits_targets_and_each_change_is_audited);
