//! Signing in on the web: the login page, sessions carried in a cookie or as a bearer
//! token, the CSRF check on every form, logout and the password change page.
//!
//! One middleware, [`authenticate`], runs before every route: it looks the session up
//! once, refuses requests that need a sign-in and have none, and refuses a
//! cookie-authenticated request that changes something without the session's CSRF token
//! (in the `csrf` form field, also inside multipart uploads, or the `X-CSRF-Token`
//! header, which htmx sends). Handlers then take a [`CurrentUser`] (pages) or an
//! [`ApiUser`] (JSON) and pass its `actor` to the app layer, which decides access.

use crate::error::{ApiError, ErrorBody, HtmlError};
use crate::i18n::{Lang, T};
use crate::routes::Routes;
use crate::{request_text, upload};
use askama::Template;
use askama_web::WebTemplate;
use axum::body::{Body, Bytes};
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, Form, FromRequest, FromRequestParts, MatchedPath, Multipart,
    OptionalFromRequestParts, Query, Request, State,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use giamngheo_app::access::{Actor, Role};
use giamngheo_app::auth::{ActiveSession, SessionKind, csrf_matches, random_token};
use giamngheo_app::{App, AppError};
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use utoipa::ToSchema;

/// The cookie that carries a browser's session token.
pub const SESSION_COOKIE: &str = "gn_session";
/// The cookie that carries the login form's CSRF token (before there is a session).
const LOGIN_COOKIE: &str = "gn_login";
/// The header a script or htmx sends the CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the web layer is deployed.
#[derive(Debug, Clone, Default)]
pub struct WebOptions {
    /// Mark cookies `Secure` (the server is reached over HTTPS through a proxy). Cookies
    /// are marked `Secure` anyway on requests a trusted proxy says came as
    /// `X-Forwarded-Proto: https`; from any other peer that header is dropped.
    pub secure_cookies: bool,
    /// The reverse proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    /// From any other peer the header is ignored; none by default.
    pub trusted_proxies: Vec<IpAddr>,
    /// How many requests are served at once and how long one waits for a place before
    /// it is shed with 503 (see `overload.rs`).
    pub capacity: crate::overload::Capacity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    Cookie,
    Bearer,
}

/// The request's valid session, put into its extensions by [`authenticate`].
#[derive(Clone)]
struct SignedIn {
    session: ActiveSession,
    token: String,
}

/// What the middleware needs: the app and the deployment options.
#[derive(Clone)]
pub(crate) struct Gate {
    pub app: App,
    pub options: WebOptions,
}

/// Paths that answer without a sign-in.
fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login" | "/healthz" | "/favicon.ico" | "/api/v1/openapi.json" | "/api/v1/auth/login"
    ) || path.starts_with("/assets/")
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A cookie's value from the request headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

/// Checks the sign-in and the CSRF token of every request; see the module comment.
pub(crate) async fn authenticate(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let lang = match Lang::from_request_parts(&mut parts, &()).await {
        Ok(l) => l,
        Err(never) => match never {},
    };
    let path = parts.uri.path().to_string();
    let api = path.starts_with("/api/");
    // One limit per route (see `upload.rs`), for the CSRF read below and for the
    // handler's extractors alike; a body announced larger is refused before it is read.
    let limit = upload::limit_for(parts.extensions.get::<MatchedPath>().map(|m| m.as_str()));
    let announced = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > limit.body as u64) {
        return upload::too_large(api, lang, limit.shown);
    }
    let credentials = bearer(&parts.headers)
        .map(|t| (t, Via::Bearer))
        .or_else(|| cookie(&parts.headers, SESSION_COOKIE).map(|t| (t, Via::Cookie)));
    let mut signed_in = None;
    if let Some((token, via)) = credentials {
        match gate.app.session_for_token(&token).await {
            Ok(Some(session)) => signed_in = Some((SignedIn { session, token }, via)),
            Ok(None) => {}
            Err(error) => return refuse(api, lang, error),
        }
    }
    let mut req = Request::from_parts(parts, body);
    DefaultBodyLimit::max(limit.body).apply(&mut req);
    if !is_public(&path) {
        let Some((s, via)) = &signed_in else {
            return unauthenticated(&req, api);
        };
        // A bearer token is never sent by a browser on its own, so only cookie sessions
        // can be abused by another site and need the CSRF token.
        if *via == Via::Cookie && !is_safe(req.method()) {
            let (back, presented) = match presented_csrf(req, limit.body).await {
                Ok(found) => found,
                Err(BodyUnread::TooLarge) => return upload::too_large(api, lang, limit.shown),
                Err(BodyUnread::Nul(field)) => return request_text::refusal(api, lang, &field),
                Err(BodyUnread::Broken) => {
                    return refuse(
                        api,
                        lang,
                        AppError::invalid("body", "không đọc được dữ liệu gửi lên"),
                    );
                }
            };
            req = back;
            if !presented.is_some_and(|p| csrf_matches(&s.session.csrf_token, &p)) {
                tracing::warn!(
                    user_id = s.session.actor.user_id,
                    "request refused: missing or wrong CSRF token"
                );
                return refuse(
                    api,
                    lang,
                    AppError::Forbidden(lang.t().form_expired.to_string()),
                );
            }
        }
    }
    req.extensions_mut().insert(gate.options.clone());
    // A cookie session whose expiry this request moved forward gets its cookie again
    // with the new lifetime, so that the browser keeps it exactly as long as the server.
    let refresh = match &signed_in {
        Some((s, Via::Cookie)) if s.session.expiry_moved => Some((
            s.token.clone(),
            s.session.expires_at,
            secure(&gate.options, req.headers()),
        )),
        _ => None,
    };
    if let Some((s, _)) = signed_in {
        req.extensions_mut().insert(s);
    }
    let mut response = next.run(req).await;
    if let Some((token, expires_at, secure)) = refresh {
        let prefix = format!("{SESSION_COOKIE}=");
        // A response that sets the cookie itself (logout clears it) has the last word.
        let sets_it = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|v| v.as_bytes().starts_with(prefix.as_bytes()));
        if !sets_it {
            response.headers_mut().append(
                header::SET_COOKIE,
                session_cookie(&token, expires_at, gate.app.clock().now(), secure),
            );
        }
    }
    response
}

fn refuse(api: bool, lang: Lang, error: AppError) -> Response {
    if api {
        ApiError(error).into_response()
    } else {
        HtmlError { lang, error }.into_response()
    }
}

/// The answer to a request that needs a sign-in: 401 for the API, the login page (with
/// the way back) for pages.
fn unauthenticated(req: &Request, api: bool) -> Response {
    if api {
        let mut response = ApiError(AppError::Unauthenticated(
            "cần đăng nhập: gửi Authorization: Bearer TOKEN (lấy ở POST /api/v1/auth/login)".into(),
        ))
        .into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    let next = if req.method() == Method::GET {
        req.uri()
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into())
    } else {
        "/".into()
    };
    let target = if next == "/" {
        "/login".to_string()
    } else {
        format!("/login?next={}", encode_component(&next))
    };
    if req.headers().contains_key("hx-request") {
        // htmx would swap the login page into a corner of the page; it reloads instead.
        let mut response = StatusCode::UNAUTHORIZED.into_response();
        if let Ok(v) = HeaderValue::from_str(&target) {
            response.headers_mut().insert("hx-redirect", v);
        }
        return response;
    }
    Redirect::to(&target).into_response()
}

#[derive(Deserialize)]
struct CsrfOnly {
    csrf: Option<String>,
}

/// Why a body could not be read for its CSRF token.
enum BodyUnread {
    /// Over the route's limit.
    TooLarge,
    /// The client broke off or sent something that is no body.
    Broken,
    /// A form field holds a NUL, which no text field may (PostgreSQL refuses it).
    Nul(String),
}

/// Finds the CSRF token a request presents: the header, or the `csrf` field of an
/// urlencoded or multipart form body. The body is read once, up to `limit` bytes, and
/// handed back intact for the handler, which parses it from memory (a form's `csrf`
/// field comes first, so finding it here does not parse the file).
async fn presented_csrf(
    req: Request,
    limit: usize,
) -> Result<(Request, Option<String>), BodyUnread> {
    if let Some(v) = req.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
        let v = v.to_string();
        return Ok((req, Some(v)));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let lower = content_type.to_ascii_lowercase();
    let form = lower.starts_with("application/x-www-form-urlencoded");
    let multipart = lower.starts_with("multipart/form-data");
    if !form && !multipart {
        return Ok((req, None));
    }
    let (parts, body) = req.into_parts();
    let bytes = upload::read(body, limit).await.map_err(|e| match e {
        upload::Unread::TooLarge => BodyUnread::TooLarge,
        upload::Unread::Broken => BodyUnread::Broken,
    })?;
    if form && let Some(field) = request_text::refused_parameter(&bytes, |b| b == 0) {
        return Err(BodyUnread::Nul(field));
    }
    let presented = if form {
        form_csrf(&content_type, bytes.clone()).await
    } else {
        multipart_csrf(&content_type, bytes.clone()).await
    };
    Ok((Request::from_parts(parts, Body::from(bytes)), presented))
}

fn copy_of(content_type: &str, bytes: Bytes) -> Option<Request> {
    let mut copy = Request::post("/")
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(bytes))
        .ok()?;
    // The bytes are already in memory within the route's limit.
    DefaultBodyLimit::disable().apply(&mut copy);
    Some(copy)
}

async fn form_csrf(content_type: &str, bytes: Bytes) -> Option<String> {
    let copy = copy_of(content_type, bytes)?;
    Form::<CsrfOnly>::from_request(copy, &())
        .await
        .ok()
        .and_then(|Form(f)| f.csrf)
}

async fn multipart_csrf(content_type: &str, bytes: Bytes) -> Option<String> {
    let copy = copy_of(content_type, bytes)?;
    let mut multipart = Multipart::from_request(copy, &()).await.ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some("csrf") {
            return field.text().await.ok();
        }
    }
    None
}

/// Percent-encodes text for a query string.
fn encode_component(s: &str) -> String {
    crate::headers::percent_encode(s, b"-_.~/")
}

/// Where to go after signing in: only a path on this site, so that a crafted link cannot
/// send the user elsewhere.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && !n.chars().any(|c| c.is_control()) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// The role's name in the user's language.
pub fn role_label(role: Role, lang: Lang) -> &'static str {
    match lang {
        Lang::Vi => role.label_vi(),
        Lang::En => match role {
            Role::Admin => "System administrator",
            Role::Office => "Specialised office (department)",
            Role::AgencyOfficer => "Department officer",
            Role::CommuneOfficer => "Commune officer",
            Role::VillageHead => "Village head",
            Role::Oversight => "Oversight (Fatherland Front, People's Council)",
            Role::ProvinceViewer => "Province viewer (aggregates)",
        },
    }
}

/// The signed-in user as the page header shows it, with the CSRF token every form on
/// the page carries.
pub struct Viewer {
    pub username: String,
    pub role: String,
    pub unit_name: String,
    pub csrf: String,
    /// The menu's links the user may open ([`crate::menu`]).
    pub menu: Vec<crate::menu::MenuLink>,
}

/// The signed-in user of a page request. Without a sign-in, the request is sent to the
/// login page (the middleware does so before any handler runs).
pub struct CurrentUser {
    pub actor: Actor,
    pub unit_name: String,
    /// An office's agency name, shown instead of the role's generic name.
    pub agency_name: Option<String>,
    /// The session's CSRF token, for forms.
    pub csrf: String,
    token: String,
}

impl CurrentUser {
    fn from_signed_in(s: &SignedIn) -> CurrentUser {
        CurrentUser {
            actor: s.session.actor.clone(),
            unit_name: s.session.unit_name.clone(),
            agency_name: s.session.agency_name.clone(),
            csrf: s.session.csrf_token.clone(),
            token: s.token.clone(),
        }
    }

    /// The signed-in user of a request the sign-in check has let through, if any.
    pub(crate) fn of_request(req: &axum::extract::Request) -> Option<CurrentUser> {
        req.extensions()
            .get::<SignedIn>()
            .map(CurrentUser::from_signed_in)
    }

    /// What the page header shows.
    pub fn viewer(&self, lang: Lang) -> Viewer {
        Viewer {
            username: self.actor.username.clone(),
            role: match (&self.agency_name, lang) {
                (Some(agency), Lang::Vi) => agency.clone(),
                _ => role_label(self.actor.role, lang).to_string(),
            },
            unit_name: self.unit_name.clone(),
            csrf: self.csrf.clone(),
            menu: crate::menu::links(&self.actor, lang),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<SignedIn>() {
            Some(s) => Ok(CurrentUser::from_signed_in(s)),
            None => Err(Redirect::to("/login").into_response()),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for CurrentUser {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<SignedIn>()
            .map(CurrentUser::from_signed_in))
    }
}

/// The signed-in user of an API request; without one, a JSON 401.
pub struct ApiUser {
    pub actor: Actor,
    pub unit_name: String,
    token: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<SignedIn>() {
            Some(s) => Ok(ApiUser {
                actor: s.session.actor.clone(),
                unit_name: s.session.unit_name.clone(),
                token: s.token.clone(),
            }),
            None => Err(ApiError(AppError::Unauthenticated("cần đăng nhập".into()))),
        }
    }
}

/// Where a sign-in attempt comes from, for the rate limit: the peer address, or, when
/// the peer is one of the configured trusted proxies, the client address it forwarded.
/// `X-Forwarded-For` from anyone else is ignored, since a client could otherwise pick a
/// new address for every try.
pub struct ClientKey(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientKey {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let trusted = parts
            .extensions
            .get::<WebOptions>()
            .map(|o| o.trusted_proxies.as_slice())
            .unwrap_or(&[]);
        let forwarded = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let key = match peer {
            Some(ip) => client_address(ip, &forwarded, trusted).to_string(),
            None => "local".to_string(),
        };
        Ok(ClientKey(key))
    }
}

/// The client behind `peer`: `X-Forwarded-For` is read from the right, each hop a
/// trusted proxy vouching for the one before it, and the first address not a trusted
/// proxy is the client. A hop that is not an address stops the walk at the proxy that
/// sent it.
fn client_address(peer: IpAddr, forwarded: &str, trusted: &[IpAddr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.contains(&ip.to_canonical());
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    for hop in forwarded
        .rsplit(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
    {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip.to_canonical();
        if !is_trusted(client) {
            break;
        }
    }
    client
}

fn secure(options: &WebOptions, headers: &HeaderMap) -> bool {
    options.secure_cookies
        || headers
            .get(crate::headers::X_FORWARDED_PROTO)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The session cookie, living exactly as long as the session does on the server.
fn session_cookie(
    token: &str,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
    secure: bool,
) -> HeaderValue {
    let max_age = (expires_at - now).num_seconds().max(0);
    set_cookie(SESSION_COOKIE, token, "/", max_age, secure)
}

fn set_cookie(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> HeaderValue {
    let mut c = format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}");
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie text is ASCII")
}

mod password;
use password::{password_page, password_submit};

pub(crate) fn routes() -> Routes {
    Routes::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/logout", post(logout))
        .route(
            "/account/password",
            get(password_page).post(password_submit),
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    t: &'static T,
    lang: Lang,
    viewer: Option<Viewer>,
    login_csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

/// The login page with a fresh form token, which is also set as a cookie: a form posted
/// from another site cannot know it (double-submit).
fn login_form(
    lang: Lang,
    options: &WebOptions,
    headers: &HeaderMap,
    status: StatusCode,
    next: String,
    username: String,
    error: Option<String>,
) -> Response {
    // An existing form token is kept, so that a second tab, or the browser's own
    // background requests that end on this page (a favicon redirected here), do not
    // invalidate the form already on screen.
    let login_csrf = cookie(headers, LOGIN_COOKIE)
        .filter(|c| c.len() == 64 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap_or_else(random_token);
    let cookie = set_cookie(
        LOGIN_COOKIE,
        &login_csrf,
        "/login",
        3600,
        secure(options, headers),
    );
    let page = LoginPage {
        t: lang.t(),
        lang,
        viewer: None,
        login_csrf,
        next,
        username,
        error,
    };
    (status, [(header::SET_COOKIE, cookie)], page).into_response()
}

async fn login_page(
    lang: Lang,
    user: Option<CurrentUser>,
    Extension(options): Extension<WebOptions>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if user.is_some() {
        return Redirect::to(&next).into_response();
    }
    login_form(
        lang,
        &options,
        &headers,
        StatusCode::OK,
        next,
        String::new(),
        None,
    )
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
    next: Option<String>,
}

async fn login_submit(
    State(app): State<App>,
    lang: Lang,
    Extension(options): Extension<WebOptions>,
    ClientKey(client): ClientKey,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let t = lang.t();
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if !csrf_matches(&expected, &form.csrf) {
        return login_form(
            lang,
            &options,
            &headers,
            StatusCode::FORBIDDEN,
            next,
            form.username,
            Some(t.form_expired.to_string()),
        );
    }
    match app
        .login(&form.username, &form.password, &client, SessionKind::Web)
        .await
    {
        Ok(session) => {
            let secure = secure(&options, &headers);
            let mut response = Redirect::to(&next).into_response();
            let h = response.headers_mut();
            h.append(
                header::SET_COOKIE,
                session_cookie(
                    &session.token,
                    session.expires_at,
                    app.clock().now(),
                    secure,
                ),
            );
            h.append(
                header::SET_COOKIE,
                set_cookie(LOGIN_COOKIE, "", "/login", 0, secure),
            );
            response
        }
        Err(AppError::Unauthenticated(_)) => login_form(
            lang,
            &options,
            &headers,
            StatusCode::UNAUTHORIZED,
            next,
            form.username,
            Some(t.wrong_credentials.to_string()),
        ),
        Err(e @ AppError::TooManyAttempts { .. }) => {
            let retry = match &e {
                AppError::TooManyAttempts {
                    retry_after_secs, ..
                } => *retry_after_secs,
                _ => 0,
            };
            let mut response = login_form(
                lang,
                &options,
                &headers,
                StatusCode::TOO_MANY_REQUESTS,
                next,
                form.username,
                Some(e.to_string()),
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry));
            response
        }
        Err(error) => HtmlError { lang, error }.into_response(),
    }
}

async fn logout(
    State(app): State<App>,
    lang: Lang,
    user: CurrentUser,
    Extension(options): Extension<WebOptions>,
    headers: HeaderMap,
) -> Response {
    if let Err(error) = app.logout(&user.token).await {
        return HtmlError { lang, error }.into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    response.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", "/", 0, secure(&options, &headers)),
    );
    response
}

// The JSON API's sign-in.

pub(crate) fn api_routes() -> Routes {
    Routes::new()
        .route("/auth/login", post(api_login))
        .route("/auth/logout", post(api_logout))
        .route("/auth/me", get(api_me))
}

/// Credentials for an API token.
#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

/// An API token: send it as `Authorization: Bearer TOKEN`.
#[derive(Serialize, ToSchema)]
pub struct TokenBody {
    pub token: String,
    /// When the token stops working (RFC 3339, UTC).
    pub expires_at: String,
}

/// Signs in and returns an API token (valid 30 days). After 5 wrong passwords for a
/// username, each further try must wait (30 seconds, doubling up to 15 minutes); after
/// 30 failures from one address within 15 minutes, that address waits. Tries too soon
/// get 429 with Retry-After.
#[utoipa::path(post, path = "/auth/login", request_body = LoginBody, security(()),
    responses(
        (status = 200, body = TokenBody),
        (status = 401, description = "Wrong username or password", body = ErrorBody),
        (status = 429, description = "Too many failed attempts; see Retry-After", body = ErrorBody)
    ))]
pub(crate) async fn api_login(
    State(app): State<App>,
    ClientKey(client): ClientKey,
    Json(body): Json<LoginBody>,
) -> Result<Json<TokenBody>, ApiError> {
    let session = app
        .login(&body.username, &body.password, &client, SessionKind::Api)
        .await?;
    Ok(Json(TokenBody {
        token: session.token,
        expires_at: session
            .expires_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }))
}

/// Ends the session of the token sent.
#[utoipa::path(post, path = "/auth/logout",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "No valid token", body = ErrorBody)
    ))]
pub(crate) async fn api_logout(
    State(app): State<App>,
    user: ApiUser,
) -> Result<StatusCode, ApiError> {
    app.logout(&user.token).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The signed-in user.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub username: String,
    /// `admin`, `office`, `agency_officer`, `commune_officer`, `village_head`,
    /// `oversight` or `province_viewer` (`labour_office`, the old name of `office`, is
    /// accepted wherever a role is given but never answered).
    pub role: String,
    /// The unit the role applies to (and everything below it).
    pub unit_code: String,
    pub unit_name: String,
}

/// Who the token signs in as.
#[utoipa::path(get, path = "/auth/me",
    responses(
        (status = 200, body = Me),
        (status = 401, description = "No valid token", body = ErrorBody)
    ))]
pub(crate) async fn api_me(user: ApiUser) -> Json<Me> {
    Json(Me {
        username: user.actor.username,
        role: user.actor.role.as_str().to_string(),
        unit_code: user.actor.unit_code,
        unit_name: user.unit_name,
    })
}

#[cfg(test)]
mod tests;
