//! Routes that answer without signing in: the health check, the OpenAPI document, assets.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use giamngheo_app::{App, Config, SystemClock};
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

async fn router() -> (axum::Router, giamngheo_store::testing::TestDb) {
    let db = giamngheo_store::testing::TestDb::sqlite().await;
    let app = App::new(db.store.clone(), Config::default(), Arc::new(SystemClock));
    (giamngheo_web::router(app), db)
}

async fn get(router: &axum::Router, uri: &str) -> (StatusCode, String) {
    let response = router
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn the_health_check_names_the_backend_and_schema_version() {
    let (router, db) = router().await;
    let (status, body) = get(&router, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["backend"], "sqlite");
    assert_eq!(json["schema_version"], db.store.known_schema_version());
    db.finish().await;
}

#[tokio::test]
async fn the_openapi_document_lists_the_units_endpoints() {
    let (router, db) = router().await;
    let (status, body) = get(&router, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(json["openapi"].as_str().unwrap().starts_with("3."));
    assert!(json["paths"]["/units"]["get"].is_object());
    assert!(json["paths"]["/units/{code}"]["get"].is_object());
    db.finish().await;
}

#[tokio::test]
async fn htmx_is_served_from_the_binary() {
    let (router, db) = router().await;
    let (status, body) = get(&router, "/assets/htmx.min.js").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("htmx"));
    db.finish().await;
}
