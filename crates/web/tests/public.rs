//! Routes that answer without signing in: the health check, the OpenAPI document, assets.

use axum::http::StatusCode;
use giamngheo_app::{App, Config, SystemClock};
use std::sync::Arc;

mod support;

async fn router() -> (axum::Router, giamngheo_store::testing::TestDb) {
    let db = giamngheo_store::testing::TestDb::sqlite().await;
    let app = App::new(db.store.clone(), Config::default(), Arc::new(SystemClock));
    (giamngheo_web::router(app), db)
}

async fn get(router: &axum::Router, uri: &str) -> (StatusCode, String) {
    let answer = support::send(router, support::get(uri, None)).await;
    (answer.status, answer.body)
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

/// A disabled button is styled apart from one that can be pressed: greyed, without the
/// hand cursor every other button has.
#[tokio::test]
async fn the_stylesheet_greys_out_disabled_buttons() {
    let (router, db) = router().await;
    let (status, css) = get(&router, "/assets/app.css").await;
    assert_eq!(status, StatusCode::OK);
    let rule = css
        .lines()
        .find(|l| l.starts_with("button:disabled"))
        .expect("a rule for disabled buttons");
    assert!(
        rule.contains("cursor: not-allowed") && rule.contains("color: #777"),
        "{rule}"
    );
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

#[tokio::test]
async fn the_health_check_reports_the_integrity_check_run_at_start() {
    use giamngheo_store::{Integrity, Store};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let url = path.to_str().unwrap();
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    // A table of many pages at the end of the file, to damage without touching the
    // tables the health check reads; then everything is written into the file itself.
    store
        .execute_admin(
            "CREATE TABLE filler (x TEXT);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO filler SELECT printf('%0200d', i) FROM n;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .await
        .unwrap();
    assert_eq!(
        store.check_integrity_at_start().await.unwrap(),
        Integrity::Ok
    );
    let app = App::new(store.clone(), Config::default(), Arc::new(SystemClock));
    let (status, body) = get(&giamngheo_web::router(app), "/healthz").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["integrity"], "ok");
    store.close().await;

    // Garbage over the headers of some of the filler's pages.
    let mut bytes = std::fs::read(&path).unwrap();
    let page_size = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
    let pages = bytes.len() / page_size;
    for page in pages - 20..pages - 10 {
        bytes[page * page_size..page * page_size + 12].fill(0xA5);
    }
    std::fs::write(&path, &bytes).unwrap();

    let store = Store::connect(url).await.unwrap();
    assert!(matches!(
        store.check_integrity_at_start().await.unwrap(),
        Integrity::Failed(_)
    ));
    let app = App::new(store.clone(), Config::default(), Arc::new(SystemClock));
    let (status, body) = get(&giamngheo_web::router(app), "/healthz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    let json: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["integrity"], "failed");
    assert_eq!(json["status"], "integrity_failed");
    store.close().await;
}
