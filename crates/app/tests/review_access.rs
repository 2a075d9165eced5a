//! Who may read or act on a household review, through the app layer on SQLite and
//! PostgreSQL.

use giamngheo_app::access::Role;
use giamngheo_app::{AppError, Clock};
use giamngheo_domain::Tier;
use giamngheo_store::Store;

/// The review set-up shared with the other review test files.
#[path = "common/reviews.rs"]
mod fixtures;
use fixtures::*;

/// Runs a test once on SQLite and once on PostgreSQL.
use giamngheo_store::store_test as app_test;

async fn another_commune_sees_no_review_and_the_front_reads_but_does_not_act(store: Store) {
    let (app, clock) = setup(store, "2021-09-06").await;
    let me = officer(DIEN_MY);
    let binh = family(&app, &me, "DM-001", TRUNG_HOA, "Nguyễn Văn Bình").await;
    baseline(&app, binh, 2021, "vn-2016", "poor").await;
    let id = app
        .open_periodic_review(&me, DIEN_MY, 2022, "vn-2022")
        .await
        .unwrap();
    let v = version(&app, &me, id).await;

    // Hà Linh's officer: the review does not exist for him.
    let neighbour = officer(HA_LINH);
    assert!(matches!(
        app.review(&neighbour, id).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.start_survey(&neighbour, id, v).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.open_periodic_review(&neighbour, DIEN_MY, 2023, "vn-2022")
            .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.open_regular_review(
            &neighbour,
            binh,
            request("2021-09-06", "leave", "Nguyễn Văn Bình")
        )
        .await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.reviews(&neighbour, Some(DIEN_MY)).await,
        Err(AppError::NotFound(_))
    ));
    assert!(app.reviews(&neighbour, None).await.unwrap().is_empty());
    assert!(matches!(
        app.household_statuses(&neighbour, binh).await,
        Err(AppError::NotFound(_))
    ));
    assert!(matches!(
        app.review(&officer(DIEN_MY), 999_999).await,
        Err(AppError::NotFound(_))
    ));

    // The Fatherland Front supervises: it reads the review and its results…
    let front = front();
    let seen = app.review(&front, id).await.unwrap();
    assert!(!seen.can_write);
    assert_eq!(seen.households.len(), 1);
    assert_eq!(app.reviews(&front, Some(DIEN_MY)).await.unwrap().len(), 1);
    assert_eq!(app.household_statuses(&front, binh).await.unwrap().len(), 1);
    // …and takes no step itself.
    let h = rh(&seen, binh).clone();
    assert!(matches!(
        app.start_survey(&front, id, v).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.open_periodic_review(&front, HA_LINH, 2022, "vn-2022")
            .await,
        Err(AppError::Forbidden(_))
    ));
    app.start_survey(&me, id, v).await.unwrap();
    assert!(matches!(
        app.record_survey(
            &front,
            id,
            h.id,
            h.version,
            phieu_b(120, &FOUR, "2021-09-06")
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    survey(&app, &me, id, binh, phieu_b(120, &FOUR, "2021-09-06")).await;
    let v = version(&app, &me, id).await;
    assert!(matches!(
        app.start_meetings(&front, id, v).await,
        Err(AppError::Forbidden(_))
    ));
    app.start_meetings(&me, id, v).await.unwrap();
    assert!(matches!(
        app.record_meeting(&front, id, meeting(TRUNG_HOA, "2021-09-06", 10, 10))
            .await,
        Err(AppError::Forbidden(_))
    ));
    let ends = {
        app.record_meeting(&me, id, meeting(TRUNG_HOA, "2021-09-06", 10, 10))
            .await
            .unwrap();
        let v = version(&app, &me, id).await;
        assert!(matches!(
            app.start_posting(&front, id, v, day("2021-09-06"), "UBND xã")
                .await,
            Err(AppError::Forbidden(_))
        ));
        app.start_posting(&me, id, v, day("2021-09-06"), "UBND xã")
            .await
            .unwrap()
    };
    assert!(matches!(
        app.record_complaint(
            &front,
            id,
            Some(binh),
            "MTTQ xã",
            "Xem lại",
            day("2021-09-06")
        )
        .await,
        Err(AppError::Forbidden(_))
    ));
    clock.set(&(ends + chrono::Days::new(1)).format("%Y-%m-%d").to_string());
    let v = version(&app, &me, id).await;
    assert!(matches!(
        app.approve_review(&front, id, v, "1/QĐ", clock.today())
            .await,
        Err(AppError::Forbidden(_))
    ));
    // The province viewer sees counts, not households.
    let viewer = actor(Role::ProvinceViewer, "42", Tier::Province);
    assert!(matches!(
        app.review(&viewer, id).await,
        Err(AppError::Forbidden(_))
    ));
    assert_eq!(app.reviews(&viewer, None).await.unwrap().len(), 1);
    app.approve_review(&me, id, v, "1/QĐ-UBND", clock.today())
        .await
        .unwrap();
    let c = &app.household_statuses(&front, binh).await.unwrap()[0];
    assert!(matches!(
        app.correct_classification(&front, c.id, "near_poor", "Theo kiến nghị của MTTQ")
            .await,
        Err(AppError::Forbidden(_))
    ));
}
app_test!(another_commune_sees_no_review_and_the_front_reads_but_does_not_act);
