//! The web server: server-rendered pages in Vietnamese (English available) and the JSON
//! API under `/api/v1`. Handlers are thin: they parse the request, call the app layer and
//! render its answer.

mod api;
mod api_households;
mod audit;
mod auth;
mod dashboard;
mod error;
mod form;
mod format;
mod headers;
mod hh_list;
mod hh_new;
mod hh_problems;
mod hh_text;
mod home;
mod households;
mod html;
mod i18n;
mod inspections;
mod match_queue;
mod menu;
mod overload;
mod periodic;
mod policies;
mod programme;
mod reports;
mod request_text;
mod review_print;
mod reviews;
mod routes;
mod rv_text;
mod standard_view;
mod survey;
mod svg;
mod targets;
mod tasks;
mod upload;
mod users;
mod villages;

pub use api::ApiDoc;
pub use auth::{ApiUser, CurrentUser, Viewer, WebOptions};
pub use overload::{Capacity, shed_total};

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::IntoResponse;
use axum::routing::get;
use giamngheo_app::App;
use routes::Routes;
use tower_http::trace::TraceLayer;

/// Builds the whole router around an application, with the default options (cookies
/// marked `Secure` only behind a proxy that says the request came over HTTPS).
pub fn router(app: App) -> Router {
    router_with(app, WebOptions::default())
}

/// Builds the whole router around an application. Every route needs a sign-in except
/// the login page, the health check, the assets, the OpenAPI document and API sign-in.
pub fn router_with(app: App, options: WebOptions) -> Router {
    let gate = auth::Gate {
        app: app.clone(),
        options: options.clone(),
    };
    let (routes, _) = all_routes().into_parts();
    routes
        .layer(axum::middleware::from_fn(error::with_menu))
        .layer(axum::middleware::from_fn(html::remember_lang))
        .layer(axum::middleware::from_fn(request_text::refuse_nul_in_json))
        .layer(axum::middleware::from_fn_with_state(
            gate,
            auth::authenticate,
        ))
        .layer(axum::middleware::from_fn(request_text::refuse_controls))
        // Before any database work (the session check is the first), and inside the
        // security headers so that a shed request carries them too.
        .layer(axum::middleware::from_fn_with_state(
            options.capacity.clone(),
            overload::limit,
        ))
        // Outside the sign-in check, so that its refusals carry the headers as well.
        .layer(axum::middleware::from_fn_with_state(
            options,
            headers::secure,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(app)
}

/// The span of a request in the logs: its method and path, without the query string.
/// Searches put names and citizen IDs in the query (`/households?q=…`), and personal
/// data never goes to the logs; the path holds only codes and ids.
fn request_span<B>(request: &axum::http::Request<B>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %request.uri().path(),
    )
}

/// Every path the server answers, as registered (`/households/{id}`), for tests that
/// must try each route.
pub fn route_paths() -> Vec<String> {
    all_routes().into_parts().1
}

fn all_routes() -> Routes {
    Routes::new()
        .merge(html::routes())
        .merge(households::routes())
        .merge(reports::routes())
        .merge(targets::routes())
        .merge(tasks::routes())
        .merge(reviews::routes())
        .merge(standard_view::routes())
        .merge(dashboard::routes())
        .merge(auth::routes())
        .merge(users::routes())
        .merge(villages::routes())
        .merge(policies::routes())
        .merge(programme::routes())
        .merge(survey::routes())
        .merge(inspections::routes())
        .merge(periodic::routes())
        .merge(review_print::routes())
        .merge(audit::routes())
        .nest(
            "/api/v1",
            api::routes()
                .merge(api_households::routes())
                .merge(reports::api_routes())
                .merge(targets::api_routes())
                .merge(policies::api_routes())
                .merge(programme::api_routes())
                .merge(tasks::api_routes())
                .merge(survey::api_routes())
                .merge(inspections::api_routes())
                .merge(periodic::api_routes()),
        )
        .route("/healthz", get(healthz))
        .route("/assets/htmx.min.js", get(htmx))
        .route("/assets/app.css", get(css))
        .route("/assets/dashboard.css", get(dashboard_css))
        .route("/assets/report.css", get(report_css))
        .route("/assets/print.css", get(print_css))
        .route("/assets/print.js", get(print_js))
        .route("/assets/submit.js", get(submit_js))
        .route("/favicon.ico", get(favicon))
}

/// Health check for load balancers and operators: the backend and schema version, and
/// on SQLite the result of the integrity check run at server start; 200 when the
/// database answers, its schema is the one this binary expects and the check did not
/// fail.
async fn healthz(axum::extract::State(app): axum::extract::State<App>) -> impl IntoResponse {
    let store = app.store();
    let integrity = store
        .integrity()
        .map(|i| i.as_str())
        .unwrap_or("not_checked");
    match store.schema_version().await {
        Ok(version) => {
            let current = version == store.known_schema_version();
            let intact = integrity != "failed";
            let status = if current && intact {
                axum::http::StatusCode::OK
            } else {
                axum::http::StatusCode::SERVICE_UNAVAILABLE
            };
            let summary = match (current, intact) {
                (_, false) => "integrity_failed",
                (false, true) => "schema_mismatch",
                (true, true) => "ok",
            };
            (
                status,
                axum::Json(serde_json::json!({
                    "status": summary,
                    "backend": store.backend().as_str(),
                    "schema_version": version,
                    "integrity": integrity,
                    "version": env!("CARGO_PKG_VERSION"),
                })),
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({
                    "status": "unavailable",
                    "backend": store.backend().as_str(),
                    "integrity": integrity,
                })),
            )
        }
    }
}

const HTMX: &str = include_str!("../assets/htmx.min.js");
const CSS: &str = include_str!("../assets/app.css");
// The styles and the one script of particular pages: the site's policy allows no
// inline style or script, so they are served from here.
const DASHBOARD_CSS: &str = include_str!("../assets/dashboard.css");
const REPORT_CSS: &str = include_str!("../assets/report.css");
const PRINT_CSS: &str = include_str!("../assets/print.css");
const PRINT_JS: &str = include_str!("../assets/print.js");
/// Every page's lock on forms being sent (see the file).
const SUBMIT_JS: &str = include_str!("../assets/submit.js");

fn asset(body: &'static str, content_type: &'static str) -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=86400"),
            ),
        ],
        body,
    )
}

async fn htmx() -> impl IntoResponse {
    asset(HTMX, "text/javascript; charset=utf-8")
}

/// Browsers ask for it on every site; answering keeps that request from being sent to
/// the login page.
async fn favicon() -> impl IntoResponse {
    asset(FAVICON, "image/svg+xml")
}

const FAVICON: &str = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='3' fill='#a4161a'/><path d='M4 11h8M5 8h6M6 5h4' stroke='#fff' stroke-width='1.6'/></svg>";

async fn css() -> impl IntoResponse {
    asset(CSS, "text/css; charset=utf-8")
}

async fn dashboard_css() -> impl IntoResponse {
    asset(DASHBOARD_CSS, "text/css; charset=utf-8")
}

async fn report_css() -> impl IntoResponse {
    asset(REPORT_CSS, "text/css; charset=utf-8")
}

async fn print_css() -> impl IntoResponse {
    asset(PRINT_CSS, "text/css; charset=utf-8")
}

async fn print_js() -> impl IntoResponse {
    asset(PRINT_JS, "text/javascript; charset=utf-8")
}

async fn submit_js() -> impl IntoResponse {
    asset(SUBMIT_JS, "text/javascript; charset=utf-8")
}
