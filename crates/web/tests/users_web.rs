//! The user-management page in a browser's shoes: an administrator finds it in the menu,
//! creates a user there, and that user signs in with the password shown once; a role
//! that manages nobody neither sees the link nor opens the page.

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

const PASSWORD: &str = "mật khẩu đủ dài";

async fn site(store: Store) -> Router {
    let now = NaiveDate::from_ymd_opt(2026, 11, 20)
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
        "code,name,kind,level,parent_code\n42,Tỉnh Hà Tĩnh,Tỉnh,1,\n18496,Xã Hương Khê,Xã,2,42\n"
            .as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 7, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    for (username, role, unit) in [
        ("quantri.hatinh", Role::Admin, "42"),
        ("giamsat.hatinh", Role::Oversight, "42"),
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
    giamngheo_web::router(app)
}

struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    body: String,
}

impl Answer {
    fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.iter().find_map(|c| {
            c.split(';')
                .next()?
                .strip_prefix(&format!("{name}="))
                .map(str::to_string)
        })
    }

    /// The text between `before` and the next `"` or `<`.
    fn after(&self, before: &str) -> String {
        let at = self.body.find(before).expect(before) + before.len();
        let rest = &self.body[at..];
        rest[..rest.find(['"', '<']).unwrap()].to_string()
    }
}

async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let cookies = response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        cookies,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}

fn get(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

fn post_form(uri: &str, cookie: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", url_encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    Request::post(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(Body::from(body))
        .unwrap()
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Signs in through the login page; returns the session cookie.
async fn sign_in(router: &Router, username: &str, password: &str) -> Result<String, Answer> {
    let page = send(router, get("/login", "")).await;
    let login = page.cookie("gn_login").unwrap();
    let answer = send(
        router,
        post_form(
            "/login",
            &format!("gn_login={login}"),
            &[
                ("username", username),
                ("password", password),
                ("csrf", &page.after("name=\"csrf\" value=\"")),
                ("next", "/"),
            ],
        ),
    )
    .await;
    match answer.cookie("gn_session") {
        Some(s) if answer.status == StatusCode::SEE_OTHER => Ok(format!("gn_session={s}")),
        _ => Err(answer),
    }
}

async fn a_user_created_on_the_page_signs_in(store: Store) {
    let router = site(store).await;
    let admin = sign_in(&router, "quantri.hatinh", PASSWORD)
        .await
        .unwrap_or_else(|a| panic!("{}", a.body));

    // The menu leads to the page.
    let home = send(&router, get("/", &admin)).await;
    let menu = &home.body[home.body.find("<nav").unwrap()..home.body.find("</nav>").unwrap()];
    assert!(menu.contains("href=\"/users\">Người dùng<"), "{menu}");
    let page = send(&router, get("/users", &admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("giamsat.hatinh"));
    let csrf = page.after("name=\"csrf\" value=\"");

    // A refusal names the field's problem and keeps what was typed.
    let refused = send(
        &router,
        post_form(
            "/users",
            &admin,
            &[
                ("csrf", &csrf),
                ("username", "canbo.huongkhe"),
                ("role", "village_head"),
                ("unit", "18496"),
            ],
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused
            .body
            .contains("vai trò «Trưởng thôn» chỉ gắn với đơn vị cấp thôn")
    );
    assert!(refused.body.contains("value=\"canbo.huongkhe\""));

    let created = send(
        &router,
        post_form(
            "/users",
            &admin,
            &[
                ("csrf", &csrf),
                ("username", "canbo.huongkhe"),
                ("role", "commune_officer"),
                ("unit", "18496"),
            ],
        ),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert!(created.body.contains("Đã tạo người dùng canbo.huongkhe."));
    let password = created.after("<code class=\"password\">");
    assert_eq!(password.chars().count(), 19, "{password}");

    // The new user signs in with it, and lands on a page of its commune's product.
    let officer = sign_in(&router, "canbo.huongkhe", &password)
        .await
        .unwrap_or_else(|a| panic!("{}", a.body));
    let home = send(&router, get("/", &officer)).await;
    assert_eq!(home.status, StatusCode::OK);
    // A commune officer manages nobody: no link, and the page is refused.
    assert!(!home.body.contains("href=\"/users\""));
    let refused = send(&router, get("/users", &officer)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The list shows the password nowhere once the answer that made it is gone.
    let list = send(&router, get("/users", &admin)).await;
    assert!(list.body.contains("canbo.huongkhe"));
    assert!(!list.body.contains(&password));
}
giamngheo_store::store_test!(a_user_created_on_the_page_signs_in);
