//! `giamngheo tasks load-plan` and `giamngheo inspections plan|sample|check` on SQLite:
//! a plan file goes in once (a wrong one changes nothing), an inspection is planned, its
//! random sample is the one its seed draws, and the review checks add their findings
//! once each.

use chrono::{NaiveDate, Utc};
use giamngheo_app::households::{By, DraftInput};
use giamngheo_app::{App, Config, SystemClock};
use giamngheo_domain::household::{HouseholdDraft, MemberDraft, Sex};
use giamngheo_store::{ClassificationFields, NewMeeting, NewReview, Store};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::Arc;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_giamngheo"))
        .args(args)
        .env_remove("GIAMNGHEO_DATABASE_URL")
        .env_remove("GIAMNGHEO_HIERARCHY")
        .output()
        .expect("run giamngheo")
}

fn succeeds(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

const SEED_PLAN: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../app/tasks/plan-444-2021.toml"
);

fn classification(id: i64, status: &str, income: i64) -> ClassificationFields {
    ClassificationFields {
        household_id: id,
        province_code: "42".into(),
        district_code: None,
        commune_code: "18502".into(),
        village_code: "18502001".into(),
        period: 2026,
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
        effective_date: date(2025, 12, 20),
        approved_by: "test".into(),
        approved_at: "2025-12-20T00:00:00Z".into(),
        supersedes: None,
        correction_reason: None,
        certificate_number: None,
    }
}

/// Twelve households in a village of today's commune 18502 (Xã Hà Linh) with what the review checks find:
/// household 0 poor with an income far above the line, household 1 with a certificate
/// and no decision, and a village meeting passed with 4 of 10 agreeing. Their ids.
async fn households(db: &str) -> Vec<i64> {
    let store = Store::connect(db).await.unwrap();
    let app = App::new(store, Config::default(), Arc::new(SystemClock));
    app.import_villages_as_system("commune_code,name,kind\n18502,Thôn Trung Hòa,Thôn\n".as_bytes())
        .await
        .unwrap();
    let drafts: Vec<DraftInput> = (0..12)
        .map(|i| {
            DraftInput::form(HouseholdDraft {
                code: format!("H{i:02}"),
                village_code: "18502001".into(),
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
    let mut with_certificate = classification(ids[1], "near_poor", 1_600_000);
    with_certificate.certificate_number = Some("HN-2022-0001".into());
    app.store()
        .insert_classifications(
            &[
                classification(ids[0], "poor", 5_000_000),
                with_certificate,
                classification(ids[2], "poor", 1_000_000),
            ],
            &[],
            Utc::now(),
        )
        .await
        .unwrap();
    let review = app
        .store()
        .insert_review(
            &NewReview {
                province_code: "42".into(),
                district_code: None,
                commune_code: "18502".into(),
                kind: "periodic".into(),
                period: 2026,
                standard: "vn-2022".into(),
                opened_on: date(2025, 9, 1),
                due_on: date(2025, 12, 15),
                posting_days: 7,
                created_by: "test".into(),
            },
            &[],
            &[],
            Utc::now(),
        )
        .await
        .unwrap();
    app.store()
        .record_meeting(
            &NewMeeting {
                review_id: review,
                village_code: "18502001".into(),
                held_on: date(2025, 11, 20),
                attendees: 10,
                agreeing: 4,
                passed: true,
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
        .unwrap();
    app.store().close().await;
    ids
}

#[tokio::test]
async fn a_plan_an_inspection_its_sample_and_the_review_checks_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let db = s(&db).to_string();

    // The seed plan of district 444 goes in once.
    let out = succeeds(&["tasks", "load-plan", SEED_PLAN, "--database-url", &db]);
    assert!(out.contains("Đã nạp 19 nhiệm vụ; 0 nhiệm vụ"), "{out}");
    let out = succeeds(&["tasks", "load-plan", SEED_PLAN, "--database-url", &db]);
    assert!(out.contains("Đã nạp 0 nhiệm vụ; 19 nhiệm vụ"), "{out}");
    // A plan naming an agency that does not exist is refused whole, naming the item.
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "unit = \"444\"\nyear = 2022\nsource = \"thử\"\n\n\
         [[tasks]]\nref = \"1\"\nlead = \"444-ldtbxh\"\ntitle = \"Báo cáo quý\"\nrecurrence = \"quarterly\"\nmonth = 1\nday = 5\n\n\
         [[tasks]]\nref = \"2\"\nlead = \"444-khong-co\"\ntitle = \"Báo cáo năm\"\nrecurrence = \"yearly\"\nmonth = 12\nday = 15\n",
    )
    .unwrap();
    let out = run(&["tasks", "load-plan", s(&bad), "--database-url", &db]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mục 2") && err.contains("444-khong-co"),
        "{err}"
    );
    let store = Store::connect(&db).await.unwrap();
    assert!(store.tasks("444", 2022).await.unwrap().is_empty());
    store.close().await;

    let ids = households(&db).await;

    // An inspection of the commune; a subject that is not one is refused.
    let out = run(&[
        "inspections",
        "plan",
        "--unit",
        "18502",
        "--year",
        "2026",
        "--agency",
        "42-snnmt",
        "--subject",
        "kiemtra",
        "--on",
        "10/03/2026",
        "--database-url",
        &db,
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nội dung kiểm tra"));
    let out = succeeds(&[
        "inspections",
        "plan",
        "--unit",
        "18502",
        "--year",
        "2026",
        "--agency",
        "42-snnmt",
        "--subject",
        "review",
        "--code",
        "2026",
        "--on",
        "10/03/2026",
        "--database-url",
        &db,
    ]);
    let id: i64 = out
        .trim()
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("an inspection number in «{out}»"));

    // Its random sample is the one the seed draws from the commune's households.
    let out = succeeds(&[
        "inspections",
        "sample",
        &id.to_string(),
        "--method",
        "random",
        "--size",
        "4",
        "--seed",
        "20220315",
        "--database-url",
        &db,
    ]);
    assert!(out.starts_with("Hạt giống: 20220315\n"), "{out}");
    let drawn: Vec<i64> = out
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(drawn, giamngheo_app::rules::draw_sample(&ids, 4, 20220315));
    assert!(!out.contains("Trần Thị"), "no names on the command line");
    // A second draw is refused; the first stands.
    let out = run(&[
        "inspections",
        "sample",
        &id.to_string(),
        "--size",
        "4",
        "--seed",
        "1",
        "--database-url",
        &db,
    ]);
    assert_eq!(out.status.code(), Some(2));

    // The review checks: three findings, added once.
    let out = succeeds(&[
        "inspections",
        "check",
        "--unit",
        "18502",
        "--period",
        "2026",
        "--database-url",
        &db,
    ]);
    assert!(out.contains("3 phát hiện mới, 0 phát hiện đã có"), "{out}");
    let out = succeeds(&[
        "inspections",
        "check",
        "--unit",
        "42",
        "--period",
        "2026",
        "--database-url",
        &db,
    ]);
    assert!(out.contains("0 phát hiện mới, 3 phát hiện đã có"), "{out}");
    let store = Store::connect(&db).await.unwrap();
    let mut kinds: Vec<String> = store
        .unit_findings("review", "18502001")
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.kind)
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            "certificate_without_decision",
            "income_above_line",
            "meeting_under_threshold"
        ]
    );
    store.close().await;
}
