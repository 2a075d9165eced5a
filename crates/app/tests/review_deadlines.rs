//! The household review's deadlines through the app layer, on SQLite and PostgreSQL:
//! working days counted across Tết, a regular review's fifteen days, and the reporting
//! calendar with the reports recorded as sent.

use giamngheo_app::{AppError, Clock};
use giamngheo_rules::DeadlineStatus;
use giamngheo_store::Store;

/// The review set-up shared with the other review test files.
#[path = "common/reviews.rs"]
mod fixtures;
use fixtures::*;

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

async fn a_posting_put_up_the_friday_before_tet_ends_after_the_holiday(store: Store) {
    // Tết Nhâm Dần: Saturday 29 January to Sunday 6 February 2022.
    let (app, clock) = setup(store, "2022-01-17").await;
    let me = officer(DIEN_MY);
    let mai = family(&app, &me, "DM-001", TRUNG_HOA, "Hồ Thị Mai").await;
    let id = app
        .open_regular_review(&me, mai, request("2022-01-17", "enter", "Hồ Thị Mai"))
        .await
        .unwrap();
    screen(&app, &me, id, mai, true).await;
    app.start_survey(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();
    clock.set("2022-01-20");
    survey(&app, &me, id, mai, phieu_b(115, &FOUR, "2022-01-20")).await;
    app.start_meetings(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();
    clock.set("2022-01-26");
    assert!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2022-01-26", 30, 25))
            .await
            .unwrap()
    );

    // Posted on Friday 28 January for 3 working days. The day it goes up is not counted
    // and Tết closes the offices for nine days: Monday 7, Tuesday 8 and Wednesday
    // 9 February.
    clock.set("2022-01-28");
    let ends = app
        .start_posting(
            &me,
            id,
            version(&app, &me, id).await,
            day("2022-01-28"),
            "UBND xã",
        )
        .await
        .unwrap();
    assert_eq!(ends, day("2022-02-09"));
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.postings[0].starts_on, day("2022-01-28"));
    assert_eq!(view.postings[0].ends_on, day("2022-02-09"));

    for today in ["2022-01-31", "2022-02-07", "2022-02-09"] {
        clock.set(today);
        refused_at_step(
            app.approve_review(
                &me,
                id,
                version(&app, &me, id).await,
                "12/QĐ-UBND",
                day(today),
            )
            .await,
            "đến hết ngày 09/02/2022",
        );
    }
    clock.set("2022-02-10");
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "12/QĐ-UBND",
        day("2022-02-10"),
    )
    .await
    .unwrap();
    let c = &app.household_statuses(&me, mai).await.unwrap()[0];
    assert_eq!(c.fields.status, "poor");
    assert_eq!(c.fields.decision_date, Some(day("2022-02-10")));
}
app_test!(a_posting_put_up_the_friday_before_tet_ends_after_the_holiday);

async fn a_regular_reviews_fifteen_days_turn_due_soon_then_overdue(store: Store) {
    let (app, clock) = setup(store, "2022-03-18").await;
    let me = officer(DIEN_MY);
    let lan = family(&app, &me, "DM-001", HA_LAM, "Trần Thị Lan").await;
    // Asked on Friday 18 March: fifteen days end on Saturday 2 April, so the term runs
    // to the next working day, Monday 4 April (Bộ luật Dân sự, Điều 148).
    let id = app
        .open_regular_review(&me, lan, request("2022-03-18", "enter", "Trần Thị Lan"))
        .await
        .unwrap();
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.opened_on, day("2022-03-18"));
    assert_eq!(view.review.due_on, day("2022-04-04"));
    assert_eq!(view.deadline, DeadlineStatus::OnTime);

    let deadline = |date: &'static str| {
        let app = app.clone();
        let me = me.clone();
        let clock = clock.clone();
        async move {
            clock.set(date);
            app.review(&me, id).await.unwrap().deadline
        }
    };
    assert_eq!(deadline("2022-03-29").await, DeadlineStatus::OnTime);
    assert_eq!(
        deadline("2022-03-30").await,
        DeadlineStatus::DueSoon {
            working_days_left: 3
        },
        "31 March, 1 and 4 April are left"
    );
    assert_eq!(
        deadline("2022-04-04").await,
        DeadlineStatus::DueSoon {
            working_days_left: 0
        }
    );
    assert_eq!(
        deadline("2022-04-05").await,
        DeadlineStatus::Overdue { days_late: 1 }
    );
    assert_eq!(
        deadline("2022-04-12").await,
        DeadlineStatus::Overdue { days_late: 8 }
    );
    // Decided late is still decided: a closed review has no deadline left to miss.
    let ends = through_posting(
        &app,
        &clock,
        &me,
        id,
        &phieu_b(120, &["water"], "2022-04-12"),
    )
    .await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "30/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    assert_eq!(
        app.review(&me, id).await.unwrap().deadline,
        DeadlineStatus::OnTime
    );
}
app_test!(a_regular_reviews_fifteen_days_turn_due_soon_then_overdue);

async fn the_reporting_calendar_marks_the_dates_due_and_late(store: Store) {
    let (app, clock) = setup(store, "2021-09-06").await;
    let me = officer(DIEN_MY);
    let binh = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    baseline(&app, binh, 2021, "vn-2016", "poor").await;
    let periodic = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let due = |dues: &[giamngheo_app::reporting::ReportingDue], date: &str| {
        dues.iter()
            .find(|d| d.due_on == day(date))
            .unwrap_or_else(|| panic!("no report due on {date}"))
            .clone()
    };

    // Friday 12 November 2021: the preliminary annual results are due on Monday.
    clock.set("2021-11-12");
    let dues = app.reporting_calendar(&me, 2021).await.unwrap();
    assert_eq!(
        dues.len(),
        11,
        "eight monthly reports, the end of the periodic review and two annual reports"
    );
    assert!(dues.windows(2).all(|w| w[0].due_on <= w[1].due_on));
    assert_eq!(due(&dues, "2021-12-14").open_reviews, 1);
    assert!(due(&dues, "2021-12-14").source.contains("14/12"));
    let preliminary = due(&dues, "2021-11-15");
    assert_eq!(preliminary.open_reviews, 1);
    assert_eq!(
        preliminary.status,
        DeadlineStatus::DueSoon {
            working_days_left: 1
        }
    );
    assert_eq!(due(&dues, "2021-12-20").status, DeadlineStatus::OnTime);
    // The monthly reports of 2021 are behind us, with no regular review open: nothing
    // records them as sent, so they are late, never "on time".
    assert_eq!(
        due(&dues, "2021-09-05").status,
        DeadlineStatus::Overdue { days_late: 68 }
    );
    assert_eq!(due(&dues, "2021-09-05").open_reviews, 0);
    // Tuesday 16 November, the review still open: late.
    clock.set("2021-11-16");
    let dues = app.reporting_calendar(&me, 2021).await.unwrap();
    assert_eq!(
        due(&dues, "2021-11-15").status,
        DeadlineStatus::Overdue { days_late: 1 }
    );
    // Decided in time for the official results.
    through_posting(
        &app,
        &clock,
        &me,
        periodic,
        &phieu_b(120, &FOUR, "2021-11-16"),
    )
    .await;
    clock.set("2021-11-22");
    app.approve_review(
        &me,
        periodic,
        version(&app, &me, periodic).await,
        "140/QĐ-UBND",
        day("2021-11-22"),
    )
    .await
    .unwrap();
    let dues = app.reporting_calendar(&me, 2021).await.unwrap();
    assert_eq!(due(&dues, "2021-11-15").open_reviews, 0);
    // Closing the review later does not make a missed date "on time".
    assert_eq!(
        due(&dues, "2021-11-15").status,
        DeadlineStatus::Overdue { days_late: 7 }
    );
    assert_eq!(due(&dues, "2021-12-20").status, DeadlineStatus::OnTime);

    // A request in March 2022 is reported on 5 April.
    clock.set("2022-03-18");
    let lan = family(&app, &me, "DM-002", HA_LAM, "Trần Thị Lan").await;
    let regular = app
        .open_regular_review(&me, lan, request("2022-03-18", "enter", "Trần Thị Lan"))
        .await
        .unwrap();
    clock.set("2022-04-04");
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    let april = due(&dues, "2022-04-05");
    assert_eq!(april.open_reviews, 1);
    assert_eq!(
        april.status,
        DeadlineStatus::DueSoon {
            working_days_left: 1
        }
    );
    assert_eq!(due(&dues, "2022-03-05").open_reviews, 0);
    assert_eq!(
        due(&dues, "2022-03-05").status,
        DeadlineStatus::Overdue { days_late: 30 }
    );
    clock.set("2022-04-06");
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    assert_eq!(
        due(&dues, "2022-04-05").status,
        DeadlineStatus::Overdue { days_late: 1 }
    );
    // The district sees the same calendar for its communes.
    let district = app.reporting_calendar(&front(), 2022).await.unwrap();
    assert_eq!(due(&district, "2022-04-05").open_reviews, 1);

    let ends = through_posting(
        &app,
        &clock,
        &me,
        regular,
        &phieu_b(125, &FOUR, "2022-04-06"),
    )
    .await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        regular,
        version(&app, &me, regular).await,
        "31/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    assert_eq!(due(&dues, "2022-04-05").open_reviews, 0);
    assert!(matches!(
        due(&dues, "2022-04-05").status,
        DeadlineStatus::Overdue { .. }
    ));
}
app_test!(the_reporting_calendar_marks_the_dates_due_and_late);

async fn a_report_recorded_as_sent_is_no_longer_late(store: Store) {
    let (app, _clock) = setup(store, "2022-04-20").await;
    let me = officer(DIEN_MY);
    let due = |dues: &[giamngheo_app::reporting::ReportingDue], date: &str| {
        dues.iter()
            .find(|d| d.due_on == day(date))
            .unwrap_or_else(|| panic!("no report due on {date}"))
            .clone()
    };
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    assert_eq!(
        due(&dues, "2022-03-05").status,
        DeadlineStatus::Overdue { days_late: 46 }
    );
    assert_eq!(due(&dues, "2022-03-05").sent_on, None);

    // February's report went on 04/03, March's on 08/04, three days late.
    app.record_report_sent(&me, day("2022-03-05"), day("2022-03-04"))
        .await
        .unwrap();
    app.record_report_sent(&me, day("2022-04-05"), day("2022-04-08"))
        .await
        .unwrap();
    let dues = app.reporting_calendar(&me, 2022).await.unwrap();
    let february = due(&dues, "2022-03-05");
    assert_eq!(february.sent_on, Some(day("2022-03-04")));
    assert!(!matches!(february.status, DeadlineStatus::Overdue { .. }));
    assert_eq!(
        due(&dues, "2022-04-05").status,
        DeadlineStatus::Overdue { days_late: 3 },
        "a report sent late stays late by the days it took"
    );
    // Recorded once: history is not rewritten.
    assert!(matches!(
        app.record_report_sent(&me, day("2022-03-05"), day("2022-03-01"))
            .await,
        Err(AppError::Conflict(_))
    ));
    // Not a due date, a day in the future, a role that does not send reports: refused.
    assert!(matches!(
        app.record_report_sent(&me, day("2022-03-06"), day("2022-03-06"))
            .await,
        Err(AppError::Invalid { .. })
    ));
    assert!(matches!(
        app.record_report_sent(&me, day("2022-05-05"), day("2022-05-01"))
            .await,
        Err(AppError::Invalid { .. })
    ));
    assert!(
        app.record_report_sent(&front(), day("2022-05-05"), day("2022-04-20"))
            .await
            .is_err()
    );
    // Another commune's calendar is its own.
    let other = app
        .reporting_calendar(&officer(HA_LINH), 2022)
        .await
        .unwrap();
    assert_eq!(due(&other, "2022-03-05").sent_on, None);
}
app_test!(a_report_recorded_as_sent_is_no_longer_late);
