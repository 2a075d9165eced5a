//! The agencies' tasks through the app layer on SQLite, PostgreSQL and Citus: the seed
//! plan's section V as the 2021 plan of the district 444, recurring due dates across
//! months and Tết, overdue and due-soon lists per agency, reminders, access per role, and
//! attachments checked by their bytes.

use chrono::{DateTime, NaiveDate, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::rules::Recurrence;
use giamngheo_app::tasks::{Attachment, DueState, TaskInput, TaskStatus, UpdateInput};
use giamngheo_app::{App, AppError, Config, FixedClock};
use giamngheo_domain::{Hierarchy, Tier};
use giamngheo_store::Store;
use std::io::Write;
use std::sync::Arc;

use giamngheo_store::store_test as app_test;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The province, the district 444 and a neighbour, on Tuesday 9 February 2021, the last
/// working day before the Tết break (10–16/02/2021).
async fn setup(store: Store) -> App {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2021-02-09T02:00:00Z")
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
    app
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
    actor(Role::Office, "444", Tier::District, None)
}

fn officer(agency: &str) -> Actor {
    actor(Role::AgencyOfficer, "444", Tier::District, Some(agency))
}

fn task(title: &str, lead: &str, co: &[&str], recurrence: Recurrence) -> TaskInput {
    TaskInput {
        unit_code: "444".into(),
        year: 2021,
        plan_ref: None,
        lead_agency: lead.into(),
        co_agencies: co.iter().map(|c| c.to_string()).collect(),
        title: title.into(),
        description: String::new(),
        serves_kind: Some("target".into()),
        serves_code: Some("health_insurance_poor".into()),
        recurrence,
        due_to_confirm: false,
        starts_on: None,
        ends_on: None,
    }
}

fn update(status: &str, progress: i32, files: Vec<Attachment>) -> UpdateInput {
    UpdateInput {
        status: status.into(),
        progress: Some(progress),
        note: "Đã tổ chức tập huấn tại 3 xã".into(),
        period_due: None,
        files,
    }
}

fn zip_of(parts: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in parts {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn docx() -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("word/document.xml", b"<w:document/>"),
    ])
}

const EXE: &[u8] =
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xffThis program cannot be run in DOS mode";

async fn the_seed_plan_is_the_2021_plan_of_district_444(store: Store) {
    let app = setup(store).await;
    let loaded = app.load_seed_plan_tasks().await.unwrap();
    assert_eq!((loaded.inserted, loaded.skipped), (19, 0));
    // Loading again adds nothing.
    let again = app.load_seed_plan_tasks().await.unwrap();
    assert_eq!((again.inserted, again.skipped), (0, 19));

    // The province's office finds the district's plan by its code and year.
    let province = actor(Role::Office, "42", Tier::Province, None);
    let view = app.tasks(&province, "444", 2021).await.unwrap();
    assert_eq!(view.items.len(), 19);
    let labour = &view.items[0];
    assert_eq!(labour.plan_ref.as_deref(), Some("V.1.1"));
    assert_eq!(labour.lead.name, "Phòng Lao động – Thương binh và Xã hội");
    assert_eq!(labour.co_agencies.len(), 3);
    assert!(view.items.iter().all(|t| t.due_to_confirm));
    // The yearly summary is due on Wednesday 15/12/2021; the quarterly report first on
    // Monday 15/03/2021.
    assert_eq!(labour.next_due, Some(date(2021, 12, 15)));
    assert_eq!(labour.due_state, DueState::OnTime);
    let report = view
        .items
        .iter()
        .find(|t| t.plan_ref.as_deref() == Some("V.1.3"))
        .unwrap();
    assert_eq!(report.recurrence.code(), "quarterly");
    assert_eq!(report.next_due, Some(date(2021, 3, 15)));
    assert_eq!(report.dues.len(), 4);
    assert_eq!(report.status, TaskStatus::NotStarted);
    // Another year of the same unit is an empty plan, not an error.
    assert!(
        app.tasks(&province, "444", 2022)
            .await
            .unwrap()
            .items
            .is_empty()
    );
}
app_test!(the_seed_plan_is_the_2021_plan_of_district_444);

async fn recurring_due_dates_cross_months_and_tet(store: Store) {
    let app = setup(store).await;
    let mut input = task(
        "Báo cáo tháng",
        "444-yte",
        &[],
        Recurrence::Monthly { day: 10 },
    );
    input.starts_on = Some(date(2021, 1, 1));
    let id = app.assign_task(&office(), input).await.unwrap();
    let view = app.tasks(&office(), "444", 2021).await.unwrap();
    let t = &view.items[0];
    // 10/01/2021 is a Sunday; 10/02 opens the Tết break; 10/04 is a Saturday.
    assert_eq!(
        t.dues[..4],
        [
            date(2021, 1, 11),
            date(2021, 2, 17),
            date(2021, 3, 10),
            date(2021, 4, 12)
        ]
    );
    assert_eq!(t.dues.len(), 12);
    // January was not reported: overdue, and still the next due date.
    assert_eq!(t.next_due, Some(date(2021, 1, 11)));
    assert_eq!(t.due_state, DueState::Overdue);

    // The health office reports for January (the default: the earliest due date open).
    let yte = officer("444-yte");
    app.report_task(&yte, id, update("in_progress", 10, vec![]))
        .await
        .unwrap();
    let t = app.task(&yte, id).await.unwrap().task;
    // February's date, moved past Tết, is one working day away: due soon.
    assert_eq!(t.next_due, Some(date(2021, 2, 17)));
    assert_eq!(t.due_state, DueState::DueSoon);
    assert_eq!(t.status, TaskStatus::InProgress);

    // A report for March leaves February open.
    let mut march = update("in_progress", 30, vec![]);
    march.period_due = Some(date(2021, 3, 10));
    app.report_task(&yte, id, march).await.unwrap();
    assert_eq!(
        app.task(&yte, id).await.unwrap().task.next_due,
        Some(date(2021, 2, 17))
    );
    // A date that is none of the task's due dates is refused.
    let mut wrong = update("in_progress", 30, vec![]);
    wrong.period_due = Some(date(2021, 2, 10));
    let e = app.report_task(&yte, id, wrong).await.unwrap_err();
    assert!(
        matches!(e, AppError::Invalid { ref field, .. } if field == "period_due"),
        "{e}"
    );
    // Done: nothing is due any more.
    app.report_task(&yte, id, update("done", 100, vec![]))
        .await
        .unwrap();
    let t = app.task(&yte, id).await.unwrap().task;
    assert_eq!((t.next_due, t.due_state), (None, DueState::None));
    assert_eq!(t.progress, Some(100));
}
app_test!(recurring_due_dates_cross_months_and_tet);

async fn overdue_and_due_soon_lists_per_agency_and_reminders(store: Store) {
    let app = setup(store).await;
    let office = office();
    let late = app
        .assign_task(
            &office,
            task(
                "Thẩm định kinh phí",
                "444-tckh",
                &[],
                Recurrence::Once {
                    on: date(2021, 2, 1),
                },
            ),
        )
        .await
        .unwrap();
    let mut monthly = task(
        "Cấp thẻ BHYT",
        "444-yte",
        &["444-tckh"],
        Recurrence::Monthly { day: 10 },
    );
    monthly.starts_on = Some(date(2021, 2, 1));
    let soon = app.assign_task(&office, monthly).await.unwrap();
    app.assign_task(
        &office,
        task(
            "Miễn giảm học phí",
            "444-gddt",
            &[],
            Recurrence::Yearly { month: 12, day: 15 },
        ),
    )
    .await
    .unwrap();

    let view = app.tasks(&office, "444", 2021).await.unwrap();
    let ids = |list: Vec<&giamngheo_app::tasks::TaskView>| -> Vec<i64> {
        list.iter().map(|t| t.id).collect()
    };
    assert_eq!(ids(view.overdue(None)), vec![late]);
    assert_eq!(ids(view.due_soon(None)), vec![soon]);
    // Per agency: a co-operating agency sees the task too.
    assert_eq!(ids(view.overdue(Some("444-tckh"))), vec![late]);
    assert_eq!(ids(view.due_soon(Some("444-tckh"))), vec![soon]);
    assert!(view.overdue(Some("444-yte")).is_empty());
    assert!(view.overdue(Some("444-gddt")).is_empty());
    assert!(view.due_soon(Some("444-gddt")).is_empty());

    // Reminders: the finance office's two tasks, overdue first; none for education; the
    // office sees both of the district.
    let finance = app.task_reminders(&officer("444-tckh")).await.unwrap();
    let got: Vec<(i64, DueState)> = finance.iter().map(|r| (r.task_id, r.state)).collect();
    assert_eq!(
        got,
        vec![(late, DueState::Overdue), (soon, DueState::DueSoon)]
    );
    assert_eq!(finance[0].due, date(2021, 2, 1));
    assert!(
        app.task_reminders(&officer("444-gddt"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(app.task_reminders(&office).await.unwrap().len(), 2);

    // Once reported done, the late task leaves the lists.
    app.report_task(&officer("444-tckh"), late, update("done", 100, vec![]))
        .await
        .unwrap();
    let view = app.tasks(&office, "444", 2021).await.unwrap();
    assert!(view.overdue(None).is_empty());
}
app_test!(overdue_and_due_soon_lists_per_agency_and_reminders);

async fn access_per_role(store: Store) {
    let app = setup(store).await;
    let id = app
        .assign_task(
            &office(),
            task(
                "Thẩm định kinh phí",
                "444-tckh",
                &["444-yte"],
                Recurrence::Yearly { month: 12, day: 15 },
            ),
        )
        .await
        .unwrap();
    let forbidden = |r: Result<i64, AppError>| matches!(r, Err(AppError::Forbidden(_)));
    let not_found = |r: Result<i64, AppError>| matches!(r, Err(AppError::NotFound(_)));

    // Only the office (or an administrator) assigns.
    let input = task("x", "444-tckh", &[], Recurrence::Monthly { day: 5 });
    for who in [
        officer("444-tckh"),
        actor(Role::Oversight, "444", Tier::District, None),
    ] {
        assert!(
            forbidden(app.assign_task(&who, input.clone()).await),
            "{who:?}"
        );
    }
    let admin = actor(Role::Admin, "42", Tier::Province, None);
    assert!(app.assign_task(&admin, input.clone()).await.is_ok());
    // Outside the area: not found, whatever the role; a commune is below the district,
    // whose plan is not its own.
    let commune = actor(Role::CommuneOfficer, "18499", Tier::Commune, None);
    assert!(not_found(app.assign_task(&commune, input.clone()).await));
    let elsewhere = actor(Role::Office, "445", Tier::District, None);
    assert!(not_found(app.assign_task(&elsewhere, input.clone()).await));
    assert!(matches!(
        app.tasks(&elsewhere, "444", 2021).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.task(&elsewhere, id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(not_found(
        app.report_task(&elsewhere, id, update("in_progress", 5, vec![]))
            .await
    ));

    // Oversight reads every task of its unit, and reports on none.
    let oversight = actor(Role::Oversight, "444", Tier::District, None);
    assert_eq!(
        app.tasks(&oversight, "444", 2021)
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert!(!app.task(&oversight, id).await.unwrap().may_report);
    assert!(forbidden(
        app.report_task(&oversight, id, update("in_progress", 5, vec![]))
            .await
    ));
    // An agency reports only on its own tasks: lead or co-operating.
    assert!(forbidden(
        app.report_task(&officer("444-gddt"), id, update("in_progress", 5, vec![]))
            .await
    ));
    assert!(!app.task(&officer("444-gddt"), id).await.unwrap().may_report);
    assert!(
        app.report_task(&officer("444-tckh"), id, update("in_progress", 5, vec![]))
            .await
            .is_ok()
    );
    assert!(
        app.report_task(&officer("444-yte"), id, update("in_progress", 8, vec![]))
            .await
            .is_ok()
    );
    let detail = app.task(&office(), id).await.unwrap();
    assert_eq!(detail.updates.len(), 2);
    // Newest first, each naming the agency it speaks for.
    assert_eq!(detail.updates[0].agency.as_ref().unwrap().code, "444-yte");
    assert_eq!(detail.updates[1].agency.as_ref().unwrap().code, "444-tckh");

    // A bad field is named and changes nothing.
    let e = app
        .assign_task(
            &office(),
            task("", "444-tckh", &[], Recurrence::Monthly { day: 5 }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Invalid { ref field, .. } if field == "title"),
        "{e}"
    );
    let e = app
        .assign_task(
            &office(),
            task("x", "444-khong", &[], Recurrence::Monthly { day: 5 }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Invalid { ref field, .. } if field == "lead_agency"),
        "{e}"
    );
    let e = app
        .assign_task(
            &office(),
            task("x", "444-tckh", &[], Recurrence::Monthly { day: 32 }),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(e, AppError::Invalid { ref field, .. } if field == "day"),
        "{e}"
    );
    let mut before = task("x", "444-tckh", &[], Recurrence::Monthly { day: 5 });
    before.year = 2019;
    let e = app.assign_task(&office(), before).await.unwrap_err();
    assert!(
        matches!(e, AppError::Invalid { ref field, .. } if field == "year"),
        "{e}"
    );
    assert_eq!(
        app.tasks(&office(), "444", 2021).await.unwrap().items.len(),
        2
    );
}
app_test!(access_per_role);

async fn attachments_are_checked_by_their_bytes(store: Store) {
    let app = setup(store).await;
    let id = app
        .assign_task(
            &office(),
            task(
                "Báo cáo quý",
                "444-ldtbxh",
                &[],
                Recurrence::Quarterly { month: 3, day: 15 },
            ),
        )
        .await
        .unwrap();
    let labour = officer("444-ldtbxh");
    let file = |name: &str, bytes: &[u8]| Attachment {
        name: name.into(),
        bytes: bytes.to_vec(),
    };
    // A program renamed `.pdf`, or `.docx`, and a zip smuggling one: refused, nothing kept.
    for bad in [
        file("bao-cao.pdf", EXE),
        file("bao-cao.docx", EXE),
        file(
            "bao-cao.docx",
            &zip_of(&[
                ("[Content_Types].xml", b"<Types/>"),
                ("word/document.xml", b"<w:document/>"),
                ("word/media/setup.exe", EXE),
            ]),
        ),
        file("anh.png", b"<svg onload='alert(1)'/>"),
    ] {
        let e = app
            .report_task(
                &labour,
                id,
                update("in_progress", 20, vec![file("ok.pdf", b"%PDF-1.4 ok"), bad]),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Invalid { ref field, .. } if field == "files[2]"),
            "{e}"
        );
        assert!(e.to_string().contains("loại tệp không được nhận"), "{e}");
    }
    // Too large.
    let big = vec![b'%'; giamngheo_app::tasks::MAX_ATTACHMENT_BYTES + 1];
    let e = app
        .report_task(
            &labour,
            id,
            update("in_progress", 20, vec![file("x.pdf", &big)]),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("Tệp quá lớn"), "{e}");
    assert!(app.task(&labour, id).await.unwrap().updates.is_empty());

    // A PDF, a JPEG and a Word file are kept and read back as sent.
    let word = docx();
    let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'];
    app.report_task(
        &labour,
        id,
        update(
            "in_progress",
            40,
            vec![
                file("C:\\fakepath\\Báo cáo quý I.pdf", b"%PDF-1.7 report"),
                file("anh.jpg", &jpeg),
                file("bien-ban.docx", &word),
            ],
        ),
    )
    .await
    .unwrap();
    let detail = app.task(&labour, id).await.unwrap();
    let files = &detail.updates[0].files;
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, vec!["Báo cáo quý I.pdf", "anh.jpg", "bien-ban.docx"]);
    assert_eq!(
        files[2].media_type,
        giamngheo_app::files::FileKind::Docx.media_type()
    );
    let back = app.task_file(&labour, files[2].id).await.unwrap();
    assert_eq!(back.bytes, word);
    // Someone outside the area does not learn the file exists.
    let elsewhere = actor(Role::Office, "445", Tier::District, None);
    assert!(matches!(
        app.task_file(&elsewhere, files[0].id).await,
        Err(AppError::NotFound(_))
    ));
}
app_test!(attachments_are_checked_by_their_bytes);
