//! The household export (`/api/v1/households/export`), read back as a spreadsheet
//! program would: citizen IDs and health insurance numbers in full for a role that may
//! read citizen IDs, masked for one that may not; the status filter; a unit of another
//! province refused; and CSV cells that could run as formulas kept as text.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use calamine::{Reader, Xlsx, open_workbook_from_rs};
use chrono::NaiveDate;
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_store::Store;
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

const PASSWORD: &str = "Sông-Lam-chảy-1975!";

async fn load(store: Store) -> (App, Router) {
    let now = NaiveDate::from_ymd_opt(2025, 9, 15)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    app.load_demo(2021, 60).await.unwrap();
    for (username, role, unit) in [
        ("hatinh.admin", Role::Admin, "42"),
        ("hatinh.giamsat", Role::Oversight, "42"),
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
    (app, router)
}

async fn token(router: &Router, username: &str) -> String {
    let body = serde_json::json!({"username": username, "password": PASSWORD}).to_string();
    let request = Request::post("/api/v1/auth/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    json["token"].as_str().unwrap().to_string()
}

async fn export(router: &Router, token: &str, query: &str) -> (StatusCode, Vec<u8>) {
    let request = Request::get(format!("/api/v1/households/export?{query}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, body.to_vec())
}

/// The sheet's rows as text, headings first.
fn rows(xlsx: Vec<u8>) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let range = book.worksheet_range("Danh sách hộ").unwrap();
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

async fn the_export_masks_ids_for_roles_that_may_not_read_them(store: Store) {
    let (app, router) = load(store).await;
    let admin = token(&router, "hatinh.admin").await;
    let oversight = token(&router, "hatinh.giamsat").await;

    // The full numbers as stored.
    let mut ids = Vec::new();
    let mut cards = Vec::new();
    let (households, _) = app
        .store()
        .list_households(
            &giamngheo_store::HouseholdFilter {
                // The demo's households: under the new communes of Hà Tĩnh since the
                // reform, which moved them out of district 444.
                scope_column: "province_code",
                scope_code: "42".into(),
                text: None,
                citizen_id: None,
                include_inactive: false,
                villages: Vec::new(),
            },
            1000,
            0,
        )
        .await
        .unwrap();
    for h in &households {
        for m in app.store().members_of(h.id, false).await.unwrap() {
            ids.extend(m.fields.citizen_id);
            cards.extend(m.fields.health_insurance_number);
        }
    }
    assert!(!ids.is_empty() && !cards.is_empty());

    let (status, full) = export(&router, &admin, "unit=42&as_of=15/09/2025&format=xlsx").await;
    assert_eq!(status, StatusCode::OK);
    let full = rows(full);
    assert_eq!(full[0][0], "Mã hộ");
    assert_eq!(full[0][7], "Số CCCD");
    let members = full.len() - 1;
    assert!(members > households.len(), "one line per member");
    let shown_ids: Vec<&String> = full[1..].iter().map(|r| &r[7]).collect();
    assert!(
        ids.iter().all(|id| shown_ids.contains(&id)),
        "full IDs for an administrator"
    );
    assert!(full[1..].iter().any(|r| cards.contains(&r[8])));

    let (status, masked) = export(&router, &oversight, "unit=42&as_of=15/09/2025").await;
    assert_eq!(status, StatusCode::OK);
    let masked = rows(masked);
    assert_eq!(masked.len() - 1, members);
    for r in &masked[1..] {
        for cell in [&r[7], &r[8]] {
            assert!(
                cell.is_empty() || cell.starts_with('*'),
                "a masked role sees «{cell}»"
            );
        }
        assert!(!ids.contains(&r[7]) && !cards.contains(&r[8]));
    }
    // The rule of the pages: all but the last three digits hidden.
    let first = giamngheo_domain::household::mask_citizen_id(&ids[0]);
    assert!(masked[1..].iter().any(|r| r[7] == first), "{first}");

    // Only the households whose current status is poor.
    let (status, poor) = export(&router, &admin, "unit=42&as_of=15/09/2025&status=poor").await;
    assert_eq!(status, StatusCode::OK);
    let poor = rows(poor);
    assert!(poor.len() > 1 && poor.len() - 1 < members);
    assert!(
        poor[1..].iter().all(|r| r[3] == "hộ nghèo"),
        "{:?}",
        poor[1]
    );
    let (status, body) = export(&router, &admin, "unit=42&as_of=15/09/2025&status=rich").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&body).contains("tình trạng «rich» không hợp lệ"));

    // The households page's search narrows the export as it narrows the list, and its
    // export buttons carry the unit and the search.
    let code = &households[0].code;
    let page = router
        .clone()
        .oneshot(
            Request::get(format!("/households?unit=42&as_of=15/09/2025&q={code}"))
                .header(header::AUTHORIZATION, format!("Bearer {admin}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let page = page.into_body().collect().await.unwrap().to_bytes();
    // The page escapes `&` as `&amp;` or `&#38;`; both read the same in a browser.
    let page = String::from_utf8_lossy(&page).replace("&#38;", "&amp;");
    assert!(
        page.contains(&format!(
            "/api/v1/households/export?unit=42&amp;q={code}&amp;as_of=15%2F09%2F2025&amp;format=xlsx"
        )),
        "the export button of the filtered list"
    );
    let (status, one) = export(
        &router,
        &admin,
        &format!("unit=42&as_of=15/09/2025&q={code}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let one = rows(one);
    assert!(one.len() > 1 && one[1..].iter().all(|r| &r[0] == code));

    // CSV: the same lines, with a byte-order mark.
    let (status, csv) = export(&router, &oversight, "unit=42&as_of=15/09/2025&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("\u{feff}Mã hộ,".as_bytes()));
    let csv = String::from_utf8(csv).unwrap();
    assert!(ids.iter().all(|id| !csv.contains(id.as_str())));

    // Another province's administrator is refused, and the file names nobody.
    let nghean = token(&router, "nghean.admin").await;
    let (status, body) = export(&router, &nghean, "unit=42&as_of=15/09/2025&format=xlsx").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        ids.iter()
            .all(|id| !String::from_utf8_lossy(&body).contains(id.as_str()))
    );
}
giamngheo_store::store_test!(the_export_masks_ids_for_roles_that_may_not_read_them);
