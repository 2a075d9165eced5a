//! The household review's steps through the app layer, on SQLite and PostgreSQL: what each
//! step refuses, one periodic review a period, a correction with its reason, and the
//! meeting share as a setting.

use giamngheo_app::AppError;
use giamngheo_store::Store;

/// The review set-up shared with the other review test files.
#[path = "common/reviews.rs"]
mod fixtures;
use fixtures::*;

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

async fn each_step_refuses_what_belongs_to_another(store: Store) {
    let (app, clock) = setup(store, "2021-09-01").await;
    let me = officer(DIEN_MY);
    let a = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    let b = family(&app, &me, "DM-002", HA_LAM, "Trần Thị Lan").await;
    let asking = family(&app, &me, "DM-003", HA_LAM, "Hồ Thị Mai").await;
    baseline(&app, a, 2021, "vn-2016", "poor").await;
    baseline(&app, b, 2021, "vn-2016", "near_poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    app.add_review_request(
        &me,
        id,
        asking,
        request("2021-09-01", "enter", "Hồ Thị Mai"),
    )
    .await
    .unwrap();
    let on = "2021-09-01";

    // While the list is being made, nothing of the later steps can happen.
    let view = app.review(&me, id).await.unwrap();
    let first = rh(&view, a);
    refused_at_step(
        app.record_survey(&me, id, first.id, first.version, phieu_b(120, &FOUR, on))
            .await,
        "Lập danh sách",
    );
    refused_at_step(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, on, 10, 10))
            .await,
        "Lập danh sách",
    );
    refused_at_step(
        app.start_meetings(&me, id, view.review.version).await,
        "Lập danh sách",
    );
    refused_at_step(
        app.start_posting(&me, id, view.review.version, day(on), "UBND xã")
            .await,
        "Lập danh sách",
    );
    refused_at_step(
        app.record_complaint(&me, id, Some(a), "Nguyễn Văn Bình", "Xin xem lại", day(on))
            .await,
        "Lập danh sách",
    );
    refused_at_step(
        app.approve_review(&me, id, view.review.version, "1/QĐ", day(on))
            .await,
        "Lập danh sách",
    );
    // The survey waits for the request's screening.
    refused_at_step(
        app.start_survey(&me, id, view.review.version).await,
        "còn 1 hộ đề nghị",
    );
    screen(&app, &me, id, asking, true).await;
    // A stale copy of the review is refused, not applied.
    assert!(matches!(
        app.start_survey(&me, id, view.review.version - 1).await,
        Err(AppError::Conflict(_))
    ));
    app.start_survey(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();

    // During the survey: no more households, no screening, no meetings with households
    // not surveyed.
    refused_at_step(
        app.add_review_request(&me, id, asking, request(on, "enter", "Hồ Thị Mai"))
            .await,
        "Lập danh sách",
    );
    survey(&app, &me, id, a, phieu_b(120, &FOUR, on)).await;
    survey(&app, &me, id, b, phieu_b(130, &[], on)).await;
    refused_at_step(
        app.start_meetings(&me, id, version(&app, &me, id).await)
            .await,
        "còn 1 hộ chưa được điều tra",
    );
    refused_at_step(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, on, 10, 10))
            .await,
        "Họp dân",
    );
    survey(&app, &me, id, asking, phieu_b(125, &THREE, on)).await;
    app.start_meetings(&me, id, version(&app, &me, id).await)
        .await
        .unwrap();

    // Minutes are kept only when their bytes are a PDF, JPEG or PNG, whatever name and
    // type the browser gives: an SVG can carry script. The refused meeting records
    // nothing (the three households still wait below).
    let mut svg = meeting(TRUNG_HOA, on, 10, 10);
    svg.minutes = Some((
        "bien-ban.png".into(),
        "image/png".into(),
        b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>".to_vec(),
    ));
    assert!(matches!(
        app.record_meeting(&me, id, svg).await,
        Err(AppError::Invalid { field, message })
            if field == "minutes" && message.contains("PDF, JPEG hoặc PNG")
    ));

    // No posting before every village's meeting agreed.
    refused_at_step(
        app.start_posting(&me, id, version(&app, &me, id).await, day(on), "UBND xã")
            .await,
        "còn 3 hộ chưa được họp dân thông qua",
    );
    assert!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, on, 10, 10))
            .await
            .unwrap()
    );
    refused_at_step(
        app.start_posting(&me, id, version(&app, &me, id).await, day(on), "UBND xã")
            .await,
        "còn 2 hộ chưa được họp dân thông qua",
    );
    refused_at_step(
        app.record_complaint(&me, id, Some(a), "Nguyễn Văn Bình", "Xin xem lại", day(on))
            .await,
        "Niêm yết",
    );
    // A meeting is for households waiting for one: Trung Hòa has none left.
    assert!(matches!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, on, 10, 10)).await,
        Err(AppError::Invalid { field, .. }) if field == "village_code"
    ));
    assert!(
        app.record_meeting(&me, id, meeting(HA_LAM, on, 12, 6))
            .await
            .unwrap()
    );
    // Put up on Wednesday 1 September 2021, the eve of Quốc khánh (2–3 September): the
    // day it goes up is not counted, so its 3 working days are 6, 7 and 8 September.
    let ends = app
        .start_posting(&me, id, version(&app, &me, id).await, day(on), "UBND xã")
        .await
        .unwrap();
    assert_eq!(ends, day("2021-09-08"));
    refused_at_step(
        app.start_survey(&me, id, version(&app, &me, id).await)
            .await,
        "Niêm yết",
    );

    // The decision waits for the end of the posting and the complaints.
    let complaint = app
        .record_complaint(
            &me,
            id,
            None,
            "Hội Nông dân xã",
            "Đề nghị công khai danh sách lâu hơn",
            day(on),
        )
        .await
        .unwrap();
    refused_at_step(
        app.approve_review(&me, id, version(&app, &me, id).await, "1/QĐ", day(on))
            .await,
        "thời gian niêm yết chưa hết",
    );
    clock.set("2021-09-09");
    refused_at_step(
        app.approve_review(
            &me,
            id,
            version(&app, &me, id).await,
            "1/QĐ",
            day("2021-09-09"),
        )
        .await,
        "còn 1 khiếu nại",
    );
    // A complaint about no household cannot ask for a household's re-survey.
    assert!(matches!(
        app.resolve_complaint(&me, id, complaint, "Đã trả lời", day("2021-09-09"), true)
            .await,
        Err(AppError::Invalid { field, .. }) if field == "resurvey"
    ));
    app.resolve_complaint(
        &me,
        id,
        complaint,
        "Đã trả lời bằng văn bản",
        day("2021-09-09"),
        false,
    )
    .await
    .unwrap();
    assert!(matches!(
        app.approve_review(&me, id, version(&app, &me, id).await, " ", day("2021-09-09"))
            .await,
        Err(AppError::Invalid { field, .. }) if field == "decision_number"
    ));
    assert!(matches!(
        app.approve_review(&me, id, version(&app, &me, id).await, "1/QĐ", day("2021-09-10"))
            .await,
        Err(AppError::Invalid { field, .. }) if field == "decision_date"
    ));
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "1/QĐ-UBND",
        day("2021-09-09"),
    )
    .await
    .unwrap();

    // Once decided, nothing in the review changes any more.
    let view = app.review(&me, id).await.unwrap();
    let v = view.review.version;
    let decided = rh(&view, a);
    let closed = "đã kết thúc";
    refused_at_step(
        app.add_review_request(&me, id, asking, request(on, "enter", "Hồ Thị Mai"))
            .await,
        closed,
    );
    refused_at_step(
        app.record_screening(&me, id, decided.id, decided.version, &[], true)
            .await,
        closed,
    );
    refused_at_step(app.start_survey(&me, id, v).await, closed);
    refused_at_step(
        app.record_survey(
            &me,
            id,
            decided.id,
            decided.version,
            phieu_b(200, &[], "2021-09-09"),
        )
        .await,
        closed,
    );
    refused_at_step(app.start_meetings(&me, id, v).await, closed);
    refused_at_step(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-09-09", 10, 10))
            .await,
        closed,
    );
    refused_at_step(
        app.start_posting(&me, id, v, day("2021-09-09"), "UBND xã")
            .await,
        closed,
    );
    refused_at_step(
        app.record_complaint(
            &me,
            id,
            Some(a),
            "Nguyễn Văn Bình",
            "Xin xem lại",
            day("2021-09-09"),
        )
        .await,
        closed,
    );
    refused_at_step(
        app.resolve_complaint(&me, id, complaint, "Lại", day("2021-09-09"), false)
            .await,
        closed,
    );
    refused_at_step(
        app.approve_review(&me, id, v, "2/QĐ-UBND", day("2021-09-09"))
            .await,
        closed,
    );
    assert_eq!(
        app.review(&me, id)
            .await
            .unwrap()
            .review
            .decision_number
            .as_deref(),
        Some("1/QĐ-UBND")
    );
}
app_test!(each_step_refuses_what_belongs_to_another);

async fn a_commune_has_one_periodic_review_a_period_under_a_standard_that_applies(store: Store) {
    let (app, _clock) = setup(store, "2021-09-01").await;
    let me = officer(DIEN_MY);
    app.open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    assert!(matches!(
        app.open_periodic_review(&me, DIEN_MY, 2022, "vn-2022").await,
        Err(AppError::Conflict(m)) if m.contains("Xã Điền Mỹ")
    ));
    // Hà Linh's own review for 2022 is another matter.
    app.open_periodic_review(&officer(HA_LINH), HA_LINH, 2022, "vn-2022")
        .await
        .unwrap();
    // The 2016 standard ended with 2021; the 2022 one began with 2022.
    for (period, standard) in [(2022, "vn-2016"), (2021, "vn-2022"), (2028, "vn-2022")] {
        assert!(
            matches!(
                app.open_periodic_review(&me, DIEN_MY, period, standard).await,
                Err(AppError::Invalid { field, .. }) if field == "standard"
            ),
            "{standard} for {period}"
        );
    }
    assert!(matches!(
        app.open_periodic_review(&me, DIEN_MY, 2023, "vn-1999").await,
        Err(AppError::Invalid { field, .. }) if field == "standard"
    ));
    // A review is opened for a commune, not a village.
    assert!(matches!(
        app.open_periodic_review(&me, TRUNG_HOA, 2023, "vn-2022").await,
        Err(AppError::Invalid { field, .. }) if field == "commune"
    ));
    let mine = app.reviews(&me, None).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].commune_name, "Xã Điền Mỹ");
    assert_eq!(app.reviews(&front(), None).await.unwrap().len(), 2);
}
app_test!(a_commune_has_one_periodic_review_a_period_under_a_standard_that_applies);

async fn an_approved_classification_changes_only_by_a_correction_with_a_reason(store: Store) {
    let (app, clock) = setup(store, "2021-10-04").await;
    let me = officer(DIEN_MY);
    let binh = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    baseline(&app, binh, 2021, "vn-2016", "poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let ends = through_posting(&app, &clock, &me, id, &phieu_b(120, &FOUR, "2021-10-04")).await;
    assert_eq!(ends, day("2021-10-07"));
    clock.set("2021-10-08");
    app.approve_review(
        &me,
        id,
        version(&app, &me, id).await,
        "90/QĐ-UBND",
        day("2021-10-08"),
    )
    .await
    .unwrap();
    let approved = app.household_statuses(&me, binh).await.unwrap()[0].clone();
    assert_eq!(approved.fields.status, "poor");

    // The closed review cannot be re-surveyed to change it.
    let view = app.review(&me, id).await.unwrap();
    let h = rh(&view, binh);
    refused_at_step(
        app.record_survey(&me, id, h.id, h.version, phieu_b(130, &[], "2021-10-07"))
            .await,
        "đã kết thúc",
    );

    // A correction needs a reason.
    clock.set("2021-11-02");
    for reason in ["", "   "] {
        assert!(matches!(
            app.correct_classification(&me, approved.id, "near_poor", reason).await,
            Err(AppError::Invalid { field, .. }) if field == "reason"
        ));
    }
    assert!(matches!(
        app.correct_classification(&me, approved.id, "rich", "Nhập nhầm").await,
        Err(AppError::Invalid { field, .. }) if field == "status"
    ));
    // Neither the Front nor another commune corrects Điền Mỹ's decisions.
    assert!(matches!(
        app.correct_classification(&front(), approved.id, "near_poor", "Nhập nhầm")
            .await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.correct_classification(&officer(HA_LINH), approved.id, "near_poor", "Nhập nhầm")
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.correct_classification(&me, 999_999, "near_poor", "Nhập nhầm")
            .await,
        Err(AppError::NotFound(_))
    ));
    let reason = "Nhập nhầm số chỉ số thiếu hụt: phiếu B2 chỉ có 2 chỉ số";
    let corrected = app
        .correct_classification(&me, approved.id, "near_poor", reason)
        .await
        .unwrap();

    // The old row stays as it was; the new one supersedes it.
    let statuses = app.household_statuses(&me, binh).await.unwrap();
    assert_eq!(statuses.len(), 3, "baseline, decision, correction");
    let newest = &statuses[0];
    assert_eq!(newest.id, corrected);
    assert_eq!(newest.fields.status, "near_poor");
    assert_eq!(newest.fields.kind, "correction");
    assert_eq!(newest.fields.supersedes, Some(approved.id));
    assert_eq!(newest.fields.correction_reason.as_deref(), Some(reason));
    assert_eq!(newest.fields.period, 2022);
    assert_eq!(newest.fields.effective_date, day("2021-11-02"));
    let old = statuses.iter().find(|c| c.id == approved.id).unwrap();
    assert_eq!(old, &approved, "the approved row is never overwritten");
    let (log, _) = app
        .audit_log(&admin(), &Default::default(), 1)
        .await
        .unwrap();
    let entry = log
        .iter()
        .find(|a| a.entry.action == "classification.correct")
        .expect("the correction is in the log");
    assert_eq!(entry.entry.reason.as_deref(), Some(reason));
    assert_eq!(entry.entry.entity_id, approved.id.to_string());
    let change = &giamngheo_app::households::decode_changes(&entry.entry.changes)[0];
    assert_eq!(
        (change.old.as_str(), change.new.as_str()),
        (Some("poor"), Some("near_poor"))
    );
}
app_test!(an_approved_classification_changes_only_by_a_correction_with_a_reason);

async fn the_meeting_share_is_a_setting_shown_with_its_source(store: Store) {
    let (app, _clock) = setup(store, "2021-09-01").await;
    let me = officer(DIEN_MY);
    let a = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    baseline(&app, a, 2021, "vn-2016", "poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let v = version(&app, &me, id).await;
    app.start_survey(&me, id, v).await.unwrap();
    survey(&app, &me, id, a, phieu_b(120, &FOUR, "2021-09-01")).await;
    let v = version(&app, &me, id).await;
    app.start_meetings(&me, id, v).await.unwrap();

    // By default Decision 24/2021's half is the rule, and the page says so with its source.
    let view = app.review(&me, id).await.unwrap();
    assert!(
        view.meeting_rule
            .0
            .contains("ít nhất 50 % người dự họp đồng ý")
            && view.meeting_rule.0.contains("Quyết định 24/2021/QĐ-TTg"),
        "{}",
        view.meeting_rule.0
    );

    // A province that asks for 60 % changes the setting, not the code: 5 of 10 is no
    // longer enough, and the households go back to the survey.
    app.store()
        .set_setting("review.meeting_min_agree_percent", "60")
        .await
        .unwrap();
    app.store()
        .set_setting("review.meeting_rule_source", "Quyết định của tỉnh (thử)")
        .await
        .unwrap();
    assert!(
        !app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-09-01", 10, 5))
            .await
            .unwrap()
    );
    let view = app.review(&me, id).await.unwrap();
    assert_eq!(rh(&view, a).step, "resurvey");
    assert!(
        view.meeting_rule.0.contains("ít nhất 60 %")
            && view.meeting_rule.0.contains("Quyết định của tỉnh (thử)"),
        "{}",
        view.meeting_rule.0
    );
    survey(&app, &me, id, a, phieu_b(120, &FOUR, "2021-09-01")).await;
    assert!(
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-09-01", 10, 6))
            .await
            .unwrap()
    );

    // A share outside 1–100 % is a typing error: the regulation's 50 % stays in force.
    app.store()
        .set_setting("review.meeting_min_agree_percent", "0")
        .await
        .unwrap();
    assert_eq!(
        app.review_settings()
            .await
            .unwrap()
            .meeting_min_agree_percent,
        50
    );
}
app_test!(the_meeting_share_is_a_setting_shown_with_its_source);
