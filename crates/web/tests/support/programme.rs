//! The programme's test site (Hà Tĩnh with two communes, Nghệ An, and a user of each
//! role the programme's access turns on) and the API-token helpers its tests send
//! requests with: shared by the programme's web test binaries.

use super::Part;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Config, FixedClock};
use giamngheo_domain::Hierarchy;
use giamngheo_store::Store;
use http_body_util::BodyExt;
use std::sync::Arc;
use tower::ServiceExt;

pub const PASSWORD: &str = "mật khẩu đủ dài";

pub async fn site(store: Store) -> Router {
    let now = NaiveDate::from_ymd_opt(2026, 3, 2)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = App::new(
        store,
        Config {
            hierarchy: Hierarchy::three_levels(),
            ..Config::default()
        },
        Arc::new(FixedClock(now)),
    );
    app.import_units(
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n18001,Xã Sơn Kim,Xã,2,42\n18002,Xã Kỳ Anh,Xã,2,42\n40,Tỉnh Nghệ An,Tỉnh,1,\n"
            .as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    for (username, role, unit, agency) in [
        ("quantri.hatinh", Role::Admin, "42", None),
        ("vanphong.hatinh", Role::Office, "42", None),
        ("taichinh.hatinh", Role::AgencyOfficer, "42", Some("42-stc")),
        ("giamsat.hatinh", Role::Oversight, "42", None),
        ("taichinh.nghean", Role::Office, "40", None),
        ("xa.kyanh", Role::CommuneOfficer, "18002", None),
    ] {
        let user = app
            .add_user_as_system(NewUserInput {
                username: username.into(),
                password: PASSWORD.into(),
                role,
                unit_code: unit.into(),
            })
            .await
            .unwrap();
        if agency.is_some() {
            app.store().set_user_agency(user.id, agency).await.unwrap();
        }
    }
    giamngheo_web::router(app)
}

pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    /// Where a redirect sends, or "".
    pub location: String,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|_| panic!("{}", self.text()))
    }
}

pub async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let location = response
        .headers()
        .get(header::LOCATION)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        location,
        body: body.to_vec(),
    }
}

pub async fn token(router: &Router, username: &str) -> String {
    let body = serde_json::json!({"username": username, "password": PASSWORD}).to_string();
    let answer = send(
        router,
        Request::post("/api/v1/auth/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.text());
    format!("Bearer {}", answer.json()["token"].as_str().unwrap())
}

pub fn post_json(uri: &str, bearer: &str, body: serde_json::Value) -> Request<Body> {
    Request::post(uri)
        .header(header::AUTHORIZATION, bearer)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A page's form posted as a browser sends it.
pub fn post_form(uri: &str, bearer: &str, form: impl Into<Body>) -> Request<Body> {
    Request::post(uri)
        .header(header::AUTHORIZATION, bearer)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(form.into())
        .unwrap()
}

pub fn get(uri: &str, bearer: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::AUTHORIZATION, bearer)
        .body(Body::empty())
        .unwrap()
}

/// An upload of a beneficiary list through the API, as `file`.
pub fn multipart(uri: &str, bearer: &str, file_name: &str, file: &str) -> Request<Body> {
    super::multipart(
        uri,
        (header::AUTHORIZATION, bearer),
        &[Part::File {
            name: "file",
            file_name,
            content_type: "text/csv",
            content: file,
        }],
    )
}
