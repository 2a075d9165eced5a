//! The page of villages waiting for their new commune (`/units/waiting`), on SQLite and
//! PostgreSQL: a village of Phường Đại Nài (18082), which the 2025 reform split between
//! Phường Thành Sen (18073) and Phường Hà Huy Tập (18652), is listed flagged for Hà
//! Tĩnh's administrator and office with those two as the only choices; a commune that
//! took no part of the old ward, an empty choice, another province's administrator and a
//! commune officer are refused with nothing changed; the office's choice moves it.

mod support;

use axum::Router;
use axum::http::StatusCode;
use chrono::NaiveDate;
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::units::{OFFICIAL_UNITS_CSV, UnitImportOptions, shipped_history_start};
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
use std::sync::Arc;
use support::{get, post_form, send, sign_in_answer};

const PASSWORD: &str = "Sông-Lam-chảy-1975!";

/// A database made before the reform, with one village in the ward it split, then the
/// shipped reform applied; and the users of the test.
async fn load(store: Store) -> (App, Router, String) {
    let now = NaiveDate::from_ymd_opt(2026, 12, 7)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    app.import_units(
        OFFICIAL_UNITS_CSV.as_bytes(),
        &UnitImportOptions {
            valid_from: shipped_history_start(),
            retire_missing: false,
            hierarchy: Some(Hierarchy::four_levels()),
        },
    )
    .await
    .unwrap();
    let codes = app
        .import_villages_as_system_on(
            "commune_code,name,kind\n18082,Tổ dân phố 9,Tổ dân phố\n".as_bytes(),
            NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        )
        .await
        .unwrap();
    let village = codes[0].clone();
    let reform = app.apply_shipped_reform().await.unwrap();
    assert!(reform.villages_waiting.iter().any(|v| v.code == village));
    for (username, role, unit) in [
        ("hatinh.admin", Role::Admin, "42"),
        ("hatinh.office", Role::Office, "42"),
        ("thanhsen.officer", Role::CommuneOfficer, "18073"),
        ("nghean.admin", Role::Admin, "40"),
    ] {
        app.add_user_as_system(NewUserInput {
            username: username.into(),
            password: PASSWORD.into(),
            role,
            unit_code: unit.into(),
        })
        .await
        .unwrap();
    }
    let router = giamngheo_web::router(app.clone());
    (app, router, village)
}

/// A signed-in browser: its session cookie and the CSRF token of its forms.
struct Browser {
    session: String,
    csrf: String,
}

async fn sign_in(router: &Router, username: &str) -> Browser {
    let answer = sign_in_answer(router, username, PASSWORD).await;
    let session = answer.cookie("gn_session").unwrap();
    let home = send(router, get("/", Some(&session))).await;
    Browser {
        csrf: home.csrf_field(),
        session,
    }
}

async fn get_page(router: &Router, who: &Browser) -> (StatusCode, String) {
    let a = send(router, get("/units/waiting", Some(&who.session))).await;
    (a.status, a.body)
}

async fn assign(
    router: &Router,
    who: &Browser,
    village: &str,
    commune: &str,
) -> (StatusCode, String) {
    let cookie = format!("gn_session={}", who.session);
    let fields = [
        ("csrf", who.csrf.as_str()),
        ("village_code", village),
        ("commune_code", commune),
    ];
    let a = send(router, post_form("/units/waiting", Some(&cookie), &fields)).await;
    (a.status, a.body)
}

/// The village's parent and flag as stored.
async fn where_is(app: &App, village: &str) -> (Option<String>, bool) {
    let v = app.unit(village).await.unwrap();
    (v.parent_code, v.awaiting_assignment)
}

async fn a_waiting_village_is_listed_and_assigned_from_the_page(store: Store) {
    let (app, router, village) = load(store).await;
    let waiting = (Some("18082".to_string()), true);
    assert_eq!(where_is(&app, &village).await, waiting);
    let admin = sign_in(&router, "hatinh.admin").await;
    let office = sign_in(&router, "hatinh.office").await;
    let officer = sign_in(&router, "thanhsen.officer").await;
    let nghean = sign_in(&router, "nghean.admin").await;

    // Hà Tĩnh's administrator sees it, flagged, with the two wards as the only choices,
    // and the page in the menu.
    let (status, page) = get_page(&router, &admin).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Thôn chờ phân về xã mới"), "{page}");
    assert!(page.contains("Tổ dân phố 9") && page.contains(&village));
    assert!(page.contains("Chờ phân"));
    assert!(page.contains("Phường Đại Nài (18082)"));
    assert!(page.contains(r#"<option value="18073">Phường Thành Sen (18073)</option>"#));
    assert!(page.contains(r#"<option value="18652">Phường Hà Huy Tập (18652)</option>"#));
    assert_eq!(
        page.matches("<option value=\"1").count(),
        2,
        "only the successors"
    );
    assert!(page.contains(r#"href="/units/waiting""#));

    // Another province's administrator sees nothing of it and cannot assign it; a
    // commune officer may not use the page.
    let (status, page) = get_page(&router, &nghean).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!page.contains(&village) && page.contains("Không có thôn nào chờ phân"));
    let (status, _) = assign(&router, &nghean, &village, "18073").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get_page(&router, &officer).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = assign(&router, &officer, &village, "18073").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(where_is(&app, &village).await, waiting);

    // A commune that took no part of the old ward, and no choice at all, are refused
    // in Vietnamese, nothing changed.
    let (status, page) = assign(&router, &admin, &village, "18496").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("xã mã 18496 không nhận phần nào của xã cũ 18082"),
        "{page}"
    );
    let (status, page) = assign(&router, &admin, &village, "").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("hãy chọn xã mới cho thôn"), "{page}");
    assert_eq!(where_is(&app, &village).await, waiting);

    // The office gives it Hà Huy Tập: it moves there and leaves the list.
    let (status, page) = assign(&router, &office, &village, "18652").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Đã phân thôn"));
    assert_eq!(
        where_is(&app, &village).await,
        (Some("18652".to_string()), false)
    );
    let (_, page) = get_page(&router, &admin).await;
    assert!(!page.contains(&village));
    // A second assignment finds it no longer waiting.
    let (status, page) = assign(&router, &admin, &village, "18073").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("không chờ phân về xã mới"), "{page}");
}

giamngheo_store::store_test!(a_waiting_village_is_listed_and_assigned_from_the_page);
