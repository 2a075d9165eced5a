//! `/api/v1/units` and the households list across the July 2025 reform: units listed as
//! of a day, a closed unit's successors, and the error for a closed unit used today.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_store::Store;
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

use giamngheo_store::store_test as web_test;

const PASSWORD: &str = "mật khẩu thử đủ dài 2026";

async fn send(router: &Router, request: Request<Body>) -> (StatusCode, serde_json::Value) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&body).unwrap_or_default())
}

async fn signed_in(store: Store) -> (Router, String) {
    let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 28)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(store, Config::default(), Arc::new(FixedClock(now)));
    app.load_official_units_if_empty().await.unwrap();
    app.add_user_as_system(NewUserInput {
        username: "so.ha.tinh".into(),
        password: PASSWORD.into(),
        role: Role::Admin,
        unit_code: "42".into(),
    })
    .await
    .unwrap();
    let router = giamngheo_web::router(app);
    let body = serde_json::json!({"username": "so.ha.tinh", "password": PASSWORD}).to_string();
    let (status, json) = send(
        &router,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    (router, json["token"].as_str().unwrap().to_string())
}

fn get(uri: &str, token: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

async fn units_are_listed_as_of_a_day_and_closed_ones_name_their_successors(store: Store) {
    let (router, token) = signed_in(store).await;

    let (status, json) = send(&router, get("/api/v1/units", &token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json.as_array().unwrap().len(), 34);
    let (_, json) = send(&router, get("/api/v1/units?as_of=01/01/2025", &token)).await;
    assert_eq!(json.as_array().unwrap().len(), 63);

    // Hương Khê's old communes, as of a day the district was valid.
    let (status, json) = send(
        &router,
        get("/api/v1/units?parent=444&as_of=01/01/2025", &token),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let communes = json.as_array().unwrap();
    assert_eq!(communes.len(), 20);
    assert!(communes.iter().any(|c| c["name"] == "Thị trấn Hương Khê"));

    // Today the district is closed: a clear error naming what replaced it.
    for uri in ["/api/v1/units?parent=444", "/api/v1/households?unit=444"] {
        let (status, json) = send(&router, get(uri, &token)).await;
        assert_eq!(status, StatusCode::GONE, "{uri}: {json}");
        let message = json.to_string();
        assert!(
            message.contains("đã giải thể từ 01/07/2025 (hết hiệu lực 30/06/2025), nay thuộc"),
            "{message}"
        );
        assert!(message.contains("Xã Hương Khê (mã 18496)"), "{message}");
    }

    // The closed district itself, with its successors.
    let (status, json) = send(&router, get("/api/v1/units/444", &token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["valid_to"], "2025-06-30");
    let successors = json["successors"].as_array().unwrap();
    assert_eq!(successors.len(), 7);
    assert!(successors.iter().any(|s| s["code"] == "18496"));

    // A reused code: the unit of the day asked about.
    let (_, json) = send(&router, get("/api/v1/units/18496?as_of=31/12/2024", &token)).await;
    assert_eq!(json["name"], "Thị trấn Hương Khê");
    assert_eq!(json["successors"][0]["name"], "Xã Hương Khê");
    let (_, json) = send(&router, get("/api/v1/units/18496", &token)).await;
    assert_eq!(json["name"], "Xã Hương Khê");
    assert_eq!(json["successors"].as_array().unwrap().len(), 0);

    let (status, json) = send(&router, get("/api/v1/units?as_of=31/02/2025", &token)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
}
web_test!(units_are_listed_as_of_a_day_and_closed_ones_name_their_successors);
