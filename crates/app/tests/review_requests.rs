//! A household's own request during the year through the app layer, on SQLite and
//! PostgreSQL: recognised within the month, refused in writing, leaving the lists, and the
//! certificates of approvals signed at once.

use giamngheo_app::reviews::RequestInput;
use giamngheo_app::{AppError, Clock};
use giamngheo_rules::DeadlineStatus;
use giamngheo_store::Store;

/// The review set-up shared with the other review test files.
#[path = "common/reviews.rs"]
mod fixtures;
use fixtures::*;

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

async fn a_household_asking_to_be_recognised_is_reviewed_within_the_month(store: Store) {
    let (app, clock) = setup(store, "2022-03-15").await;
    let me = officer(DIEN_MY);
    let nam = family(&app, &me, "DM-001", HA_LAM, "Đặng Văn Nam").await;
    baseline(&app, nam, 2022, "vn-2022", "not_poor").await;
    // He asked online on the 14th; the commune opens the review on the 15th.
    let id = app
        .open_regular_review(
            &me,
            nam,
            RequestInput {
                channel: "online".into(),
                ..request("2022-03-14", "enter", "Đặng Văn Nam")
            },
        )
        .await
        .unwrap();
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(view.review.kind, "regular");
    assert_eq!(view.review.period, 2022);
    assert_eq!(view.review.standard, "vn-2022");
    assert_eq!(view.review.opened_on, day("2022-03-14"));
    assert_eq!(view.review.due_on, day("2022-03-29"));
    let r = rh(&view, nam);
    assert_eq!(
        (r.source.as_str(), r.step.as_str()),
        ("request", "screening")
    );
    assert_eq!(r.request_channel.as_deref(), Some("online"));
    assert_eq!(r.request_kind.as_deref(), Some("enter"));

    // Phiếu A first, then the steps of the periodic review for his household alone.
    refused_at_step(
        app.start_survey(&me, id, view.review.version).await,
        "chưa được nhận dạng nhanh",
    );
    screen(&app, &me, id, nam, true).await;
    app.start_survey(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();
    clock.set("2022-03-17");
    assert_eq!(
        survey(&app, &me, id, nam, phieu_b(128, &THREE, "2022-03-17")).await,
        "poor"
    );
    app.start_meetings(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();
    clock.set("2022-03-21");
    assert!(
        app.record_meeting(&me, id, meeting(HA_LAM, "2022-03-21", 24, 20))
            .await
            .unwrap()
    );
    let ends = app
        .start_posting(
            &me,
            id,
            version(&app, &me, id).await,
            day("2022-03-22"),
            "Nhà văn hóa thôn Hạ Lâm",
        )
        .await
        .unwrap();
    assert_eq!(ends, day("2022-03-25"));
    clock.set("2022-03-28");
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "15/QĐ-UBND",
        day("2022-03-28"),
    )
    .await
    .unwrap();

    let statuses = app.household_statuses(&me, nam).await.unwrap();
    let c = &statuses[0].fields;
    assert_eq!(c.kind, "regular");
    assert_eq!(c.review_id, Some(id));
    assert_eq!(c.period, 2022);
    assert_eq!(c.status, "poor");
    assert_eq!(c.transition.as_deref(), Some("newly_poor"));
    assert_eq!(c.certificate_number.as_deref(), Some("001/GCN-HN.HCN"));
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(rh(&view, nam).refusal_reason, None);
    assert_eq!(view.deadline, DeadlineStatus::OnTime);
}
app_test!(a_household_asking_to_be_recognised_is_reviewed_within_the_month);

async fn a_household_found_above_the_line_is_refused_in_writing(store: Store) {
    let (app, clock) = setup(store, "2022-05-16").await;
    let me = officer(DIEN_MY);
    let above = family(&app, &me, "DM-001", TRUNG_HOA, "Lê Văn Hùng").await;
    let screened_out = family(&app, &me, "DM-002", TRUNG_HOA, "Bùi Thị Thu").await;

    // Lê Văn Hùng's phiếu B puts him above the line: a decision with reasons, no
    // certificate.
    let id = app
        .open_regular_review(&me, above, request("2022-05-16", "enter", "Lê Văn Hùng"))
        .await
        .unwrap();
    let ends = through_posting(&app, &clock, &me, id, &phieu_b(165, &THREE, "2022-05-16")).await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "20/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    let view = app.review(&me, id).await.unwrap();
    let reason = rh(&view, above)
        .refusal_reason
        .clone()
        .expect("a reason in writing");
    assert!(reason.contains("hộ không nghèo"), "{reason}");
    assert!(reason.contains("vn-2022"), "{reason}");
    let c = &app.household_statuses(&me, above).await.unwrap()[0].fields;
    assert_eq!(c.status, "not_poor");
    assert_eq!(c.certificate_number, None);

    // Bùi Thị Thu's request does not pass phiếu A: with nothing left to survey, the
    // review is decided at once and the refusal gives that reason.
    clock.set("2022-05-23");
    let id = app
        .open_regular_review(
            &me,
            screened_out,
            request("2022-05-23", "enter", "Bùi Thị Thu"),
        )
        .await
        .unwrap();
    screen(&app, &me, id, screened_out, false).await;
    clock.set("2022-05-24");
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "21/QĐ-UBND",
        day("2022-05-24"),
    )
    .await
    .unwrap();
    assert_eq!(app.review(&me, id).await.unwrap().review.step, "closed");
    let view = app.review(&me, id).await.unwrap();
    let r = rh(&view, screened_out);
    assert_eq!(r.step, "refused");
    assert!(r.refusal_reason.as_deref().unwrap().contains("phiếu A"));
    assert!(
        app.household_statuses(&me, screened_out)
            .await
            .unwrap()
            .is_empty()
    );
}
app_test!(a_household_found_above_the_line_is_refused_in_writing);

async fn a_poor_household_asking_to_leave_the_lists_is_recorded_as_escaped(store: Store) {
    let (app, clock) = setup(store, "2022-06-15").await;
    let me = officer(DIEN_MY);
    let duc = family(&app, &me, "DM-001", HA_LAM, "Phan Văn Đức").await;
    // Near-poor in 2021, poor for 2022 by the commune's annual decision.
    baseline(&app, duc, 2021, "vn-2016", "near_poor").await;
    baseline(&app, duc, 2022, "vn-2022", "poor").await;
    // In June his son finds work in the province; he asks to leave the lists.
    let id = app
        .open_regular_review(&me, duc, request("2022-06-15", "leave", "Phan Văn Đức"))
        .await
        .unwrap();
    let ends = through_posting(&app, &clock, &me, id, &phieu_b(170, &[], "2022-06-15")).await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "40/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    let statuses = app.household_statuses(&me, duc).await.unwrap();
    let c = &statuses[0].fields;
    assert_eq!((c.period, c.kind.as_str()), (2022, "regular"));
    assert_eq!(c.status, "not_poor");
    assert_eq!(
        c.transition.as_deref(),
        Some("escaped_poverty"),
        "poor earlier in the same year, not poor now: he escaped poverty"
    );
    assert_eq!(c.certificate_number, None);
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(
        rh(&view, duc).refusal_reason,
        None,
        "what he asked for was granted"
    );
}
app_test!(a_poor_household_asking_to_leave_the_lists_is_recorded_as_escaped);

async fn a_household_asking_to_leave_is_surveyed_without_phieu_a_and_refused_if_still_poor(
    store: Store,
) {
    let (app, clock) = setup(store, "2022-06-15").await;
    let me = officer(DIEN_MY);
    let duc = family(&app, &me, "DM-001", HA_LAM, "Phan Văn Đức").await;
    baseline(&app, duc, 2022, "vn-2022", "poor").await;
    let id = app
        .open_regular_review(&me, duc, request("2022-06-15", "leave", "Phan Văn Đức"))
        .await
        .unwrap();
    // Decision 24/2021 surveys a household asking to leave with phiếu B at once: it is
    // listed for the survey, and phiếu A is refused for it.
    let view = app.review(&me, id).await.unwrap();
    let h = rh(&view, duc).clone();
    assert_eq!(h.step, "listed");
    match app
        .record_screening(&me, id, h.id, h.version, &[], false)
        .await
    {
        Err(AppError::Invalid { message, .. }) => assert!(message.contains("phiếu B"), "{message}"),
        other => panic!("phiếu A for a request to leave: {other:?}"),
    }
    // The survey finds the household still poor: the request is refused for that reason,
    // not for a screening it never had.
    let ends = through_posting(&app, &clock, &me, id, &phieu_b(120, &FOUR, "2022-06-15")).await;
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "41/QĐ-UBND",
        clock.today(),
    )
    .await
    .unwrap();
    let view = app.review(&me, id).await.unwrap();
    let reason = rh(&view, duc)
        .refusal_reason
        .clone()
        .expect("refused in writing");
    assert!(reason.contains("hộ vẫn là hộ nghèo"), "{reason}");
    assert!(reason.contains("chưa đủ điều kiện thoát nghèo"), "{reason}");
    assert!(!reason.contains("phiếu A"), "{reason}");

    // The letter is numbered in the commune and year when issued, with the officer's
    // words; issued again it takes the next number, and the first stays as sent.
    let rh_id = rh(&view, duc).id;
    let first = app
        .issue_refusal_letter(&me, id, rh_id, "Hộ còn 4 chỉ số thiếu hụt", clock.today())
        .await
        .unwrap();
    assert_eq!(first.number, "001/UBND");
    let second = app
        .issue_refusal_letter(
            &me,
            id,
            rh_id,
            "Hộ còn thiếu hụt bảo hiểm y tế và nhà ở",
            clock.today(),
        )
        .await
        .unwrap();
    assert_eq!(second.number, "002/UBND");
    let now = app.refusal_letter(&me, id, rh_id).await.unwrap().unwrap();
    assert_eq!(now, second);
    assert_eq!(
        app.store().refusal_letters(id).await.unwrap(),
        vec![first, second]
    );
    // Without a reason, or from another commune, or for the front, nothing is issued.
    assert!(matches!(
        app.issue_refusal_letter(&me, id, rh_id, "  ", clock.today())
            .await,
        Err(AppError::Invalid { .. })
    ));
    assert!(matches!(
        app.issue_refusal_letter(&officer(HA_LINH), id, rh_id, "x", clock.today())
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.issue_refusal_letter(&front(), id, rh_id, "x", clock.today())
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(app.store().refusal_letters(id).await.unwrap().len(), 2);
}
app_test!(a_household_asking_to_leave_is_surveyed_without_phieu_a_and_refused_if_still_poor);

/// Eight households of one commune asked to be recognised and were reviewed the same
/// month; the chair signs the eight decisions at once. Each certificate gets its own
/// number, and together they run from 001 without a gap.
async fn concurrent_approvals_in_a_commune_give_distinct_consecutive_certificates(store: Store) {
    let (app, clock) = setup(store, "2022-03-15").await;
    let me = officer(DIEN_MY);
    let mut reviews = Vec::new();
    for i in 1..=8 {
        let h = family(&app, &me, &format!("DM-1{i:02}"), HA_LAM, "Đặng Văn Nam").await;
        baseline(&app, h, 2022, "vn-2022", "not_poor").await;
        let id = app
            .open_regular_review(&me, h, request("2022-03-14", "enter", "Đặng Văn Nam"))
            .await
            .unwrap();
        screen(&app, &me, id, h, true).await;
        app.start_survey(&me, id, version(&app, &me, id).await)
            .await
            .unwrap();
        survey(&app, &me, id, h, phieu_b(128, &THREE, "2022-03-15")).await;
        app.start_meetings(&me, id, version(&app, &me, id).await)
            .await
            .unwrap();
        app.record_meeting(&me, id, meeting(HA_LAM, "2022-03-15", 24, 20))
            .await
            .unwrap();
        app.start_posting(
            &me,
            id,
            version(&app, &me, id).await,
            day("2022-03-16"),
            "Nhà văn hóa thôn Hạ Lâm",
        )
        .await
        .unwrap();
        reviews.push((id, h));
    }
    clock.set("2022-03-28");
    let mut approvals = Vec::new();
    for &(id, _) in &reviews {
        let v = version(&app, &me, id).await;
        let (app, me) = (app.clone(), me.clone());
        approvals.push(tokio::spawn(async move {
            app.approve_review(&me, id, v, "15/QĐ-UBND", day("2022-03-28"))
                .await
        }));
    }
    for a in approvals {
        a.await.unwrap().unwrap();
    }
    let mut numbers = Vec::new();
    for &(_, h) in &reviews {
        let statuses = app.household_statuses(&me, h).await.unwrap();
        numbers.push(statuses[0].fields.certificate_number.clone().unwrap());
    }
    numbers.sort();
    let expected: Vec<String> = (1..=8).map(|n| format!("{n:03}/GCN-HN.HCN")).collect();
    assert_eq!(numbers, expected);
}
app_test!(concurrent_approvals_in_a_commune_give_distinct_consecutive_certificates);
