//! Signing in through the web: the login page and its cookie, CSRF on forms and uploads,
//! bearer tokens for the API, and access answers as the browser and scripts see them.

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use giamngheo_app::access::Role;
use giamngheo_app::auth::NewUserInput;
use giamngheo_app::units::UnitImportOptions;
use giamngheo_app::{App, Clock, Config};
use giamngheo_domain::Hierarchy;
use giamngheo_store::testing::TestDb;
use giamngheo_web::WebOptions;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use support::*;
use tower::ServiceExt;

mod support;

const UNITS: &str = "code,name,kind,level,parent_code\n\
                     42,Tỉnh Hà Tĩnh,Tỉnh,1,\n\
                     444,Huyện Hương Khê,Huyện,2,42\n\
                     18499,Xã Điền Mỹ,Xã,3,444\n\
                     18496,Thị trấn Hương Khê,Thị trấn,3,444\n";

const PASSWORD: &str = "mật khẩu đủ dài";

/// A clock the tests move forward, to see waits and expiries pass.
#[derive(Clone)]
struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    fn advance(&self, by: Duration) {
        *self.0.lock().unwrap() += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

struct Site {
    router: Router,
    db: TestDb,
    clock: TestClock,
}

async fn site_with(options: WebOptions) -> Site {
    let db = TestDb::sqlite().await;
    let clock = TestClock(Arc::new(Mutex::new(Utc::now())));
    let app = App::new(
        db.store.clone(),
        Config {
            hierarchy: Hierarchy::four_levels(),
            ..Config::default()
        },
        Arc::new(clock.clone()),
    );
    app.import_units(
        UNITS.as_bytes(),
        &UnitImportOptions {
            valid_from: NaiveDate::from_ymd_opt(2025, 3, 1).unwrap(),
            retire_missing: false,
            hierarchy: None,
        },
    )
    .await
    .unwrap();
    for (username, role, unit) in [
        ("canbo.dienmy", Role::CommuneOfficer, "18499"),
        ("giamsat", Role::Oversight, "444"),
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
    Site {
        router: giamngheo_web::router_with(app, options),
        db,
        clock,
    }
}

async fn site() -> Site {
    site_with(WebOptions::default()).await
}

impl Served for Site {
    fn router(&self) -> &Router {
        &self.router
    }
}

fn post_multipart(uri: &str, session: &str, fields: &[(&str, &str)]) -> Request<Body> {
    let boundary = "ranh-gioi-1234";
    let mut body = String::new();
    for (name, value) in fields {
        if *name == "file" {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"thon.csv\"\r\nContent-Type: text/csv\r\n\r\n{value}\r\n"
            ));
        } else {
            body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ));
        }
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post(uri)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::COOKIE, format!("gn_session={session}"))
        .body(Body::from(body))
        .unwrap()
}

fn post_json(uri: &str, bearer: Option<&str>, body: serde_json::Value) -> Request<Body> {
    let mut r = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(t) = bearer {
        r = r.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    r.body(Body::from(body.to_string())).unwrap()
}

/// Signs in through the login page as a browser does; returns the session cookie's value.
async fn sign_in(site: &Site, username: &str) -> String {
    let answer = sign_in_answer(site, username).await;
    answer.cookie("gn_session").expect("a session cookie")
}

/// Signs in through the login page as a browser does; returns the answer.
async fn sign_in_answer(site: &Site, username: &str) -> Answer {
    support::sign_in_answer(site, username, PASSWORD).await
}

/// The CSRF token of a signed-in page.
async fn csrf_of(site: &Site, session: &str) -> String {
    send(site, get("/units/18499", Some(session)))
        .await
        .csrf_field()
}

#[tokio::test]
async fn a_page_asks_for_a_sign_in_and_opens_after_it() {
    let site = site().await;
    let answer = send(&site, get("/units/18499?lang=en", None)).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/login?next=/units/18499%3Flang%3Den");

    let page = send(&site, get("/login?next=/units/18499", None)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Đăng nhập"));
    let login_cookie = page
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("gn_login="))
        .unwrap();
    assert!(login_cookie.contains("HttpOnly"));
    let answer = send(
        &site,
        post_form(
            "/login",
            Some(&format!("gn_login={}", page.cookie("gn_login").unwrap())),
            &[
                ("username", "canbo.dienmy"),
                ("password", PASSWORD),
                ("csrf", &page.csrf_field()),
                ("next", "/units/18499"),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/units/18499");
    let cookie = answer
        .set_cookies()
        .into_iter()
        .find(|c| c.starts_with("gn_session="))
        .unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP keeps the cookie usable: {cookie}"
    );

    let session = answer.cookie("gn_session").unwrap();
    let page = send(&site, get("/units/18499", Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("canbo.dienmy"));
    assert!(page.body.contains("Cán bộ xã"));
    assert!(page.body.contains("action=\"/logout\""));
    // The officer may add villages here, so the forms are there, each with the token.
    assert!(page.body.contains("/units/18499/villages/import"));
    assert_eq!(page.body.matches("name=\"csrf\"").count(), 3);
    site.db.finish().await;
}

/// A sign-in through the login form from `peer`, saying `X-Forwarded-Proto: https`.
async fn sign_in_saying_https(site: &Site, peer: &str) -> Answer {
    let page = send(site, get("/login", None)).await;
    let mut request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(
            header::COOKIE,
            format!("gn_login={}", page.cookie("gn_login").unwrap()),
        )
        .header("x-forwarded-proto", "https")
        .body(Body::from(format!(
            "username=canbo.dienmy&password={}&csrf={}",
            encode(PASSWORD),
            page.csrf_field()
        )))
        .unwrap();
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(peer));
    let answer = send(site, request).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    answer
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    // A configured proxy says the client came over HTTPS: the cookies are Secure.
    let site = site_with(WebOptions {
        trusted_proxies: vec!["10.0.0.5".parse().unwrap()],
        ..WebOptions::default()
    })
    .await;
    let answer = sign_in_saying_https(&site, "10.0.0.5").await;
    assert!(answer.set_cookies().iter().all(|c| c.contains("; Secure")));
    // Anyone else saying so is not believed, and HSTS is not sent on their word either.
    let answer = sign_in_saying_https(&site, "203.0.113.7").await;
    assert!(
        answer.set_cookies().iter().all(|c| !c.contains("; Secure")),
        "{:?}",
        answer.set_cookies()
    );
    assert!(
        answer
            .headers
            .get(header::STRICT_TRANSPORT_SECURITY)
            .is_none()
    );
    site.db.finish().await;

    let site = site_with(WebOptions {
        secure_cookies: true,
        ..WebOptions::default()
    })
    .await;
    let page = send(&site, get("/login", None)).await;
    assert!(page.set_cookies()[0].contains("; Secure"));
    site.db.finish().await;
}

#[tokio::test]
async fn a_login_form_from_elsewhere_or_with_a_wrong_password_is_refused() {
    let site = site().await;
    // No form token (a form posted from another site).
    let answer = send(
        &site,
        post_form(
            "/login",
            None,
            &[("username", "canbo.dienmy"), ("password", PASSWORD)],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert!(answer.cookie("gn_session").is_none());

    let page = send(&site, get("/login", None)).await;
    let answer = send(
        &site,
        post_form(
            "/login",
            Some(&format!("gn_login={}", page.cookie("gn_login").unwrap())),
            &[
                ("username", "canbo.dienmy"),
                ("password", "sai mật khẩu rồi"),
                ("csrf", &page.csrf_field()),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(
        answer
            .body
            .contains("Tên đăng nhập hoặc mật khẩu không đúng")
    );
    assert!(answer.body.contains("value=\"canbo.dienmy\""));
    site.db.finish().await;
}

#[tokio::test]
async fn a_form_without_the_sessions_csrf_token_is_refused() {
    let site = site().await;
    let session = sign_in(&site, "canbo.dienmy").await;
    let cookie = format!("gn_session={session}");
    let csrf = csrf_of(&site, &session).await;
    fn fields(token: Option<&str>) -> Vec<(&'static str, &str)> {
        let mut f = vec![("name", "Thôn Mới"), ("kind", "Thôn")];
        if let Some(t) = token {
            f.push(("csrf", t));
        }
        f
    }
    for token in [None, Some(""), Some("0123"), Some(session.as_str())] {
        let answer = send(
            &site,
            post_form("/units/18499/villages", Some(&cookie), &fields(token)),
        )
        .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{token:?}");
    }
    let answer = send(
        &site,
        post_form("/units/18499/villages", Some(&cookie), &fields(Some(&csrf))),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/units/18499?created=18499001");

    // htmx sends the token as a header instead.
    let request = Request::post("/units/18499/villages")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, &cookie)
        .header("x-csrf-token", &csrf)
        .body(Body::from("name=Th%C3%B4n+Hai&kind=Th%C3%B4n"))
        .unwrap();
    assert_eq!(send(&site, request).await.status, StatusCode::SEE_OTHER);
    site.db.finish().await;
}

#[tokio::test]
async fn an_upload_without_the_csrf_token_is_refused() {
    let site = site().await;
    let session = sign_in(&site, "canbo.dienmy").await;
    let csrf = csrf_of(&site, &session).await;
    let file = "name,kind\nThôn Hai,Thôn\n";
    let answer = send(
        &site,
        post_multipart("/units/18499/villages/import", &session, &[("file", file)]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = send(
        &site,
        post_multipart(
            "/units/18499/villages/import",
            &session,
            &[("csrf", "sai"), ("file", file)],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = send(
        &site,
        post_multipart(
            "/units/18499/villages/import",
            &session,
            &[("csrf", &csrf), ("file", file)],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    assert_eq!(answer.location(), "/units/18499?imported=1");
    site.db.finish().await;
}

#[tokio::test]
async fn another_communes_village_form_answers_not_found() {
    let site = site().await;
    let session = sign_in(&site, "canbo.dienmy").await;
    let csrf = csrf_of(&site, &session).await;
    // The neighbouring commune's page is readable (units are public) but has no forms.
    let page = send(&site, get("/units/18496", Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/units/18496/villages"));
    let answer = send(
        &site,
        post_form(
            "/units/18496/villages",
            Some(&format!("gn_session={session}")),
            &[("name", "Tổ Mới"), ("kind", "Tổ dân phố"), ("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    // Oversight reads but may not write: the forms are hidden and a sent form is 403.
    let session = sign_in(&site, "giamsat").await;
    let page = send(&site, get("/units/18499", Some(&session))).await;
    assert!(!page.body.contains("/units/18499/villages"));
    let csrf = page.csrf_field();
    let answer = send(
        &site,
        post_form(
            "/units/18499/villages",
            Some(&format!("gn_session={session}")),
            &[("name", "Thôn Mới"), ("kind", "Thôn"), ("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    site.db.finish().await;
}

#[tokio::test]
async fn a_script_signs_in_for_a_bearer_token_and_needs_no_csrf_token() {
    let site = site().await;
    let answer = send(&site, get("/api/v1/units", None)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["error"]["code"], "unauthenticated");
    assert_eq!(answer.headers[header::WWW_AUTHENTICATE], "Bearer");

    let answer = send(
        &site,
        post_json(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "canbo.dienmy", "password": "sai mật khẩu rồi"}),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(answer.json()["error"]["code"], "unauthenticated");

    let answer = send(
        &site,
        post_json(
            "/api/v1/auth/login",
            None,
            serde_json::json!({"username": "canbo.dienmy", "password": PASSWORD}),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let token = answer.json()["token"].as_str().unwrap().to_string();
    assert_eq!(token.len(), 64);

    let mut me = get("/api/v1/auth/me", None);
    me.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    let answer = send(&site, me).await;
    assert_eq!(answer.json()["role"], "commune_officer");
    assert_eq!(answer.json()["unit_code"], "18499");

    let village = serde_json::json!({"name": "Thôn Mới", "kind": "Thôn"});
    let answer = send(
        &site,
        post_json(
            "/api/v1/units/18499/villages",
            Some(&token),
            village.clone(),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
    assert_eq!(answer.json()["code"], "18499001");
    // Another commune: not found, as if it did not exist.
    let answer = send(
        &site,
        post_json(
            "/api/v1/units/18496/villages",
            Some(&token),
            village.clone(),
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.json()["error"]["code"], "not_found");

    let mut out = Request::post("/api/v1/auth/logout")
        .body(Body::empty())
        .unwrap();
    out.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    assert_eq!(send(&site, out).await.status, StatusCode::NO_CONTENT);
    let answer = send(
        &site,
        post_json("/api/v1/units/18499/villages", Some(&token), village),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    site.db.finish().await;
}

#[tokio::test]
async fn the_api_with_a_browser_cookie_still_needs_the_csrf_header() {
    let site = site().await;
    let session = sign_in(&site, "canbo.dienmy").await;
    let csrf = csrf_of(&site, &session).await;
    let request = |token: Option<&str>| {
        let mut r = Request::post("/api/v1/units/18499/villages")
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, format!("gn_session={session}"));
        if let Some(t) = token {
            r = r.header("x-csrf-token", t);
        }
        r.body(Body::from(r#"{"name":"Thôn Mới","kind":"Thôn"}"#))
            .unwrap()
    };
    let answer = send(&site, request(None)).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    assert_eq!(answer.json()["error"]["code"], "forbidden");
    assert_eq!(
        send(&site, request(Some(&csrf))).await.status,
        StatusCode::CREATED
    );
    site.db.finish().await;
}

#[tokio::test]
async fn six_wrong_passwords_in_a_row_are_answered_with_retry_after() {
    let site = site().await;
    let wrong = serde_json::json!({"username": "canbo.dienmy", "password": "đoán sai mật khẩu"});
    for _ in 0..5 {
        let answer = send(&site, post_json("/api/v1/auth/login", None, wrong.clone())).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    }
    let right = serde_json::json!({"username": "canbo.dienmy", "password": PASSWORD});
    let answer = send(&site, post_json("/api/v1/auth/login", None, right)).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answer.json()["error"]["code"], "too_many_attempts");
    let retry: u64 = answer.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&retry), "{retry}");
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("thử lại sau")
    );
    site.db.finish().await;
}

/// An API sign-in as if it came over the network from `peer`, with the
/// `X-Forwarded-For` header `forwarded`.
fn login_from(
    peer: &str,
    forwarded: Option<&str>,
    username: &str,
    password: &str,
) -> Request<Body> {
    let mut r = post_json(
        "/api/v1/auth/login",
        None,
        serde_json::json!({"username": username, "password": password}),
    );
    let peer: SocketAddr = format!("{peer}:40000").parse().unwrap();
    r.extensions_mut().insert(ConnectInfo(peer));
    if let Some(f) = forwarded {
        r.headers_mut()
            .insert("x-forwarded-for", f.parse().unwrap());
    }
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn thirty_concurrent_wrong_passwords_are_not_all_checked() {
    let site = site().await;
    let tries: Vec<_> = (0..30)
        .map(|i| {
            let router = site.router.clone();
            // From thirty addresses, as a guesser with many machines would.
            let request = login_from(
                &format!("198.51.100.{i}"),
                None,
                "canbo.dienmy",
                "đoán sai mật khẩu",
            );
            tokio::spawn(async move { router.oneshot(request).await.unwrap().status() })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    let slowed = statuses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    // Only the free tries reach the password check; the others wait.
    assert_eq!(checked, giamngheo_app::auth::MAX_FAILURES, "{statuses:?}");
    assert_eq!(checked + slowed, 30, "{statuses:?}");
    // The right password, even from a fresh address, waits too…
    let right = login_from("203.0.113.1", None, "canbo.dienmy", PASSWORD);
    let answer = send(&site, right).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS);
    let retry: i64 = answer.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry, 30);
    assert!(
        answer.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("thử lại sau 30 giây"),
        "{}",
        answer.body
    );
    // …and gets through once the wait is over: a slow-down, not a lockout.
    site.clock.advance(Duration::seconds(retry));
    let right = login_from("203.0.113.1", None, "canbo.dienmy", PASSWORD);
    assert_eq!(send(&site, right).await.status, StatusCode::OK);
    site.db.finish().await;
}

/// Guesses a password for as many usernames as an address may fail on, each try from
/// `peer` with a new `X-Forwarded-For`; then signs in rightly the same way and returns
/// the answer's status.
async fn guess_from_behind(site: &Site, peer: &str) -> StatusCode {
    for i in 0..giamngheo_app::throttle::ADDRESS_MAX_FAILURES {
        let forwarded = format!("192.0.2.{i}");
        let request = login_from(peer, Some(&forwarded), &format!("khach{i}"), "đoán sai");
        let answer = send(site, request).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "try {i}");
    }
    let right = login_from(peer, Some("192.0.2.250"), "canbo.dienmy", PASSWORD);
    send(site, right).await.status
}

#[tokio::test]
async fn x_forwarded_for_counts_only_from_a_trusted_proxy() {
    // A client that writes a new X-Forwarded-For on every try is still one address, and
    // runs out of tries over all the usernames it guesses, even from this machine.
    let site = site().await;
    assert_eq!(
        guess_from_behind(&site, "127.0.0.1").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    site.db.finish().await;

    // Behind a configured proxy, the address it forwards is the client's.
    let site = site_with(WebOptions {
        trusted_proxies: vec!["10.0.0.5".parse().unwrap()],
        ..WebOptions::default()
    })
    .await;
    assert_eq!(guess_from_behind(&site, "10.0.0.5").await, StatusCode::OK);
    site.db.finish().await;
}

/// The Max-Age of the session cookie among the Set-Cookie headers.
fn session_max_age(answer: &Answer) -> Option<i64> {
    answer.set_cookies().iter().find_map(|c| {
        c.starts_with("gn_session=")
            .then(|| c.split("Max-Age=").nth(1)?.split(';').next()?.parse().ok())?
    })
}

#[tokio::test]
async fn the_session_cookie_lives_as_long_as_the_session() {
    let site = site().await;
    let answer = sign_in_answer(&site, "canbo.dienmy").await;
    let session = answer.cookie("gn_session").unwrap();
    // The server ends an unused browser session after 12 hours; so does the cookie.
    let idle = giamngheo_app::auth::web_idle_timeout().num_seconds();
    assert_eq!(session_max_age(&answer), Some(idle));
    // Using the session after a while moves its end, and the cookie's, forward.
    site.clock.advance(Duration::hours(1));
    let answer = send(&site, get("/", Some(&session))).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(session_max_age(&answer), Some(idle));
    // A request soon after does not move it and sets no cookie.
    site.clock.advance(Duration::minutes(1));
    let answer = send(&site, get("/", Some(&session))).await;
    assert_eq!(session_max_age(&answer), None);
    // Logging out after a while clears the cookie and does not set it again.
    site.clock.advance(Duration::hours(1));
    let csrf = csrf_of(&site, &session).await;
    site.clock.advance(Duration::hours(1));
    let answer = send(
        &site,
        post_form(
            "/logout",
            Some(&format!("gn_session={session}")),
            &[("csrf", &csrf)],
        ),
    )
    .await;
    assert_eq!(session_max_age(&answer), Some(0));
    assert_eq!(answer.set_cookies().len(), 1, "{:?}", answer.set_cookies());
    site.db.finish().await;
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let site = site().await;
    let session = sign_in(&site, "canbo.dienmy").await;
    let cookie = format!("gn_session={session}");
    let csrf = csrf_of(&site, &session).await;
    // Logging out is a change too: without the token another site could sign users out.
    let answer = send(&site, post_form("/logout", Some(&cookie), &[])).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    let answer = send(
        &site,
        post_form("/logout", Some(&cookie), &[("csrf", &csrf)]),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/login");
    assert!(
        answer
            .set_cookies()
            .iter()
            .any(|c| c.starts_with("gn_session=;") && c.contains("Max-Age=0"))
    );
    let answer = send(&site, get("/", Some(&session))).await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER);
    assert_eq!(answer.location(), "/login");
    site.db.finish().await;
}

#[tokio::test]
async fn a_password_is_changed_on_the_account_page() {
    let site = site().await;
    let session = sign_in(&site, "canbo.dienmy").await;
    let cookie = format!("gn_session={session}");
    let page = send(&site, get("/account/password?lang=en", Some(&session))).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Change password"));
    let csrf = page.csrf_field();
    let new = "mật khẩu mới còn dài hơn";
    let answer = send(
        &site,
        post_form(
            "/account/password",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("old_password", PASSWORD),
                ("new_password", new),
                ("confirm_password", "khác hẳn mật khẩu mới"),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer.body.contains("không giống nhau"));
    let answer = send(
        &site,
        post_form(
            "/account/password",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("old_password", PASSWORD),
                ("new_password", new),
                ("confirm_password", new),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert!(answer.body.contains("Đã đổi mật khẩu"));
    // This browser stays signed in.
    assert_eq!(
        send(&site, get("/", Some(&session))).await.status,
        StatusCode::OK
    );
    site.db.finish().await;
}

#[tokio::test]
async fn htmx_is_told_to_reload_to_the_login_page() {
    let site = site().await;
    let request = Request::get("/search?q=huong")
        .header("hx-request", "true")
        .body(Body::empty())
        .unwrap();
    let answer = send(&site, request).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        answer.headers["hx-redirect"],
        "/login?next=/search%3Fq%3Dhuong"
    );
    site.db.finish().await;
}

#[tokio::test]
async fn the_openapi_document_declares_the_bearer_scheme() {
    let site = site().await;
    let answer = send(&site, get("/api/v1/openapi.json", None)).await;
    assert_eq!(answer.status, StatusCode::OK);
    let doc = answer.json();
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert_eq!(doc["security"][0]["bearer"], serde_json::json!([]));
    // Signing in needs no token.
    assert_eq!(
        doc["paths"]["/auth/login"]["post"]["security"],
        serde_json::json!([{}])
    );
    assert!(doc["paths"]["/auth/me"]["get"].is_object());
    site.db.finish().await;
}
