//! What the web tests share: sending a request to a site's router and reading the
//! answer, building requests, and signing in through the login page as a browser does.
//! Each test file builds its own site (units, users, options), and says how to reach its
//! router through [`Served`].

// Each test binary uses only some of these helpers.
#![allow(dead_code)]

pub mod district;
pub mod programme;
pub mod refused;
pub mod review_site;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// A test site: anything with the router to send requests to.
pub trait Served {
    fn router(&self) -> &Router;
}

impl Served for Router {
    fn router(&self) -> &Router {
        self
    }
}

/// An answer as a test reads it.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (invalid UTF-8 replaced), for pages and JSON.
    pub body: String,
    /// The body as sent, for files.
    pub bytes: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        self.body.clone()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.bytes).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    /// A header's value, or "" when it is absent.
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    pub fn location(&self) -> &str {
        self.header(header::LOCATION)
    }

    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    /// The value a Set-Cookie header gives `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.set_cookies().iter().find_map(|c| {
            c.split(';')
                .next()?
                .strip_prefix(&format!("{name}="))
                .map(str::to_string)
        })
    }

    /// The value of the first hidden `csrf` field on the page.
    pub fn csrf_field(&self) -> String {
        let marker = "name=\"csrf\" value=\"";
        let at = self.body.find(marker).expect("a csrf field") + marker.len();
        let rest = &self.body[at..];
        rest[..rest.find('"').unwrap()].to_string()
    }
}

pub async fn send(site: &impl Served, request: Request<Body>) -> Answer {
    let response = site.router().clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    }
}

/// A GET, with the session cookie when there is one.
pub fn get(uri: &str, session: Option<&str>) -> Request<Body> {
    let mut r = Request::get(uri);
    if let Some(s) = session {
        r = r.header(header::COOKIE, format!("gn_session={s}"));
    }
    r.body(Body::empty()).unwrap()
}

/// Percent-encodes a form value.
pub fn encode(s: &str) -> String {
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

/// A form post with the `Cookie` header as given (`gn_session=…`, `gn_login=…`).
pub fn post_form(uri: &str, cookie: Option<&str>, fields: &[(&str, &str)]) -> Request<Body> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{k}={}", encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let mut r =
        Request::post(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        r = r.header(header::COOKIE, c);
    }
    r.body(Body::from(body)).unwrap()
}

/// Signs in through the login page as a browser does; returns the answer, a redirect
/// that sets the session cookie.
pub async fn sign_in_answer(site: &impl Served, username: &str, password: &str) -> Answer {
    let page = send(site, get("/login", None)).await;
    let login = page.cookie("gn_login").unwrap();
    let answer = send(
        site,
        post_form(
            "/login",
            Some(&format!("gn_login={login}")),
            &[
                ("username", username),
                ("password", password),
                ("csrf", &page.csrf_field()),
                ("next", "/"),
            ],
        ),
    )
    .await;
    assert_eq!(answer.status, StatusCode::SEE_OTHER, "{}", answer.body);
    answer
}

/// The demo district as a new user meets it on 07/12/2026, nine in the morning in
/// Vietnam: the 2026 lists decided, the 2027 review of the officer's commune open and half
/// surveyed. `households` is the demo's size (120 gives the review households to work
/// on).
pub async fn demo_of_today(
    store: giamngheo_store::Store,
    households: usize,
) -> (Router, giamngheo_app::App, giamngheo_app::demo::DemoSummary) {
    let now = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
        .unwrap()
        .and_hms_opt(2, 0, 0)
        .unwrap()
        .and_utc();
    let app = giamngheo_app::App::new(
        store,
        giamngheo_app::Config::default(),
        std::sync::Arc::new(giamngheo_app::FixedClock(now)),
    );
    let demo = app.load_demo(2021, households).await.unwrap();
    (giamngheo_web::router(app.clone()), app, demo)
}

/// The demo user of a role.
pub fn demo_user(
    demo: &giamngheo_app::demo::DemoSummary,
    role: giamngheo_app::access::Role,
) -> &giamngheo_app::demo::DemoUser {
    demo.users.iter().find(|u| u.role == role).unwrap()
}

/// Signs in as the demo user of a role; returns the session cookie's value.
pub async fn demo_session(
    site: &Router,
    demo: &giamngheo_app::demo::DemoSummary,
    role: giamngheo_app::access::Role,
) -> String {
    let user = demo_user(demo, role);
    sign_in_answer(site, &user.username, &user.password)
        .await
        .cookie("gn_session")
        .unwrap()
}

/// One part of a `multipart/form-data` body: a text field, or a file with its name.
pub enum Part<'a> {
    Field(&'a str, &'a str),
    File {
        name: &'a str,
        file_name: &'a str,
        content_type: &'a str,
        content: &'a str,
    },
}

/// A `multipart/form-data` post, as a form with a file sends it, with one credential
/// header (`Cookie` for a browser's session, `Authorization` for the API).
pub fn multipart(
    uri: &str,
    credential: (header::HeaderName, &str),
    parts: &[Part<'_>],
) -> Request<Body> {
    let boundary = "----giamngheo-test-boundary";
    let mut body = String::new();
    for part in parts {
        match part {
            Part::Field(name, value) => body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )),
            Part::File {
                name,
                file_name,
                content_type,
                content,
            } => body.push_str(&format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n{content}\r\n"
            )),
        }
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Request::post(uri)
        .header(credential.0, credential.1)
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}
