//! The periodic report an office sends up, through the app layer on SQLite, PostgreSQL
//! and Citus: its figures equal to those of the pages that show them (tasks, the review
//! report, coverage), the .docx carrying them with the motto, the office's texts kept as
//! drafts with their history and audit entries until the report is issued, and access
//! per role.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::periodic::{PeriodicReport, SectionKind, Table};
use giamngheo_app::policies::coverage::CoverageRequest;
use giamngheo_app::reports::ReportRequest;
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_sheets::reports::number;
use giamngheo_store::Store;
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn app_on(store: Store, now: &str, config: Config) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339(now)
        .unwrap()
        .with_timezone(&Utc);
    App::new(store, config, Arc::new(FixedClock(now)))
}

/// The province, the district 444 and a neighbour, in July 2021.
async fn setup(store: Store) -> App {
    #[allow(clippy::needless_update)]
    let config = Config {
        hierarchy: Hierarchy::four_levels(),
        ..Config::default()
    };
    let app = app_on(store, "2021-07-05T02:00:00Z", config);
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
    app
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

fn office() -> Actor {
    actor(Role::Office, "444", Tier::District)
}

fn table<'a>(r: &'a PeriodicReport, kind: SectionKind, caption: &str) -> &'a Table {
    let section = r.sections.iter().find(|s| s.kind == kind).unwrap();
    section
        .tables
        .iter()
        .find(|(c, _)| c.starts_with(caption))
        .map(|(_, t)| t)
        .unwrap_or_else(|| panic!("no table «{caption}» in {:?}", section.tables))
}

fn cell<'a>(t: &'a Table, label: &str) -> &'a [String] {
    t.rows
        .iter()
        .find(|r| r[0] == label)
        .unwrap_or_else(|| panic!("no row «{label}» in {:?}", t.rows))
}

async fn the_figures_are_those_of_the_pages_that_show_them(store: Store) {
    let app = app_on(store, "2021-10-01T02:00:00Z", Config::default());
    app.load_demo(2021, 120).await.unwrap();
    let r = app
        .periodic_report(&office(), "444", "2021-q3")
        .await
        .unwrap();
    assert_eq!(r.period, "2021-Q3");
    assert_eq!(r.period_label, "quý III năm 2021");
    assert_eq!(r.as_of, date(2021, 9, 30));
    assert_eq!(r.number, "…/BC-UBND");
    assert_eq!(
        r.agency.last().map(String::as_str),
        Some("UBND HUYỆN HƯƠNG KHÊ")
    );
    assert!(r.subject.contains("quý III năm 2021"), "{}", r.subject);

    // The tasks: the seed plan's nineteen, counted per lead agency.
    let tasks = app.tasks_as_system("444", 2021).await.unwrap();
    assert_eq!(tasks.items.len(), 19);
    let t = table(&r, SectionKind::Tasks, "Nhiệm vụ năm 2021");
    assert_eq!(cell(t, "Tổng cộng")[1], "19");
    let overdue = tasks.overdue(None).len();
    assert_eq!(cell(t, "Tổng cộng")[5], number(overdue as i64));

    // The review results: the official report's total, on the same day.
    let review = app
        .report_as_system(&ReportRequest {
            name: "ket-qua-ra-soat".into(),
            unit: "444".into(),
            period: 2021,
            as_of: Some(date(2021, 9, 30)),
            basis: None,
        })
        .await
        .unwrap();
    let total = review.rows.iter().find(|r| r.unit_code.is_none()).unwrap();
    let households = total.values[0].unwrap() as i64;
    assert!(households > 0);
    let t = table(&r, SectionKind::Review, "Kết quả rà soát");
    assert_eq!(cell(t, "Tổng số hộ dân cư")[1], number(households));
    let poor = total.values[2].unwrap() as i64;
    assert_eq!(cell(t, "Hộ nghèo – Số hộ")[1], number(poor));

    // Coverage: one line per policy of the coverage page.
    let coverage = app
        .coverage_as_system(&CoverageRequest {
            unit: "444".into(),
            year: 2021,
            policy: None,
            as_of: Some(date(2021, 9, 30)),
            by_child: false,
            basis: None,
        })
        .await
        .unwrap();
    if !coverage.rows.is_empty() {
        let t = table(&r, SectionKind::Coverage, "Độ bao phủ");
        assert_eq!(t.rows.len(), coverage.rows.len());
        assert_eq!(t.rows[0][3], number(coverage.rows[0].covered));
    }

    // The money: the programme's progress total.
    let money = app.programme_progress_as_system("444", 2021).await.unwrap();
    let t = table(&r, SectionKind::Money, "Vốn chương trình");
    assert_eq!(cell(t, "Tổng cộng")[3], number(money.total.disbursed));

    // The Word file carries the motto, the figures and the draft mark.
    let docx = r
        .to_docx(giamngheo_app::print_wording::Wording::builtin())
        .unwrap();
    let files = giamngheo_sheets::xlsform::unzip(&docx, 20 << 20).unwrap();
    let xml = files
        .iter()
        .find(|(n, _)| n == "word/document.xml")
        .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
        .unwrap();
    for text in [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: …/BC-UBND",
        "BẢN DỰ THẢO",
        "Nơi nhận:",
        "TM. ỦY BAN NHÂN DÂN",
        "VI. ĐÁNH GIÁ CHUNG",
    ] {
        assert!(xml.contains(text), "document.xml lacks «{text}»");
    }
    assert!(xml.contains(&format!(">{}<", number(households))));
    let pdf = r.to_pdf(giamngheo_app::print_wording::Wording::builtin());
    assert!(pdf.starts_with(b"%PDF"));
}
app_test!(the_figures_are_those_of_the_pages_that_show_them);

async fn texts_are_drafts_with_history_until_issued(store: Store) {
    let app = setup(store).await;
    let period = "2021-Q2";
    let texts = |a: &str, p: &str| {
        vec![
            ("assessment".to_string(), a.to_string()),
            ("proposals".to_string(), p.to_string()),
        ]
    };
    let saved = app
        .save_periodic_texts(
            &office(),
            "444",
            period,
            &texts("Đạt kết quả tốt.", "Bổ sung vốn."),
        )
        .await
        .unwrap();
    assert_eq!(saved, 2);
    // Only the changed text is a new version.
    let saved = app
        .save_periodic_texts(
            &office(),
            "444",
            period,
            &texts("Đạt kết quả tốt.\nCòn chậm ở hai xã.", "Bổ sung vốn."),
        )
        .await
        .unwrap();
    assert_eq!(saved, 1);
    let history = app
        .periodic_text_history(&office(), "444", period, "assessment")
        .await
        .unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].2, "Đạt kết quả tốt.");
    let r = app.periodic_report(&office(), "444", period).await.unwrap();
    let assessment = r.texts.iter().find(|t| t.key == "assessment").unwrap();
    assert_eq!(assessment.versions, 2);
    assert_eq!(assessment.saved_by.as_deref(), Some("office-444"));
    let section = r.sections.iter().find(|s| s.key == "assessment").unwrap();
    assert_eq!(section.text, "Đạt kết quả tốt.\nCòn chậm ở hai xã.");
    // Each save is audited, without the text itself.
    let (audit, _) = app.store().audit_log(50, 0).await.unwrap();
    let entries: Vec<_> = audit
        .iter()
        .filter(|a| a.entry.action == "periodic_report.text")
        .collect();
    assert_eq!(entries.len(), 3);
    assert!(
        entries
            .iter()
            .all(|a| !a.entry.changes.contains("Đạt kết quả"))
    );

    // An unknown section is refused, naming it, and nothing of the batch is saved.
    let bad = vec![
        ("difficulties".to_string(), "Thiếu cán bộ.".to_string()),
        ("ho_ten_ho".to_string(), "x".to_string()),
    ];
    match app
        .save_periodic_texts(&office(), "444", period, &bad)
        .await
    {
        Err(AppError::Invalid { field, message }) => {
            assert_eq!(field, "ho_ten_ho");
            assert!(message.contains("ho_ten_ho"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let r = app.periodic_report(&office(), "444", period).await.unwrap();
    assert!(
        r.texts
            .iter()
            .all(|t| t.key != "difficulties" || t.versions == 0)
    );

    // Issued: numbered and dated, no longer a draft, and closed to edits.
    assert!(matches!(
        app.issue_periodic_report(&office(), "444", period, "  ", None)
            .await,
        Err(AppError::Invalid { .. })
    ));
    assert!(matches!(
        app.issue_periodic_report(
            &office(),
            "444",
            period,
            "15/BC-UBND",
            Some(date(2021, 7, 6))
        )
        .await,
        Err(AppError::Invalid { .. })
    ));
    app.issue_periodic_report(&office(), "444", period, "15/BC-UBND", None)
        .await
        .unwrap();
    let r = app.periodic_report(&office(), "444", period).await.unwrap();
    assert_eq!(r.number, "15/BC-UBND");
    assert_eq!(r.date, date(2021, 7, 5));
    assert!(
        r.to_doc(giamngheo_app::print_wording::Wording::builtin())
            .watermark
            .is_empty()
    );
    assert!(matches!(
        app.save_periodic_texts(&office(), "444", period, &texts("Khác.", "Khác."))
            .await,
        Err(AppError::Conflict(_))
    ));
    assert!(matches!(
        app.issue_periodic_report(&office(), "444", period, "16/BC-UBND", None)
            .await,
        Err(AppError::Conflict(_))
    ));
    // The other periods are still drafts.
    let q3 = app
        .periodic_report(&office(), "444", "2021-Q3")
        .await
        .unwrap();
    assert!(q3.issued.is_none());
}
app_test!(texts_are_drafts_with_history_until_issued);

async fn access_per_role(store: Store) {
    let app = setup(store).await;
    let texts = vec![("assessment".to_string(), "Tốt.".to_string())];
    // The office and an administrator of the unit or above prepare and issue.
    for a in [
        office(),
        actor(Role::Admin, "444", Tier::District),
        actor(Role::Office, "42", Tier::Province),
    ] {
        app.periodic_report(&a, "444", "2021").await.unwrap();
        app.save_periodic_texts(&a, "444", "2021", &texts)
            .await
            .unwrap();
    }
    // Oversight reads, and writes nothing.
    let oversight = actor(Role::Oversight, "444", Tier::District);
    app.periodic_report(&oversight, "444", "2021")
        .await
        .unwrap();
    assert!(matches!(
        app.save_periodic_texts(&oversight, "444", "2021", &texts)
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.issue_periodic_report(&oversight, "444", "2021", "1/BC", None)
            .await,
        Err(AppError::Forbidden(_))
    ));
    // Other roles have their own pages.
    for a in [
        Actor {
            agency_code: Some("444-yte".into()),
            ..actor(Role::AgencyOfficer, "444", Tier::District)
        },
        actor(Role::CommuneOfficer, "18499", Tier::Commune),
        actor(Role::ProvinceViewer, "42", Tier::Province),
    ] {
        assert!(
            matches!(
                app.periodic_report(&a, "444", "2021").await,
                Err(AppError::Forbidden(_))
            ),
            "{:?}",
            a.role
        );
    }
    // Another district's office does not see the unit.
    let other = actor(Role::Office, "445", Tier::District);
    assert!(matches!(
        app.periodic_report(&other, "444", "2021").await,
        Err(AppError::Forbidden(_) | AppError::NotFound(_))
    ));
    assert!(matches!(
        app.save_periodic_texts(&other, "444", "2021", &texts).await,
        Err(AppError::Forbidden(_) | AppError::NotFound(_))
    ));
    // A wrong period names the forms it takes.
    match app.periodic_report(&office(), "444", "quý 2").await {
        Err(AppError::Invalid { field, message }) => {
            assert_eq!(field, "period");
            assert!(message.contains("2021-Q2"));
        }
        other => panic!("{other:?}"),
    }
}
app_test!(access_per_role);
