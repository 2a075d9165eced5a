//! Inspections through the app layer on SQLite, PostgreSQL and Citus: the plan, the
//! record, a random sample reproducible for its seed, a risk sample (open findings, then
//! classes changed on few facts), findings with their responsible agency and deadline
//! closed by that agency, and access per role.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::inspections::{FindingInput, InspectionInput, RecordInput, SampleChoice};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::{ClassificationFields, Store};
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The district 444 with one commune of 30 households (ids in `ids`), on 15/03/2022.
async fn setup(store: Store) -> (App, Vec<i64>) {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2022-03-15T02:00:00Z")
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
                 18520,Xã Khác,Xã,3,445\n";
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
        "commune_code,name,kind\n18499,Thôn Trung Hòa,Thôn\n18520,Thôn Khác,Thôn\n".as_bytes(),
    )
    .await
    .unwrap();
    let drafts: Vec<DraftInput> = (0..32)
        .map(|i| {
            DraftInput::form(HouseholdDraft {
                code: format!("H{i:02}"),
                // Two households live in the other district.
                village_code: if i < 30 { "18499001" } else { "18520001" }.into(),
                address: "Xóm 1".into(),
                members: vec![MemberDraft {
                    full_name: format!("Trần Thị Chủ {i}"),
                    sex: Some(Sex::Female),
                    birth_year: Some(1970),
                    ethnicity: "01".into(),
                    relation: "head".into(),
                    ..Default::default()
                }],
                ..Default::default()
            })
        })
        .collect();
    let ids = app
        .create_households(By::System, drafts, "test")
        .await
        .unwrap();
    (app, ids)
}

fn classification(id: i64, period: i32, status: &str, income: i64) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: Some("444".into()),
        commune_code: "18499".into(),
        village_code: "18499001".into(),
        period,
        standard: "vn-2022".into(),
        kind: "baseline".into(),
        review_id: None,
        status: status.into(),
        area: "rural".into(),
        income_per_capita: Some(income),
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

fn office() -> Actor {
    actor(Role::Office, "444", Tier::District, Some("444-ldtbxh"))
}

fn plan(unit: &str) -> InspectionInput {
    InspectionInput {
        unit_code: unit.into(),
        year: 2022,
        inspecting_agency: "444-ldtbxh".into(),
        subject_kind: "review".into(),
        subject_code: Some("2022".into()),
        planned_on: date(2022, 3, 10),
    }
}

fn finding(household: Option<i64>, agency: &str) -> FindingInput {
    FindingInput {
        kind: "wrong_class".into(),
        household_id: household,
        benefit_id: None,
        activity_id: None,
        evidence: "Hộ có xe ô tô, nhà kiên cố; phiếu B ghi thiếu hụt nhà ở".into(),
        required_action: "Rà soát lại, lập biên bản và trình UBND xã".into(),
        responsible_agency: agency.into(),
        deadline: date(2022, 4, 15),
    }
}

async fn the_random_sample_is_reproducible_for_its_seed(store: Store) {
    let (app, ids) = setup(store).await;
    let a = app.plan_inspection(&office(), plan("18499")).await.unwrap();
    let b = app.plan_inspection(&office(), plan("18499")).await.unwrap();
    let c = app.plan_inspection(&office(), plan("18499")).await.unwrap();
    let seed = SampleChoice::Random {
        size: 8,
        seed: 20220315,
    };
    let first = app
        .draw_inspection_sample(&office(), a, seed)
        .await
        .unwrap();
    let second = app
        .draw_inspection_sample(&office(), b, seed)
        .await
        .unwrap();
    let households = |s: &[giamngheo_store::SampleRow]| -> Vec<i64> {
        s.iter().map(|r| r.household_id).collect()
    };
    assert_eq!(first.len(), 8);
    assert_eq!(households(&first), households(&second));
    // Only households of the inspected commune, all distinct.
    let inside = &ids[..30];
    assert!(
        first
            .iter()
            .all(|r| inside.contains(&r.household_id) && r.reason == "random")
    );
    let other = app
        .draw_inspection_sample(&office(), c, SampleChoice::Random { size: 8, seed: 1 })
        .await
        .unwrap();
    assert_ne!(households(&other), households(&first));
    // The sample stands: a second draw is refused and changes nothing.
    let again = app
        .draw_inspection_sample(&office(), a, SampleChoice::Random { size: 8, seed: 2 })
        .await
        .unwrap_err();
    assert!(
        matches!(again, AppError::Store(_) | AppError::Conflict(_)),
        "{again}"
    );
    let view = app.inspection(&office(), a).await.unwrap();
    assert_eq!(households(&view.sample), households(&first));
    assert_eq!(view.record.sample_seed, Some(20220315));
    // The seed alone gives the sample back, outside the product.
    assert_eq!(
        giamngheo_app::rules::draw_sample(inside, 8, 20220315),
        households(&first)
    );
}
app_test!(the_random_sample_is_reproducible_for_its_seed);

async fn the_risk_sample_takes_open_findings_then_light_class_changes(store: Store) {
    let (app, ids) = setup(store).await;
    // Household 0 escaped poverty with the same income (a risk); household 1 with a
    // doubled income and a member gone to work (two facts: explained at a limit of one);
    // household 2 stayed poor.
    let mut explained = classification(ids[1], 2022, "not_poor", 2_000_000);
    explained.member_count = 2;
    let rows = vec![
        classification(ids[0], 2021, "poor", 1_000_000),
        classification(ids[0], 2022, "not_poor", 1_000_000),
        classification(ids[1], 2021, "poor", 1_000_000),
        explained,
        classification(ids[2], 2021, "poor", 1_000_000),
        classification(ids[2], 2022, "poor", 1_000_000),
    ];
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    // An earlier inspection left an open finding on household 5.
    let earlier = app.plan_inspection(&office(), plan("18499")).await.unwrap();
    app.add_inspection_finding(&office(), earlier, finding(Some(ids[5]), "444-ldtbxh"))
        .await
        .unwrap();
    let id = app.plan_inspection(&office(), plan("18499")).await.unwrap();
    let sample = app
        .draw_inspection_sample(&office(), id, SampleChoice::Risk { size: 10 })
        .await
        .unwrap();
    let got: Vec<(i64, &str)> = sample
        .iter()
        .map(|r| (r.household_id, r.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![(ids[5], "open_finding"), (ids[0], "class_changed")]
    );
}
app_test!(the_risk_sample_takes_open_findings_then_light_class_changes);

async fn findings_are_recorded_and_closed_by_the_responsible_agency(store: Store) {
    let (app, ids) = setup(store).await;
    let id = app.plan_inspection(&office(), plan("18499")).await.unwrap();
    // The inspecting agency records what it did.
    let labour = actor(
        Role::AgencyOfficer,
        "444",
        Tier::District,
        Some("444-ldtbxh"),
    );
    app.record_inspection(
        &labour,
        id,
        RecordInput {
            version: 1,
            held_on: date(2022, 3, 10),
            members: "Trưởng đoàn: Phòng LĐ-TB&XH\nThành viên: Phòng Tài chính – Kế hoạch".into(),
            checked: "Hồ sơ rà soát, biên bản họp dân, 8 hộ mẫu".into(),
        },
    )
    .await
    .unwrap();
    // Another agency may not write on it, oversight neither.
    let health = actor(Role::AgencyOfficer, "444", Tier::District, Some("444-yte"));
    let oversight = actor(Role::Oversight, "444", Tier::District, None);
    for who in [&health, &oversight] {
        let e = app
            .add_inspection_finding(who, id, finding(Some(ids[3]), "444-yte"))
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e}");
    }
    // Outside the area: not found, for the plan, the record and the list.
    let elsewhere = actor(Role::Office, "445", Tier::District, None);
    assert!(matches!(
        app.inspection(&elsewhere, id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.plan_inspection(&elsewhere, plan("18499")).await,
        Err(AppError::NotFound(_))
    ));
    // A household of another district is refused by number, without where it lives.
    let e = app
        .add_inspection_finding(&labour, id, finding(Some(ids[31]), "444-yte"))
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Invalid { ref field, .. } if field == "household_id"),
        "{e}"
    );
    // So are a benefit of that household and an activity that does not exist.
    let elsewhere_benefit = app
        .store()
        .insert_benefits(
            &[giamngheo_store::NewBenefit {
                household_id: ids[31],
                member_id: None,
                policy: "housing".into(),
                valid_from: date(2022, 1, 10),
                valid_to: None,
                amount: Some(40_000_000),
                quantity: None,
                agency_code: None,
                reference: None,
                unit_code: "18520001".into(),
                province_code: "42".into(),
                source: "entry".into(),
                import_id: None,
                recorded_by: "test".into(),
            }],
            &[giamngheo_store::AuditEntry {
                at: "2022-01-10T00:00:00Z".into(),
                user_id: None,
                username: "test".into(),
                action: "benefit.create".into(),
                entity: "benefit".into(),
                entity_id: String::new(),
                household_id: Some(ids[31]),
                unit_code: Some("18520001".into()),
                province_code: Some("42".into()),
                changes: "[]".into(),
                reason: None,
            }],
            "2022-01-10T00:00:00Z",
        )
        .await
        .unwrap()[0];
    for (input, field) in [
        (
            FindingInput {
                benefit_id: Some(elsewhere_benefit),
                ..finding(None, "444-yte")
            },
            "benefit_id",
        ),
        (
            FindingInput {
                activity_id: Some(987_654),
                ..finding(None, "444-yte")
            },
            "activity_id",
        ),
    ] {
        let e = app
            .add_inspection_finding(&labour, id, input)
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid { field: ref f, .. } if f == field),
            "{e}"
        );
    }

    let f = app
        .add_inspection_finding(&labour, id, finding(Some(ids[3]), "444-yte"))
        .await
        .unwrap();
    let view = app.inspection(&oversight, id).await.unwrap();
    assert!(!view.may_write);
    assert_eq!(view.record.held_on, Some(date(2022, 3, 10)));
    assert_eq!(view.findings.len(), 1);
    let row = &view.findings[0];
    assert_eq!(
        (
            row.source.as_str(),
            row.status.as_str(),
            row.responsible_agency.as_deref()
        ),
        ("inspection", "open", Some("444-yte"))
    );
    assert_eq!(row.deadline, Some(date(2022, 4, 15)));
    assert_eq!(row.household_id, Some(ids[3]));

    // Only the responsible agency (or the office) closes it, once.
    let e = app
        .close_finding(By::User(&oversight), f, "corrected", "Đã sửa")
        .await
        .unwrap_err();
    assert!(matches!(e, AppError::Forbidden(_)), "{e}");
    app.close_finding(
        By::User(&health),
        f,
        "corrected",
        "Đã điều chỉnh phân loại hộ",
    )
    .await
    .unwrap();
    assert!(
        app.close_finding(By::User(&health), f, "justified", "Lần hai")
            .await
            .is_err()
    );
    let row = &app.inspection(&office(), id).await.unwrap().findings[0];
    assert_eq!(row.status, "corrected");
    assert_eq!(row.closed_by.as_deref(), Some("agency_officer-444"));
}
app_test!(findings_are_recorded_and_closed_by_the_responsible_agency);

async fn review_checks_add_their_findings_once(store: Store) {
    let (app, ids) = setup(store).await;
    // Poor with an income far above the 2022 rural line (1.500.000 đồng); a certificate
    // without a decision; a household in order.
    let mut with_certificate = classification(ids[1], 2022, "near_poor", 1_600_000);
    with_certificate.certificate_number = Some("HN-2022-0001".into());
    let rows = vec![
        classification(ids[0], 2022, "poor", 5_000_000),
        with_certificate,
        classification(ids[2], 2022, "poor", 1_000_000),
    ];
    app.store()
        .insert_classifications(&rows, &[], Utc::now())
        .await
        .unwrap();
    // Only the office runs them.
    let oversight = actor(Role::Oversight, "444", Tier::District, None);
    assert!(matches!(
        app.check_review_findings(&oversight, "18499", 2022).await,
        Err(AppError::Forbidden(_))
    ));
    let first = app
        .check_review_findings(&office(), "18499", 2022)
        .await
        .unwrap();
    assert_eq!((first.added, first.already), (2, 0));
    let again = app
        .check_review_findings(&office(), "444", 2022)
        .await
        .unwrap();
    assert_eq!((again.added, again.already), (0, 2));
    let found = app
        .store()
        .unit_findings("review", "18499001")
        .await
        .unwrap();
    let kinds: Vec<(&str, Option<i64>)> = found
        .iter()
        .map(|f| (f.kind.as_str(), f.household_id))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("income_above_line", Some(ids[0])),
            ("certificate_without_decision", Some(ids[1]))
        ]
    );
    assert!(
        found[0].evidence.contains("\"poor_line\":1500000"),
        "{}",
        found[0].evidence
    );
    assert!(
        !found[0].evidence.contains("Trần Thị"),
        "no names in evidence"
    );
}
app_test!(review_checks_add_their_findings_once);

/// Records a village meeting of a review of commune 18499 for the 2022 lists.
async fn meeting(app: &App, review: i64, attendees: i32, agreeing: i32, passed: bool) -> i64 {
    app.store()
        .record_meeting(
            &giamngheo_store::NewMeeting {
                review_id: review,
                village_code: "18499001".into(),
                held_on: date(2021, 11, 20),
                attendees,
                agreeing,
                passed,
                chaired_by: None,
                minutes_name: None,
                minutes_type: None,
                minutes: None,
                recorded_by: "test".into(),
            },
            &[],
            &[],
            Utc::now(),
        )
        .await
        .unwrap()
}

async fn a_meeting_passed_under_the_threshold_is_a_finding_and_one_at_it_is_not(store: Store) {
    let (app, _) = setup(store).await;
    let review = app
        .store()
        .insert_review(
            &giamngheo_store::NewReview {
                province_code: "42".into(),
                district_code: Some("444".into()),
                commune_code: "18499".into(),
                kind: "periodic".into(),
                period: 2022,
                standard: "vn-2022".into(),
                opened_on: date(2021, 9, 1),
                due_on: date(2021, 12, 15),
                posting_days: 7,
                created_by: "test".into(),
            },
            &[],
            &[],
            Utc::now(),
        )
        .await
        .unwrap();
    // The share required is the review settings' (50 % by default): 4 of 10 is under
    // it, 5 of 10 exactly at it; a meeting that did not pass is not a finding whatever
    // its count.
    let under = meeting(&app, review, 10, 4, true).await;
    let _at = meeting(&app, review, 10, 5, true).await;
    let _failed = meeting(&app, review, 10, 3, false).await;
    let first = app
        .check_review_findings(&office(), "18499", 2022)
        .await
        .unwrap();
    assert_eq!((first.added, first.already), (1, 0));
    let found = app
        .store()
        .unit_findings("review", "18499001")
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, "meeting_under_threshold");
    assert_eq!(found[0].household_id, None);
    assert!(
        found[0]
            .evidence
            .contains(&format!("\"meeting_id\":{under}")),
        "{}",
        found[0].evidence
    );
    assert!(
        found[0].evidence.contains("4/10"),
        "the evidence says it in words: {}",
        found[0].evidence
    );
    // It is in the one findings list, with the others, for the office and oversight.
    let oversight = actor(Role::Oversight, "444", Tier::District, None);
    let listed = app
        .findings(
            &oversight,
            Some("18499"),
            Some("meeting_under_threshold"),
            None,
        )
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    // Run again: nothing added twice.
    let again = app
        .check_review_findings(&office(), "18499", 2022)
        .await
        .unwrap();
    assert_eq!((again.added, again.already), (0, 1));
    // The one close rule: a review finding names no responsible agency, so an agency's
    // officer may not close it, nor oversight; the district's office does, with a note.
    let fid = found[0].id;
    let health = actor(Role::AgencyOfficer, "444", Tier::District, Some("444-yte"));
    for who in [&health, &oversight] {
        let e = app
            .close_finding(By::User(who), fid, "justified", "Biên bản ghi nhầm")
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e}");
    }
    let e = app
        .close_finding(By::User(&office()), fid, "justified", "  ")
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Invalid { ref field, .. } if field == "note"),
        "{e}"
    );
    app.close_finding(
        By::User(&office()),
        fid,
        "justified",
        "Biên bản họp ghi nhầm số người đồng ý; bản gốc 6/10",
    )
    .await
    .unwrap();
    let closed = app.store().finding(fid).await.unwrap().unwrap();
    assert_eq!(closed.status, "justified");
    assert_eq!(closed.closed_by.as_deref(), Some("office-444"));
    let audit = app.store().audit_log(50, 0).await.unwrap().0;
    assert!(
        audit
            .iter()
            .any(|a| a.entry.action == "finding.close" && a.entry.entity_id == fid.to_string()),
        "the close is audited"
    );
}
app_test!(a_meeting_passed_under_the_threshold_is_a_finding_and_one_at_it_is_not);
